"""Compare the silver and gold tables of two lakehouses row by row (e.g. runs before and after a refactoring).

    python bench/compare_lakehouses.py BEFORE/lakehouse AFTER/lakehouse

Columns that name a run or its time (ingested_at, assigned_run, assigned_at, run_id, event_at, as_of) are left out;
every other value must be equal, in any row order. Reads the Delta tables with delta-rs, no Spark. Exit code 1 on a difference.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deltalake import DeltaTable

RUN_COLUMNS = ("ingested_at", "assigned_at", "assigned_run", "run_id", "event_at", "as_of")
"""Columns that differ between two runs of the same data by design."""


def compare(before: Path, after: Path) -> list[str]:
    """One line per table of `before` (silver and gold): rows on each side and whether the values are identical."""
    lines = []
    for layer in ("silver", "gold"):
        for table in sorted(p.name for p in (before / layer).iterdir()):
            left = DeltaTable(str(before / layer / table)).to_pandas()
            if not (after / layer / table).exists():
                lines.append(f"{layer}.{table}: missing after")
                continue
            right = DeltaTable(str(after / layer / table)).to_pandas()
            if sorted(left.columns) != sorted(right.columns):
                lines.append(f"{layer}.{table}: columns differ: {sorted(set(left.columns) ^ set(right.columns))}")
                continue
            keep = sorted(c for c in left.columns if c not in RUN_COLUMNS)
            same = left[keep].astype(str).sort_values(keep).reset_index(drop=True).equals(right[keep].astype(str).sort_values(keep).reset_index(drop=True))
            lines.append(f"{layer}.{table}: {len(left):,} vs {len(right):,} rows, {'identical' if same else 'DIFFERENT'}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    lines = compare(args.before, args.after)
    print("\n".join(lines))
    differs = [line for line in lines if "identical" not in line]
    print(f"{len(differs)} table(s) differ" if differs else "all tables identical")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
