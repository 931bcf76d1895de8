"""Silver interactions: map a source's events onto the one taxonomy, with typed amounts and timestamps."""

from __future__ import annotations

import re

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DateType, DecimalType, StringType, StructField, StructType, TimestampType

from golden_record.lakehouse.config import SourceConfig
from golden_record.lakehouse.sources import mapped_value
from golden_record.transforms.silver.dates import parse_date, parse_timestamp
from golden_record.transforms.silver.issues import ISSUES_COLUMN, ISSUES_TYPE, flag_issue, replace_or_flag, with_issues_column
from golden_record.transforms.silver.names import tidy_text

INTERACTION_SCHEMA = StructType(
    [
        StructField("source_system", StringType()),
        StructField("event_id", StringType()),
        StructField("customer_source", StringType()),
        StructField("customer_record_id", StringType()),
        StructField("event_type", StringType()),
        StructField("event_label", StringType()),
        StructField("channel", StringType()),
        StructField("occurred_at", TimestampType()),
        StructField("amount", DecimalType(18, 2)),
        StructField("currency", StringType()),
        StructField("reference_id", StringType()),
        StructField("due_date", DateType()),
        StructField("status", StringType()),
        StructField("batch_id", StringType()),
        StructField("ingested_at", TimestampType()),
        StructField("row_hash", StringType()),
        StructField(ISSUES_COLUMN, ISSUES_TYPE),
    ]
)
"""The one declaration of `silver.interactions`: columns in order with their types (`standardise_interactions` gives exactly
these; a source-less silver.interactions is an empty table of this schema)."""

INTERACTION_COLUMNS = tuple(INTERACTION_SCHEMA.fieldNames())
"""Columns of `silver.interactions`, in order."""

REJECTING_RULES = ("event_id_missing", "customer_key_missing", "customer_unknown", "label_unmapped", "timestamp_missing", "timestamp_unparseable")
"""Issues that keep an event out of silver (it goes to quarantine); other issues only null the value."""


def select_interaction_fields(bronze: DataFrame, source: SourceConfig) -> DataFrame:
    """Rename a source's mapped columns to canonical interaction fields (raw strings) plus load metadata."""
    mapping = source.interactions
    assert mapping is not None, f"source '{source.name}' has no interactions mapping"
    raw = {field: tidy_text(mapped_value(source.column_ref(column))) for field, column in mapping.fields.items()}
    if mapping.event_label is not None:
        raw["event_label"] = F.lit(mapping.event_label)
    raw.setdefault("channel", F.lit(mapping.channel))
    for field in ("amount", "currency", "reference_id", "due_date", "status"):
        raw.setdefault(field, F.lit(None).cast("string"))
    return bronze.select(
        F.lit(source.name).alias("source_system"),
        F.lit(mapping.customer_source or source.name).alias("customer_source"),
        *[value.alias(field) for field, value in raw.items()],
        F.col("_batch_id").alias("batch_id"),
        F.col("_ingested_at").alias("ingested_at"),
        F.col("_row_hash").alias("row_hash"),
    )


def map_event_type(df: DataFrame, labels: dict[str, str]) -> DataFrame:
    """Add `event_type` from the source label (case- and space-insensitive); an unmapped label is an issue."""
    lookup = F.create_map(*[item for label, event_type in labels.items() for item in (F.lit(label.strip().lower()), F.lit(event_type))])
    df = with_issues_column(df).withColumn("event_type", lookup[F.lower(F.trim("event_label"))])
    return flag_issue(
        df,
        field="event_label",
        rule="label_unmapped",
        reason=f"label is not mapped to the taxonomy in conf (known: {sorted(labels)})",
        failed=F.col("event_type").isNull(),
        value=F.col("event_label"),
    )


def parse_amount(df: DataFrame, column: str = "amount", decimal_separator: str = ".") -> DataFrame:
    """Parse an amount written with `decimal_separator` (thousands in groups of three, currency signs allowed) into decimal(18,2)."""
    thousands = re.escape("." if decimal_separator == "," else ",")
    decimal = re.escape(decimal_separator)
    shape = rf"^-?(\d{{1,3}}({thousands}\d{{3}})+|\d+)({decimal}\d+)?$"
    cleaned = F.regexp_replace(F.col(column), r"[\s'’€$£]|CHF|EUR|NOK|SEK|DKK", "")
    number = F.regexp_replace(F.regexp_replace(cleaned, thousands, ""), decimal, ".")
    parsed = F.when(cleaned.rlike(shape), number.cast("decimal(18,2)"))
    return replace_or_flag(with_issues_column(df), column, parsed, "amount_unparseable", f"not a number with decimal separator '{decimal_separator}'")


def flag_missing_keys(df: DataFrame) -> DataFrame:
    """Record an issue for events without an id, without the key of their customer, or without a time."""
    missing = F.lit(None).cast("string")
    df = flag_issue(df, "event_id", "event_id_missing", "the event has no id", F.col("event_id").isNull(), missing)
    df = flag_issue(df, "customer_record_id", "customer_key_missing", "the event names no customer record", F.col("customer_record_id").isNull(), missing)
    return flag_issue(df, "occurred_at", "timestamp_missing", "the event has no time", F.col("occurred_at").isNull(), missing)


def standardise_interactions(selected: DataFrame, source: SourceConfig) -> DataFrame:
    """Rows of `select_interaction_fields` of one source -> canonical interaction rows with `quality_issues` (not yet split)."""
    mapping = source.interactions
    assert mapping is not None, f"source '{source.name}' has no interactions mapping"
    df = with_issues_column(selected)
    df = flag_missing_keys(df)
    df = map_event_type(df, mapping.labels)
    df = parse_timestamp(df, "occurred_at", [*source.timestamp_formats, *source.date_formats])
    df = parse_date(df, "due_date", source.date_formats)
    df = parse_amount(df, "amount", source.decimal_separator)
    return df.withColumn("currency", F.upper("currency")).select(*INTERACTION_COLUMNS)


def flag_unknown_customers(events: DataFrame, customers: DataFrame) -> DataFrame:
    """Record an issue for events whose customer record (customer_source, customer_record_id) is not among silver `customers`."""
    known = customers.select(
        F.col("source_system").alias("customer_source"), F.col("source_record_id").alias("customer_record_id"), F.lit(True).alias("__known")
    ).distinct()
    flagged = flag_issue(
        with_issues_column(events).join(known, ["customer_source", "customer_record_id"], "left"),
        field="customer_record_id",
        rule="customer_unknown",
        reason=F.concat(
            F.lit("no customer record "), F.col("customer_source"), F.lit(":"), F.col("customer_record_id"),
            F.lit(" in silver (it was rejected, or has not been delivered yet; the event is promoted once it is)"),
        ),
        failed=F.col("__known").isNull() & F.col("customer_record_id").isNotNull(),
        value=F.col("customer_record_id"),
    )
    return flagged.select(*events.columns, *([] if "quality_issues" in events.columns else ["quality_issues"]))
