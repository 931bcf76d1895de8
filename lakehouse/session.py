"""Build or reuse the SparkSession an environment needs (local, cluster, databricks)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession

from golden_record.lakehouse.config import PipelineConfig

log = logging.getLogger(__name__)


def splink_jar() -> str | None:
    """Path of the jar with Splink's Java similarity UDFs (jaro_winkler …), shipped inside the splink wheel."""
    try:
        from splink.backends.spark import similarity_jar_location
    except ImportError:  # pragma: no cover - splink is a dependency
        return None
    return similarity_jar_location()


def session_jars(config: PipelineConfig) -> list[str]:
    """Jars to put on `spark.jars`: Splink's similarity jar plus the configured ones that exist here."""
    jars = [jar for jar in [splink_jar(), *config.spark.extra_jars] if jar]
    missing = [jar for jar in jars if "://" not in jar and not Path(jar).exists()]
    for jar in missing:
        log.warning("jar %s is configured but not present on this machine; sources that need it will fail", jar)
    return [jar for jar in jars if jar not in missing]


def apply_runtime_settings(spark: SparkSession, config: PipelineConfig) -> list[str]:
    """On a session someone else built (Databricks): set the config's spark.sql.* settings and the checkpoint dir; return the keys set."""
    applied = []
    for key, value in config.spark.conf.items():
        if not key.startswith("spark.sql."):
            continue  # cluster-level settings (memory, jars) belong to the cluster definition
        try:
            spark.conf.set(key, value)
            applied.append(key)
        except AnalysisException as exc:
            log.warning("cannot set %s=%s on the running session (%s); set it in the cluster's Spark config", key, value, exc.getMessage())
    try:
        spark.sparkContext.setCheckpointDir(os.path.join(config.paths.checkpoints, "spark"))
    except NotImplementedError:  # Spark Connect (shared/serverless compute) has no SparkContext
        log.warning("no SparkContext on this compute: keep linkage.spark.break_lineage_method at parquet")
    return applied


def get_spark(config: PipelineConfig) -> SparkSession:
    """Return the SparkSession for `config`: reuse the active one on Databricks, else build one from conf/."""
    active = SparkSession.getActiveSession()
    if config.spark.mode == "databricks" or (active is not None and os.environ.get("DATABRICKS_RUNTIME_VERSION")):
        if active is None:
            active = SparkSession.builder.getOrCreate()
        apply_runtime_settings(active, config)
        return active

    if config.spark.mode == "local":
        # Python workers must run the interpreter that has this project's dependencies.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(config.spark.app_name)
    if config.spark.master:
        builder = builder.master(config.spark.master)
    for key, value in config.spark.conf.items():
        builder = builder.config(key, value)
    # Under spark-submit the JVM already runs with spark-submit's --jars; setting spark.jars would replace that list.
    jars = session_jars(config) if config.spark.mode == "local" else []
    if jars:
        builder = builder.config("spark.jars", ",".join(jars))
        # JDBC drivers are loaded by java.sql.DriverManager in the driver JVM too.
        builder = builder.config("spark.driver.extraClassPath", os.pathsep.join(j for j in jars if "://" not in j))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(config.spark.log_level)
    spark.sparkContext.setCheckpointDir(os.path.join(config.paths.checkpoints, "spark"))
    log.info("Spark %s session %s (master %s)", spark.version, config.spark.app_name, spark.sparkContext.master)
    return spark


def materialise(df: DataFrame) -> DataFrame:
    """Compute `df` once and cut its lineage (a local checkpoint): later jobs on it neither recompute nor re-plan it."""
    return df.localCheckpoint(eager=True)
