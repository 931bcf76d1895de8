"""The suppression list's keys: salted SHA-256 of a person's identifying values, the same from silver rows and from new bronze rows."""

from __future__ import annotations

import hashlib

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.config import SourceConfig
from golden_record.lakehouse.sources import mapped_value
from golden_record.lakehouse.standardisation_settings import StandardisationRules
from golden_record.transforms.linkage.features import identifier_key
from golden_record.transforms.silver.countries import standardise_country
from golden_record.transforms.silver.emails import standardise_email
from golden_record.transforms.silver.issues import with_issues_column
from golden_record.transforms.silver.names import tidy_text
from golden_record.transforms.silver.per_source import per_source
from golden_record.transforms.silver.phones import standardise_phone

IDENTIFIER_KINDS = ("national_id", "customer_number", "loyalty_card")
"""Identifier fields whose key (letters and digits, upper case) identifies a person."""

KEY_KINDS = ("record", "email", "phone", *IDENTIFIER_KINDS)
"""What a suppression key is made of: a source record (`source:record id`), the matching e-mail, the E.164 phone, an identifier."""


def salted_hash(kind: str, value: Column, salt: str) -> Column:
    """SHA-256 (hex) of salt, kind and value; null for a null value."""
    return F.when(value.isNotNull(), F.sha2(F.concat(F.lit(_salted_prefix(kind, salt)), value), 256))


def salted_hash_of(kind: str, value: str, salt: str) -> str:
    """`salted_hash` of one Python value (the same digest, computed on the driver)."""
    return hashlib.sha256((_salted_prefix(kind, salt) + value).encode()).hexdigest()


def _salted_prefix(kind: str, salt: str) -> str:
    """What precedes the value in the hashed text: salt and kind, each followed by U+0001."""
    return f"{salt}\u0001{kind}\u0001"


def suppression_keys(customers: DataFrame, placeholder_patterns: Sequence[str], salt: str) -> DataFrame:
    """Silver-shaped customer rows -> (`row_hash`, `kind`, `value_hash`): one row per identifying value a row holds."""
    values = {
        "record": F.concat_ws(":", "source_system", "source_record_id"),
        "email": F.col("email_norm"),
        "phone": F.col("phone"),
        **{kind: identifier_key(F.col(kind), list(placeholder_patterns)) for kind in IDENTIFIER_KINDS},
    }
    keyed = F.array(*[F.struct(F.lit(kind).alias("kind"), salted_hash(kind, value, salt).alias("value_hash")) for kind, value in values.items()])
    return customers.select("row_hash", F.explode(keyed).alias("key")).select("row_hash", "key.kind", "key.value_hash").where(F.col("value_hash").isNotNull())


def event_suppression_keys(events: DataFrame, salt: str) -> DataFrame:
    """Interaction rows (`customer_source`, `customer_record_id`, `row_hash`) -> the key of the customer record they belong to."""
    record = F.concat_ws(":", "customer_source", "customer_record_id")
    return events.select("row_hash", F.lit("record").alias("kind"), salted_hash("record", record, salt).alias("value_hash")).where(F.col("value_hash").isNotNull())


def standardised_identities(selected: DataFrame, sources: Sequence[SourceConfig], rules: StandardisationRules) -> DataFrame:
    """Rows of `select_customer_fields` with the identifying values as silver has them: `email_norm`, E.164 `phone`, identifiers."""
    region = per_source({source.name: source.default_region for source in sources}, F.lit)
    df = standardise_country(standardise_email(with_issues_column(selected), rules), rules)
    return standardise_phone(df.withColumn("_region", F.coalesce(F.col("country"), region)), "phone", "_region")


def customer_reference(bronze: DataFrame, source: SourceConfig) -> DataFrame:
    """An interaction source's bronze rows -> (`customer_source`, `customer_record_id`, `row_hash`, `link_key`) of the customer each row is about.

    `link_key` is the source's `link_by` value (e.g. a cookie id; null without one): anonymous rows belong to the customer
    of the rows with the same link key."""
    mapping = source.interactions
    assert mapping is not None, f"source '{source.name}' has no interactions mapping"
    link = tidy_text(mapped_value(source.column_ref(mapping.link_by))) if mapping.link_by else F.lit(None).cast("string")
    return bronze.select(
        F.lit(mapping.customer_source or source.name).alias("customer_source"),
        tidy_text(mapped_value(source.column_ref(mapping.fields["customer_record_id"]))).alias("customer_record_id"),
        F.col("_row_hash").alias("row_hash"),
        link.alias("link_key"),
    )


def suppressed_row_hashes(keys: DataFrame, suppression: DataFrame) -> DataFrame:
    """The distinct `row_hash` of rows one of whose keys is on the suppression list (`value_hash`)."""
    return keys.join(F.broadcast(suppression.select("value_hash").distinct()), "value_hash", "left_semi").select("row_hash").distinct()
