"""Accuracy of entity resolution against a ground truth: pairwise, cluster-level and blocking figures."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from splink import DuckDBAPI, Linker, SparkAPI

from golden_record.transforms.linkage.clustering import connected_components, match_clusters
from golden_record.transforms.linkage.splink_adapter import register, to_spark

TRUTH_SCHEMA = T.StructType(
    [
        T.StructField("source", T.StringType()),
        T.StructField("source_record_id", T.StringType()),
        T.StructField("person_id", T.StringType()),
    ]
)
"""Columns of a ground-truth CSV: which person each source record belongs to."""

Scores = dict[str, float | int]


def read_truth(spark: SparkSession, path: str) -> DataFrame:
    """The ground-truth CSV (source, source_record_id, person_id) keyed by linkage unique_id."""
    truth = spark.read.csv(path, header=True, schema=TRUTH_SCHEMA, enforceSchema=False)
    return truth.select(F.concat_ws(":", "source", "source_record_id").alias("unique_id"), "person_id")


def _pairs_within(df: DataFrame, *keys: str) -> int:
    """Record pairs inside the groups of `keys`: the sum of n*(n-1)/2."""
    pairs = df.groupBy(*keys).count().agg(F.sum(F.col("count") * (F.col("count") - 1) / 2)).first()[0]
    return int(pairs or 0)


def scores(true_positives: int, predicted: int, actual: int) -> Scores:
    """Precision, recall and F1 from pair counts (precision/recall 1.0 when nothing was predicted/expected)."""
    precision = true_positives / predicted if predicted else 1.0
    recall = true_positives / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"true_positives": true_positives, "predicted": predicted, "actual": actual, "precision": precision, "recall": recall, "f1": f1}


def labelled_pairs(pairs: DataFrame, truth: DataFrame) -> DataFrame:
    """Pairs (unique_id_l, unique_id_r, …) with `same_person` from the truth (null when a record is not in it)."""
    left = truth.select(F.col("unique_id").alias("unique_id_l"), F.col("person_id").alias("person_l"))
    right = truth.select(F.col("unique_id").alias("unique_id_r"), F.col("person_id").alias("person_r"))
    labelled = pairs.join(left, "unique_id_l", "left").join(right, "unique_id_r", "left")
    return labelled.withColumn("same_person", F.col("person_l") == F.col("person_r")).drop("person_l", "person_r")


def pair_scores(pairs: DataFrame, truth: DataFrame) -> Scores:
    """Precision/recall/F1 of record pairs against the truth (unique_id, person_id) of the records being linked."""
    counts = labelled_pairs(pairs, truth).agg(F.count("same_person").alias("predicted"), F.count(F.when(F.col("same_person"), 1)).alias("tp")).first()
    return scores(counts["tp"], counts["predicted"], _pairs_within(truth, "person_id"))


def cluster_scores(clusters: DataFrame, truth: DataFrame) -> Scores:
    """Precision/recall/F1 of the pairs the clusters imply (every two records in one cluster) against the truth."""
    labelled = clusters.select("unique_id", "cluster_id").join(truth, "unique_id")
    return scores(_pairs_within(labelled, "cluster_id", "person_id"), _pairs_within(labelled, "cluster_id"), _pairs_within(labelled, "person_id"))


def blocking_scores(blocked_pairs: DataFrame, truth: DataFrame, records: int) -> Scores:
    """Comparisons, pair completeness (share of true pairs the blocking rules compare) and reduction ratio."""
    comparisons = blocked_pairs.count()
    all_pairs = records * (records - 1) // 2
    return {
        "comparisons": comparisons,
        "pair_completeness": pair_scores(blocked_pairs, truth)["recall"],
        "reduction_ratio": 1 - comparisons / all_pairs if all_pairs else 1.0,
    }


def reachable_clusters(linker: Linker, db_api: DuckDBAPI | SparkAPI, labelled: DataFrame, records: DataFrame) -> DataFrame:
    """The best clusters the blocking rules allow: records joined by chains of compared pairs of one person.

    Their recall is the ceiling of cluster recall for any model and threshold on these blocking rules.
    """
    edges = labelled.where(F.col("same_person")).select("unique_id_l", "unique_id_r")
    if edges.isEmpty():
        return match_clusters(records, records.sparkSession.createDataFrame([], "unique_id string, cluster_id string"))
    components = connected_components(linker, register(db_api, edges))
    return match_clusters(records, to_spark(components, records.sparkSession))


def accuracy(scored: DataFrame, clusters: DataFrame, truth: DataFrame, match_threshold: float) -> dict[str, Scores]:
    """Pairwise scores of the pairs at or above the match threshold, and cluster-level scores."""
    return {
        "pairwise": pair_scores(scored.where(F.col("match_probability") >= match_threshold), truth),
        "clusters": cluster_scores(clusters, truth),
    }


def steward_label_scores(links: DataFrame, pairs: DataFrame, clusters: DataFrame, match_threshold: float) -> dict[str, Scores]:
    """The model judged by the stewards' decisions (constraints.steward_links as labels): its pairs at or above the
    threshold (a decided pair it did not compare counts as "different"), and whether clustering put each pair together."""
    cluster_of = clusters.select("unique_id", "cluster_id")
    judged = (
        links.join(pairs.select("unique_id_l", "unique_id_r", "match_probability"), ["unique_id_l", "unique_id_r"], "left")
        .join(cluster_of.toDF("unique_id_l", "cluster_l"), "unique_id_l", "left")
        .join(cluster_of.toDF("unique_id_r", "cluster_r"), "unique_id_r", "left")
        .select(
            "same_person",
            F.coalesce(F.col("match_probability") >= match_threshold, F.lit(False)).alias("linked"),
            F.coalesce(F.col("cluster_l") == F.col("cluster_r"), F.lit(False)).alias("clustered"),
        )
    )
    figures = {}
    for name, predicted in (("pairwise", "linked"), ("clusters", "clustered")):
        row = judged.agg(
            F.count(F.when(F.col(predicted), 1)).alias("predicted"),
            F.count(F.when(F.col(predicted) & F.col("same_person"), 1)).alias("tp"),
            F.count(F.when(F.col("same_person"), 1)).alias("actual"),
        ).first()
        figures[name] = scores(row["tp"], row["predicted"], row["actual"])
    return figures
