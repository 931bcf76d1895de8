"""The `golden-record` command: one subcommand per pipeline stage, plus `run` for all of them."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from golden_record.lakehouse.config import CONF_ENV_VAR, ConfigError, PipelineConfig, load_config
from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.run_lock import run_lock
from golden_record.lakehouse.tables import SILVER_CUSTOMERS, SILVER_INTERACTIONS

log = logging.getLogger("golden_record")

WRITING_COMMANDS = frozenset({"ingest", "standardise", "train", "match", "build-gold", "erase", "retention", "run"})
"""Commands that write the lakehouse: one at a time per lakehouse (lakehouse/run_lock.py)."""

PATH_OPTIONS = {
    "root": "folder for everything a run writes (default from config: ./golden-record-data)",
    "samples": "folder for the generated sample silos",
    "lakehouse": "folder of the Delta tables (path-based storage)",
    "checkpoints": "folder for Spark checkpoints",
    "reports": "folder for run reports and Data Docs",
    "models": "folder for trained linkage models",
}


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("configuration")
    group.add_argument("--conf-file", help=f"pipeline config YAML (default: ${CONF_ENV_VAR}, else the bundled conf/<env>.yaml)")
    group.add_argument("--env", default="local", help="bundled environment config to use when no --conf-file is given: local, cluster, databricks, test (default: local)")
    for name, text in PATH_OPTIONS.items():
        group.add_argument(f"--{name}-dir" if name != "root" else "--root", dest=f"path_{name}", metavar="PATH", help=text)
    group.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    return common


def _config(args: argparse.Namespace) -> PipelineConfig:
    paths = {name: getattr(args, f"path_{name}") for name in PATH_OPTIONS if getattr(args, f"path_{name}")}
    if "root" in paths:
        # A new root moves every path that is not given explicitly.
        paths = {**{name: f"{{root}}/{name}" for name in PATH_OPTIONS if name != "root"}, **paths}
    return load_config(args.conf_file, environment=args.env, overrides={"paths": paths} if paths else None)


def _session(config: PipelineConfig):
    from golden_record.lakehouse.session import get_spark
    from golden_record.lakehouse.storage import open_store

    spark = get_spark(config)
    return spark, open_store(spark, config)


def _print_table(title: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        print(f"{title}: nothing to show")
        return
    columns = list(rows[0])
    widths = {c: max(len(str(c)), *(len(_fmt(r[c])) for r in rows)) for c in columns}
    print(f"\n{title}")
    print("  ".join(str(c).ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for row in rows:
        print("  ".join(_fmt(row[c]).rjust(widths[c]) if isinstance(row[c], (int, float)) else _fmt(row[c]).ljust(widths[c]) for c in columns))


def _fmt(value: Any) -> str:
    """A table cell: seconds and counts with thousands separators, probabilities and thresholds (below 10) to 3 digits."""
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def show_sample(summary: dict[str, Any], config: PipelineConfig) -> None:
    """Print what generate-sample wrote."""
    _print_table(f"sample silos under {config.paths.samples}", summary_rows(summary))


def summary_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for printing a generator summary {source: {rows, location}} or {source: rows}."""
    rows = []
    for source, value in summary.items():
        rows.append({"source": source, **value} if isinstance(value, dict) else {"source": source, "rows": value})
    return rows


def show_ingest(results: list, config: PipelineConfig) -> None:
    """Print rows landed and quarantined per source."""
    from dataclasses import asdict

    _print_table(
        f"bronze ingestion (tables under {config.paths.lakehouse})",
        [{k: v for k, v in asdict(r).items() if k != "seconds"} | {"seconds": round(r.seconds, 1)} for r in results],
    )


def show_standardise(result: Any, config: PipelineConfig) -> None:
    """Print rows per source and table, and the gates that passed."""
    from dataclasses import asdict

    _print_table("silver standardisation (rows in = superseded + deleted + silver + rejected)", [asdict(c) for c in result.counts])
    for gate in result.gates:
        print(f"gate passed: {gate.summary()}")
    print(f"Data Docs: {result.docs_index}")


def show_train(model: Any, config: PipelineConfig) -> None:
    """Print where the trained model was saved."""
    print(f"trained model saved: {model}")


def show_match(counts: dict[str, Any], config: PipelineConfig) -> None:
    """Print pairs, clusters and review counts."""
    _print_table("entity resolution", [{k: round(v, 1) if isinstance(v, float) else v for k, v in counts.items()}])


