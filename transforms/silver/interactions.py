"""Silver interactions: map a source's events onto the one taxonomy, with typed amounts and timestamps."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DateType, DecimalType, StringType, StructField, StructType, TimestampType

from golden_record.lakehouse.config import SourceConfig
from golden_record.lakehouse.sources import mapped_value
from golden_record.transforms.silver.dates import parse_date, parse_timestamp
from golden_record.transforms.silver.issues import ISSUES_COLUMN, ISSUES_TYPE, flag_issue, replace_or_flag, with_issues_column
from golden_record.transforms.silver.names import tidy_text
from golden_record.transforms.silver.per_source import per_source

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
        StructField("product_category", StringType()),
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


LINK_KEY = "link_key"
"""Column of `select_interaction_fields` holding the source's `link_by` value (e.g. a cookie id); not kept in silver."""


def channel_name(raw: Column, channels: Mapping[str, str]) -> Column:
    """A source's channel value as a channel name: its entry in `channels` (case-insensitive), else the value in lower case."""
    value = F.lower(raw)
    if not channels:
        return value
    names = F.create_map(*[item for text, name in channels.items() for item in (F.lit(text.strip().lower()), F.lit(name))])
    return F.coalesce(names[value], value)


def link_anonymous_events(df: DataFrame) -> DataFrame:
    """Give an event without customer key the key of the next event with the same link key that has one, else of the last one before.

    A web analytics cookie browses anonymously until its visitor logs in: the views before the login belong to the account
    that logged in (a later login on the same cookie takes the views after the earlier one)."""
    unlinked = F.col(LINK_KEY).isNull()  # each such event its own window: no partition gathers every event without link key
    same_link = Window.partitionBy("source_system", unlinked, F.coalesce(LINK_KEY, "event_id")).orderBy(F.col("occurred_at").asc_nulls_last(), "event_id")
    later = F.first("customer_record_id", ignorenulls=True).over(same_link.rowsBetween(Window.currentRow, Window.unboundedFollowing))
    earlier = F.last("customer_record_id", ignorenulls=True).over(same_link.rowsBetween(Window.unboundedPreceding, Window.currentRow))
    linked = F.when(F.col(LINK_KEY).isNotNull(), F.coalesce("customer_record_id", later, earlier)).otherwise(F.col("customer_record_id"))
    return df.withColumn("customer_record_id", linked)


def select_interaction_fields(bronze: DataFrame, source: SourceConfig) -> DataFrame:
    """Rename a source's mapped columns to canonical interaction fields (raw strings) plus load metadata."""
    mapping = source.interactions
    assert mapping is not None, f"source '{source.name}' has no interactions mapping"
    raw = {field: tidy_text(mapped_value(source.column_ref(column))) for field, column in mapping.fields.items()}
    if mapping.event_label is not None:
        raw["event_label"] = F.lit(mapping.event_label)
    raw["channel"] = channel_name(raw["channel"], mapping.channels) if "channel" in raw else F.lit(mapping.channel)
    for field in ("amount", "currency", "reference_id", "due_date", "status", "product_category"):
        raw.setdefault(field, F.lit(None).cast("string"))
    link = tidy_text(mapped_value(source.column_ref(mapping.link_by))) if mapping.link_by else F.lit(None).cast("string")
    return bronze.select(
        F.lit(source.name).alias("source_system"),
        F.lit(mapping.customer_source or source.name).alias("customer_source"),
        *[value.alias(field) for field, value in raw.items()],
        link.alias(LINK_KEY),
        F.col("_batch_id").alias("batch_id"),
        F.col("_ingested_at").alias("ingested_at"),
        F.col("_row_hash").alias("row_hash"),
    )


