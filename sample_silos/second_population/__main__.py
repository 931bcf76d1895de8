"""Command line: `python -m golden_record.sample_silos.second_population --persons N --seed S --out DIR` writes the silos."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from golden_record.sample_silos.second_population.generator import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m golden_record.sample_silos.second_population",
        description="Write the second, independently written test population (4 silos + ground_truth.csv).",
    )
    parser.add_argument("--persons", type=int, default=2_000, help="number of real persons (1k … 100k; default 2000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed; the same seed writes the same files (default 42)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (use it as --samples-dir of golden-record)")
    args = parser.parse_args(argv)
    if args.persons < 1:
        parser.error("--persons must be at least 1")
    started = time.perf_counter()
    summary = generate(args.persons, args.seed, args.out)
    json.dump(summary, sys.stdout, indent=2)
    print(f"\n{args.persons} persons, seed {args.seed}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
