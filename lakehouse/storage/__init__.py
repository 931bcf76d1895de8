"""Table I/O: one TableStore interface, two backends writing standard Delta tables (delta-spark, delta-rs)."""

from __future__ import annotations

import logging

from pyspark.sql import SparkSession

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.storage.delta_rs import DeltaRsStore
from golden_record.lakehouse.storage.delta_spark import DeltaSparkStore, delta_spark_missing
from golden_record.lakehouse.storage.table_store import StorageError, TableStore

log = logging.getLogger(__name__)

__all__ = ["DeltaRsStore", "DeltaSparkStore", "StorageError", "TableStore", "open_store"]


def open_store(spark: SparkSession, config: PipelineConfig) -> TableStore:
    """The TableStore for `config.storage`: delta-spark when its classes load ("auto") or when forced, else delta-rs."""
    store = _backend(spark, config)
    log.info("storage: %s backend, tables in %s", store.backend, f"catalog {config.storage.catalog}" if config.storage.catalog else config.paths.lakehouse)
    return store


def _backend(spark: SparkSession, config: PipelineConfig) -> TableStore:
    """Pick and open the backend (see open_store)."""
    settings = config.storage
    if settings.backend in ("auto", "delta-spark"):
        missing = delta_spark_missing(spark)
        if missing is None:
            return DeltaSparkStore(spark, config.paths.lakehouse, settings.catalog, settings.schema_prefix)
        if settings.backend == "delta-spark":
            raise StorageError(f"storage.backend is 'delta-spark' but it cannot be used here: {missing}")
    if settings.catalog:
        raise StorageError(
            f"storage.catalog is '{settings.catalog}', but catalog tables need the delta-spark backend, which is not "
            "available here; unset storage.catalog to use path-based tables with delta-rs"
        )
    return DeltaRsStore(spark, config.paths.lakehouse)