def map_event_type(df: DataFrame, labels: Mapping[str, Mapping[str, str]]) -> DataFrame:
    """Add `event_type` from the label via its source's label map (`labels[source_system]`; case- and space-insensitive); an unmapped label is an issue."""
    label = F.lower(F.trim("event_label"))
    lookup = per_source(labels, lambda source_labels: F.create_map(*[item for text, kind in source_labels.items() for item in (F.lit(text.strip().lower()), F.lit(kind))])[label])
    df = with_issues_column(df).withColumn("event_type", lookup)
    return flag_issue(
        df,
        field="event_label",
        rule="label_unmapped",
        reason=per_source(labels, lambda source_labels: F.lit(f"label is not mapped to the taxonomy in conf (known: {sorted(source_labels)})")),
        failed=F.col("event_type").isNull(),
        value=F.col("event_label"),
    )


def _amount(value: Column, decimal_separator: str) -> Column:
    """`value` as decimal(18,2) when written with `decimal_separator` (thousands in groups of three), else null."""
    thousands = re.escape("." if decimal_separator == "," else ",")
    decimal = re.escape(decimal_separator)
    shape = rf"^-?(\d{{1,3}}({thousands}\d{{3}})+|\d+)({decimal}\d+)?$"
    number = F.regexp_replace(F.regexp_replace(value, thousands, ""), decimal, ".")
    return F.when(value.rlike(shape), number.cast("decimal(18,2)"))


def parse_amount(df: DataFrame, column: str = "amount", decimal_separator: str | Mapping[str, str] = ".") -> DataFrame:
    """Parse an amount written with `decimal_separator` (one for all rows, or per source system; currency signs allowed) into decimal(18,2)."""
    separators = {"*": decimal_separator} if isinstance(decimal_separator, str) else decimal_separator
    cleaned = F.regexp_replace(F.col(column), r"[\s'’€$£]|CHF|EUR|NOK|SEK|DKK", "")
    parsed = per_source(separators, lambda separator: _amount(cleaned, separator))
    reason = per_source(separators, lambda separator: F.lit(f"not a number with decimal separator '{separator}'"))
    return replace_or_flag(with_issues_column(df), column, parsed, "amount_unparseable", reason)


def flag_missing_time(df: DataFrame) -> DataFrame:
    """Record an issue for events without a time (before parsing: an unparseable time is another issue)."""
    return flag_issue(df, "occurred_at", "timestamp_missing", "the event has no time", F.col("occurred_at").isNull(), F.lit(None).cast("string"))


def flag_missing_keys(df: DataFrame) -> DataFrame:
    """Record an issue for events without an id, or without the key of their customer (after `link_anonymous_events`)."""
    missing = F.lit(None).cast("string")
    df = flag_issue(df, "event_id", "event_id_missing", "the event has no id", F.col("event_id").isNull(), missing)
    reason = F.when(F.col(LINK_KEY).isNotNull(), F.lit("an anonymous event: no event with the same link key names a customer record"))
    return flag_issue(df, "customer_record_id", "customer_key_missing", F.coalesce(reason, F.lit("the event names no customer record")), F.col("customer_record_id").isNull(), missing)


def standardise_interactions(selected: DataFrame, sources: Sequence[SourceConfig]) -> DataFrame:
    """Rows of `select_interaction_fields` of any of `sources` -> canonical interaction rows with `quality_issues` (not yet split).

    All sources go through one plan: each row's labels, formats and decimal separator are its source's."""
    mappings = {source.name: source.interactions for source in sources}
    missing = [name for name, mapping in mappings.items() if mapping is None]
    assert not missing, f"source(s) {missing} have no interactions mapping"
    df = with_issues_column(selected)
    df = flag_missing_time(df)
    df = map_event_type(df, {name: mapping.labels for name, mapping in mappings.items()})
    df = parse_timestamp(df, "occurred_at", {source.name: [*source.timestamp_formats, *source.date_formats] for source in sources})
    if any(mapping.link_by for mapping in mappings.values()):
        df = link_anonymous_events(df)
    df = flag_missing_keys(df)
    df = parse_date(df, "due_date", {source.name: source.date_formats for source in sources})
    df = parse_amount(df, "amount", {source.name: source.decimal_separator for source in sources})
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
