"""Record versions: a source delivers the same record again and again; silver keeps the newest."""

from __future__ import annotations

import operator
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.window import Window


def latest_versions(df: DataFrame, key_columns: list[str], newest_first: list[Column]) -> DataFrame:
    """Keep the first row per key under `newest_first` ordering; rows with a null key part are all kept (quarantine needs them)."""
    ranked = df.withColumn("_version_rank", F.row_number().over(Window.partitionBy(*key_columns).orderBy(*newest_first)))
    keyless = reduce(operator.or_, [F.col(column).isNull() for column in key_columns])
    return ranked.where(keyless | (F.col("_version_rank") == 1)).drop("_version_rank")
