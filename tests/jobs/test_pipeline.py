"""When a run trains a new model: asked for, none trained here yet, or silver outgrew the model (linkage.incremental.retrain_growth)."""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from golden_record.jobs.pipeline import training_reason
from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.storage import open_store
from golden_record.lakehouse.tables import SILVER_CUSTOMERS


def _with(config: PipelineConfig, **incremental: object) -> PipelineConfig:
    linkage = config.linkage.model_copy(update={"incremental": config.linkage.incremental.model_copy(update=incremental)})
    return config.model_copy(update={"linkage": linkage})


def test_a_model_trained_on_this_silver_serves_until_asked_for_a_new_one(spark: SparkSession, sample_run: PipelineConfig) -> None:
    store = open_store(spark, sample_run)
    assert training_reason(sample_run, store, retrain=False) is None
    assert training_reason(sample_run, store, retrain=True) == "asked for (--retrain)"


def test_a_lakehouse_without_a_trained_model_trains_one(spark: SparkSession, sample_run: PipelineConfig, tmp_path: Path) -> None:
    config = sample_run.model_copy(update={"paths": sample_run.paths.model_copy(update={"models": str(tmp_path)})})
    assert training_reason(config, open_store(spark, config), retrain=False) == f"no model trained under {tmp_path} yet"


def test_silver_that_outgrew_the_model_trains_a_new_one_unless_growth_is_off(spark: SparkSession, copy_of_run: PipelineConfig) -> None:
    store = open_store(spark, copy_of_run)
    silver = store.read(SILVER_CUSTOMERS.name)
    store.overwrite(SILVER_CUSTOMERS.name, silver.unionByName(silver.withColumn("source_record_id", F.concat(F.lit("copy-"), "source_record_id"))))
    reason = training_reason(_with(copy_of_run, retrain_growth=0.5), store, retrain=False)
    assert reason is not None and "more than 1.5 times" in reason
    assert training_reason(_with(copy_of_run, retrain_growth=1.0), store, retrain=False) is None, "doubled, not more"
    assert training_reason(_with(copy_of_run, retrain_growth=None), store, retrain=False) is None
