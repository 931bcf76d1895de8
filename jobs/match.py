"""Job: score silver customer pairs with the trained model, cluster them, and write the gold match tables.

The first match of a lakehouse scores every candidate pair. Later ones are incremental: only the pairs that touch a
new or changed record are scored (with term frequencies of all of silver), and only the candidate clusters those pairs,
removed records or new steward decisions touch are clustered again; every other cluster stays as it was. A new model,
other linkage settings, many changes, or `--full` rematch everything.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import datetime, timezone
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.linkage_settings import LinkageSettings, ReviewBand
from golden_record.lakehouse.progress import StageProgress
from golden_record.lakehouse.session import materialise
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import MATCH_CLUSTERS, MATCH_EDGES, MATCH_PAIRS, MATCH_RECORDS, MATCH_REVIEW, MATCH_RUNS, SILVER_CUSTOMERS, STEWARD_DECISIONS
from golden_record.transforms.linkage.clustering import cluster_components, edge_components, match_clusters, model_edges, present_links, review_pairs
from golden_record.transforms.linkage.constraints import records_decided_since, steward_links, without_decided_pairs
from golden_record.transforms.linkage.features import prepare_for_linkage
from golden_record.transforms.linkage.incremental import affected_components, borderline_records, record_changes, record_fingerprints, score_touching, without_records
from golden_record.transforms.linkage.models import MatchingModel, matching_model
from golden_record.transforms.linkage.prediction import count_comparisons, match_pairs, predict, settings_for_model
from golden_record.transforms.linkage.spec import splink_settings
from golden_record.transforms.linkage.splink_adapter import new_linker, removes_intermediate_tables, to_spark

log = logging.getLogger(__name__)

STATE_TABLES = (MATCH_PAIRS, MATCH_EDGES, MATCH_CLUSTERS, MATCH_RECORDS, MATCH_REVIEW, MATCH_RUNS)
"""What an incremental match continues from; a lakehouse missing any of them is matched in full."""

RUN_SCHEMA = (
    "matched_at timestamp, mode string, reason string, model string, model_trained_at string, settings_hash string, "
    "match_threshold double, cluster_threshold double, review_low double, review_high double, records long, changed long, "
    "removed long, reclustered long, pairs_scored long, seconds double"
)
"""Schema of gold.match_runs."""


def settings_hash(linkage: LinkageSettings, spec: dict[str, Any]) -> str:
    """SHA-256 of what decides a pair's score and cluster (not the engine that computes them): other settings, full rematch."""
    decisive = linkage.model_dump(mode="json", exclude={"backend", "spark", "incremental", "waterfall_samples", "training"})
    return hashlib.sha256(json.dumps({"linkage": decisive, "spec": spec}, sort_keys=True, default=str).encode()).hexdigest()


def last_match(store: TableStore) -> Row | None:
    """The newest row of gold.match_runs, or None when an incremental match has nothing to continue from."""
    if not all(store.exists(table.name) for table in STATE_TABLES):
        return None
    return store.read(MATCH_RUNS.name).orderBy(F.col("matched_at").desc()).first()


def full_match_reason(previous: Row | None, trained: MatchingModel, fingerprint: str, full: bool) -> str | None:
    """Why this match must score every pair (None: it can be incremental)."""
    if full:
        return "a full match was asked for (--full)"
    if previous is None:
        return "the first match of this lakehouse"
    if previous.model != str(trained.path) or previous.model_trained_at != str(trained.metadata.get("trained_at")):
        return f"the model changed ({previous.model} -> {trained.path})"
    if previous.settings_hash != fingerprint:
        return "the linkage settings or spec changed"
    return None


def _previous_thresholds(configured: LinkageSettings, previous: Row) -> LinkageSettings:
    """The linkage settings with the thresholds the previous match chose: an increment scores on the same scale."""
    band = ReviewBand(low=previous.review_low, high=previous.review_high)
    return configured.model_copy(update={"match_threshold": previous.match_threshold, "cluster_threshold": previous.cluster_threshold, "review_band": band})


def _ids(frame: DataFrame) -> DataFrame:
    return frame.select("unique_id").distinct()


