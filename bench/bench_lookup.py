"""Lookup latency of the web app at 100k and 1M golden customers, its start-up time, and a Spark query per lookup beside it.

A real pipeline run on the sample (2,000 persons, or --base-root of a finished run) is tiled to N golden customers:
every table of the run is copied K times with its keys made unique per copy (golden ids, record ids, e-mails, phone
numbers, customer numbers, loyalty cards) and last names given a per-copy ending, so schemas, name frequencies and
records per customer are those of the pipeline's own output. Masked forms and the run manifest are then written by
the pipeline's code. The app is driven in-process over HTTP (FastAPI TestClient: authentication, query, page
rendering); "what a user would write instead" is a Spark query on the Delta table per lookup. The app's memory is
the growth of this process's resident memory while the app loads (the app runs in it).

Usage: python bench/bench_lookup.py [--customers 100000 1000000] [--lookups 200] [--base-root DIR] [--root DIR]
"""

from __future__ import annotations

import argparse
import base64
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from golden_record.jobs import pipeline
from golden_record.jobs.privacy import write_masked_forms
from golden_record.lakehouse.config import PipelineConfig, load_config
from golden_record.lakehouse.manifest import record_run
from golden_record.lakehouse.session import get_spark
from golden_record.lakehouse.storage import TableStore, open_store
from golden_record.lakehouse.tables import CUSTOMER_360, CUSTOMER_TIMELINE, CUSTOMER_XREF, GOLDEN_CUSTOMERS, GOLDEN_ID_HISTORY, MATCH_REVIEW, SILVER_CUSTOMERS
from golden_record.webapp.auth import hash_password

SYLLABLES = ["an", "berg", "dorf", "er", "feld", "hof", "ing", "kamp", "lin", "mann", "ner", "ow", "rath", "sen", "stein", "tal", "us", "wald", "witz", "zell", "bach", "horst"]
"""Endings that make each copy's last names new names (22 x 22 = 484 copies)."""


def _k(column: str) -> F.Column:
    """A key made unique per copy: the copy number prefixed (copy 0 keeps the original)."""
    return F.when(F.col("copy") == 0, F.col(column)).otherwise(F.concat(F.col("copy").cast("string"), F.lit("x"), F.col(column)))


def _ending() -> F.Column:
    """The last-name ending of a copy ('' for copy 0)."""
    syllables = F.array(*[F.lit(s) for s in SYLLABLES])
    pair = F.concat(F.element_at(syllables, (F.col("copy") % len(SYLLABLES) + 1).cast("int")), F.element_at(syllables, (F.floor(F.col("copy") / len(SYLLABLES)) % len(SYLLABLES) + 1).cast("int")))
    return F.when(F.col("copy") == 0, F.lit("")).otherwise(pair)


def _phone(column: str) -> F.Column:
    """The copy number written into the last four digits of an E.164 number."""
    digits = F.lpad((F.col("copy") % 10_000).cast("string"), 4, "0")
    return F.when(F.col("copy") == 0, F.col(column)).otherwise(F.concat(F.expr(f"substring({column}, 1, length({column}) - 4)"), digits))


def _email(column: str) -> F.Column:
    return F.when(F.col("copy") == 0, F.col(column)).otherwise(F.concat(F.col("copy").cast("string"), F.lit("."), F.col(column)))


def _record_key(column: str) -> F.Column:
    """`source:record` ids keep their source: `source:<copy>x<record>`."""
    return F.when(F.col("copy") == 0, F.col(column)).otherwise(
        F.concat(F.substring_index(F.col(column), ":", 1), F.lit(":"), F.col("copy").cast("string"), F.lit("x"), F.expr(f"substring({column}, length(substring_index({column}, ':', 1)) + 2)"))
    )


TILED = {
    GOLDEN_CUSTOMERS.name: lambda: {"golden_id": _k("golden_id"), "last_name": F.concat("last_name", _ending()), "email": _email("email"), "phone": _phone("phone"), "customer_number": _k("customer_number"), "loyalty_card": _k("loyalty_card")},
    SILVER_CUSTOMERS.name: lambda: {
        "source_record_id": _k("source_record_id"), "last_name": F.concat("last_name", _ending()), "last_name_norm": F.concat("last_name_norm", _ending()),
        "email": _email("email"), "email_norm": _email("email_norm"), "phone": _phone("phone"), "customer_number": _k("customer_number"), "loyalty_card": _k("loyalty_card"),
    },
    CUSTOMER_XREF.name: lambda: {"golden_id": _k("golden_id"), "source_record_id": _k("source_record_id"), "unique_id": _record_key("unique_id")},
    CUSTOMER_360.name: lambda: {"golden_id": _k("golden_id")},
    CUSTOMER_TIMELINE.name: lambda: {"golden_id": _k("golden_id"), "event_id": _k("event_id"), "customer_record_id": _k("customer_record_id")},
    MATCH_REVIEW.name: lambda: {"unique_id_l": _record_key("unique_id_l"), "unique_id_r": _record_key("unique_id_r"), "source_record_id_l": _k("source_record_id_l"), "source_record_id_r": _k("source_record_id_r")},
    GOLDEN_ID_HISTORY.name: lambda: {"golden_id": _k("golden_id"), "other_id": _k("other_id")},
}
"""Per table: the columns each copy changes."""


