"""gold.golden_changes: which golden customers a run changed and how, the feed a CRM sync or a marketing tool reads."""

from __future__ import annotations

from datetime import datetime

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

CHANGE_KINDS = {
    "created": "a new golden id (new person, or records split off into an id of their own)",
    "updated": "a value of the golden record changed (`fields` names which)",
    "merged": "another golden customer was merged into this one (`other_id`: the id that is gone)",
    "merged_into": "this golden id is gone: its records are now golden customer `other_id`",
    "split": "records of this golden customer moved to golden customer `other_id`",
    "retired": "this golden id is gone: none of its records is left",
    "erased": "this golden customer was erased (right to be forgotten, retention)",
}
"""Change kinds of gold.golden_changes and what a reader does with them."""

CHANGES_SCHEMA = T.StructType(
    [
        T.StructField("golden_id", T.StringType()),
        T.StructField("change", T.StringType()),
        T.StructField("other_id", T.StringType()),
        T.StructField("fields", T.ArrayType(T.StringType())),
        T.StructField("run_id", T.StringType()),
        T.StructField("changed_at", T.TimestampType()),
    ]
)
"""Schema of gold.golden_changes: one row per golden id and change of a run (none for a run that changed nothing)."""

NOT_COMPARED = ("golden_id", "lineage")
"""Golden record columns that are no value of the customer (lineage changes with the values it explains)."""


def changed_fields(previous: DataFrame, current: DataFrame) -> DataFrame:
    """(golden_id, fields) of golden customers in both frames whose values differ, `fields` naming the columns that did."""
    compared = [c for c in current.columns if c not in NOT_COMPARED and c in previous.columns]
    differs: list[Column] = [F.when(~F.col(f"p.{c}").eqNullSafe(F.col(f"c.{c}")), F.lit(c)) for c in compared]
    both = previous.alias("p").join(current.alias("c"), "golden_id")
    fields = F.filter(F.array(*differs), lambda name: name.isNotNull()) if differs else F.array().cast("array<string>")
    return both.select("golden_id", fields.alias("fields")).where(F.size("fields") > 0)


def golden_changes(events: DataFrame, previous: DataFrame, current: DataFrame, run_id: str, run_at: datetime) -> DataFrame:
    """This run's gold.golden_changes rows from its id events and the golden records before and after it."""
    no_fields = F.lit(None).cast("array<string>").alias("fields")
    from_events = events.select(
        "golden_id",
        F.col("event").alias("change"),
        "other_id",
        no_fields,
    )
    merged_away = events.where(F.col("event") == "merged").select(
        F.col("other_id").alias("golden_id"), F.lit("merged_into").alias("change"), F.col("golden_id").alias("other_id"), no_fields
    )
    updated = changed_fields(previous, current).select("golden_id", F.lit("updated").alias("change"), F.lit(None).cast("string").alias("other_id"), "fields")
    changes = from_events.unionByName(merged_away).unionByName(updated)
    return changes.withColumns({"run_id": F.lit(run_id), "changed_at": F.lit(run_at)}).select(
        *[F.col(f.name).cast(f.dataType) for f in CHANGES_SCHEMA.fields]
    )