@removes_intermediate_tables
def run(config: PipelineConfig, spark: SparkSession, store: TableStore, full: bool = False) -> dict[str, Any]:
    """Match the current silver customers (incrementally when a previous match allows); return counts
    (mode, records, pairs, clusters, what changed, thresholds, seconds)."""
    started, matched_at = time.monotonic(), datetime.now(timezone.utc).replace(tzinfo=None)
    progress = StageProgress("match", ["prepare input", "find changes", "score pairs", "choose thresholds", "cluster", "write tables"], config.paths.reports)
    progress.step("prepare input")
    configured = config.linkage
    trained = matching_model(configured, config.paths.models)
    spec, model_path = trained.spec, trained.path
    records = prepare_for_linkage(store.read(SILVER_CUSTOMERS.name), spec, configured.identifiers).persist(StorageLevel.MEMORY_AND_DISK)
    record_count = progress.records = records.count()
    log.info("matching %s records with model %s (trained %s on %s records; %s backend)", f"{record_count:,}", model_path, trained.metadata.get("trained_at", "?"), trained.metadata.get("records", "?"), configured.backend)
    decisions = steward_links(store.read(STEWARD_DECISIONS.name)).persist() if store.exists(STEWARD_DECISIONS.name) else None
    decided_pairs = decisions.count() if decisions is not None else 0
    links = present_links(decisions, records)
    linker = new_linker(records, splink_settings(spec, model=trained.model), configured)
    fingerprints = materialise(record_fingerprints(records))
    fingerprint = settings_hash(configured, spec)

    progress.step("find changes")
    previous = last_match(store)
    reason = full_match_reason(previous, trained, fingerprint, full)
    changes = None
    if reason is None:
        changes = materialise(record_changes(fingerprints, store.read(MATCH_RECORDS.name).select("unique_id", "record_hash")))
        by_kind = {row.change: row["count"] for row in changes.groupBy("change").count().collect()}
        decided = records_decided_since(decisions, previous.matched_at) if decisions is not None else None
        decided_count = decided.count() if decided is not None else 0
        changed_count = sum(by_kind.values())
        log.info("since the match of %s: %d new, %d changed, %d removed records; %d records with new steward decisions", previous.matched_at, by_kind.get("new", 0), by_kind.get("changed", 0), by_kind.get("removed", 0), decided_count)
        if changed_count == 0 and decided_count == 0:
            _release(records, decisions)
            progress.finish()
            log.info("nothing changed since the last match: every match table stays as it is")
            return _counts(store, "unchanged", "no record changed since the last match", record_count, _previous_thresholds(configured, previous), model_path, started, 0, 0, 0, 0, decided_pairs)
        if changed_count > configured.incremental.max_changed_share * max(record_count, 1):
            reason = f"{changed_count:,} of {record_count:,} records changed (more than linkage.incremental.max_changed_share {configured.incremental.max_changed_share})"
    if reason is not None:
        log.info("full match: %s", reason)
        mode = "full"
        progress.step("score pairs")
        comparisons = count_comparisons(linker)
        predictions = predict(linker, configured.pair_floor)
        progress.step("choose thresholds")
        linkage = settings_for_model(configured, spec, linker, predictions)
        progress.step("cluster")
        scored = to_spark(predictions, spark)
        edges = materialise(model_edges(scored, spec, linkage))
        components = materialise(edge_components(linker, edges, links))
        clusters = cluster_components(linker, records, components, spec, linkage, links)
        pairs = match_pairs(scored)
        kept_review = None
        touched_count, removed_count, reclustered, pairs_scored = record_count, 0, record_count, comparisons
    else:
        mode, reason = "incremental", f"{changed_count:,} records changed since the last match"
        assert previous is not None and changes is not None
        linkage = settings_for_model(_previous_thresholds(configured, previous), spec, linker, None)
        progress.step("score pairs")
        touched = changes.where(F.col("change") != "removed").select("unique_id")
        gone = changes.where(F.col("change") != "new").select("unique_id")  # their stored pairs and edges no longer hold
        removed_count = by_kind.get("removed", 0)
        unchanged = fingerprints.select("unique_id").join(touched, "unique_id", "left_anti")
        first_pass = materialise(score_touching(linker, records, touched, unchanged, configured.pair_floor))
        old_records = store.read(MATCH_RECORDS.name)
        # records with new steward decisions, and those of pairs near the threshold, whose side drifting frequencies may flip
        seeds = touched.unionByName(borderline_records(store.read(MATCH_PAIRS.name), linkage.match_threshold, configured.incremental.rescore_margin))
        if decided is not None:
            seeds = seeds.unionByName(decided.select("unique_id"))
        # records that shared a candidate cluster with a changed, removed or newly decided record: their clusters may split
        moved = old_records.join(gone.unionByName(seeds), "unique_id", "left_semi").select("component_id").distinct()
        seeds = _ids(seeds.unionByName(old_records.join(moved, "component_id", "left_semi").select("unique_id"))).join(fingerprints, "unique_id", "left_semi")
        first_edges = without_records(store.read(MATCH_EDGES.name), gone).unionByName(model_edges(first_pass, spec, linkage))
        affected = materialise(_ids(affected_components(edge_components(linker, first_edges, links), seeds).select("unique_id").unionByName(seeds)))
        # pairs of the affected records nobody scored yet: rescored with today's term frequencies, as a full run would
        rest = affected.join(touched, "unique_id", "left_anti")
        outside = fingerprints.select("unique_id").join(affected, "unique_id", "left_anti")
        second_pass = score_touching(linker, records, rest, outside, configured.pair_floor)
        scored = materialise(first_pass.unionByName(second_pass, allowMissingColumns=True))
        replaced = affected.unionByName(gone)
        pairs_scored = scored.count()
        progress.step("choose thresholds")
        progress.step("cluster")
        edges = materialise(without_records(store.read(MATCH_EDGES.name), replaced).unionByName(model_edges(scored, spec, linkage)))
        components = materialise(edge_components(linker, edges, links))
        regrouped = affected_components(components, affected)
        reclustered_records = records.join(_ids(regrouped.select("unique_id").unionByName(affected)), "unique_id", "left_semi")
        regrouped_clusters = cluster_components(linker, reclustered_records, regrouped, spec, linkage, links)
        kept_clusters = store.read(MATCH_CLUSTERS.name).join(reclustered_records.select("unique_id"), "unique_id", "left_anti").join(fingerprints, "unique_id", "left_semi")
        clusters = match_clusters(records, kept_clusters.select("unique_id", "cluster_id").unionByName(regrouped_clusters.select("unique_id", "cluster_id")))
        pairs = without_records(store.read(MATCH_PAIRS.name), replaced).unionByName(match_pairs(scored))
        kept_review = without_records(store.read(MATCH_REVIEW.name), replaced)
        if decisions is not None:
            kept_review = without_decided_pairs(kept_review, decisions)
        touched_count, reclustered = by_kind.get("new", 0) + by_kind.get("changed", 0), reclustered_records.count()

    progress.step("write tables")
    clusters = materialise(clusters)
    review = review_pairs(scored, clusters, spec, linkage, links)
    if kept_review is not None:
        review = kept_review.unionByName(review)
    component_of = components.select("unique_id", F.col("cluster_id").alias("component_id"))
    matched = fingerprints.join(component_of, "unique_id", "left").select("unique_id", "record_hash", F.coalesce("component_id", "unique_id").alias("component_id"))
    # computed before any table is replaced (kept rows are read from them); match_records goes last: a match that stops
    # before it is written leaves the same changes for the next match, which does this work again
    written = ((MATCH_PAIRS, materialise(pairs)), (MATCH_EDGES, materialise(edges)), (MATCH_REVIEW, materialise(review)), (MATCH_CLUSTERS, clusters), (MATCH_RECORDS, materialise(matched)))
    for table, frame in written:
        store.overwrite(table.name, frame)
    seconds = round(time.monotonic() - started, 1)
    run_row = (
        matched_at, mode, reason, str(model_path), str(trained.metadata.get("trained_at")), fingerprint, float(linkage.match_threshold),
        float(linkage.cluster_threshold), float(linkage.review_band.low), float(linkage.review_band.high), record_count, touched_count,
        removed_count, reclustered, int(pairs_scored), float(seconds),
    )
    store.append(MATCH_RUNS.name, spark.createDataFrame([run_row], RUN_SCHEMA))
    _release(records, decisions)
    progress.finish()
    return _counts(store, mode, reason, record_count, linkage, model_path, started, touched_count, removed_count, reclustered, int(pairs_scored), decided_pairs)


