"""Split standardised rows into what is promoted and what is quarantined, one quarantine row per issue."""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

QUARANTINE_COLUMNS = (
    "table_name",
    "source_system",
    "record_id",
    "batch_id",
    "row_hash",
    "field",
    "rule",
    "value",
    "reason",
    "action",
)
"""Columns of `silver.quarantine`: one row per issue; `action` says whether the row was rejected or a value nulled."""


def is_rejected(rejecting_rules: Sequence[str]):
    """Column that is true when a row carries an issue whose rule rejects the whole row."""
    rules = F.array(*[F.lit(rule) for rule in rejecting_rules]) if rejecting_rules else F.array().cast("array<string>")
    return F.arrays_overlap(F.transform("quality_issues", lambda issue: issue["rule"]), rules)


def accepted_rows(df: DataFrame, rejecting_rules: Sequence[str]) -> DataFrame:
    """Rows without a rejecting issue: they go on to silver (their non-rejecting issues stay on the row)."""
    return df.where(~F.coalesce(is_rejected(rejecting_rules), F.lit(False)))


def quarantine_rows(df: DataFrame, table_name: str, record_id: str, rejecting_rules: Sequence[str]) -> DataFrame:
    """One row per recorded issue, saying which table, record, rule and reason, and whether the row was rejected."""
    action = F.when(F.coalesce(is_rejected(rejecting_rules), F.lit(False)), F.lit("row_rejected")).otherwise(F.lit("value_nulled"))
    return (
        df.select(
            F.lit(table_name).alias("table_name"),
            "source_system",
            F.col(record_id).alias("record_id"),
            "batch_id",
            "row_hash",
            action.alias("action"),
            F.explode("quality_issues").alias("issue"),
        )
        .select(*[F.col(c) for c in ("table_name", "source_system", "record_id", "batch_id", "row_hash")], "issue.field", "issue.rule", "issue.value", "issue.reason", "action")
    )
