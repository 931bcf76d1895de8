"""Accuracy figures against a ground truth: pairwise, cluster-level and blocking."""

from __future__ import annotations

from pathlib import Path

import pytest
import splink.comparison_library as cl
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from splink import DuckDBAPI, Linker, SettingsCreator

from golden_record.transforms.linkage.evaluation import blocking_scores, cluster_scores, labelled_pairs, pair_scores, reachable_clusters, read_truth, scores, steward_label_scores

# persons: p1 = a, b, c   p2 = d, e   p3 = f   -> true pairs: ab ac bc de = 4
TRUTH = [("a", "p1"), ("b", "p1"), ("c", "p1"), ("d", "p2"), ("e", "p2"), ("f", "p3")]


@pytest.fixture
def truth(spark: SparkSession):
    """Six records of three persons."""
    return spark.createDataFrame(TRUTH, "unique_id string, person_id string")


def test_scores_from_pair_counts() -> None:
    assert scores(3, 4, 6) == {"true_positives": 3, "predicted": 4, "actual": 6, "precision": 0.75, "recall": 0.5, "f1": 0.6}
    assert scores(0, 0, 0)["f1"] == 1.0


def test_pair_scores_count_pairs_of_the_same_person(spark: SparkSession, truth) -> None:
    pairs = spark.createDataFrame([("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("x", "a")], "unique_id_l string, unique_id_r string")
    # x is not in the truth, so that pair is not judged; 3 of the 4 judged pairs are right; 3 of 4 true pairs found
    assert pair_scores(pairs, truth) == {"true_positives": 3, "predicted": 4, "actual": 4, "precision": 0.75, "recall": 0.75, "f1": 0.75}


def test_cluster_scores_judge_every_pair_a_cluster_implies(spark: SparkSession, truth) -> None:
    # cluster k1 = a, b, d (pairs ab ad bd: 1 right); k2 = c; k3 = e, f (pair ef: wrong)
    clusters = spark.createDataFrame([("a", "k1"), ("b", "k1"), ("d", "k1"), ("c", "k2"), ("e", "k3"), ("f", "k3")], "unique_id string, cluster_id string")
    result = cluster_scores(clusters, truth)
    assert (result["true_positives"], result["predicted"], result["actual"]) == (1, 4, 4)
    assert result["precision"] == pytest.approx(0.25) and result["recall"] == pytest.approx(0.25)


def test_perfect_clusters_score_one(spark: SparkSession, truth) -> None:
    clusters = truth.withColumnRenamed("person_id", "cluster_id")
    assert cluster_scores(clusters, truth)["f1"] == 1.0


def test_blocking_scores(spark: SparkSession, truth) -> None:
    blocked = spark.createDataFrame([("a", "b"), ("a", "c"), ("e", "f")], "unique_id_l string, unique_id_r string")
    result = blocking_scores(blocked, truth, records=6)
    assert result == {"comparisons": 3, "pair_completeness": 0.5, "reduction_ratio": 1 - 3 / 15}


def test_labelled_pairs_mark_same_person_and_unknown_records(spark: SparkSession, truth) -> None:
    pairs = spark.createDataFrame([("a", "b", 0.9), ("a", "d", 0.4), ("a", "x", 0.2)], "unique_id_l string, unique_id_r string, match_probability double")
    expected = spark.createDataFrame(
        [("a", "b", 0.9, True), ("a", "d", 0.4, False), ("a", "x", 0.2, None)],
        "unique_id_l string, unique_id_r string, match_probability double, same_person boolean",
    )
    assert_df_equality(labelled_pairs(pairs, truth).select(*expected.columns), expected, ignore_row_order=True, ignore_nullable=True)


def test_read_truth_keys_records_like_the_linkage_input(spark: SparkSession, tmp_path: Path) -> None:
    path = tmp_path / "ground_truth.csv"
    path.write_text("source,source_record_id,person_id\ncrm,1,P1\nnewsletter,007,P1\n", encoding="utf-8")
    expected = spark.createDataFrame([("crm:1", "P1"), ("newsletter:007", "P1")], "unique_id string, person_id string")
    assert_df_equality(read_truth(spark, str(path)), expected, ignore_row_order=True, ignore_nullable=True)


def test_reachable_clusters_join_records_through_compared_pairs_of_one_person(spark: SparkSession, truth) -> None:
    # compared: a-b and b-c (p1, so a and c are reachable through b), d-f (different persons); d-e never compared
    labelled = labelled_pairs(spark.createDataFrame([("a", "b"), ("b", "c"), ("d", "f")], "unique_id_l string, unique_id_r string"), truth)
    records = truth.select("unique_id", F.lit("crm").alias("source_system"), F.col("unique_id").alias("source_record_id"))
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(records.toPandas()), SettingsCreator(link_type="dedupe_only", comparisons=[cl.ExactMatch("source_system")]))
    clusters = reachable_clusters(linker, db_api, labelled, records)
    assert sorted(sorted(r.members) for r in clusters.groupBy("cluster_id").agg(F.collect_list("unique_id").alias("members")).collect()) == [["a", "b", "c"], ["d"], ["e"], ["f"]]
    assert cluster_scores(clusters, truth)["recall"] == 0.75  # ab ac bc found, de not


def test_steward_decisions_are_labels_for_the_model_and_the_clusters(spark) -> None:
    links = spark.createDataFrame(
        [("a", "b", True), ("a", "c", True), ("d", "e", False), ("f", "g", False)], "unique_id_l string, unique_id_r string, same_person boolean"
    )
    pairs = spark.createDataFrame([("a", "b", 0.99), ("a", "c", 0.2), ("d", "e", 0.95)], "unique_id_l string, unique_id_r string, match_probability double")
    clusters = spark.createDataFrame([("a", "a"), ("b", "a"), ("c", "a"), ("d", "d"), ("e", "e"), ("f", "f"), ("g", "f")], "unique_id string, cluster_id string")
    scored = steward_label_scores(links, pairs, clusters, match_threshold=0.9)
    # pairs: a-b linked and same (tp), d-e linked but different (fp), a-c same but below the threshold (fn), f-g never compared
    assert (scored["pairwise"]["true_positives"], scored["pairwise"]["predicted"], scored["pairwise"]["actual"]) == (1, 2, 2)
    # clusters: a-b and a-c together and same (tp); f-g together but different (fp)
    assert (scored["clusters"]["true_positives"], scored["clusters"]["predicted"], scored["clusters"]["actual"]) == (2, 3, 2)
