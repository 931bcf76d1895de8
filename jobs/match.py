"""Job: score silver customer pairs with the trained model, cluster them, and write the gold match tables."""

from __future__ import annotations

import logging
import time
from typing import Any

from pyspark import StorageLevel
from pyspark.sql import SparkSession

from lakehouse.config import PipelineConfig
from lakehouse.linkage_settings import LinkageSettings
from lakehouse.storage import TableStore
from transforms.clustering import cluster_records, review_pairs
from transforms.linkage import count_comparisons, match_pairs, matching_model, new_linker, predict, prepare_for_linkage, settings_for_model, splink_settings, to_spark

log = logging.getLogger(__name__)

CUSTOMERS_TABLE = "silver.customers"
PAIRS_TABLE = "gold.match_pairs"
CLUSTERS_TABLE = "gold.match_clusters"
REVIEW_TABLE = "gold.match_review"


def run(config: PipelineConfig, spark: SparkSession, store: TableStore) -> dict[str, Any]:
    """Match the current silver customers; return counts (records, pairs, merged pairs, review pairs, clusters, seconds)."""
    started = time.monotonic()
    configured = LinkageSettings.from_config(config.linkage)
    trained = matching_model(configured, config.paths.models)
    spec, model_path = trained.spec, trained.path
    records = prepare_for_linkage(store.read(CUSTOMERS_TABLE), spec, configured.identifiers).persist(StorageLevel.MEMORY_AND_DISK)
    record_count = records.count()
    log.info("matching %s records with model %s (trained %s on %s records; %s backend)", f"{record_count:,}", model_path, trained.metadata.get("trained_at", "?"), trained.metadata.get("records", "?"), configured.backend)

    linker = new_linker(records, splink_settings(spec, model=trained.model), configured)
    comparisons = count_comparisons(linker)
    predictions = predict(linker, configured.pair_floor)
    linkage = settings_for_model(configured, spec, linker, predictions)
    clusters = cluster_records(linker, predictions, records, spec, linkage)
    scored = to_spark(predictions, spark)

    store.overwrite(PAIRS_TABLE, match_pairs(scored))
    store.overwrite(CLUSTERS_TABLE, clusters)
    store.overwrite(REVIEW_TABLE, review_pairs(scored, store.read(CLUSTERS_TABLE), spec, linkage))

    pairs = store.read(PAIRS_TABLE)
    sizes = store.read(CLUSTERS_TABLE).groupBy("cluster_id").count()
    counts = {
        "records": record_count,
        "comparisons": comparisons,
        "pairs": pairs.count(),
        "pairs_above_threshold": pairs.where(pairs.match_probability >= linkage.match_threshold).count(),
        "review_pairs": store.read(REVIEW_TABLE).count(),
        "clusters": sizes.count(),
        "multi_record_clusters": sizes.where("count > 1").count(),
        "largest_cluster": sizes.agg({"count": "max"}).first()[0] or 0,
        "model": str(model_path),
        "match_threshold": linkage.match_threshold,
        "cluster_threshold": linkage.cluster_threshold,
        "seconds": round(time.monotonic() - started, 1),
    }
    records.unpersist()
    log.info("matched %(records)s records: %(comparisons)s comparisons, %(pairs)s pairs kept, %(clusters)s clusters (largest %(largest_cluster)s), %(review_pairs)s pairs to review in %(seconds)ss", counts)
    return counts
