"""Incremental matching: which silver records changed since the last match, scoring only the pairs that touch them,
and which candidate clusters must be clustered again.

A candidate cluster (connected component of the model's edges) can only change when one of its records changed, was
removed, gained an edge, or a steward decided about one of its records: every other component, and the clusters
average linkage made of it, is what a full run would give again. See README "Continuous consolidation".
"""

from __future__ import annotations

import math

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from splink import Linker

from golden_record.transforms.linkage.splink_adapter import register_for, register_term_frequencies, to_spark

ID_COLUMNS = ("unique_id", "source_system", "source_record_id")
"""Columns of a linkage record that name it rather than describe it."""


def record_fingerprints(records: DataFrame) -> DataFrame:
    """(unique_id, record_hash): SHA-256 over a prepared linkage record's fields, so a record whose fields did not change keeps its hash."""
    fields = [c for c in records.columns if c not in ID_COLUMNS]
    return records.select("unique_id", F.sha2(F.to_json(F.struct(*fields)), 256).alias("record_hash"))


def record_changes(current: DataFrame, previous: DataFrame) -> DataFrame:
    """(unique_id, change): records new since the previous match ('new'), with other fields ('changed'), or gone ('removed')."""
    joined = current.alias("c").join(previous.alias("p"), "unique_id", "full_outer")
    change = (
        F.when(F.col("p.record_hash").isNull(), F.lit("new"))
        .when(F.col("c.record_hash").isNull(), F.lit("removed"))
        .when(F.col("c.record_hash") != F.col("p.record_hash"), F.lit("changed"))
    )
    return joined.select("unique_id", change.alias("change")).where(F.col("change").isNotNull())


def without_records(pairs: DataFrame, ids: DataFrame) -> DataFrame:
    """The pairs (unique_id_l, unique_id_r, …) neither of whose records is in `ids` (unique_id)."""
    left = ids.select(F.col("unique_id").alias("unique_id_l"))
    right = ids.select(F.col("unique_id").alias("unique_id_r"))
    return pairs.join(left, "unique_id_l", "left_anti").join(right, "unique_id_r", "left_anti").select(*pairs.columns)


def ordered_pairs(predictions: DataFrame) -> DataFrame:
    """Scored pairs with unique_id_l < unique_id_r, as Splink's dedupe predict writes them: every _l/_r column swapped where needed."""
    swap = F.col("unique_id_l") > F.col("unique_id_r")
    columns = set(predictions.columns)
    selected = []
    for name in predictions.columns:
        if name.endswith("_l") and f"{name[:-2]}_r" in columns:
            selected.append(F.when(swap, F.col(f"{name[:-2]}_r")).otherwise(F.col(name)).alias(name))
        elif name.endswith("_r") and f"{name[:-2]}_l" in columns:
            selected.append(F.when(swap, F.col(f"{name[:-2]}_l")).otherwise(F.col(name)).alias(name))
        else:
            selected.append(F.col(name))
    return predictions.select(*selected)


def score_touching(linker: Linker, records: DataFrame, touched: DataFrame, others: DataFrame, pair_floor: float) -> DataFrame:
    """Scored pairs (unique_id_l < unique_id_r) within `touched` and between `touched` and `others` (both subsets of
    the linker's records, as unique_id), with term frequencies of all the linker's records: the pairs a full predict
    would score that involve a touched record, and no other."""
    register_term_frequencies(linker)
    touched_records = register_for(linker, records.join(touched, "unique_id", "left_semi"))
    other_records = register_for(linker, records.join(others, "unique_id", "left_semi"))
    within = linker.inference.predict_within(touched_records, threshold_match_probability=pair_floor, warning_mode="never")
    between = linker.inference.predict_between(touched_records, other_records, threshold_match_probability=pair_floor, warning_mode="never")
    spark = records.sparkSession
    scored = [to_spark(frame, spark) for frame in (within, between)]
    return ordered_pairs(scored[0].unionByName(scored[1], allowMissingColumns=True))


def affected_components(components: DataFrame, seeds: DataFrame) -> DataFrame:
    """(unique_id, cluster_id) of the components holding at least one seed record (unique_id)."""
    touched = components.join(seeds, "unique_id", "left_semi").select("cluster_id").distinct()
    return components.join(touched, "cluster_id", "left_semi").select("unique_id", "cluster_id")



def borderline_records(pairs: DataFrame, match_threshold: float, margin_bits: float) -> DataFrame:
    """unique_id of the records of stored pairs whose match weight lies within `margin_bits` of the match threshold's:
    pairs that term frequencies drifting with silver's growth may move across the threshold."""
    if margin_bits <= 0 or not 0 < match_threshold < 1:
        return pairs.sparkSession.createDataFrame([], "unique_id string")
    threshold_weight = math.log2(match_threshold / (1 - match_threshold))
    near = pairs.where(F.abs(F.col("match_weight") - F.lit(threshold_weight)) <= margin_bits)
    return near.select(F.col("unique_id_l").alias("unique_id")).unionByName(near.select(F.col("unique_id_r").alias("unique_id"))).distinct()
