"""Benchmark entity resolution: training and matching time, records/s, peak memory and F1 on Spark vs DuckDB.

For each size the sample generator, ingest and standardise jobs build silver.customers once under
<root>/<persons>/ (reused by later runs). Then, per backend, one child process trains a model (jobs/train.py)
and matches with the *same* model JSON (jobs/match.py), so every backend is timed and measured in a fresh
process: peak memory is the child's own (Python + DuckDB) and its Spark JVM's high-water mark.

Usage: .venv/bin/python bench/bench_linkage.py [--persons 10000 100000] [--backends spark duckdb]
       [--conf-file FILE] [--root DIR] [--driver-memory 6g] [--override '{"spark": {"conf": {...}}, "linkage": {...}}']
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from golden_record.lakehouse.config import PipelineConfig, load_config

log = logging.getLogger("bench_linkage")


def _overrides(root: Path, backend: str | None, driver_memory: str, override: dict[str, Any]) -> dict[str, Any]:
    """Config overrides: data under `root`, the backend, Spark driver memory, then the --override JSON on top."""
    overrides: dict[str, Any] = {"paths": {"root": str(root), **{name: f"{{root}}/{name}" for name in ("samples", "lakehouse", "checkpoints", "reports", "models")}}}
    overrides["spark"] = {"conf": {"spark.driver.memory": driver_memory, "spark.ui.showConsoleProgress": "false", **override.get("spark", {}).get("conf", {})}}
    overrides["linkage"] = {**override.get("linkage", {}), **({"backend": backend} if backend else {})}
    return overrides


def _config(args: argparse.Namespace, root: Path, backend: str | None = None) -> PipelineConfig:
    return load_config(args.conf_file, environment="local", overrides=_overrides(root, backend, args.driver_memory, json.loads(args.override)))


def build_silver(args: argparse.Namespace, persons: int) -> Path:
    """Generate, ingest and standardise a sample of `persons` persons under <root>/<persons>, unless already there."""
    from golden_record.jobs import generate_sample, ingest, standardise
    from golden_record.lakehouse.session import get_spark
    from golden_record.lakehouse.storage import open_store

    root = Path(args.root) / str(persons)
    config = _config(args, root)
    spark = get_spark(config)
    store = open_store(spark, config)
    if store.exists("silver.customers") and (Path(config.paths.samples) / "ground_truth.csv").exists():
        log.info("reusing silver.customers for %s persons under %s", f"{persons:,}", root)
    else:
        started = time.perf_counter()
        generate_sample.run(config, persons=persons, seed=args.seed)
        ingest.run(config, spark, store)
        standardise.run(config, spark, store)
        log.info("built silver.customers for %s persons in %.0fs", f"{persons:,}", time.perf_counter() - started)
    spark.stop()  # the cases run in child processes with their own Spark
    return root


def _jvm_peak_mb(spark: Any) -> float | None:
    """High-water mark of the Spark driver JVM's resident memory (MB), read from /proc."""
    try:
        pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, AttributeError):
        return None
    return None


def run_case(args: argparse.Namespace) -> dict[str, Any]:
    """Child process: train on one backend, then match with the given model (else the one just trained); measure F1."""
    from golden_record.jobs import match, train
    from golden_record.lakehouse.session import get_spark
    from golden_record.lakehouse.storage import open_store
    from golden_record.transforms.linkage.evaluation import cluster_scores, read_truth

    root = Path(args.root) / str(args.persons)
    config = _config(args, root, args.backend)
    spark = get_spark(config)
    store = open_store(spark, config)
    records = store.read("silver.customers").count()
    result: dict[str, Any] = {"persons": args.persons, "backend": args.backend, "records": records}

    started = time.perf_counter()
    trained = train.run(config, spark, store)
    result["train_seconds"] = time.perf_counter() - started
    result["trained_model"] = str(trained)
    model_path = Path(args.model) if args.model else trained
    result["model"] = str(model_path)

    config = config.merged({"linkage": {"model": str(model_path)}})
    started = time.perf_counter()
    counts = match.run(config, spark, store)
    result["match_seconds"] = time.perf_counter() - started
    result["comparisons"] = counts["comparisons"]
    result["clusters"] = counts["clusters"]

    truth = read_truth(spark, str(Path(config.paths.samples) / "ground_truth.csv"))
    clusters = store.read("gold.match_clusters")
    scores = cluster_scores(clusters, truth.join(clusters.select("unique_id"), "unique_id"))
    result |= {"cluster_precision": scores["precision"], "cluster_recall": scores["recall"], "cluster_f1": scores["f1"]}
    result["python_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["jvm_peak_mb"] = _jvm_peak_mb(spark)
    return result


def _child(args: argparse.Namespace, persons: int, backend: str, model: str | None) -> dict[str, Any]:
    """Run one case in a fresh interpreter (own memory, own Spark JVM) and read its JSON result."""
    command = [sys.executable, __file__, "--case", "--persons", str(persons), "--backend", backend, "--root", args.root, "--driver-memory", args.driver_memory, "--seed", str(args.seed)]
    command += ["--conf-file", args.conf_file] if args.conf_file else []
    command += ["--model", model] if model else []
    command += ["--override", args.override]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout  # its log goes to our stderr
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--backends", nargs="+", default=["spark", "duckdb"], choices=["spark", "duckdb"])
    parser.add_argument("--conf-file", help="pipeline config (default: bundled local)")
    parser.add_argument("--root", default="golden-record-data/bench-linkage", help="data folder; one sub-folder per size")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--override", default="{}", metavar="JSON", help='spark.conf and linkage overrides, e.g. \'{"linkage": {"training": {"u_max_pairs": 2e6}}}\'')
    parser.add_argument("--case", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--backend", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.root = str(Path(args.root).resolve())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("py4j", "splink", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    if args.case:
        args.persons = args.persons[0]
        print(json.dumps(run_case(args)))
        return

    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, driver memory {args.driver_memory}, overrides {args.override}")
    rows = []
    for persons in args.persons:
        build_silver(args, persons)
        model = None
        for backend in args.backends:
            result = _child(args, persons, backend, model)
            model = model or result["model"]  # every backend matches with the first backend's model
            rows.append(result)
            print(json.dumps(result), flush=True)
        duckdb = next((r for r in rows if r["persons"] == persons and r["backend"] == "duckdb"), None)
        spark = next((r for r in rows if r["persons"] == persons and r["backend"] == "spark"), None)
        if duckdb and spark:
            print(f"{persons:,} persons: Spark/DuckDB time ratio train {spark['train_seconds'] / duckdb['train_seconds']:.1f}x, match {spark['match_seconds'] / duckdb['match_seconds']:.1f}x")

    print(f"\n{'persons':>9} {'backend':<7} {'records':>9} {'train s':>8} {'rec/s':>8} {'match s':>8} {'rec/s':>8} {'compared':>10} {'P':>7} {'R':>7} {'F1':>7} {'py MB':>7} {'JVM MB':>7}")
    for r in rows:
        print(
            f"{r['persons']:>9,} {r['backend']:<7} {r['records']:>9,} "
            f"{r['train_seconds']:>8.1f} {r['records'] / r['train_seconds']:>8,.0f} "
            f"{r['match_seconds']:>8.1f} {r['records'] / r['match_seconds']:>8,.0f} {r['comparisons']:>10,} "
            f"{r['cluster_precision']:>7.4f} {r['cluster_recall']:>7.4f} {r['cluster_f1']:>7.4f} {r['python_peak_mb']:>7,.0f} {r['jvm_peak_mb'] or 0:>7,.0f}"
        )


if __name__ == "__main__":
    main()
