"""Incremental matching: after a first match, a new delivery (new, changed and removed records, a steward decision) is
matched by scoring only what it touches, and gives the clusters a full match of the same silver gives."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from golden_record.jobs import match
from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.storage import TableStore, open_store
from golden_record.lakehouse.tables import MATCH_CLUSTERS, MATCH_EDGES, MATCH_PAIRS, MATCH_RECORDS, MATCH_REVIEW, MATCH_RUNS, SILVER_CUSTOMERS, STEWARD_DECISIONS
from golden_record.transforms.linkage.constraints import DECISION_SCHEMA


def _lakehouse(spark: SparkSession, run: PipelineConfig, folder: Path, thresholds: dict) -> tuple[PipelineConfig, TableStore]:
    """A fresh lakehouse using the sample run's trained model, with the thresholds of the sample run's match fixed."""
    paths = run.paths.model_copy(update={"lakehouse": str(folder / "lakehouse"), "reports": str(folder / "reports")})
    linkage = run.linkage.model_copy(update={**thresholds, "model": str(run.linkage.model_path(run.paths.models))})
    config = run.model_copy(update={"paths": paths, "linkage": linkage})
    return config, open_store(spark, config)


def _same_cluster_pairs(clusters: DataFrame) -> set[tuple[str, str]]:
    """Every pair of records one cluster holds."""
    members = clusters.groupBy("cluster_id").agg(F.sort_array(F.collect_list("unique_id")).alias("ids")).collect()
    return {pair for row in members for pair in itertools.combinations(row.ids, 2)}


def _versions(store: TableStore) -> dict[str, int]:
    return {table.name: store.version(table.name) for table in (MATCH_PAIRS, MATCH_EDGES, MATCH_CLUSTERS, MATCH_RECORDS, MATCH_REVIEW, MATCH_RUNS)}


@pytest.fixture(scope="module")
def deliveries(spark: SparkSession, sample_run: PipelineConfig) -> dict:
    """Silver of the sample run as two deliveries: the first lacks 15 % of the records, has 4 records the second removes,
    and 6 the second moves to another street; plus a steward decision made between them."""
    sample = open_store(spark, sample_run)
    silver = sample.read(SILVER_CUSTOMERS.name)
    keys = sorted((r.source_system, r.source_record_id) for r in silver.select("source_system", "source_record_id").collect())
    rng = random.Random(7)
    rng.shuffle(keys)
    later, removed, moved = keys[: len(keys) * 15 // 100], keys[-4:], keys[-10:-4]
    key = F.concat_ws(":", "source_system", "source_record_id")
    ids = lambda chosen: [f"{s}:{r}" for s, r in chosen]  # noqa: E731
    second = silver.where(~key.isin(ids(removed)))
    first = silver.where(~key.isin(ids(later))).withColumn(
        "street_norm", F.when(key.isin(ids(moved)), F.lit("altes gleis")).otherwise(F.col("street_norm"))
    )
    run = sample.read(MATCH_RUNS.name).orderBy(F.desc("matched_at")).first()
    thresholds = {"match_threshold": run.match_threshold, "cluster_threshold": run.cluster_threshold}
    merged = sample.read(MATCH_CLUSTERS.name).where("cluster_size = 2").where(~F.col("unique_id").isin(ids(later + removed + moved)))
    pair = sorted(r.unique_id for r in merged.where(F.col("cluster_id") == merged.first().cluster_id).collect())
    return {"first": first, "second": second, "thresholds": thresholds, "split": pair, "later": len(later), "removed": len(removed), "moved": len(moved)}


def _decision(spark: SparkSession, pair: list[str]) -> DataFrame:
    import datetime as dt

    row = ("d-incremental", dt.datetime.now(dt.timezone.utc).replace(tzinfo=None), "steward", "different_persons", pair[0], pair[1], False, None, None, "two people")
    return spark.createDataFrame([row], DECISION_SCHEMA)


@pytest.fixture(scope="module")
def incremental(spark: SparkSession, sample_run: PipelineConfig, deliveries: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """First delivery matched in full, then the second matched incrementally, then matched again unchanged."""
    config, store = _lakehouse(spark, sample_run, tmp_path_factory.mktemp("incremental"), deliveries["thresholds"])
    store.overwrite(SILVER_CUSTOMERS.name, deliveries["first"])
    first = match.run(config, spark, store)
    store.overwrite(SILVER_CUSTOMERS.name, deliveries["second"])
    store.append(STEWARD_DECISIONS.name, _decision(spark, deliveries["split"]))
    second = match.run(config, spark, store)
    before = _versions(store)
    third = match.run(config, spark, store)
    return {"store": store, "config": config, "counts": [first, second, third], "before_rerun": before}


@pytest.fixture(scope="module")
def rebuilt(spark: SparkSession, sample_run: PipelineConfig, deliveries: dict, tmp_path_factory: pytest.TempPathFactory) -> TableStore:
    """The second delivery and the decision matched in full in a lakehouse of its own."""
    config, store = _lakehouse(spark, sample_run, tmp_path_factory.mktemp("rebuilt"), deliveries["thresholds"])
    store.overwrite(SILVER_CUSTOMERS.name, deliveries["second"])
    store.append(STEWARD_DECISIONS.name, _decision(spark, deliveries["split"]))
    assert match.run(config, spark, store)["mode"] == "full"
    return store


def test_a_second_delivery_is_matched_incrementally_touching_only_what_changed(incremental: dict, deliveries: dict) -> None:
    first, second, _ = incremental["counts"]
    assert first["mode"] == "full" and second["mode"] == "incremental"
    # new and moved records, plus those whose e-mail handle more than max_records_per_value records now share (ignored for matching)
    assert deliveries["later"] + deliveries["moved"] <= second["changed_records"] < 0.3 * second["records"]
    assert second["removed_records"] == deliveries["removed"]
    assert second["reclustered_records"] < second["records"] // 2, "clusters no change touches are left as they were"
    assert second["comparisons"] < first["comparisons"], "only pairs that involve a changed record are scored"
    assert second["match_threshold"] == first["match_threshold"], "an increment scores on the previous match's scale"
    runs = incremental["store"].read(MATCH_RUNS.name).orderBy("matched_at").collect()
    assert [r.mode for r in runs] == ["full", "incremental"], "the unchanged rerun wrote no run"


def test_the_incremental_clusters_equal_those_of_a_full_match_of_the_same_silver(incremental: dict, rebuilt: TableStore) -> None:
    store = incremental["store"]
    incremental_pairs = _same_cluster_pairs(store.read(MATCH_CLUSTERS.name))
    full_pairs = _same_cluster_pairs(rebuilt.read(MATCH_CLUSTERS.name))
    assert full_pairs, "the sample has duplicates"
    agreement = len(incremental_pairs & full_pairs) / len(incremental_pairs | full_pairs)
    assert agreement >= 0.999, f"pairwise agreement {agreement:.4f}"
    assert store.read(MATCH_CLUSTERS.name).count() == rebuilt.read(MATCH_CLUSTERS.name).count()
    cluster_ids = lambda s: {r.unique_id: r.cluster_id for r in s.read(MATCH_CLUSTERS.name).collect()}  # noqa: E731
    assert cluster_ids(store) == cluster_ids(rebuilt), "the same cluster ids (its smallest record id)"


def test_the_increment_applies_a_new_steward_decision_and_drops_removed_records(incremental: dict, deliveries: dict) -> None:
    store = incremental["store"]
    clusters = {r.unique_id: r.cluster_id for r in store.read(MATCH_CLUSTERS.name).collect()}
    left, right = deliveries["split"]
    assert clusters[left] != clusters[right], "the pair a steward called two people is apart after the increment"
    silver = store.read(SILVER_CUSTOMERS.name).select(F.concat_ws(":", "source_system", "source_record_id").alias("unique_id"))
    for table in (MATCH_CLUSTERS, MATCH_RECORDS):
        assert store.read(table.name).join(silver, "unique_id", "left_anti").count() == 0, f"{table.name} holds no removed record"
    pairs = store.read(MATCH_PAIRS.name)
    assert pairs.join(silver.withColumnRenamed("unique_id", "unique_id_l"), "unique_id_l", "left_anti").count() == 0
    assert pairs.groupBy("unique_id_l", "unique_id_r").count().where("count > 1").count() == 0, "no pair twice"


def test_a_rerun_with_nothing_new_changes_no_match_table(incremental: dict) -> None:
    assert incremental["counts"][2]["mode"] == "unchanged"
    assert _versions(incremental["store"]) == incremental["before_rerun"]


def test_full_and_a_new_model_rematch_everything(spark: SparkSession, incremental: dict) -> None:
    config, store = incremental["config"], incremental["store"]
    assert match.run(config, spark, store, full=True)["mode"] == "full"
    previous = store.read(MATCH_RUNS.name).orderBy(F.desc("matched_at")).first()
    assert match.full_match_reason(previous, match.matching_model(config.linkage, config.paths.models), previous.settings_hash, False) is None
    other = config.linkage.model_copy(update={"pair_floor": 0.05, "review_band": config.linkage.review_band.model_copy(update={"low": 0.05})})
    assert match.settings_hash(other, {}) != match.settings_hash(config.linkage, {}), "other linkage settings: a full match"


def test_a_match_interrupted_while_writing_is_completed_by_the_next_one(
    spark: SparkSession, sample_run: PipelineConfig, deliveries: dict, rebuilt: TableStore, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, store = _lakehouse(spark, sample_run, tmp_path_factory.mktemp("interrupted"), deliveries["thresholds"])
    store.overwrite(SILVER_CUSTOMERS.name, deliveries["first"])
    match.run(config, spark, store)
    store.overwrite(SILVER_CUSTOMERS.name, deliveries["second"])
    store.append(STEWARD_DECISIONS.name, _decision(spark, deliveries["split"]))
    overwrite = store.overwrite

    def crash_at_clusters(name: str, frame: DataFrame, replace_where: str | None = None) -> int:
        if name == MATCH_CLUSTERS.name:
            raise RuntimeError("killed while writing the clusters")
        return overwrite(name, frame, replace_where)

    monkeypatch.setattr(store, "overwrite", crash_at_clusters)
    with pytest.raises(RuntimeError, match="killed while writing"):
        match.run(config, spark, store)
    monkeypatch.setattr(store, "overwrite", overwrite)
    assert [r.mode for r in store.read(MATCH_RUNS.name).collect()] == ["full"], "the interrupted match recorded no run"
    resumed = match.run(config, spark, store)
    assert resumed["mode"] == "incremental" and resumed["changed_records"] >= deliveries["later"] + deliveries["moved"]
    cluster_ids = lambda s: {r.unique_id: r.cluster_id for r in s.read(MATCH_CLUSTERS.name).collect()}  # noqa: E731
    assert cluster_ids(store) == cluster_ids(rebuilt)
