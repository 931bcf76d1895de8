"""Clustering of scored pairs: guarded edges, connected components, cluster and review tables."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T
from splink import Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold
from splink.internals.splink_dataframe import SplinkDataFrame

from lakehouse.linkage_settings import ClusterGuard, LinkageSettings
from transforms.linkage import PAIR_SCHEMA, LinkageError, comparison_columns, gamma_labels, new_linker, predict, splink_settings, to_spark

CLUSTER_SCHEMA = T.StructType(
    [
        T.StructField("unique_id", T.StringType()),
        T.StructField("source_system", T.StringType()),
        T.StructField("source_record_id", T.StringType()),
        T.StructField("cluster_id", T.StringType()),
        T.StructField("cluster_size", T.LongType()),
    ]
)
"""Schema of gold.match_clusters: one row per silver customer record."""


def conflict_condition(spec: dict[str, Any], guards: list[ClusterGuard]) -> str:
    """SQL over Splink's gamma columns, true when a pair conflicts on a guarded comparison (at or below its level)."""
    labels = gamma_labels(spec)
    conditions = []
    for guard in guards:
        if guard.comparison not in labels:
            raise LinkageError(f"cluster guard names comparison '{guard.comparison}', which the settings spec lacks; known: {sorted(labels)}")
        gammas = {label: gamma for gamma, label in labels[guard.comparison].items() if gamma >= 0}
        if guard.max_conflict_level not in gammas:
            raise LinkageError(f"cluster guard level '{guard.max_conflict_level}' is not a level of '{guard.comparison}': {list(gammas)}")
        conditions.append(f"gamma_{guard.comparison} between 0 and {gammas[guard.max_conflict_level]}")
    return " or ".join(f"({c})" for c in conditions) or "false"


def guarded_edges(linker: Linker, predictions: SplinkDataFrame, threshold: float, conflict: str) -> SplinkDataFrame:
    """Pairs at or above the match threshold that do not conflict on a guarded comparison."""
    return linker.misc.query_sql(
        f"select unique_id_l, unique_id_r, match_probability from {predictions.physical_name} "
        f"where match_probability >= {threshold} and not ({conflict})"
    )


def connected_components(linker: Linker, edges: SplinkDataFrame) -> SplinkDataFrame:
    """Splink's connected components over the edges: (unique_id, cluster_id) for every record on an edge."""
    nodes = linker.misc.query_sql(
        f"select unique_id_l as unique_id from {edges.physical_name} union select unique_id_r from {edges.physical_name}"
    )
    return cluster_pairwise_predictions_at_threshold(
        nodes=nodes.physical_name, edges=edges.physical_name, db_api=edges.db_api, node_id_column_name="unique_id"
    )


def match_clusters(records: DataFrame, components: DataFrame) -> DataFrame:
    """gold.match_clusters: every record with its cluster id (a record without edges is its own cluster) and size."""
    clustered = (
        records.select("unique_id", "source_system", "source_record_id")
        .join(components.select("unique_id", "cluster_id"), "unique_id", "left")
        .withColumn("cluster_id", F.coalesce("cluster_id", "unique_id"))
    )
    size = F.count(F.lit(1)).over(Window.partitionBy("cluster_id"))
    return clustered.withColumn("cluster_size", size).select(*[F.col(f.name).cast(f.dataType) for f in CLUSTER_SCHEMA.fields])


def conflicting_pairs(linker: Linker, records: DataFrame, components: DataFrame, spec: dict[str, Any], linkage: LinkageSettings) -> DataFrame:
    """Every pair of records inside one component of 3+ records that conflicts on a guarded comparison.

    Splink scores all pairs within each component (blocking on the component id) with the same model,
    so a conflict means exactly what the guard's comparison level means, also for pairs no blocking rule compared.
    """
    large = components.groupBy("cluster_id").count().where("count >= 3").select(F.col("cluster_id").alias("component_id"))
    members = records.join(components.withColumnRenamed("cluster_id", "component_id").join(large, "component_id"), "unique_id")
    if members.isEmpty():
        return records.sparkSession.createDataFrame([], "unique_id_l string, unique_id_r string")
    settings = splink_settings(spec, model=linker.misc.save_model_to_json(), blocking_rules=[["component_id"]])
    scored = to_spark(predict(new_linker(members, settings, linkage), pair_floor=0.0), records.sparkSession)
    return scored.where(conflict_condition(spec, linkage.cluster_guards)).select("unique_id_l", "unique_id_r")


def _split_component(edges: pd.DataFrame, conflicts: pd.DataFrame) -> pd.DataFrame:
    """One component re-clustered greedily: strongest edge first, never joining two groups holding a conflicting pair."""
    cannot: dict[str, set[str]] = defaultdict(set)
    for left, right in zip(conflicts["unique_id_l"], conflicts["unique_id_r"]):
        cannot[left].add(right)
        cannot[right].add(left)
    group: dict[str, set[str]] = {}
    ordered = edges.sort_values(["match_probability", "unique_id_l", "unique_id_r"], ascending=[False, True, True])
    for left, right in zip(ordered["unique_id_l"], ordered["unique_id_r"]):
        a, b = group.setdefault(left, {left}), group.setdefault(right, {right})
        if a is b or any(cannot[member] & b for member in a):
            continue
        merged = a | b
        for member in merged:
            group[member] = merged
    return pd.DataFrame({"unique_id": list(group), "cluster_id": [min(members) for members in group.values()]})


