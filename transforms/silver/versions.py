"""Record versions: a source delivers the same record again and again; silver keeps the newest."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window


def latest_versions(df: DataFrame, key_column: str, newest_first: list[Column]) -> DataFrame:
    """Keep the first row per key under `newest_first` ordering; rows without a key are all kept (quarantine needs them)."""
    ranked = df.withColumn("_version_rank", F.row_number().over(Window.partitionBy(key_column).orderBy(*newest_first)))
    return ranked.where(F.col(key_column).isNull() | (F.col("_version_rank") == 1)).drop("_version_rank")
