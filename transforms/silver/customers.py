"""Silver customers: one source's bronze rows -> the canonical customer schema, standardised, with issues."""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.config import SourceConfig
from golden_record.lakehouse.sources import mapped_value
from golden_record.lakehouse.standardisation_settings import StandardisationRules
from golden_record.lakehouse.tables import CUSTOMER_FIELDS, SILVER_CUSTOMERS
from golden_record.transforms.silver.addresses import split_house_number, standardise_city, standardise_postcode, standardise_street
from golden_record.transforms.silver.countries import standardise_country
from golden_record.transforms.silver.dates import parse_date, parse_timestamp
from golden_record.transforms.silver.emails import standardise_email
from golden_record.transforms.silver.issues import flag_issue, replace_or_flag, with_issues_column
from golden_record.transforms.silver.names import split_full_name, standardise_names, tidy_columns, tidy_text
from golden_record.transforms.silver.per_source import per_source
from golden_record.transforms.silver.phones import standardise_phone

REJECTING_RULES = ("record_id_missing", "no_identifying_attribute")
"""Issues that keep a customer row out of silver (it goes to quarantine); other issues only null the value."""

CONSENT_VALUES = {
    True: ("true", "t", "1", "yes", "y", "ja", "j", "oui", "si", "opt-in", "optin", "opted in", "subscribed"),
    False: ("false", "f", "0", "no", "n", "nein", "non", "nei", "nej", "opt-out", "optout", "opted out", "unsubscribed"),
}
"""Spellings of an explicit consent decision, by meaning."""

DELETED_AT_SOURCE = "deleted_at_source"
"""Working column of standardisation: the source marks this version of the record deleted (see `customers.deleted`)."""


def select_customer_fields(bronze: DataFrame, source: SourceConfig) -> DataFrame:
    """Rename a source's mapped columns to canonical customer fields (raw strings, tidied) plus load metadata."""
    mapping = source.customers
    assert mapping is not None, f"source '{source.name}' has no customers mapping"
    mapped = {field: tidy_text(mapped_value(source.column_ref(column))) for field, column in mapping.fields.items()}
    fields = [mapped.get(field, F.lit(None).cast("string")).alias(field) for field in CUSTOMER_FIELDS]
    deleted = deletion_mark(tidy_text(mapped_value(source.column_ref(mapping.deleted)))) if mapping.deleted else F.lit(False)
    return bronze.select(
        F.lit(source.name).alias("source_system"),
        tidy_text(mapped_value(source.column_ref(mapping.record_id))).alias("source_record_id"),
        *fields,
        deleted.alias(DELETED_AT_SOURCE),
        F.col("_batch_id").alias("batch_id"),
        F.col("_ingested_at").alias("ingested_at"),
        F.col("_row_hash").alias("row_hash"),
    ).withColumnRenamed("updated_at", "source_updated_at")


def deletion_mark(value: Column) -> Column:
    """Whether a deletion column marks the record deleted: any value (a time, yes, true …) except empty or no/false/0."""
    return value.isNotNull() & ~F.lower(value).isin(*CONSENT_VALUES[False])


def without_deleted(df: DataFrame) -> DataFrame:
    """The newest versions of records their source has not deleted, without the working deletion column."""
    return df.where(~F.col(DELETED_AT_SOURCE)).drop(DELETED_AT_SOURCE)


def parse_consent(df: DataFrame, column: str = "consent_email") -> DataFrame:
    """Read an explicit consent decision (true/false, ja/nein, opt-in/opt-out …) as a boolean; other text -> null + issue."""
    value = F.lower(F.col(column))
    decision = F.when(value.isin(*CONSENT_VALUES[True]), F.lit(True)).when(value.isin(*CONSENT_VALUES[False]), F.lit(False))
    return replace_or_flag(df, column, decision, "consent_unparseable", "not a recognised yes/no or opt-in/opt-out value")


def flag_unusable_rows(df: DataFrame) -> DataFrame:
    """Record the issues that reject a row: no source record id, or nothing left to recognise the person by."""
    missing = F.lit(None).cast("string")
    df = flag_issue(df, "source_record_id", "record_id_missing", "the row has no source record id", F.col("source_record_id").isNull(), missing)
    identity = F.coalesce("last_name_norm", "email_norm", "phone", "loyalty_card", "customer_number", "national_id")
    return flag_issue(
        df,
        "source_record_id",
        "no_identifying_attribute",
        "no valid last name, email, phone or identifier remains to match the person by",
        identity.isNull(),
        F.col("source_record_id"),
    )


def standardise_customers(selected: DataFrame, sources: Sequence[SourceConfig], rules: StandardisationRules) -> DataFrame:
    """Rows of `select_customer_fields` of any of `sources` -> canonical silver customer rows with `quality_issues` (not yet split).

    The rows keep the working column DELETED_AT_SOURCE until the newest version of each record is chosen.

    All sources go through one plan (each source's date formats and default region chosen per row), so Spark plans and
    compiles the standardisation once, not once per source."""
    date_formats = {source.name: source.date_formats for source in sources}
    timestamp_formats = {source.name: [*source.timestamp_formats, *source.date_formats] for source in sources}
    default_region = per_source({source.name: source.default_region for source in sources}, F.lit)
    df = with_issues_column(selected)
    df = split_full_name(df, rules)
    df = standardise_names(df, rules)
    df = parse_date(df, "birth_date", date_formats, placeholders=rules.placeholder_birth_dates)
    df = standardise_email(df, rules)
    df = standardise_country(df, rules)
    df = df.withColumn("_region", F.coalesce(F.col("country"), default_region))  # country, else the source's
    df = standardise_phone(df, "phone", "_region")
    df = split_house_number(df)
    df = standardise_street(df, rules, country_column="_region")
    df = standardise_postcode(df, rules, country_column="_region")
    df = standardise_city(df, rules)
    df = tidy_columns(df, ["address_line2", "region", "customer_number", "loyalty_card", "national_id"])
    df = parse_consent(df)
    df = parse_timestamp(df, "consent_updated_at", timestamp_formats)
    df = parse_timestamp(df, "source_updated_at", timestamp_formats)
    return flag_unusable_rows(df).select(*SILVER_CUSTOMERS.columns, DELETED_AT_SOURCE)
