"""Fixtures for the storage contract: a fresh TableStore per backend on an empty lakehouse folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.storage import TableStore, open_store
from golden_record.lakehouse.storage.delta_spark import delta_spark_missing

BACKENDS = ("delta-rs", "delta-spark")


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, spark: SparkSession, config: PipelineConfig, tmp_path: Path) -> TableStore:
    """A store of one backend (forced in the config) on a fresh lakehouse; delta-spark skips where its jars are absent."""
    backend = request.param
    if backend == "delta-spark" and (reason := delta_spark_missing(spark)):
        pytest.skip(reason)
    settings = config.model_copy(
        update={
            "storage": config.storage.model_copy(update={"backend": backend}),
            "paths": config.paths.model_copy(update={"lakehouse": str(tmp_path / "lakehouse")}),
        }
    )
    table_store = open_store(spark, settings)
    assert table_store.backend == backend
    return table_store
