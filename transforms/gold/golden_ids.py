"""Stable golden ids: carry ids over from the previous run's xref, record merges and splits, mint new ids.

Rules (Splink's cluster_id is never used as an id: it is only the grouping of this run):
- Previous ids go to new clusters by the records they share, largest share first (ties: the id issued first, then the
  smallest id, then the part with the smallest record key); each cluster keeps at most one id and each id stays with
  at most one cluster. So a cluster inherits the id most of its records had; when clusters merge, the id with more
  records (or the older one) survives and the other is absorbed; when a golden customer splits, the larger part keeps
  the id.
- A cluster without an id gets a new one: prefix + the first 16 hex digits of sha-256 over its smallest record key
  ("source:record"). An id that was ever issued is never issued again: on a clash the key is salted ("key#1", …).
- gold.golden_id_history records every change: `created` (a new id for new records), `merged` (golden_id absorbed
  other_id), `split` (records_moved records left golden_id for other_id) and `retired` (none of its records is left);
  a merge or split that moves records a steward decided about since the last run names that decision (`decision_id`).
- gold.customer_xref: match_probability is a record's highest pairwise probability to another record of its golden
  customer, null for a record alone in its golden record (no pair evidence).
"""

from __future__ import annotations

from datetime import datetime

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

KEYS = ["source_system", "source_record_id"]
"""The key of a silver customer record."""

XREF_SCHEMA = T.StructType(
    [
        T.StructField("source_system", T.StringType()),
        T.StructField("source_record_id", T.StringType()),
        T.StructField("unique_id", T.StringType()),
        T.StructField("golden_id", T.StringType()),
        T.StructField("record_count", T.LongType()),
        T.StructField("match_probability", T.DoubleType()),
        T.StructField("assigned_run", T.StringType()),
        T.StructField("assigned_at", T.TimestampType()),
    ]
)
"""Schema of gold.customer_xref: one row per silver customer record, with the run that gave it its golden id."""

HISTORY_SCHEMA = T.StructType(
    [
        T.StructField("event", T.StringType()),
        T.StructField("golden_id", T.StringType()),
        T.StructField("other_id", T.StringType()),
        T.StructField("records_moved", T.LongType()),
        T.StructField("run_id", T.StringType()),
        T.StructField("event_at", T.TimestampType()),
        T.StructField("decision_id", T.StringType()),
    ]
)
"""Schema of gold.golden_id_history: one row per created, merged, split or retired golden id, with the steward
decision behind a merge or split (null when matching alone made it)."""

COVERAGE = {
    "ok": "a silver record in the xref (events referring to it, if any, are linked)",
    "missing_from_xref": "a silver customer record without golden id",
    "not_in_silver": "an xref row for a record that is not in silver",
    "orphan_interactions": "events refer to a customer record that is not in the xref",
}
"""Values of xref_coverage's `coverage` column and what they mean."""

MAX_SALT = 100
"""How many salted keys to try before giving up minting an id (a clash needs a 64-bit hash collision or a reused key)."""


def empty(spark: SparkSession, schema: T.StructType) -> DataFrame:
    """An empty DataFrame of the schema (the previous xref or history before the first run)."""
    return spark.createDataFrame([], schema)


def golden_id_for(key: Column, prefix: str, salt: Column | int = 0) -> Column:
    """prefix + 16 hex digits of sha-256 over the key, or over "key#salt" when salt > 0."""
    salted = F.when(F.lit(salt) > 0, F.concat(key, F.lit("#"), F.lit(salt).cast("string"))).otherwise(key)
    return F.concat(F.lit(prefix), F.substring(F.sha2(salted, 256), 1, 16))


def issued_ids(previous_xref: DataFrame, history: DataFrame) -> DataFrame:
    """Every golden id issued so far, with when it first appeared (null when only the xref knows it)."""
    mentioned = history.select(F.col("golden_id"), "event_at").unionByName(history.select(F.col("other_id").alias("golden_id"), "event_at"))
    known = previous_xref.select("golden_id", F.lit(None).cast("timestamp").alias("event_at")).unionByName(mentioned)
    return known.where(F.col("golden_id").isNotNull()).groupBy("golden_id").agg(F.min("event_at").alias("issued_at"))


