"""Incremental matching against a full rematch, on the sample's own silver.

For each size: generate the sample and run the whole pipeline once (its stage times are the full run's); then, in a
lakehouse of its own, match the sample's silver without `--change` percent of its records (held back as the next
delivery's new records) and with as many records at an older address, in full; then deliver the rest (the new records
and the moved ones) and match incrementally; then match the same silver in full again. Prints the seconds of each
match, the pairs each scored, the records clustered again, and the pairwise agreement of the incremental clusters with
the full rematch.

Only the match stage is incremental so far: ingest lands only new batches, but standardise and build-gold still
rebuild silver and gold from all of bronze (see README "Continuous consolidation").

Usage: .venv/bin/python bench/bench_incremental.py --persons 10000 [100000] [--change 1.0] [--root DIR]
Needs PostgreSQL (scripts/postgres.sh) for the sample CRM silo.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import shutil
import tempfile
import time
from pathlib import Path

from pyspark.sql import functions as F

from golden_record.jobs import match, pipeline
from golden_record.lakehouse.config import load_config
from golden_record.lakehouse.session import get_spark
from golden_record.lakehouse.storage import open_store
from golden_record.lakehouse.tables import MATCH_CLUSTERS, MATCH_RUNS, SILVER_CUSTOMERS

log = logging.getLogger("bench_incremental")


def same_cluster_pairs(clusters) -> set[tuple[str, str]]:
    """Every pair of records one cluster holds."""
    rows = clusters.groupBy("cluster_id").agg(F.sort_array(F.collect_list("unique_id")).alias("ids")).where(F.size("ids") > 1).collect()
    return {pair for row in rows for pair in itertools.combinations(row.ids, 2)}


def timed_match(config, spark, store, **kwargs) -> tuple[float, dict]:
    started = time.monotonic()
    counts = match.run(config, spark, store, **kwargs)
    return time.monotonic() - started, counts


def bench(persons: int, change: float, root: Path) -> list[dict]:
    """The rows of one size: the full run's stages, then full match, increment and rematch."""
    shutil.rmtree(root, ignore_errors=True)
    config = load_config(environment="local", overrides={"paths": {"root": str(root / "run")}})
    spark = get_spark(config)
    store = open_store(spark, config)
    full = pipeline.run(config, spark, store, sample_persons=persons)
    rows = [{"step": f"full run: {stage}", "seconds": round(seconds, 1)} for stage, seconds in full.stage_seconds.items() if stage != "generate-sample"]
    rows.append({"step": "full run: total (without generate-sample)", "seconds": round(sum(s for k, s in full.stage_seconds.items() if k != "generate-sample"), 1)})

    silver = store.read(SILVER_CUSTOMERS.name).withColumn("_pick", F.rand(seed=7))
    share = change / 100 / 2
    run = store.read(MATCH_RUNS.name).orderBy(F.desc("matched_at")).first()
    paths = config.paths.model_copy(update={"lakehouse": str(root / "increment" / "lakehouse"), "reports": str(root / "increment" / "reports")})
    linkage = config.linkage.model_copy(update={"match_threshold": run.match_threshold, "cluster_threshold": run.cluster_threshold})
    bench_config = config.model_copy(update={"paths": paths, "linkage": linkage})
    increment_store = open_store(spark, bench_config)
    first = silver.where(F.col("_pick") >= share).withColumn("street_norm", F.when(F.col("_pick") < 2 * share, F.lit("altes gleis")).otherwise(F.col("street_norm")))
    increment_store.overwrite(SILVER_CUSTOMERS.name, first.drop("_pick"))
    seconds, counts = timed_match(bench_config, spark, increment_store)
    rows.append({"step": "match in full (first delivery)", "seconds": round(seconds, 1), "records": counts["records"], "pairs_scored": counts["comparisons"], "reclustered": counts["reclustered_records"]})
    increment_store.overwrite(SILVER_CUSTOMERS.name, silver.drop("_pick"))
    seconds, counts = timed_match(bench_config, spark, increment_store)
    incremental_seconds = seconds
    rows.append({"step": f"match incrementally ({change:g} % new or changed)", "seconds": round(seconds, 1), "records": counts["records"], "changed": counts["changed_records"], "pairs_scored": counts["comparisons"], "reclustered": counts["reclustered_records"]})
    incremental_pairs = same_cluster_pairs(increment_store.read(MATCH_CLUSTERS.name))
    seconds, counts = timed_match(bench_config, spark, increment_store, full=True)
    full_pairs = same_cluster_pairs(increment_store.read(MATCH_CLUSTERS.name))
    agreement = len(incremental_pairs & full_pairs) / max(len(incremental_pairs | full_pairs), 1)
    rows.append({"step": "match the same silver in full (--full)", "seconds": round(seconds, 1), "records": counts["records"], "pairs_scored": counts["comparisons"], "reclustered": counts["reclustered_records"]})
    rows.append({"step": "increment / full match", "seconds": round(incremental_seconds / seconds, 3), "agreement": round(agreement, 5)})
    spark.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[10_000])
    parser.add_argument("--change", type=float, default=1.0, help="percent of silver records new or changed in the increment (default 1)")
    parser.add_argument("--root", type=Path, help="work folder (default: a new temporary folder)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S")
    for noisy in ("py4j", "great_expectations", "splink"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    root = args.root or Path(tempfile.mkdtemp(prefix="bench-incremental-"))
    for persons in args.persons:
        rows = bench(persons, args.change, root / f"sample-{persons}")
        columns = ["step", "seconds", "records", "changed", "pairs_scored", "reclustered", "agreement"]
        print(f"\n{persons:,} persons")
        print("| " + " | ".join(columns) + " |")
        print("|" + "---|" * len(columns))
        for row in rows:
            print("| " + " | ".join(f"{row[c]:,}" if isinstance(row.get(c), int) else str(row.get(c, "")) for c in columns) + " |")


if __name__ == "__main__":
    main()
