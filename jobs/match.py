"""Job: score silver customer pairs with the trained model, cluster them, and write the gold match tables."""

from __future__ import annotations

import logging
import time
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import SparkSession

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.progress import StageProgress
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import MATCH_CLUSTERS, MATCH_PAIRS, MATCH_REVIEW, SILVER_CUSTOMERS, STEWARD_DECISIONS
from golden_record.transforms.linkage.clustering import cluster_records, review_pairs
from golden_record.transforms.linkage.constraints import steward_links
from golden_record.transforms.linkage.features import prepare_for_linkage
from golden_record.transforms.linkage.models import matching_model
from golden_record.transforms.linkage.prediction import count_comparisons, match_pairs, predict, settings_for_model
from golden_record.transforms.linkage.spec import splink_settings
from golden_record.transforms.linkage.splink_adapter import new_linker, removes_intermediate_tables, to_spark

log = logging.getLogger(__name__)


@removes_intermediate_tables
def run(config: PipelineConfig, spark: SparkSession, store: TableStore) -> dict[str, Any]:
    """Match the current silver customers; return counts (records, pairs, merged pairs, review pairs, clusters, seconds)."""
    started = time.monotonic()
    progress = StageProgress("match", ["prepare input", "count comparisons", "score pairs", "choose thresholds", "cluster", "write tables"], config.paths.reports)
    progress.step("prepare input")
    configured = config.linkage
    trained = matching_model(configured, config.paths.models)
    spec, model_path = trained.spec, trained.path
    records = prepare_for_linkage(store.read(SILVER_CUSTOMERS.name), spec, configured.identifiers).persist(StorageLevel.MEMORY_AND_DISK)
    record_count = progress.records = records.count()
    log.info("matching %s records with model %s (trained %s on %s records; %s backend)", f"{record_count:,}", model_path, trained.metadata.get("trained_at", "?"), trained.metadata.get("records", "?"), configured.backend)

    links = steward_links(store.read(STEWARD_DECISIONS.name)).persist() if store.exists(STEWARD_DECISIONS.name) else None
    linker = new_linker(records, splink_settings(spec, model=trained.model), configured)
    progress.step("count comparisons")
    comparisons = count_comparisons(linker)
    progress.step("score pairs")
    predictions = predict(linker, configured.pair_floor)
    progress.step("choose thresholds")
    linkage = settings_for_model(configured, spec, linker, predictions)
    progress.step("cluster")
    clusters = cluster_records(linker, predictions, records, spec, linkage, links)
    scored = to_spark(predictions, spark)

    progress.step("write tables")

    store.overwrite(MATCH_PAIRS.name, match_pairs(scored))
    store.overwrite(MATCH_CLUSTERS.name, clusters)
    store.overwrite(MATCH_REVIEW.name, review_pairs(scored, store.read(MATCH_CLUSTERS.name), spec, linkage, links))

    pairs = store.read(MATCH_PAIRS.name)
    sizes = store.read(MATCH_CLUSTERS.name).groupBy("cluster_id").count()
    counts = {
        "records": record_count,
        "comparisons": comparisons,
        "pairs": pairs.count(),
        "pairs_above_threshold": pairs.where(pairs.match_probability >= linkage.match_threshold).count(),
        "review_pairs": store.read(MATCH_REVIEW.name).count(),
        "clusters": sizes.count(),
        "multi_record_clusters": sizes.where("count > 1").count(),
        "largest_cluster": sizes.agg({"count": "max"}).first()[0] or 0,
        "steward_decided_pairs": links.count() if links is not None else 0,
        "model": str(model_path),
        "match_threshold": linkage.match_threshold,
        "cluster_threshold": linkage.cluster_threshold,
        "seconds": round(time.monotonic() - started, 1),
    }
    records.unpersist()
    if links is not None:
        links.unpersist()
    progress.finish()
    log.info("matched %(records)s records: %(comparisons)s comparisons, %(pairs)s pairs kept, %(clusters)s clusters (largest %(largest_cluster)s), %(review_pairs)s pairs to review in %(seconds)ss", counts)
    return counts
