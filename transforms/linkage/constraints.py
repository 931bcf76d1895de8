"""Steward decisions as clustering constraints: each decided record pair is a must-link or a cannot-link.

A decision (gold.steward_decisions) is one or more rows sharing a decision_id, one per record pair it settles:
- `same_person` / `different_persons`: the pair a steward looked at;
- `split_record`: the record split out against every other record its golden customer had when the steward decided;
- `merge_customers`: every record of both golden customers against the first record of the surviving one.
The newest decision about a pair counts (a later "different persons" undoes an earlier merge of those two records).
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

DECISION_ACTIONS = ("same_person", "different_persons", "split_record", "merge_customers")
"""What a steward can decide; the first and the last link records together, the others keep them apart."""

DECISION_SCHEMA = T.StructType(
    [
        T.StructField("decision_id", T.StringType()),
        T.StructField("decided_at", T.TimestampType()),
        T.StructField("steward", T.StringType()),
        T.StructField("action", T.StringType()),
        T.StructField("unique_id_l", T.StringType()),
        T.StructField("unique_id_r", T.StringType()),
        T.StructField("same_person", T.BooleanType()),
        T.StructField("golden_id", T.StringType()),
        T.StructField("other_id", T.StringType()),
        T.StructField("note", T.StringType()),
    ]
)
"""Schema of gold.steward_decisions: one row per record pair a decision settles (append-only)."""

LINK_SCHEMA = "unique_id_l string, unique_id_r string, same_person boolean, decision_id string, decided_at timestamp"
"""Schema of `steward_links`: the pair (unique_id_l < unique_id_r), what counts for it, and the decision that said so."""


def steward_links(decisions: DataFrame) -> DataFrame:
    """Each decided pair once, ordered (unique_id_l < unique_id_r), with its newest decision (ties: the larger decision id)."""
    ordered = decisions.where(F.col("unique_id_l") != F.col("unique_id_r")).select(
        F.least("unique_id_l", "unique_id_r").alias("unique_id_l"),
        F.greatest("unique_id_l", "unique_id_r").alias("unique_id_r"),
        "same_person",
        "decision_id",
        "decided_at",
    )
    newest = F.row_number().over(Window.partitionBy("unique_id_l", "unique_id_r").orderBy(F.desc("decided_at"), F.desc("decision_id")))
    return ordered.withColumn("rank", newest).where("rank = 1").drop("rank")


def without_decided_pairs(pairs: DataFrame, links: DataFrame) -> DataFrame:
    """The pairs no steward decided (the review queue after the stewards' work)."""
    return pairs.join(links.select("unique_id_l", "unique_id_r"), ["unique_id_l", "unique_id_r"], "left_anti")


def records_decided_since(links: DataFrame, since: object) -> DataFrame:
    """(unique_id, decision_id): records on a link decided after `since` (a timestamp; None: every link), newest decision."""
    recent = links if since is None else links.where(F.col("decided_at") > F.lit(since))
    sides = recent.select(F.explode(F.array("unique_id_l", "unique_id_r")).alias("unique_id"), "decision_id", "decided_at")
    newest = F.row_number().over(Window.partitionBy("unique_id").orderBy(F.desc("decided_at"), F.desc("decision_id")))
    return sides.withColumn("rank", newest).where("rank = 1").select("unique_id", "decision_id")
