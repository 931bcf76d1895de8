"""Run the pipeline on a real Spark standalone cluster through spark-submit and compare it with local mode.

Starts a master and a worker (separate JVMs, the worker with 2 cores and 3g) on 127.0.0.1 from the pyspark installed
in dist/env, runs `golden-record run` (the bundled model, so both runs can be compared) through spark-submit
with the artefacts of `scripts/build-dist.sh --python-env` (the installed wheel on the driver, the packed env shipped to
the executors with --archives, the jars with --jars), runs the same sample in local mode, compares the row count of
every table, stops the cluster and prints the figures. Exits 1 when a run fails or a count differs.

Usage: .venv/bin/python bench/standalone_cluster.py [--persons 1000] [--dist dist] [--work-dir DIR] [--shuffle-partitions 8] [--train]
Needs: scripts/build-dist.sh --python-env, and PostgreSQL (scripts/postgres.sh) for the sample CRM silo.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from golden_record.lakehouse.config import bundled_config_path, load_config
from golden_record.lakehouse.session import get_spark
from golden_record.lakehouse.storage import open_store

RUN_TIMEOUT_SECONDS = 3600


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_config(path: Path, environment: str, crm_table: str) -> Path:
    """A config file extending the bundled `environment` whose CRM source reads `crm_table` (leaves the demo table alone)."""
    sources = [source.model_dump(mode="json", exclude_defaults=True) for source in load_config(environment=environment).sources]
    for source in sources:
        if source["name"] == "crm":
            source["location"]["table"] = crm_table
    path.write_text(yaml.safe_dump({"extends": str(bundled_config_path(environment)), "sources": sources}, sort_keys=False), encoding="utf-8")
    return path


def run_logged(command: list[str], log: Path, env: dict[str, str] | None = None) -> float:
    """Run `command` with its output in `log`; return its wall seconds, or exit showing the log's tail when it fails."""
    started = time.perf_counter()
    with log.open("w") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env, timeout=RUN_TIMEOUT_SECONDS)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
        sys.exit(f"FAILED ({result.returncode}) after {seconds:.0f} s: {' '.join(command)}\n--- last lines of {log} ---\n{tail}")
    return seconds


def spark_home(python: Path) -> Path:
    """The Spark installation inside pyspark as installed for `python` (its bin/ has spark-class and spark-submit)."""
    found = subprocess.run([str(python), "-c", "import os, pyspark; print(os.path.dirname(pyspark.__file__))"], capture_output=True, text=True, check=True)
    return Path(found.stdout.strip())


def alive_workers(ui_port: int) -> int:
    """How many workers the master's status page reports alive (0 while it is not up yet)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=5) as response:
            return int(json.load(response)["aliveworkers"])
    except OSError:
        return 0


@contextmanager
def standalone_cluster(home: Path, work: Path, cores: int, memory: str) -> Iterator[str]:
    """A master and one worker on 127.0.0.1 for the duration of the block; yields the master URL."""
    port, ui_port, worker_ui_port = free_port(), free_port(), free_port()
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
    spark_class = home / "bin" / "spark-class"
    master_cmd = [str(spark_class), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(ui_port)]
    url = f"spark://127.0.0.1:{port}"
    worker_cmd = [
        str(spark_class), "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1", "--webui-port", str(worker_ui_port),
        "--cores", str(cores), "--memory", memory, "--work-dir", str(work / "spark-work"),
    ]  # fmt: skip
    processes: list[subprocess.Popen] = []
    try:
        for name, command in (("master", master_cmd), ("worker", worker_cmd)):
            with (work / f"{name}.log").open("w") as log:
                processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env))
        deadline = time.monotonic() + 180
        while alive_workers(ui_port) < 1:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                sys.exit(f"the standalone cluster did not come up; see {work}/master.log and {work}/worker.log")
            time.sleep(2)
        yield url
    finally:
        for process in reversed(processes):  # worker first, then master
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def spark_submit_command(home: Path, dist: Path, master: str, shuffle_partitions: int, run_args: list[str]) -> list[str]:
    """The documented spark-submit line for a standalone cluster whose nodes lack the project's Python environment."""
    jars = sorted(str(jar) for jar in (dist / "jars").glob("*.jar"))
    return [
        str(home / "bin" / "spark-submit"),
        "--master", master,
        "--deploy-mode", "client",
        "--driver-memory", "2g",
        "--executor-memory", "2g",
        "--total-executor-cores", "2",
        "--jars", ",".join(jars),
        "--archives", f"{dist / 'golden-record-env.tar.gz'}#environment",
        "--conf", "spark.pyspark.python=./environment/bin/python",
        "--conf", f"spark.pyspark.driver.python={dist / 'env' / 'bin' / 'python'}",
        "--conf", f"spark.sql.shuffle.partitions={shuffle_partitions}",
        "--conf", "spark.driver.host=127.0.0.1",
        str(dist / "spark_submit.py"),
        *run_args,
    ]  # fmt: skip


