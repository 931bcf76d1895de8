"""The whole pipeline per stage against the plain Splink + DuckDB script, on the same silo files, in one run.

For each size, under <root>/<population>-<persons>/ (wiped first):
  1. generate the silos (not timed; as bench/bench_accuracy.py does);
  2. in a child process, run the pipeline (jobs/pipeline.py: ingest, standardise with gates, train, match, build gold
     with gates — what `golden-record run` runs) on one SparkSession and record per stage: wall seconds, records/s
     (silver customer records per second), Spark jobs started, and the peak resident memory of the Python driver and
     of the JVM during the stage (Linux VmHWM, reset before each stage); then score gold.match_clusters against the
     generator's ground truth (cluster precision/recall/F1);
  3. in this process, run bench/plain_splink.py (pandas load, minimal cleaning, Splink on DuckDB: train, predict,
     connected components) on the same files, timed per step, with the same scoring;
  4. print per-stage tables and one summary table with the time ratio pipeline / plain script.

Usage: .venv/bin/python bench/bench_pipeline.py --persons 10000 100000 [--population sample|second] [--root DIR]
       [--driver-memory 8g] [--threshold 0.95] [--seed 42]
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

from bench_accuracy import POPULATION_CONFS, case_config, cluster_scores, generate, markdown_table, read_truth, run_plain_case, write_conf

log = logging.getLogger("bench_pipeline")



def _status(pid: int | str, field: str) -> int:
    """A kB figure (VmRSS, VmHWM) of /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak(pid: int | str) -> None:
    """Reset the process's peak resident set (VmHWM) to its current size (Linux clear_refs 5)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:  # not Linux, or not allowed: peaks then run from process start
        pass


def child(conf: Path, root: Path, driver_memory: str) -> dict[str, Any]:
    """Child process: the pipeline stage by stage with figures per stage, then its cluster scores (JSON on stdout)."""
    from golden_record.jobs import pipeline
    from golden_record.lakehouse.session import get_spark
    from golden_record.lakehouse.storage import open_store

    config = case_config(conf, root)
    config = config.merged({"spark": {"conf": {"spark.driver.memory": driver_memory}}})
    started = time.monotonic()
    spark = get_spark(config)
    store = open_store(spark, config)
    jvm_pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    tracker = spark.sparkContext.statusTracker()

    def jobs_started() -> int:
        ids = [*tracker.getJobIdsForGroup(None), *tracker.getActiveJobsIds()]
        return max(ids) + 1 if ids else 0

    stages: list[dict[str, Any]] = []
    mark = {"at": started, "jobs": 0}  # the first stage closed is the session's start

    def close_stage(name: str) -> None:
        now, jobs = time.monotonic(), jobs_started()
        stages.append({
            "stage": name, "seconds": round(now - mark["at"], 1), "spark_jobs": jobs - mark["jobs"],
            "python_peak_mb": _status("self", "VmHWM") // 1024, "jvm_peak_mb": _status(jvm_pid, "VmHWM") // 1024,
        })
        log.info("%s: %.1fs, %d Spark jobs", name, now - mark["at"], jobs - mark["jobs"])
        for pid in ("self", jvm_pid):
            _reset_peak(pid)
        mark.update(at=time.monotonic(), jobs=jobs_started())

    close_stage("spark-start")
    run = pipeline.run(config, spark, store, on_stage=lambda name, result: close_stage(name))
    records = store.read("silver.customers").count()
    clusters = store.read("gold.match_clusters").select("unique_id", "cluster_id").toPandas()
    spark.stop()
    scores = cluster_scores(clusters, read_truth(Path(config.paths.samples) / "ground_truth.csv"))
    return {"records": records, "stages": stages, "seconds": round(time.monotonic() - started, 1), "pipeline_seconds": round(run.seconds, 1), "scores": scores}


def run_child(conf: Path, root: Path, driver_memory: str, log_file: Path) -> dict[str, Any]:
    """The pipeline in a fresh process (its own JVM); its figures."""
    command = [sys.executable, __file__, "--child", "--conf-file", str(conf), "--root", str(root), "--driver-memory", driver_memory]
    with log_file.open("a", encoding="utf-8") as err:
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=err, text=True, cwd=Path(__file__).resolve().parent.parent).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_case(args: argparse.Namespace, persons: int) -> dict[str, Any]:
    """Generate, then the pipeline and the plain script on the same files."""
    case_dir = Path(args.root) / f"{args.population}-{persons}"
    shutil.rmtree(case_dir, ignore_errors=True)
    case_dir.mkdir(parents=True)
    log_file = case_dir / "bench.log"
    conf = write_conf(args.population, case_dir, persons)
    log.info("%s persons: generating under %s (logs in %s)", f"{persons:,}", case_dir, log_file)
    generate(args.population, persons, conf, case_dir, args.seed, log_file)
    log.info("running the pipeline")
    ours = run_child(conf, case_dir, args.driver_memory, log_file)
    log.info("running the plain Splink script")
    _reset_peak("self")
    plain = run_plain_case(conf, case_dir, args.threshold, args.seed)
    plain["python_peak_mb"] = _status("self", "VmHWM") // 1024
    return {"persons": persons, "population": args.population, "pipeline": ours, "plain": plain}


def _stage_table(case: dict[str, Any]) -> str:
    records = case["pipeline"]["records"]
    lines = [
        f"{case['population']}, {case['persons']:,} persons, {records:,} silver customer records",
        "| stage | s | records/s | Spark jobs | peak Python MB | peak JVM MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for stage in case["pipeline"]["stages"]:
        rate = f"{records / stage['seconds']:,.0f}" if stage["seconds"] and stage["stage"] != "spark-start" else ""
        lines.append(f"| {stage['stage']} | {stage['seconds']:.1f} | {rate} | {stage['spark_jobs']} | {stage['python_peak_mb']:,} | {stage['jvm_peak_mb']:,} |")
    plain = case["plain"]
    steps = ", ".join(f"{step} {seconds:.1f}" for step, seconds in plain["seconds"].items() if step != "total")
    lines.append(f"plain Splink script: {plain['seconds']['total']:.1f} s ({steps}); peak Python MB {plain['python_peak_mb']:,}")
    return "\n".join(lines)


def summary_table(cases: list[dict[str, Any]]) -> str:
    """One row per size: times, ratio and accuracy of both (bench_accuracy's table)."""
    return markdown_table([
        {
            "population": case["population"], "persons": case["persons"], "records": case["pipeline"]["records"],
            "pipeline_seconds": case["pipeline"]["seconds"], "plain_seconds": case["plain"]["seconds"]["total"],
            "pipeline": case["pipeline"]["scores"], "plain": case["plain"]["scores"],
        }
        for case in cases
    ])


def main() -> None:
    """CLI: each size in turn, then the tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, nargs="+", default=[10_000])
    parser.add_argument("--population", default="sample", choices=sorted(POPULATION_CONFS))
    parser.add_argument("--root", default="golden-record-data/bench-pipeline", help="data folder; one sub-folder per size")
    parser.add_argument("--driver-memory", default="8g", help="spark.driver.memory of the pipeline's session (default 8g)")
    parser.add_argument("--threshold", type=float, default=0.95, help="plain Splink's clustering threshold (default 0.95)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--conf-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for noisy in ("py4j", "splink", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args.root = str(Path(args.root).resolve())
    if args.child:
        print(json.dumps(child(Path(args.conf_file), Path(args.root), args.driver_memory), default=str))
        return
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    cases = []
    for persons in args.persons:
        cases.append(run_case(args, persons))
        print(json.dumps(cases[-1], default=str), flush=True)
        print("\n" + _stage_table(cases[-1]) + "\n", flush=True)
    print(summary_table(cases))


if __name__ == "__main__":
    main()
