"""Do the journey tables recover the sample's true ROPO, showrooming and coupon figures?

Generates the sample (N persons, seed 42), runs the whole pipeline on it (or reads --root of a finished run), and
prints the true shares of {samples}/journey_truth.json (counted by the generator from the persons behind every event)
next to the ones gold.channel_insights measures from the golden records, with the difference in percentage points.

Usage: python bench/bench_journeys.py [--persons 10000] [--root DIR] [--skip-run]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from pyspark.sql import functions as F

from golden_record.jobs import pipeline
from golden_record.lakehouse.config import load_config
from golden_record.lakehouse.session import get_spark
from golden_record.lakehouse.storage import open_store
from golden_record.lakehouse.tables import CHANNEL_INSIGHTS
from golden_record.sample_silos.generator import JOURNEY_TRUTH_FILE


def main() -> None:
    """Run (unless --skip-run) and print truth vs measured."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--root", help="pipeline root (default: a temporary folder)")
    parser.add_argument("--skip-run", action="store_true", help="only compare: --root holds a finished run")
    args = parser.parse_args()
    root = Path(args.root or tempfile.mkdtemp(prefix="bench-journeys-"))
    config = load_config(environment="local", overrides={"paths": {"root": str(root)}})
    spark = get_spark(config)
    store = open_store(spark, config)
    if not args.skip_run:
        started = time.monotonic()
        pipeline.run(config, spark, store, sample_persons=args.persons)
        print(f"pipeline on {args.persons:,} persons: {time.monotonic() - started:.0f} s")
    truth = json.loads((Path(config.paths.samples) / JOURNEY_TRUTH_FILE).read_text(encoding="utf-8"))
    insights = store.read(CHANNEL_INSIGHTS.name)
    total = lambda side: insights.where(F.col("channel_side") == side).agg(  # noqa: E731
        F.sum("purchases"), F.sum("ropo_purchases"), F.sum("showrooming_purchases")
    ).first()
    offline, online = total("offline"), total("online")
    coupons = insights.agg(F.sum("coupons_issued"), F.sum("coupons_converted")).first()
    measured = {
        "ropo_share": (offline[1] or 0) / offline[0] if offline[0] else 0.0,
        "showrooming_share": (online[2] or 0) / online[0] if online[0] else 0.0,
        "coupon_conversion": (coupons[1] or 0) / coupons[0] if coupons[0] else 0.0,
    }
    counts = {
        "ropo_share": (truth["store_purchases"], offline[0]),
        "showrooming_share": (truth["online_purchases"], online[0]),
        "coupon_conversion": (truth["coupons_issued"], coupons[0]),
    }
    print(f"{'figure':<20}{'truth':>9}{'measured':>10}{'diff (pp)':>11}{'base truth':>12}{'base gold':>11}")
    for name, value in measured.items():
        print(f"{name:<20}{100 * truth[name]:>8.2f}%{100 * value:>9.2f}%{100 * (value - truth[name]):>+11.2f}{counts[name][0]:>12,}{counts[name][1] or 0:>11,}")
    print(f"window {truth['window_days']} days; lakehouse {config.paths.lakehouse}")


if __name__ == "__main__":
    main()
