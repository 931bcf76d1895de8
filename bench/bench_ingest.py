"""Time bronze ingestion of the sample silos at several sizes and print rows/s per source and in total.

Usage: .venv/bin/python bench/bench_ingest.py [--persons 100000 1000000] [--root /tmp/bench-ingest] [--env local]
Needs PostgreSQL (scripts/postgres.sh). Each size gets its own root folder; the CRM table is regenerated per size.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from pathlib import Path

from golden_record.jobs import generate_sample, ingest
from golden_record.lakehouse.config import load_config
from golden_record.lakehouse.session import get_spark
from golden_record.lakehouse.storage import open_store


def bench(persons: int, root: Path, environment: str) -> None:
    """Generate a sample of `persons`, ingest it twice (the second run must add nothing) and print the figures."""
    shutil.rmtree(root, ignore_errors=True)
    config = load_config(environment=environment, overrides={"paths": {"root": str(root)}})
    started = time.monotonic()
    generate_sample.run(config, persons=persons, seed=7)
    generated = time.monotonic() - started

    spark = get_spark(config)
    store = open_store(spark, config)
    started = time.monotonic()
    results = ingest.run(config, spark, store)
    elapsed = time.monotonic() - started
    started = time.monotonic()
    again = ingest.run(config, spark, store)
    rerun = time.monotonic() - started

    print(f"\n== {persons:,} persons (sample generated in {generated:,.0f} s) ==")
    print(f"{'source':<18}{'rows read':>12}{'landed':>12}{'quarantined':>12}{'seconds':>9}{'rows/s':>10}")
    for r in results:
        print(f"{r.source:<18}{r.rows_read:>12,}{r.rows_landed:>12,}{r.rows_quarantined:>12,}{r.seconds:>9.1f}{r.rows_read / r.seconds:>10,.0f}")
    total = sum(r.rows_read for r in results)
    print(f"{'total':<18}{total:>12,}{sum(r.rows_landed for r in results):>12,}{sum(r.rows_quarantined for r in results):>12,}{elapsed:>9.1f}{total / elapsed:>10,.0f}")
    added = sum(r.rows_landed + r.rows_quarantined for r in again)
    print(f"re-ingest of the same batches: {rerun:.1f} s, {added} rows added (must be 0)")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"driver Python peak RSS: {peak_mib:,.0f} MiB (the JVM is a separate process)")


def main() -> None:
    """Parse arguments and run the benchmark for each size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--root", default="/tmp/bench-ingest")
    parser.add_argument("--env", default="local")
    args = parser.parse_args()
    for persons in args.persons:
        bench(persons, Path(args.root) / str(persons), args.env)


if __name__ == "__main__":
    main()
