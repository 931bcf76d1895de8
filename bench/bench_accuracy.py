"""Benchmark our pipeline against plain Splink (bench/plain_splink.py): time and cluster precision/recall/F1.

For each population and size, on the same files under <root>/<population>-<persons>/ (wiped first):
  1. generate the silos: `golden-record generate-sample` (sample; the CRM table goes to PostgreSQL, started with
     scripts/postgres.sh when it is not up) or `python -m golden_record.sample_silos.second_population --seed 7` (second);
  2. run our pipeline (`golden-record run`, DuckDB linkage backend) in a subprocess, timed, then score it in a
     subprocess with jobs/evaluate.py (which re-scores silver with the trained model) and, as a cross-check,
     gold.match_clusters as written by the run;
  3. run the plain Splink baseline in this process, timed, and score its clusters with the same metric
     (transforms/linkage/evaluation.py cluster_scores: pairs inside predicted clusters against pairs inside true persons,
     over the records that are both clustered and in ground_truth.csv);
  4. print a Markdown table.

Usage: .venv/bin/python bench/bench_accuracy.py [--persons 2000 10000] [--populations sample second]
       [--root DIR] [--threshold 0.95] [--seed 42]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from golden_record.lakehouse.config import JdbcLocation, PipelineConfig, load_config

log = logging.getLogger("bench_accuracy")

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POPULATION_CONFS = {"sample": REPO / "conf" / "local.yaml", "second": REPO / "sample_silos" / "second_population" / "pipeline.yaml"}
"""The pipeline config each population is onboarded with."""

SECOND_POPULATION_SEED = 7


def _paths(root: Path) -> dict[str, str]:
    """Path overrides that put every folder of a run under `root`."""
    return {"root": str(root), **{name: f"{{root}}/{name}" for name in ("samples", "lakehouse", "checkpoints", "reports", "models")}}


def crm_table(persons: int) -> str:
    """The bench's own CRM table, so that other runs' `crm.customers` is never replaced."""
    return f"crm.customers_bench_accuracy_{persons}"


def write_conf(population: str, case_dir: Path, persons: int) -> Path:
    """A config extending the population's with the DuckDB backend (and, for the sample, the bench's CRM table)."""
    conf: dict[str, Any] = {"extends": str(POPULATION_CONFS[population]), "linkage": {"backend": "duckdb"}}
    base = load_config(POPULATION_CONFS[population])
    if any(isinstance(s.location, JdbcLocation) for s in base.sources):
        sources = [s.model_dump(mode="json", exclude_defaults=True) for s in base.sources]
        for source in sources:
            if isinstance(source["location"], dict) and source["name"] == "crm":
                source["location"]["table"] = crm_table(persons)
        conf["sources"] = sources
    path = case_dir / "bench.yaml"
    path.write_text(yaml.safe_dump(conf, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def case_config(conf: Path, root: Path) -> PipelineConfig:
    """The case's config with its data under `root`."""
    return load_config(conf, overrides={"paths": _paths(root)})


def _run(command: list[str], log_file: Path) -> float:
    """Run a command with its output appended to `log_file`; its wall-clock seconds (raises when it fails)."""
    started = time.perf_counter()
    with log_file.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        result = subprocess.run(command, check=False, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    if result.returncode:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}); see {log_file}")
    return time.perf_counter() - started


def ensure_postgres(config: PipelineConfig) -> None:
    """Start PostgreSQL with scripts/postgres.sh when the CRM database does not answer."""
    import psycopg

    location = config.source("crm").location
    try:
        psycopg.connect(location.url.removeprefix("jdbc:"), user=location.user, password=location.password, connect_timeout=3).close()
    except psycopg.OperationalError:
        log.info("PostgreSQL is not up: running scripts/postgres.sh")
        subprocess.run([str(REPO / "scripts" / "postgres.sh")], check=True)


def generate(population: str, persons: int, conf: Path, root: Path, seed: int, log_file: Path) -> float:
    """Write the population's silos and ground_truth.csv under root/samples; seconds taken."""
    if population == "sample":
        ensure_postgres(case_config(conf, root))
        command = [str(BIN / "golden-record"), "generate-sample", "--conf-file", str(conf), "--root", str(root), "--persons", str(persons), "--seed", str(seed)]
    else:
        command = [sys.executable, "-m", "golden_record.sample_silos.second_population", "--persons", str(persons), "--seed", str(SECOND_POPULATION_SEED), "--out", str(root / "samples")]
    return _run(command, log_file)


def run_pipeline(conf: Path, root: Path, log_file: Path) -> float:
    """`golden-record run` (ingest, standardise, train, match, build-gold) in a subprocess; wall-clock seconds."""
    return _run([str(BIN / "golden-record"), "run", "--conf-file", str(conf), "--root", str(root)], log_file)


def evaluate_pipeline(conf: Path, root: Path, log_file: Path) -> dict[str, Any]:
    """jobs/evaluate.py's metrics and the scores of gold.match_clusters, from a child process printing JSON."""
    command = [sys.executable, __file__, "--evaluate-child", "--conf-file", str(conf), "--root", str(root)]
    with log_file.open("a", encoding="utf-8") as err:
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=err, text=True, cwd=REPO).stdout
    return json.loads(output.strip().splitlines()[-1])