def show_build_gold(counts: dict[str, Any], config: PipelineConfig) -> None:
    """Print the gold counts and the gates that passed."""
    _print_table("gold", [{k: v for k, v in counts.items() if k != "gates"}])
    for gate in counts["gates"]:
        print(f"gate passed: {gate.summary()}")


SHOW = {"generate-sample": show_sample, "ingest": show_ingest, "standardise": show_standardise, "train": show_train, "match": show_match, "build-gold": show_build_gold}
"""How each stage's result is printed, by stage name (see jobs.pipeline.STAGES)."""


def cmd_generate_sample(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Write the seeded sample silos (files + the CRM table in PostgreSQL) and their ground truth, or with --increment a later delivery."""
    from golden_record.jobs import generate_sample

    show_sample(generate_sample.run(config, persons=args.persons, seed=args.seed, increment=args.increment, change=args.change), config)


def cmd_ingest(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Land every source (or --source NAME …) in its bronze Delta table; print rows per source."""
    from golden_record.jobs import ingest

    spark, store = _session(config)
    show_ingest(ingest.run(config, spark, store, only=args.source), config)


def cmd_standardise(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Bronze -> silver: standardise every source, quarantine bad rows, run the quality gates, promote."""
    from golden_record.jobs import standardise

    spark, store = _session(config)
    show_standardise(standardise.run(config, spark, store, only=args.source), config)


def cmd_train(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Train the Splink model on silver customers (unsupervised, seeded) and save it under the models folder."""
    from golden_record.jobs import train

    spark, store = _session(config)
    show_train(train.run(config, spark, store), config)


def cmd_match(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Score candidate pairs with the trained model, cluster at the threshold, write pairs, clusters and the review queue."""
    from golden_record.jobs import match

    spark, store = _session(config)
    show_match(match.run(config, spark, store, full=args.full), config)


def cmd_evaluate(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Measure matching against a ground truth (source, source_record_id, person_id): precision, recall, F1, blocking."""
    from golden_record.jobs import evaluate

    spark, store = _session(config)
    truth = args.truth or f"{config.paths.samples}/ground_truth.csv"
    evaluate.run(config, spark, store, truth)


def cmd_build_gold(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Silver + clusters -> gold: golden records with lineage, stable golden ids, customer_xref, customer 360."""
    from golden_record.jobs import build_gold

    spark, store = _session(config)
    show_build_gold(build_gold.run(config, spark, store), config)


def cmd_erase(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Erase persons (right to be forgotten) from every layer, vacuum old file versions, scrub reports, suppress them at ingest; finish interrupted requests first."""
    from golden_record.jobs import erase

    spark, store = _session(config)
    for result in erase.run(config, spark, store, golden_ids=args.golden_id or (), source_records=args.source_record or (), emails=args.email or ()):
        _print_table(f"erasure {result.request_id} (audit in privacy.erasure_audit)", [{"table": t, "rows_removed": n} for t, n in result.rows_removed.items()])
        print(
            f"{result.golden_customers} golden customer(s), {result.source_records} source record(s) erased; {result.files_vacuumed} old file(s) vacuumed, "
            f"{result.reports_scrubbed} report file(s) scrubbed, {result.suppressed_values} value(s) added to the suppression list"
        )


def cmd_retention(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Apply the retention rules of conf/privacy.yaml: erase long-inactive golden customers, remove expired interactions."""
    from datetime import date

    from golden_record.jobs import retention

    spark, store = _session(config)
    result = retention.run(config, spark, store, as_of=date.fromisoformat(args.as_of) if args.as_of else None)
    erased = result.customers
    rows = [{"table": t, "rows_removed": n} for t, n in (erased.rows_removed if erased else {}).items()]
    rows += [{"table": f"{t} (expired interactions)", "rows_removed": n} for t, n in result.interactions_removed.items()]
    _print_table("retention (audit in privacy.erasure_audit)", rows)
    cutoff = f"before {result.interactions_cutoff:%Y-%m-%d}" if result.interactions_cutoff else "not configured"
    print(f"{erased.golden_customers if erased else 0} inactive golden customer(s) erased; interactions {cutoff}: {sum(result.interactions_removed.values())} row(s) removed")


def cmd_privacy_report(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Print what personal data each lakehouse table holds, per data class; --strict fails on unclassified columns."""
    from golden_record.jobs import privacy

    spark, store = _session(config)
    tables = privacy.report(config, store)
    _print_table(f"data classes per table (conf/privacy.yaml; masked for readers without full access: {', '.join(config.privacy.masked_classes)})", privacy.report_rows(tables, list(config.privacy.classes)))
    unclassified = {t.table: t.unclassified for t in tables if t.unclassified}
    if unclassified:
        listing = "; ".join(f"{table}: {', '.join(columns)}" for table, columns in unclassified.items())
        message = f"{sum(map(len, unclassified.values()))} unclassified column(s), counted as personal: {listing} (classify them in privacy.columns or the source's privacy: entry)"
        if args.strict:
            raise PipelineError(message)
        print(message)


def cmd_privacy_sql(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Print Databricks SQL that puts Unity Catalog column masks on the tables, from the masking rules of conf/privacy.yaml."""
    from golden_record.jobs import privacy

    spark, store = _session(config)
    print("\n".join(privacy.column_masks(config, store, tuple(args.layer or ["gold"]))))


def cmd_serve(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Start the web app on the last complete run: customer lookup for everyone, the review workbench for stewards."""
    import uvicorn

    from golden_record.webapp.app import create_app

    settings = config.app
    app = create_app(config)
    host, port = args.host or settings.host, args.port or settings.port
    print(f"serving {config.paths.lakehouse} on http://{host}:{port}/ (users from ${settings.users_env}; Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def cmd_hash_password(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Print the scrypt hash of a password (read from the terminal, or one line of stdin) for a user entry of the web app."""
    import getpass

    from golden_record.webapp.auth import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise PipelineError("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        raise PipelineError("use a password of at least 8 characters")
    print(f"{args.user}:{args.role}:{hash_password(password)}" if args.user else hash_password(password))


def cmd_run(args: argparse.Namespace, config: PipelineConfig) -> None:
    """Run the pipeline end to end: optionally generate sample silos, then ingest, standardise, train, match, build gold."""
    from golden_record.jobs import pipeline

    spark, store = _session(config)
    done = pipeline.run(
        config, spark, store, sample_persons=args.generate_sample, seed=args.seed, retrain=args.retrain, full=args.full, on_stage=lambda stage, result: SHOW[stage](result, config)
    )
    if done.unchanged_since:
        print(f"\nsummary: nothing arrived since run {done.unchanged_since}; no table changed (--full rebuilds, e.g. after a configuration change)")
        return
    silver, gold = done.silver, done.gold
    assert silver is not None and gold is not None
    customers = sum(c.silver_rows for c in silver.counts if c.table == SILVER_CUSTOMERS.name)
    events = sum(c.silver_rows for c in silver.counts if c.table == SILVER_INTERACTIONS.name)
    report_line = f"run report: {done.report}\n" if done.report else ""
    print(
        f"\nsummary: {len(done.ingested)} sources; {sum(r.rows_landed for r in done.ingested):,} rows landed in bronze, "
        f"{sum(r.rows_quarantined for r in done.ingested):,} quarantined there; "
        f"{customers:,} customer records and {events:,} interactions in silver, "
        f"{sum(c.rejected for c in silver.counts):,} rows rejected to silver.quarantine; "
        f"{gold['golden_customers']:,} golden customers ({gold['duplicates_merged']:,} duplicate records merged)\n"
        f"gates: {len(silver.gates) + len(gold['gates'])} passed ({', '.join(g.table for g in [*silver.gates, *gold['gates']])}); "
        f"Data Docs: {silver.docs_index}\n"
        f"{report_line}"
        f"pipeline finished in {done.seconds:,.0f}s; data under {config.paths.root}"
    )
    _print_table("time per stage", stage_time_rows(done.stage_seconds, customers))


def stage_time_rows(stage_seconds: dict[str, float], records: int) -> list[dict[str, Any]]:
    """One row per stage of a run: seconds, share of the run, silver customer records per second."""
    total = sum(stage_seconds.values()) or 1.0
    rows = [{"stage": stage, "seconds": round(seconds, 1), "share": f"{seconds / total:.0%}", "records_per_s": round(records / seconds) if seconds else None}
            for stage, seconds in stage_seconds.items()]
    return [*rows, {"stage": "total", "seconds": round(total, 1), "share": "100%", "records_per_s": round(records / total)}]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `golden-record` with all subcommands."""
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="golden-record",
        description="Consolidate siloed customer data into one Customer Golden Record per person (bronze -> silver -> gold on Spark + Delta).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable[[argparse.Namespace, PipelineConfig], None], help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    generate = add("generate-sample", cmd_generate_sample, cmd_generate_sample.__doc__)
    generate.add_argument("--persons", type=int, default=2_000, help="number of real persons behind the records (1k … 1M; default 2000)")
    generate.add_argument("--seed", type=int, default=42, help="random seed; the same seed writes the same data (default 42)")
    generate.add_argument(
        "--increment", type=int, default=0, metavar="K",
        help="write delivery K (1, 2 …) of the sample made with the same --persons and --seed: new persons and moved, "
        "changed, duplicated and deleted records, as new files beside the first and changes to the CRM table (sample_silos/increments.py)",
    )
    generate.add_argument("--change", type=float, default=1.0, metavar="PERCENT", help="with --increment: new persons, and moved records per silo, as a percentage of --persons (default 1)")

    ingest = add("ingest", cmd_ingest, cmd_ingest.__doc__)
    ingest.add_argument("--source", action="append", metavar="NAME", help="ingest only this source (repeatable)")

    standardise = add("standardise", cmd_standardise, cmd_standardise.__doc__)
    standardise.add_argument("--source", action="append", metavar="NAME", help="standardise only this source (repeatable); its silver rows are replaced")

    add("train", cmd_train, cmd_train.__doc__)
    matching = add("match", cmd_match, cmd_match.__doc__)
    matching.add_argument("--full", action="store_true", help="score every candidate pair and cluster everything again (default: only what changed since the last match)")
    add("build-gold", cmd_build_gold, cmd_build_gold.__doc__)
    evaluate = add("evaluate", cmd_evaluate, cmd_evaluate.__doc__)
    evaluate.add_argument("--truth", metavar="FILE", help="ground-truth CSV (default: the sample generator's ground_truth.csv)")

    erase = add("erase", cmd_erase, cmd_erase.__doc__)
    erase.add_argument("--golden-id", action="append", metavar="ID", help="golden id of the person (repeatable)")
    erase.add_argument("--source-record", action="append", metavar="SOURCE:ID", help="a source record of the person, e.g. crm:10042: their whole golden customer is erased (repeatable)")
    erase.add_argument("--email", action="append", metavar="ADDRESS", help="an e-mail address of the person, in any spelling silver matches (repeatable)")

    retention = add("retention", cmd_retention, cmd_retention.__doc__)
    retention.add_argument("--as-of", metavar="YYYY-MM-DD", help="apply the rules as of this day (default: today)")
    report = add("privacy-report", cmd_privacy_report, cmd_privacy_report.__doc__)
    report.add_argument("--strict", action="store_true", help="exit with an error when a column is unclassified")
    privacy_sql = add("privacy-sql", cmd_privacy_sql, cmd_privacy_sql.__doc__)
    privacy_sql.add_argument("--layer", action="append", choices=["bronze", "silver", "gold"], help="layers whose tables get masks (repeatable; default gold)")

    serve = add("serve", cmd_serve, cmd_serve.__doc__)
    serve.add_argument("--host", help="address to listen on (default from config: app.host)")
    serve.add_argument("--port", type=int, help="port to listen on (default from config: app.port)")
    hashing = add("hash-password", cmd_hash_password, cmd_hash_password.__doc__)
    hashing.add_argument("--user", help="print a whole users entry name:role:hash for this user name")
    hashing.add_argument("--role", default="agent", help="the role of that entry (default agent)")

    run = add("run", cmd_run, cmd_run.__doc__)
    run.add_argument("--generate-sample", type=int, metavar="PERSONS", help="first generate sample silos for this many persons")
    run.add_argument("--retrain", action="store_true", help="train a new model on this silver, then match everything with it (default: train only when no model was trained here, or silver outgrew it: linkage.incremental.retrain_growth)")
    run.add_argument("--full", action="store_true", help="match everything again instead of only what changed since the last match")
    run.add_argument("--seed", type=int, default=42, help="seed for --generate-sample (default 42)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `golden-record` console command."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for noisy in ("py4j", "great_expectations", "splink"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        config = _config(args)
        writing = args.command in WRITING_COMMANDS
        with run_lock(config.paths.lakehouse, args.command, config.run.lock_wait_seconds) if writing else nullcontext():
            args.handler(args, config)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