def tile(spark: SparkSession, base: TableStore, target: TableStore, copies: int) -> None:
    """Write every tiled table `copies` times over into the target lakehouse, then its masked forms."""
    numbers = spark.range(copies).select(F.col("id").alias("copy"))
    for table, changes in TILED.items():
        rows: DataFrame = base.read(table)
        columns = rows.columns
        tiled = rows.crossJoin(numbers).withColumns(changes()).select(*columns)
        target.overwrite(table, tiled)


def timed_lookups(client, auth: dict[str, str], queries: list[tuple[str, str, str]]) -> dict[str, list[float]]:
    """Milliseconds per lookup (search page with results), by kind; each must find its golden customer."""
    found: dict[str, list[float]] = {}
    for kind, text, golden_id in queries:
        started = time.perf_counter()
        response = client.get("/", params={"q": text}, headers=auth)
        found.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and golden_id in response.text, (kind, text, golden_id)
    return found


def queries(customers: list[dict], count: int, seed: int) -> list[tuple[str, str, str]]:
    """E-mails in upper case, phones written 00<cc> … with spaces, names with a typo in the last name."""
    rng = random.Random(seed)
    picked = []
    with_email = [c for c in customers if c["email"]]
    with_phone = [c for c in customers if c["phone"]]
    with_name = [c for c in customers if c["first_name"] and c["last_name"] and len(c["last_name"]) >= 5]
    for _ in range(count):
        c = rng.choice(with_email)
        picked.append(("e-mail", c["email"].upper(), c["golden_id"]))
        c = rng.choice(with_phone)
        digits = c["phone"][1:]
        picked.append(("phone", f"00{digits[:2]} {digits[2:5]} {digits[5:8]} {digits[8:]}", c["golden_id"]))
        c = rng.choice(with_name)
        last = c["last_name"]
        i = len(last) // 2
        picked.append(("name", f"{c['first_name']} {last[: i - 1]}{last[i]}{last[i - 1]}{last[i + 1 :]}", c["golden_id"]))
    rng.shuffle(picked)
    return picked


def rss_mb() -> float:
    """This process's resident memory in MB (the app runs in it: its DuckDB tables, indexes and Arrow reads)."""
    with open("/proc/self/status", encoding="ascii") as status:
        kilobytes = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    return kilobytes / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--lookups", type=int, default=200, help="lookups of each kind per size")
    parser.add_argument("--base-root", help="root of a finished pipeline run to tile (default: run the pipeline on 2,000 sample persons first)")
    parser.add_argument("--root", help="where the tiled lakehouses go (default: a temporary folder)")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from golden_record.lakehouse.storage.arrow_tables import ArrowTables
    from golden_record.webapp.app import create_app

    work = Path(args.root or tempfile.mkdtemp(prefix="bench-lookup-"))
    base_root = Path(args.base_root) if args.base_root else work / "base"
    base_config = load_config(environment="local", overrides={"paths": {"root": str(base_root)}})
    spark = get_spark(base_config)
    base = open_store(spark, base_config)
    if not args.base_root:
        print("running the pipeline on 2,000 sample persons to tile …", flush=True)
        pipeline.run(base_config, spark, base, sample_persons=2000)
    base_customers = base.read(GOLDEN_CUSTOMERS.name).count()
    users = {"bench": ("steward", hash_password("bench-password"))}
    auth = {"Authorization": "Basic " + base64.b64encode(b"bench:bench-password").decode()}
    rows = []
    for target_customers in args.customers:
        copies = max(1, round(target_customers / base_customers))
        root = work / f"tiled-{target_customers}"
        shutil.rmtree(root, ignore_errors=True)
        config: PipelineConfig = load_config(environment="local", overrides={"paths": {"root": str(root)}})
        store = open_store(spark, config)
        started = time.perf_counter()
        tile(spark, base, store, copies)
        write_masked_forms(config, store)
        record_run(store, f"bench-{target_customers}", "run")
        built = time.perf_counter() - started
        customers = ArrowTables(config.paths.lakehouse).read(GOLDEN_CUSTOMERS.name, columns=["golden_id", "first_name", "last_name", "email", "phone"]).to_pylist()
        print(f"{len(customers):,} golden customers ({copies} copies of the run's {base_customers:,}) written in {built:.0f}s", flush=True)

        started, before = time.perf_counter(), rss_mb()
        client = TestClient(create_app(config, users=users))
        startup, memory = time.perf_counter() - started, rss_mb() - before
        timed_lookups(client, auth, queries(customers, 10, seed=1))  # warm-up
        latencies = timed_lookups(client, auth, queries(customers, args.lookups, seed=2))

        customers_table = store.read(GOLDEN_CUSTOMERS.name)
        spark_times = []
        for _, text, golden_id in queries(customers, 5, seed=3)[:5]:
            started = time.perf_counter()
            customers_table.where(F.lower("email") == text.lower()).collect() if "@" in text else customers_table.where(F.col("golden_id") == golden_id).collect()
            spark_times.append((time.perf_counter() - started) * 1000)
        for kind, values in sorted(latencies.items()):
            rows.append((f"{len(customers):,}", kind, len(values), statistics.median(values), percentile(values, 0.95), startup, memory, statistics.median(spark_times)))
        del client

    print("\ngolden customers  lookup  n    p50 ms  p95 ms  app start-up s  app memory MB  Spark query per lookup ms (p50)")
    for customers_n, kind, n, p50, p95, startup, memory, spark_ms in rows:
        print(f"{customers_n:>16}  {kind:<6} {n:>4} {p50:8.1f} {p95:7.1f} {startup:15.1f}  {memory:13,.0f}  {spark_ms:10.0f}  ({spark_ms / p50:.0f}x the app's p50)")


if __name__ == "__main__":
    main()