def _component_of_left(components: DataFrame) -> DataFrame:
    """(unique_id_l, component): the component of a pair's left record."""
    return components.select(F.col("unique_id").alias("unique_id_l"), F.col("cluster_id").alias("component"))


def split_conflicting(components: DataFrame, edges: DataFrame, conflicts: DataFrame) -> DataFrame:
    """Components with a conflicting pair inside, split so that no cluster holds one (others unchanged)."""
    conflicts = conflicts.join(_component_of_left(components), "unique_id_l")
    edges = edges.select("unique_id_l", "unique_id_r", "match_probability").join(_component_of_left(components), "unique_id_l")
    edges = edges.join(conflicts.select("component").distinct(), "component")
    split = edges.groupBy("component").cogroup(conflicts.groupBy("component")).applyInPandas(_split_component, "unique_id string, cluster_id string")
    return components.join(split.withColumnRenamed("cluster_id", "split_id"), "unique_id", "left").select(
        "unique_id", F.coalesce("split_id", "cluster_id").alias("cluster_id")
    )


def cluster_records(linker: Linker, predictions: SplinkDataFrame, records: DataFrame, spec: dict[str, Any], linkage: LinkageSettings) -> DataFrame:
    """gold.match_clusters: guarded edges at the match threshold, connected components, then components split at conflicts."""
    edges = guarded_edges(linker, predictions, linkage.match_threshold, conflict_condition(spec, linkage.cluster_guards))
    spark = records.sparkSession
    components = to_spark(connected_components(linker, edges), spark)
    if linkage.cluster_guards:
        conflicts = conflicting_pairs(linker, records, components, spec, linkage)
        components = split_conflicting(components, to_spark(edges, spark), conflicts)
    return match_clusters(records, components)


REVIEW_SCHEMA = T.StructType(
    [
        *PAIR_SCHEMA.fields,
        T.StructField("review_reason", T.StringType()),
        T.StructField(
            "comparisons",
            T.ArrayType(
                T.StructType(
                    [
                        T.StructField("comparison", T.StringType()),
                        T.StructField("level", T.StringType()),
                        T.StructField("gamma", T.IntegerType()),
                        T.StructField("match_weight", T.DoubleType()),
                        T.StructField("tf_adjustment", T.DoubleType()),
                        T.StructField("value_l", T.StringType()),
                        T.StructField("value_r", T.StringType()),
                    ]
                )
            ),
        ),
    ]
)
"""Schema of gold.match_review: a pair a steward decides, why it is there, and the evidence per comparison."""


def _evidence(predictions: DataFrame, comparison: str, labels: dict[int, str], columns: list[str]) -> F.Column:
    """One comparison of a scored pair: its level, gamma, match weight (plus term-frequency adjustment) and values."""
    gamma = F.col(f"gamma_{comparison}")
    level_by_gamma = F.create_map(*[F.lit(x) for item in labels.items() for x in item])
    tf_column = f"mw_tf_adj_{comparison}"
    return F.struct(
        F.lit(comparison).alias("comparison"),
        level_by_gamma[gamma].alias("level"),
        gamma.alias("gamma"),
        F.col(f"mw_{comparison}").alias("match_weight"),
        (F.col(tf_column) if tf_column in predictions.columns else F.lit(0.0)).alias("tf_adjustment"),
        F.concat_ws(" ", *[F.col(f"{c}_l").cast("string") for c in columns]).alias("value_l"),
        F.concat_ws(" ", *[F.col(f"{c}_r").cast("string") for c in columns]).alias("value_r"),
    )


def review_pairs(predictions: DataFrame, spec: dict[str, Any], linkage: LinkageSettings) -> DataFrame:
    """gold.match_review: pairs in the review band, and pairs above the threshold that a cluster guard kept apart."""
    conflict = F.expr(conflict_condition(spec, linkage.cluster_guards))
    p = F.col("match_probability")
    reason = (
        F.when((p >= linkage.match_threshold) & conflict, F.lit("above the match threshold but kept apart by a cluster guard"))
        .when((p >= linkage.review_band.low) & (p < linkage.review_band.high), F.lit("match probability in the review band"))
    )
    labels = gamma_labels(spec)
    evidence = [_evidence(predictions, name, labels[name], columns) for name, columns in comparison_columns(spec).items()]
    reviewed = predictions.withColumn("review_reason", reason).where(F.col("review_reason").isNotNull())
    return reviewed.select(*[F.col(f.name).cast(f.dataType) for f in PAIR_SCHEMA.fields], "review_reason", F.array(*evidence).alias("comparisons"))