def carried_over_ids(members: DataFrame, issued: DataFrame) -> DataFrame:
    """(cluster_id, golden_id): the previous id each cluster keeps, matched greedily by the records they share."""
    # Each round keeps the claims that are the best both for their cluster and for their id, then drops those clusters
    # and ids. The best remaining claim overall is always such a pair, so every round makes progress (usually 1-2 rounds).
    claims = (
        members.where(F.col("previous_golden_id").isNotNull())
        .groupBy("cluster_id", "previous_golden_id")
        .agg(F.count(F.lit(1)).alias("records"), F.min("unique_id").alias("first_member"))
        .join(issued.withColumnRenamed("golden_id", "previous_golden_id"), "previous_golden_id", "left")
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    order = [F.desc("records"), F.asc_nulls_last("issued_at"), F.asc("previous_golden_id"), F.asc("first_member")]
    kept = members.sparkSession.createDataFrame([], "cluster_id string, golden_id string")
    remaining = claims
    while True:
        best_for_cluster = F.row_number().over(Window.partitionBy("cluster_id").orderBy(*order)) == 1
        best_for_id = F.row_number().over(Window.partitionBy("previous_golden_id").orderBy(*order)) == 1
        ranked = remaining.withColumns({"best_for_cluster": best_for_cluster, "best_for_id": best_for_id})
        mutual = ranked.where("best_for_cluster and best_for_id").select("cluster_id", "previous_golden_id")
        if mutual.isEmpty():
            break
        kept = kept.unionByName(mutual.withColumnRenamed("previous_golden_id", "golden_id"))
        remaining = remaining.join(mutual.select("cluster_id"), "cluster_id", "left_anti").join(mutual.select("previous_golden_id"), "previous_golden_id", "left_anti")
    claims.unpersist()
    return kept


def mint_ids(clusters_without_id: DataFrame, issued: DataFrame, prefix: str) -> DataFrame:
    """(cluster_id, golden_id) for clusters needing a new id, from their smallest record key; never an issued id."""
    minted = clusters_without_id.withColumn("salt", F.lit(0)).withColumn("golden_id", golden_id_for(F.col("first_member"), prefix))
    taken = issued.select("golden_id")
    for salt in range(1, MAX_SALT + 1):
        clashes = minted.join(taken, "golden_id", "left_semi").select("cluster_id", F.lit(True).alias("clash"))
        if clashes.isEmpty():
            return minted.select("cluster_id", "golden_id")
        minted = (
            minted.join(clashes, "cluster_id", "left")
            .withColumn("salt", F.when(F.col("clash"), F.lit(salt)).otherwise(F.col("salt")))
            .withColumn("golden_id", golden_id_for(F.col("first_member"), prefix, F.col("salt")))
            .drop("clash")
        )
    raise RuntimeError(f"could not mint a golden id that was never issued after {MAX_SALT} salts")


def assign_golden_ids(clusters: DataFrame, previous_xref: DataFrame, history: DataFrame, prefix: str) -> DataFrame:
    """Every clustered record with its golden_id and its previous golden_id, assigned_run and assigned_at."""
    previous = previous_xref.select(*KEYS, F.col("golden_id").alias("previous_golden_id"), "assigned_run", "assigned_at")
    members = clusters.select("unique_id", *KEYS, "cluster_id").join(previous, KEYS, "left")
    issued = issued_ids(previous_xref, history)
    kept = carried_over_ids(members, issued)
    without_id = members.join(kept, "cluster_id", "left_anti").groupBy("cluster_id").agg(F.min("unique_id").alias("first_member"))
    return members.join(kept.unionByName(mint_ids(without_id, issued, prefix)), "cluster_id")


def best_match_probability(assigned: DataFrame, pairs: DataFrame) -> DataFrame:
    """(unique_id, match_probability): the highest pairwise probability to another record of the same golden customer."""
    golden = assigned.select("unique_id", "golden_id")
    inside = (
        pairs.join(golden.withColumnsRenamed({"unique_id": "unique_id_l", "golden_id": "golden_l"}), "unique_id_l")
        .join(golden.withColumnsRenamed({"unique_id": "unique_id_r", "golden_id": "golden_r"}), "unique_id_r")
        .where(F.col("golden_l") == F.col("golden_r"))
    )
    sides = inside.select(F.explode(F.array("unique_id_l", "unique_id_r")).alias("unique_id"), "match_probability")
    return sides.groupBy("unique_id").agg(F.max("match_probability").alias("match_probability"))


def customer_xref(assigned: DataFrame, pairs: DataFrame, run_id: str, run_at: datetime) -> DataFrame:
    """gold.customer_xref rows; assigned_run/assigned_at stay as they were while a record's golden id does not change."""
    unchanged = F.col("previous_golden_id").eqNullSafe(F.col("golden_id"))
    xref = assigned.join(best_match_probability(assigned, pairs), "unique_id", "left").select(
        *KEYS,
        "unique_id",
        "golden_id",
        F.count(F.lit(1)).over(Window.partitionBy("golden_id")).alias("record_count"),
        F.col("match_probability"),
        F.when(unchanged, F.col("assigned_run")).otherwise(F.lit(run_id)).alias("assigned_run"),
        F.when(unchanged, F.col("assigned_at")).otherwise(F.lit(run_at)).alias("assigned_at"),
    )
    return xref.select(*[F.col(f.name).cast(f.dataType) for f in XREF_SCHEMA.fields])


def id_events(assigned: DataFrame, previous_xref: DataFrame, run_id: str, run_at: datetime, decided: DataFrame | None = None) -> DataFrame:
    """gold.golden_id_history rows of this run: created, merged, split and retired ids (none when nothing changed);
    `decided` (unique_id, decision_id): records of steward decisions new since the last run, named on the moves they cause."""
    # Records that changed golden id flow from their previous id to the new one. A flow out of an id that is gone is a
    # merge into the golden customer that took most of its records (tie: the smallest id); every other flow is a split.
    surviving = assigned.select(F.col("golden_id").alias("previous_golden_id"), F.lit(True).alias("survives")).distinct()
    moved = assigned.where(F.col("previous_golden_id").isNotNull() & (F.col("previous_golden_id") != F.col("golden_id")))
    if decided is None:
        moved = moved.withColumn("decision_id", F.lit(None).cast("string"))
    else:
        moved = moved.join(decided.select("unique_id", "decision_id"), "unique_id", "left")
    flows = (
        moved.groupBy("previous_golden_id", "golden_id")
        .agg(F.count(F.lit(1)).alias("records_moved"), F.max("decision_id").alias("decision_id"))
        .join(surviving, "previous_golden_id", "left")
    )
    largest_flow = F.row_number().over(Window.partitionBy("previous_golden_id").orderBy(F.desc("records_moved"), "golden_id")) == 1
    merged = F.col("survives").isNull() & largest_flow
    moves = flows.select(
        F.when(merged, F.lit("merged")).otherwise(F.lit("split")).alias("event"),
        F.when(merged, F.col("golden_id")).otherwise(F.col("previous_golden_id")).alias("golden_id"),
        F.when(merged, F.col("previous_golden_id")).otherwise(F.col("golden_id")).alias("other_id"),
        "records_moved",
        "decision_id",
    )
    inherited = assigned.where(F.col("previous_golden_id").isNotNull()).select("golden_id").distinct()
    created = assigned.join(inherited, "golden_id", "left_anti").groupBy("golden_id").agg(F.count(F.lit(1)).alias("records_moved"))
    remaining = assigned.select(F.col("previous_golden_id").alias("golden_id")).distinct()
    retired = previous_xref.join(remaining, "golden_id", "left_anti").groupBy("golden_id").agg(F.count(F.lit(1)).alias("records_moved"))
    no_other, no_decision = F.lit(None).cast("string").alias("other_id"), F.lit(None).cast("string").alias("decision_id")
    events = moves.unionByName(created.select(F.lit("created").alias("event"), "golden_id", no_other, "records_moved", no_decision)).unionByName(
        retired.select(F.lit("retired").alias("event"), "golden_id", no_other, "records_moved", no_decision)
    )
    events = events.withColumns({"run_id": F.lit(run_id), "event_at": F.lit(run_at)})
    return events.select(*[F.col(f.name).cast(f.dataType) for f in HISTORY_SCHEMA.fields])


def xref_coverage(silver_keys: DataFrame, xref: DataFrame, interactions: DataFrame) -> DataFrame:
    """The xref gate's input: every silver record, xref row and record events refer to, with its coverage (COVERAGE)."""
    referenced = interactions.groupBy(F.col("customer_source").alias("source_system"), F.col("customer_record_id").alias("source_record_id")).agg(
        F.count(F.lit(1)).alias("interactions")
    )
    keys = (
        silver_keys.select(*KEYS, F.lit(True).alias("in_silver"))
        .join(xref.select(*KEYS, "golden_id", "match_probability", F.lit(True).alias("in_xref")), KEYS, "full_outer")
        .join(referenced, KEYS, "full_outer")
    )
    in_silver, in_xref = F.coalesce("in_silver", F.lit(False)), F.coalesce("in_xref", F.lit(False))
    coverage = (
        F.when(in_silver & ~in_xref, F.lit("missing_from_xref"))
        .when(in_xref & ~in_silver, F.lit("not_in_silver"))
        .when(~in_xref, F.lit("orphan_interactions"))
        .otherwise(F.lit("ok"))
    )
    return keys.select(*KEYS, "golden_id", "match_probability", F.coalesce("interactions", F.lit(0)).alias("interactions"), coverage.alias("coverage"))
