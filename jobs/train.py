"""Job: train the customer linkage model (unsupervised) on silver customers and save it under paths.models."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from pathlib import Path

from pyspark import StorageLevel
from pyspark.sql import SparkSession

from lakehouse.config import PipelineConfig
from lakehouse.linkage_settings import LinkageSettings
from lakehouse.storage import TableStore
from transforms.linkage import load_spec, new_linker, prepare_for_linkage, save_model, splink_settings, train_model

log = logging.getLogger(__name__)

CUSTOMERS_TABLE = "silver.customers"


def run(config: PipelineConfig, spark: SparkSession, store: TableStore) -> Path:
    """Train on the current silver customers; return the saved model path (raises ModelNotTrainedError instead of saving a bad model)."""
    started = time.monotonic()
    linkage = LinkageSettings.from_config(config.linkage)
    spec_path = linkage.settings_path()
    spec = load_spec(spec_path)
    silver_version = store.version(CUSTOMERS_TABLE)
    records = prepare_for_linkage(store.read(CUSTOMERS_TABLE, version=silver_version), spec).persist(StorageLevel.MEMORY_AND_DISK)
    record_count = records.count()
    log.info("training the linkage model on %s records of %s v%s (%s backend)", f"{record_count:,}", CUSTOMERS_TABLE, silver_version, linkage.backend)

    linker = new_linker(records, splink_settings(spec, training=linkage.training), linkage)
    model = train_model(linker, linkage.training)
    trained_at = datetime.now(timezone.utc)
    seconds = time.monotonic() - started
    metadata = {
        "trained_at": trained_at.isoformat(),
        "silver_table": CUSTOMERS_TABLE,
        "silver_version": silver_version,
        "records": record_count,
        "backend": linkage.backend,
        "settings_file": str(spec_path),
        "training": linkage.training.model_dump(),
        "probability_two_random_records_match": model["probability_two_random_records_match"],
        "seconds": round(seconds, 1),
    }
    path = save_model(model, metadata, config.paths.models, trained_at)
    records.unpersist()
    log.info("trained the linkage model on %s records in %.0fs; saved %s", f"{record_count:,}", seconds, path)
    return path