def shell_lines(command: list[str]) -> str:
    """`command` as a shell command with one option (and its value) per line."""
    lines: list[list[str]] = [[command[0]]]
    for word in command[1:]:
        if word.startswith("--") or not lines[-1][-1].startswith("--"):
            lines.append([word])
        else:
            lines[-1].append(word)
    return " \\\n    ".join(shlex.join(line) for line in lines)


def table_counts(lakehouses: dict[str, str]) -> dict[str, dict[str, int]]:
    """Rows per table ("layer.name") of each named lakehouse folder, read through the storage layer in local mode."""
    counts: dict[str, dict[str, int]] = {}
    spark = None
    for name, lakehouse in lakehouses.items():
        config = load_config(environment="local", overrides={"paths": {"root": str(Path(lakehouse).parent), "lakehouse": lakehouse}})
        spark = spark or get_spark(config)
        store = open_store(spark, config)
        counts[name] = {table: store.read(table).count() for table in store.tables()}
    if spark is not None:
        spark.stop()
    return counts


def main() -> None:
    """Generate a sample, run it in local mode and on a standalone cluster, compare the tables, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=1_000, help="persons in the generated sample (default 1000)")
    parser.add_argument("--dist", type=Path, default=Path("dist"), help="output of scripts/build-dist.sh --python-env (default dist)")
    parser.add_argument("--work-dir", type=Path, help="folder for data and logs (default: a new temporary folder, kept)")
    parser.add_argument("--shuffle-partitions", type=int, default=8, help="spark.sql.shuffle.partitions for the cluster run (default 8, as conf/local.yaml)")
    parser.add_argument("--train", action="store_true", help="train a model in each run (default: both use the bundled model, so their matches can be compared)")
    parser.add_argument("--crm-table", default="crm_bench.customers", help="PostgreSQL table for the sample CRM (default crm_bench.customers)")
    args = parser.parse_args()
    dist = args.dist.resolve()
    missing = [p for p in ("env/bin/golden-record", "golden-record-env.tar.gz", "spark_submit.py") if not (dist / p).exists()]
    if missing:
        sys.exit(f"{dist} lacks {missing}: run scripts/build-dist.sh --python-env first")
    work = (args.work_dir or Path(tempfile.mkdtemp(prefix="bench-standalone-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    samples = work / "samples"
    golden_record = str(dist / "env" / "bin" / "golden-record")
    home = spark_home(dist / "env" / "bin" / "python")
    local_conf = write_config(work / "bench-local.yaml", "local", args.crm_table)
    cluster_conf = write_config(work / "bench-cluster.yaml", "cluster", args.crm_table)
    print(f"work folder {work}; artefacts from {dist}", flush=True)

    seconds = {}
    seconds["generate sample"] = run_logged(
        [golden_record, "generate-sample", "--persons", str(args.persons), "--conf-file", str(local_conf), "--root", str(work), "--samples-dir", str(samples)],
        work / "generate.log",
    )
    def run_args(conf: Path, root: Path) -> list[str]:
        return ["run", "--conf-file", str(conf), "--root", str(root), "--samples-dir", str(samples), *(["--retrain"] if args.train else [])]

    seconds["local run (local[2])"] = run_logged([golden_record, *run_args(local_conf, work / "local")], work / "local-run.log")
    started = time.perf_counter()
    with standalone_cluster(home, work, cores=2, memory="3g") as master:
        seconds["cluster start (master + worker)"] = time.perf_counter() - started
        submit = spark_submit_command(home, dist, master, args.shuffle_partitions, run_args(cluster_conf, work / "cluster"))
        print("spark-submit line:\n  " + shell_lines(submit), flush=True)
        submit_env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
        seconds["cluster run (spark-submit)"] = run_logged(submit, work / "cluster-run.log", env=submit_env)
    executor_pythons = sorted(str(p) for p in (work / "spark-work").glob("app-*/*/environment/bin/python"))

    started = time.perf_counter()
    counts = table_counts({"local": str(work / "local" / "lakehouse"), "cluster": str(work / "cluster" / "lakehouse")})
    seconds["count rows of every table"] = time.perf_counter() - started

    print(f"\nsample: {args.persons:,} persons; master {master}; executors ran {executor_pythons or 'no unpacked environment (?)'}")
    print(f"\n{'step':<34} {'seconds':>8}")
    for step, value in seconds.items():
        print(f"{step:<34} {value:>8.1f}")
    tables = sorted(set(counts["local"]) | set(counts["cluster"]))
    print(f"\n{'table':<34} {'local':>8} {'cluster':>8}  same")
    differing = 0
    for table in tables:
        local, cluster = counts["local"].get(table), counts["cluster"].get(table)
        differing += local != cluster
        print(f"{table:<34} {local if local is not None else '-':>8} {cluster if cluster is not None else '-':>8}  {'yes' if local == cluster else 'NO'}")
    print(f"\n{len(tables)} tables, {differing} with different row counts")
    sys.exit(1 if differing or not tables else 0)


if __name__ == "__main__":
    main()