def evaluate_child(conf: Path, root: Path) -> dict[str, Any]:
    """Child process: run jobs/evaluate.py, and score the clusters the pipeline run wrote with cluster_scores."""
    from golden_record.jobs import evaluate
    from golden_record.lakehouse.session import get_spark
    from golden_record.lakehouse.storage import open_store
    from golden_record.transforms.linkage.evaluation import cluster_scores, read_truth

    config = case_config(conf, root)
    spark = get_spark(config)
    store = open_store(spark, config)
    truth_path = str(Path(config.paths.samples) / "ground_truth.csv")
    with open(os.devnull, "w") as quiet:  # evaluate prints its figures; stdout carries our JSON only
        stdout, sys.stdout = sys.stdout, quiet
        try:
            metrics = evaluate.run(config, spark, store, truth_path)
        finally:
            sys.stdout = stdout
    clusters = store.read("gold.match_clusters")
    truth = read_truth(spark, truth_path)
    metrics["gold_match_clusters"] = cluster_scores(clusters, truth.join(clusters.select("unique_id"), "unique_id"))
    spark.stop()
    return metrics


def read_truth(path: Path) -> pd.DataFrame:
    """ground_truth.csv as unique_id (source:source_record_id) and person_id."""
    truth = pd.read_csv(path, dtype=str)
    return pd.DataFrame({"unique_id": truth["source"] + ":" + truth["source_record_id"], "person_id": truth["person_id"]})


def pairs_within(frame: pd.DataFrame, *keys: str) -> int:
    """Record pairs inside the groups of `keys`: the sum of n*(n-1)/2."""
    sizes = frame.groupby(list(keys)).size()
    return int((sizes * (sizes - 1) // 2).sum())


def cluster_scores(clusters: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float | int]:
    """transforms.linkage.evaluation.cluster_scores in pandas: pairs the clusters imply against the true pairs."""
    labelled = clusters[["unique_id", "cluster_id"]].merge(truth, on="unique_id")
    tp, predicted, actual = pairs_within(labelled, "cluster_id", "person_id"), pairs_within(labelled, "cluster_id"), pairs_within(labelled, "person_id")
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"true_positives": tp, "predicted": predicted, "actual": actual, "precision": precision, "recall": recall, "f1": f1, "records_scored": len(labelled)}


def run_plain_case(conf: Path, root: Path, threshold: float, seed: int) -> dict[str, Any]:
    """The plain Splink baseline on the case's files, with its cluster scores."""
    from plain_splink import run_plain

    config = case_config(conf, root)
    result = run_plain(config, threshold=threshold, seed=seed)
    result["scores"] = cluster_scores(result.pop("clusters"), read_truth(Path(config.paths.samples) / "ground_truth.csv"))
    return result


def run_case(args: argparse.Namespace, population: str, persons: int) -> dict[str, Any]:
    """Generate, run and score the pipeline and the baseline for one population and size."""
    case_dir = Path(args.root) / f"{population}-{persons}"
    shutil.rmtree(case_dir, ignore_errors=True)
    case_dir.mkdir(parents=True)
    log_file = case_dir / "bench.log"
    conf = write_conf(population, case_dir, persons)
    log.info("%s, %s persons: generating under %s (logs in %s)", population, f"{persons:,}", case_dir, log_file)
    generate(population, persons, conf, case_dir, args.seed, log_file)
    truth_rows = len(read_truth(case_dir / "samples" / "ground_truth.csv"))
    log.info("running the pipeline")
    pipeline_seconds = run_pipeline(conf, case_dir, log_file)
    metrics = evaluate_pipeline(conf, case_dir, log_file)
    log.info("running plain Splink")
    plain = run_plain_case(conf, case_dir, args.threshold, args.seed)
    return {
        "population": population,
        "persons": persons,
        "records": truth_rows,
        "pipeline_seconds": pipeline_seconds,
        "pipeline_records": metrics["records"],
        "pipeline_thresholds": [metrics["match_threshold"], metrics["cluster_threshold"]],
        "pipeline": metrics["clusters"],
        "pipeline_gold": metrics["gold_match_clusters"],
        "pipeline_blocking": metrics["blocking"],
        "plain_seconds": plain["seconds"]["total"],
        "plain_steps": plain["seconds"],
        "plain_records": plain["records"],
        "plain": plain["scores"],
    }


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table."""
    prf = lambda s: f"{s['precision']:.4f} / {s['recall']:.4f} / {s['f1']:.4f}"
    lines = [
        "| population | persons | records | pipeline s | plain s | ratio | pipeline P / R / F1 | plain P / R / F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['population']} | {r['persons']:,} | {r['records']:,} | {r['pipeline_seconds']:.1f} | {r['plain_seconds']:.1f} | "
            f"{r['pipeline_seconds'] / r['plain_seconds']:.1f}x | {prf(r['pipeline'])} | {prf(r['plain'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    """CLI: every population × size, then the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[2_000])
    parser.add_argument("--populations", nargs="+", default=["sample", "second"], choices=sorted(POPULATION_CONFS))
    parser.add_argument("--root", default="golden-record-data/bench-accuracy", help="data folder; one sub-folder per population and size")
    parser.add_argument("--threshold", type=float, default=0.95, help="plain Splink's clustering threshold (default 0.95)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the sample generator and of Splink's u sampling")
    parser.add_argument("--evaluate-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--conf-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("py4j", "splink", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args.root = str(Path(args.root).resolve())

    if args.evaluate_child:
        print(json.dumps(evaluate_child(Path(args.conf_file), Path(args.root)), default=str))
        return

    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    rows = []
    for population in args.populations:
        for persons in args.persons:
            rows.append(run_case(args, population, persons))
            print(json.dumps(rows[-1], default=str), flush=True)
    print("\n" + markdown_table(rows))


if __name__ == "__main__":
    main()
