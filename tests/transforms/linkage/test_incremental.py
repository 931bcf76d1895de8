"""Incremental matching transforms: record fingerprints and changes, pair filters, affected components, borderline pairs."""

from __future__ import annotations

import math

from chispa import assert_df_equality
from pyspark.sql import SparkSession

from golden_record.transforms.linkage.incremental import affected_components, borderline_records, ordered_pairs, record_changes, record_fingerprints, without_records


def test_a_record_keeps_its_fingerprint_until_a_linkage_field_changes(spark: SparkSession) -> None:
    records = spark.createDataFrame(
        [("crm:1", "crm", "1", "anna", "zürich"), ("crm:2", "crm", "2", "anna", "zürich"), ("crm:3", "crm", "3", "anna", "bern")],
        "unique_id string, source_system string, source_record_id string, first_name_norm string, city_norm string",
    )
    hashes = {r.unique_id: r.record_hash for r in record_fingerprints(records).collect()}
    assert hashes["crm:1"] == hashes["crm:2"], "ids are not part of the fingerprint"
    assert hashes["crm:1"] != hashes["crm:3"]


def test_changes_are_new_changed_or_removed_records(spark: SparkSession) -> None:
    current = spark.createDataFrame([("a", "h1"), ("b", "h2-new"), ("d", "h4")], "unique_id string, record_hash string")
    previous = spark.createDataFrame([("a", "h1"), ("b", "h2"), ("c", "h3")], "unique_id string, record_hash string")
    expected = spark.createDataFrame([("b", "changed"), ("c", "removed"), ("d", "new")], "unique_id string, change string")
    assert_df_equality(record_changes(current, previous), expected, ignore_row_order=True, ignore_nullable=True)


def test_without_records_drops_every_pair_that_names_one_of_them(spark: SparkSession) -> None:
    pairs = spark.createDataFrame([("a", "b", 0.9), ("b", "c", 0.8), ("c", "d", 0.7)], "unique_id_l string, unique_id_r string, match_probability double")
    ids = spark.createDataFrame([("b",)], "unique_id string")
    expected = spark.createDataFrame([("c", "d", 0.7)], "unique_id_l string, unique_id_r string, match_probability double")
    assert_df_equality(without_records(pairs, ids), expected, ignore_nullable=True)


def test_ordered_pairs_swap_every_side_column_together(spark: SparkSession) -> None:
    scored = spark.createDataFrame([("b", "a", "x@b", "x@a", 0.9), ("a", "c", "x@a", "x@c", 0.5)], "unique_id_l string, unique_id_r string, email_l string, email_r string, match_probability double")
    expected = spark.createDataFrame([("a", "b", "x@a", "x@b", 0.9), ("a", "c", "x@a", "x@c", 0.5)], scored.schema)
    assert_df_equality(ordered_pairs(scored), expected, ignore_row_order=True)


def test_affected_components_are_the_whole_components_of_the_seeds(spark: SparkSession) -> None:
    components = spark.createDataFrame([("a", "a"), ("b", "a"), ("c", "c"), ("d", "c"), ("e", "e")], "unique_id string, cluster_id string")
    seeds = spark.createDataFrame([("b",), ("e",)], "unique_id string")
    expected = spark.createDataFrame([("a", "a"), ("b", "a"), ("e", "e")], "unique_id string, cluster_id string")
    assert_df_equality(affected_components(components, seeds), expected, ignore_row_order=True)


def test_borderline_records_are_those_of_pairs_near_the_threshold_weight(spark: SparkSession) -> None:
    threshold = 0.5  # weight 0
    weight = lambda p: math.log2(p / (1 - p))  # noqa: E731
    pairs = spark.createDataFrame(
        [("a", "b", weight(0.52)), ("c", "d", weight(0.95)), ("e", "f", weight(0.47)), ("g", "h", weight(0.05))],
        "unique_id_l string, unique_id_r string, match_weight double",
    )
    assert sorted(r.unique_id for r in borderline_records(pairs, threshold, 0.25).collect()) == ["a", "b", "e", "f"]
    assert borderline_records(pairs, threshold, 0.0).count() == 0, "margin 0: none"