def _release(*frames: DataFrame | None) -> None:
    """Unpersist the frames this match cached."""
    for frame in frames:
        if frame is not None:
            frame.unpersist()


def _counts(
    store: TableStore, mode: str, reason: str, record_count: int, linkage: LinkageSettings, model_path: object, started: float,
    changed: int, removed: int, reclustered: int, pairs_scored: int, decided_pairs: int,
) -> dict[str, Any]:
    """What the match tables hold now, and what this match did."""
    pairs = store.read(MATCH_PAIRS.name)
    sizes = store.read(MATCH_CLUSTERS.name).groupBy("cluster_id").count()
    cluster_figures = sizes.agg(F.count(F.lit(1)).alias("clusters"), F.sum((F.col("count") > 1).cast("int")).alias("multi"), F.max("count").alias("largest")).first()
    pair_figures = pairs.agg(F.count(F.lit(1)).alias("pairs"), F.sum((F.col("match_probability") >= linkage.match_threshold).cast("int")).alias("above")).first()
    counts = {
        "mode": mode,
        "reason": reason,
        "records": record_count,
        "changed_records": changed,
        "removed_records": removed,
        "reclustered_records": reclustered,
        "comparisons": pairs_scored,
        "pairs": pair_figures.pairs,
        "pairs_above_threshold": pair_figures.above or 0,
        "review_pairs": store.read(MATCH_REVIEW.name).count(),
        "clusters": cluster_figures.clusters,
        "multi_record_clusters": cluster_figures.multi or 0,
        "largest_cluster": cluster_figures.largest or 0,
        "steward_decided_pairs": decided_pairs,
        "model": str(model_path),
        "match_threshold": linkage.match_threshold,
        "cluster_threshold": linkage.cluster_threshold,
        "seconds": round(time.monotonic() - started, 1),
    }
    log.info(
        "%(mode)s match of %(records)s records (%(changed_records)s new or changed, %(removed_records)s removed, %(reclustered_records)s clustered again): "
        "%(comparisons)s pairs scored, %(pairs)s pairs kept, %(clusters)s clusters (largest %(largest_cluster)s), %(review_pairs)s pairs to review in %(seconds)ss",
        counts,
    )
    return counts
