"""Print how long the sample generator takes for given person counts (files plus a PostgreSQL CRM table).

    .venv/bin/python bench/bench_generate.py 10000 100000 1000000 [--no-postgres]

Writes into a temporary folder and the table crm_bench.customers (not the pipeline's crm.customers),
so it does not disturb a sample in use.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time

from golden_record.sample_silos.generator import write_sample
from golden_record.sample_silos.writers import PostgresTarget

BENCH_TABLE = PostgresTarget("postgresql://127.0.0.1:5432/crm", "crm_bench.customers", "golden_record", "golden_record")


def main() -> None:
    """Generate each requested size once and print seconds, rows and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("persons", type=int, nargs="+")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-postgres", action="store_true", help="skip the CRM table")
    args = parser.parse_args()
    for persons in args.persons:
        with tempfile.TemporaryDirectory(prefix="bench-generate-") as out_dir:
            started, cpu_started = time.perf_counter(), time.process_time()
            summary = write_sample(out_dir, persons, args.seed, crm=None if args.no_postgres else BENCH_TABLE)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        rows = sum(int(v["rows"]) for k, v in summary.items() if k != "ground_truth")
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{persons:>9,} persons: {seconds:7.1f} s wall, {cpu_seconds:7.1f} s CPU (this process; PostgreSQL not counted)  "
            f"{rows:>11,} source rows  {summary['ground_truth']['rows']:>10,} truth rows  peak RSS {peak_mib:,.0f} MiB"
        )


if __name__ == "__main__":
    main()
