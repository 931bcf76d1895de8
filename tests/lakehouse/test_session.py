"""Sessions: a session built elsewhere (Databricks) gets the config's SQL settings and a checkpoint dir."""

from __future__ import annotations

from pathlib import Path

from pyspark.sql import SparkSession

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.session import apply_runtime_settings


def test_a_running_session_gets_the_sql_settings_and_a_checkpoint_dir(spark: SparkSession, config: PipelineConfig, tmp_path: Path) -> None:
    before = spark.conf.get("spark.sql.session.timeZone"), spark.sparkContext.getCheckpointDir()
    spark_conf = {**config.spark.conf, "spark.sql.session.timeZone": "Europe/Zurich", "spark.sql.extensions": "x.Y", "spark.driver.memory": "1g"}
    settings = config.model_copy(
        update={"spark": config.spark.model_copy(update={"conf": spark_conf}), "paths": config.paths.model_copy(update={"checkpoints": str(tmp_path)})}
    )
    try:
        applied = apply_runtime_settings(spark, settings)
        assert spark.conf.get("spark.sql.session.timeZone") == "Europe/Zurich"
        assert "spark.sql.session.timeZone" in applied
        assert "spark.sql.extensions" not in applied, "a static setting is reported, not applied"
        assert "spark.driver.memory" not in applied, "cluster settings are the cluster's business"
        assert f"{tmp_path}/spark/" in spark.sparkContext.getCheckpointDir()
    finally:
        spark.conf.set("spark.sql.session.timeZone", before[0])
        if before[1]:
            spark.sparkContext.setCheckpointDir(str(Path(before[1].removeprefix("file:")).parent))
