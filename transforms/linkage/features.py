"""Linkage input columns derived from silver customers (name variants, identifier keys, birth date text)."""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.linkage_settings import IDENTIFIER_FIELDS, IdentifierSettings
from golden_record.transforms.linkage.errors import LinkageError

log = logging.getLogger(__name__)



def _name_groups(variants: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each name of the variants table -> the table keys it belongs to (a key belongs to itself)."""
    groups: dict[str, set[str]] = {}
    for key, names in variants.items():
        for name in (key, *names):
            groups.setdefault(name, set()).add(key)
    return {name: sorted(keys) for name, keys in groups.items()}


def first_name_variants(first_name: Column, variants: dict[str, list[str]]) -> Column:
    """The name, its words ("hans peter" -> hans, peter) and the variant groups of each: two names sharing one are related."""
    pairs = [F.lit(x) for name, keys in sorted(_name_groups(variants).items()) for x in (name, F.array(*map(F.lit, keys)))]
    groups_of = F.create_map(*pairs).cast("map<string,array<string>>")
    words = F.split(first_name, " ")
    groups = F.flatten(F.transform(words, lambda word: F.coalesce(groups_of[word], F.array().cast("array<string>"))))
    return F.when(first_name.isNotNull(), F.array_distinct(F.concat(F.array(first_name), words, groups)))


def identifier_key(value: Column, placeholder_patterns: list[str]) -> Column:
    """An identifier as a matching key: letters and digits only, upper case; null when blank or a placeholder value."""
    key = F.regexp_replace(F.upper(value), "[^0-9A-Z]", "")
    placeholder = reduce(operator.or_, [key.rlike(pattern) for pattern in placeholder_patterns], F.lit(False))
    return F.when((key != "") & ~placeholder, key)


MIN_EMAIL_LOCAL_LENGTH = 4
"""Shorter local parts (jo@, ab1@) are too common across domains to say anything about a person."""


def email_local_key(email: Column) -> Column:
    """The local part of an e-mail address, letters and digits only ("jan.de-vries@x.nl" -> "jandevries"); null when short."""
    local = F.regexp_replace(F.substring_index(email, "@", 1), "[^0-9a-z]", "")
    return F.when(email.contains("@") & (F.length(local) >= MIN_EMAIL_LOCAL_LENGTH), local)


@dataclass(frozen=True)
class DerivedColumn:
    """A linkage input column computed from a silver column."""

    base: str
    make: Callable[[dict[str, Any], IdentifierSettings], Column]


DERIVED_COLUMNS = {
    "first_name_variants": DerivedColumn("first_name_norm", lambda spec, _: first_name_variants(F.col("first_name_norm"), spec["first_name_variants"])),
    "last_name_parts": DerivedColumn("last_name_norm", lambda spec, _: F.split("last_name_norm", " ")),
    "birth_date_text": DerivedColumn("birth_date", lambda spec, _: F.date_format("birth_date", "yyyy-MM-dd")),
    "email_local_key": DerivedColumn("email_norm", lambda spec, _: email_local_key(F.col("email_norm"))),
    **{
        f"{name}_key": DerivedColumn(name, lambda spec, ids, name=name: identifier_key(F.col(name), ids.placeholder_patterns))
        for name in IDENTIFIER_FIELDS
    },
}
"""Linkage input columns computed from silver columns: name variants for nicknames, compound and double names, the birth
date as text (digit typos), the e-mail's local part (the same handle at another provider), identifier keys."""

SHARED_VALUE_KEYS = frozenset({"email_local_key", *(f"{name}_key" for name in IDENTIFIER_FIELDS)})
"""Derived keys whose values many records share (a default, a test value, `info@`) are nulled before matching."""


MAX_INLINE_VALUES = 1000
"""Up to this many shared values of a key are written into the query; more are joined as a broadcast table."""


def without_shared_values(records: DataFrame, columns: list[str], max_records: int) -> tuple[DataFrame, dict[str, int]]:
    """Null identifier keys that more than `max_records` records share (a default or test value, not a person's id)."""
    if not columns:
        return records, {}
    keyed = F.explode(F.array(*[F.struct(F.lit(c).alias("column"), F.col(c).cast("string").alias("value")) for c in columns]))
    shared = (
        records.select(keyed.alias("key")).select("key.*").where(F.col("value").isNotNull())
        .groupBy("column", "value").count().where(F.col("count") > max_records)
        .select("column", "value").collect()  # one pass over the records for every key column; few values are shared
    )
    shared_counts: dict[str, int] = {}
    for row in shared:
        shared_counts[row.column] = shared_counts.get(row.column, 0) + 1
    for column in shared_counts:
        values = [row.value for row in shared if row.column == column]
        if len(values) <= MAX_INLINE_VALUES:
            records = records.withColumn(column, F.when(~F.col(column).cast("string").isin(*values), F.col(column)))
        else:
            listed = records.sparkSession.createDataFrame([(v,) for v in values], "_shared_value string").withColumn("_shared", F.lit(True))
            records = (
                records.join(F.broadcast(listed), F.col(column).cast("string") == F.col("_shared_value"), "left")
                .withColumn(column, F.when(F.col("_shared").isNull(), F.col(column))).drop("_shared_value", "_shared")
            )
    return records, shared_counts


def prepare_for_linkage(customers: DataFrame, spec: dict[str, Any], identifiers: IdentifierSettings | None = None) -> DataFrame:
    """Silver customers as Splink input: record key columns plus the spec's input columns (blanks as null, derived ones added)."""
    identifiers = identifiers or IdentifierSettings()
    types = dict(customers.dtypes)
    derived = [DERIVED_COLUMNS[c] for c in spec["input_columns"] if c in DERIVED_COLUMNS]
    needed = list(dict.fromkeys(["source_system", "source_record_id", *[c for c in spec["input_columns"] if c not in DERIVED_COLUMNS], *[d.base for d in derived]]))
    missing = [c for c in needed if c not in types]
    if missing:
        raise LinkageError(f"silver customers lack the linkage input column(s) {missing}")
    values = {c: F.nullif(F.trim(c), F.lit("")) if types[c] == "string" else F.col(c) for c in needed[2:]}
    cleaned = customers.select(F.concat_ws(":", "source_system", "source_record_id").alias("unique_id"), "source_system", "source_record_id", *[v.alias(c) for c, v in values.items()])
    prepared = cleaned.select(*cleaned.columns[:3], *[DERIVED_COLUMNS[c].make(spec, identifiers).alias(c) if c in DERIVED_COLUMNS else F.col(c) for c in spec["input_columns"]])
    keys = [c for c in spec["input_columns"] if c in SHARED_VALUE_KEYS]
    columns = prepared.columns
    prepared, shared = without_shared_values(prepared, keys, identifiers.max_records_per_value)
    for column, count in shared.items():
        log.info("%s: %d value(s) shared by more than %d records ignored for matching", column, count, identifiers.max_records_per_value)
    return prepared.select(*columns)
