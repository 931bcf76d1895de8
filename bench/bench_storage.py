"""Time the storage layer on synthetic customers: append, full read, merge, delete, vacuum; prints rows/s.

Usage: python bench/bench_storage.py [--rows 1000000] [--environment local]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from golden_record.lakehouse.config import load_config
from golden_record.lakehouse.session import get_spark
from golden_record.lakehouse.storage import open_store

TABLE = "silver.bench_customers"


def customers(spark: SparkSession, start: int, count: int) -> DataFrame:
    """`count` synthetic customer rows with ids from `start`."""
    return spark.range(start, start + count).select(
        F.col("id"),
        F.concat(F.lit("Name "), F.col("id").cast("string")).alias("name"),
        F.concat(F.lit("City "), (F.col("id") % 997).cast("string")).alias("city"),
        (F.col("id") % 10_000).cast("decimal(12,2)").alias("revenue"),
        F.timestamp_seconds(F.lit(1_700_000_000) + F.col("id")).alias("updated_at"),
    )


def timed(label: str, rows: int, action: Callable[[], object]) -> None:
    """Run `action` and print its wall time and rows per second."""
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"{label:<34} {rows:>10,} rows {seconds:8.2f} s {rows / seconds:>12,.0f} rows/s", flush=True)


def main() -> None:
    """Run the benchmark on a throw-away lakehouse folder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--environment", default="local")
    args = parser.parse_args()
    rows = args.rows
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as root:
        config = load_config(environment=args.environment, overrides={"paths": {"root": root}})
        spark = get_spark(config)
        store = open_store(spark, config)
        print(f"backend {store.backend}, Spark {spark.version}, master {spark.sparkContext.master}")

        store.append("silver.bench_warmup", customers(spark, 0, 10_000))  # JIT and class loading, not timed
        timed("append (create table)", rows, lambda: store.append(TABLE, customers(spark, 0, rows)))
        timed("read (full scan)", rows, lambda: store.read(TABLE).write.format("noop").mode("overwrite").save())
        changes = rows // 10  # half updates of existing ids, half new ids
        timed("merge 10% (half update, half new)", changes, lambda: store.merge(TABLE, customers(spark, rows - changes // 2, changes), ["id"]))
        timed("delete_where 1%", rows, lambda: store.delete_where(TABLE, "id % 100 = 7"))
        restored = customers(spark, 0, rows + changes // 2).where("id % 100 = 7")  # puts the deleted rows back
        timed("overwrite replace_where 1%", rows // 100, lambda: store.overwrite(TABLE, restored, replace_where="id % 100 = 7"))
        timed("vacuum (retention 0)", rows, lambda: store.vacuum(TABLE, retention_hours=0))
        final = store.read(TABLE).count()
        print(f"final rows {final:,} (expected {rows + changes // 2:,}), version {store.version(TABLE)}")
        spark.stop()


if __name__ == "__main__":
    main()
