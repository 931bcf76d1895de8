"""Clustering of scored pairs: guarded edges, connected components, average linkage inside them; cluster and review tables."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T
from splink import Linker
from splink.clustering import cluster_pairwise_predictions_at_threshold

from golden_record.lakehouse.linkage_settings import ClusterGuard, LinkageSettings
from golden_record.transforms.linkage.constraints import without_decided_pairs
from golden_record.transforms.linkage.errors import LinkageError
from golden_record.transforms.linkage.prediction import PAIR_SCHEMA, predict
from golden_record.transforms.linkage.spec import comparison_columns, gamma_labels, splink_settings
from golden_record.transforms.linkage.splink_adapter import SplinkDataFrame, new_linker, register_for, share_term_frequencies, to_spark

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


def guarded_edges(linker: Linker, predictions: SplinkDataFrame, threshold: float, conflict: str, links: SplinkDataFrame | None = None) -> SplinkDataFrame:
    """Pairs at or above the match threshold that do not conflict on a guarded comparison; a pair a steward decided
    follows the decision instead (`links`, see constraints.steward_links): an edge when the same person, never otherwise."""
    if links is None:
        return linker.misc.query_sql(
            f"select unique_id_l, unique_id_r, match_probability from {predictions.physical_name} "
            f"where match_probability >= {threshold} and not ({conflict})"
        )
    return linker.misc.query_sql(
        f"select p.unique_id_l, p.unique_id_r, p.match_probability from {predictions.physical_name} p "
        f"left join {links.physical_name} k on p.unique_id_l = k.unique_id_l and p.unique_id_r = k.unique_id_r "
        f"where k.unique_id_l is null and p.match_probability >= {threshold} and not ({conflict}) "
        f"union all select unique_id_l, unique_id_r, 1.0 as match_probability from {links.physical_name} where same_person"
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


def component_pairs(linker: Linker, records: DataFrame, components: DataFrame, spec: dict[str, Any], linkage: LinkageSettings, links: DataFrame | None = None) -> DataFrame:
    """Every pair of records inside one component of 3+ records: match probability, whether a cluster guard (or a
    steward's "different persons") forbids it, and whether a steward linked it (`must_link`, probability 1).

    Splink scores all pairs within each component (blocking on the component id) with the same model,
    so a conflict means exactly what the guard's comparison level means, also for pairs no blocking rule compared.
    """
    schema = "unique_id_l string, unique_id_r string, match_probability double, conflict boolean, must_link boolean"
    large = components.groupBy("cluster_id").count().where("count >= 3").select(F.col("cluster_id").alias("component_id"))
    members = records.join(components.withColumnRenamed("cluster_id", "component_id").join(large, "component_id"), "unique_id")
    if members.isEmpty():
        return records.sparkSession.createDataFrame([], schema)
    settings = splink_settings(spec, model=linker.misc.save_model_to_json(), blocking_rules=[["component_id"]])
    member_linker = new_linker(members, settings, linkage)
    share_term_frequencies(linker, member_linker)  # frequencies of all records, not of these members
    scored = to_spark(predict(member_linker, pair_floor=0.0), records.sparkSession)
    conflict = F.coalesce(F.expr(conflict_condition(spec, linkage.cluster_guards)), F.lit(False))
    if links is None:
        return scored.select("unique_id_l", "unique_id_r", "match_probability", conflict.alias("conflict"), F.lit(False).alias("must_link"))
    decided = scored.join(links.select("unique_id_l", "unique_id_r", "same_person"), ["unique_id_l", "unique_id_r"], "left")
    same = F.col("same_person")
    return decided.select(
        "unique_id_l",
        "unique_id_r",
        F.when(same, F.lit(1.0)).otherwise(F.col("match_probability")).alias("match_probability"),
        F.when(same.isNull(), conflict).otherwise(~same).alias("conflict"),
        F.coalesce(same, F.lit(False)).alias("must_link"),
    )


def average_linkage(pairs: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """One component re-clustered bottom-up: the two groups with the highest mean match probability over all their
    record pairs merge first, while that mean is at least `threshold` and no pair between them is a guarded conflict.

    Pairs a steward linked (`must_link`) join first, in any case, unless a conflict (a steward's "different persons")
    lies between their groups. A sparse record that is a fair match for two namesakes no longer chains them: their many
    strongly non-matching pairs pull the mean of the merged group far below the threshold.
    Dense n x n matrices: fine for candidate clusters of customer data (81 records at most at 100k persons).
    """
    ids = sorted(set(pairs["unique_id_l"]) | set(pairs["unique_id_r"]))
    index = {uid: i for i, uid in enumerate(ids)}
    n = len(ids)
    left, right = pairs["unique_id_l"].map(index).to_numpy(), pairs["unique_id_r"].map(index).to_numpy()
    total = np.zeros((n, n))
    total[left, right] = total[right, left] = pairs["match_probability"].to_numpy()
    conflict = np.zeros((n, n), dtype=bool)
    conflict[left, right] = conflict[right, left] = pairs["conflict"].to_numpy(dtype=bool)
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members = [[i] for i in range(n)]
    group = np.arange(n)

    def join(a: int, b: int) -> None:
        a, b = min(a, b), max(a, b)
        total[a, :] += total[b, :]
        total[:, a] += total[:, b]
        conflict[a, :] |= conflict[b, :]
        conflict[:, a] |= conflict[:, b]
        size[a] += size[b]
        alive[b] = False
        members[a] += members[b]
        group[members[a]] = a

    must = pairs["must_link"].to_numpy(dtype=bool) if "must_link" in pairs else np.zeros(len(pairs), dtype=bool)
    for l, r in sorted(zip(left[must], right[must])):
        a, b = group[l], group[r]
        if a != b and not conflict[a, b]:
            join(a, b)
    while True:
        mean = total / np.outer(size, size)
        mean[conflict | ~np.outer(alive, alive)] = -1.0
        np.fill_diagonal(mean, -1.0)
        a, b = divmod(int(np.argmax(mean)), n)
        if mean[a, b] < threshold:
            break
        join(a, b)
    cluster = {ids[m]: min(ids[x] for x in members[root]) for root in np.flatnonzero(alive) for m in members[root]}
    return pd.DataFrame({"unique_id": list(cluster), "cluster_id": list(cluster.values())})


def _component_of_left(components: DataFrame) -> DataFrame:
    """(unique_id_l, component): the component of a pair's left record."""
    return components.select(F.col("unique_id").alias("unique_id_l"), F.col("cluster_id").alias("component"))


def recluster_components(components: DataFrame, pairs: DataFrame, threshold: float) -> DataFrame:
    """Components of 3+ records re-clustered by average linkage over all their pairs (others unchanged)."""
    pairs = pairs.join(_component_of_left(components), "unique_id_l")
    split = pairs.groupBy("component").applyInPandas(
        lambda frame: average_linkage(frame, threshold), "unique_id string, cluster_id string"
    )
    return components.join(split.withColumnRenamed("cluster_id", "split_id"), "unique_id", "left").select(
        "unique_id", F.coalesce("split_id", "cluster_id").alias("cluster_id")
    )


def model_edges(scored: DataFrame, spec: dict[str, Any], linkage: LinkageSettings) -> DataFrame:
    """gold.match_edges: scored pairs at or above the match threshold that no cluster guard vetoes (before steward decisions)."""
    conflict = F.expr(conflict_condition(spec, linkage.cluster_guards))
    return scored.where((F.col("match_probability") >= linkage.match_threshold) & ~conflict).select("unique_id_l", "unique_id_r", "match_probability")


def present_links(links: DataFrame | None, records: DataFrame) -> DataFrame | None:
    """The steward links both of whose records are among `records`."""
    if links is None:
        return None
    present = records.select("unique_id")
    return links.join(present.withColumnRenamed("unique_id", "unique_id_l"), "unique_id_l", "left_semi").join(
        present.withColumnRenamed("unique_id", "unique_id_r"), "unique_id_r", "left_semi"
    )


def edge_components(linker: Linker, edges: DataFrame, links: DataFrame | None = None) -> DataFrame:
    """(unique_id, cluster_id): connected components of the model's edges once steward decisions apply (a "same
    person" is an edge, a "different persons" never is); records on no edge are left out."""
    registered = register_for(linker, edges.select("unique_id_l", "unique_id_r", "match_probability"))
    decided = register_for(linker, links) if links is not None else None
    return to_spark(connected_components(linker, guarded_edges(linker, registered, 0.0, "false", decided)), edges.sparkSession)


def cluster_components(linker: Linker, records: DataFrame, components: DataFrame, spec: dict[str, Any], linkage: LinkageSettings, links: DataFrame | None = None) -> DataFrame:
    """gold.match_clusters of `records`: average linkage at the cluster threshold inside each of their components."""
    pairs = component_pairs(linker, records, components, spec, linkage, links)
    return match_clusters(records, recluster_components(components, pairs, linkage.cluster_threshold))


def cluster_records(
    linker: Linker, predictions: SplinkDataFrame, records: DataFrame, spec: dict[str, Any], linkage: LinkageSettings, links: DataFrame | None = None
) -> DataFrame:
    """gold.match_clusters: guarded edges at the match threshold, connected components, then average linkage inside each
    at the cluster threshold; steward links (constraints.steward_links) of the records at hand override the model."""
    links = present_links(links, records)
    components = edge_components(linker, model_edges(to_spark(predictions, records.sparkSession), spec, linkage), links)
    return cluster_components(linker, records, components, spec, linkage, links)


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


def review_pairs(predictions: DataFrame, clusters: DataFrame, spec: dict[str, Any], linkage: LinkageSettings, links: DataFrame | None = None) -> DataFrame:
    """gold.match_review: pairs in the review band, and pairs above the threshold whose records ended in two clusters;
    none a steward decided (`links`)."""
    conflict = F.expr(conflict_condition(spec, linkage.cluster_guards))
    p = F.col("match_probability")
    cluster_of = clusters.select("unique_id", "cluster_id")
    predictions = predictions.join(cluster_of.toDF("unique_id_l", "cluster_l"), "unique_id_l", "left").join(cluster_of.toDF("unique_id_r", "cluster_r"), "unique_id_r", "left")
    reason = (
        F.when((p >= linkage.match_threshold) & conflict, F.lit("above the match threshold but kept apart by a cluster guard"))
        .when((p >= linkage.match_threshold) & (F.col("cluster_l") != F.col("cluster_r")), F.lit("above the match threshold but its records' groups match too weakly on average"))
        .when((p >= linkage.review_band.low) & (p < linkage.review_band.high), F.lit("match probability in the review band"))
    )
    labels = gamma_labels(spec)
    evidence = [_evidence(predictions, name, labels[name], columns) for name, columns in comparison_columns(spec).items()]
    reviewed = predictions.withColumn("review_reason", reason).where(F.col("review_reason").isNotNull())
    if links is not None:
        reviewed = without_decided_pairs(reviewed, links)
    return reviewed.select(*[F.col(f.name).cast(f.dataType) for f in PAIR_SCHEMA.fields], "review_reason", F.array(*evidence).alias("comparisons"))
