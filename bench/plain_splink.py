"""Baseline: what a data engineer would write instead of our pipeline — pandas + Splink on DuckDB, one script.

It reads only our pipeline config, to know which files and columns to load (sources with a `customers:` mapping),
applies the cleaning a user would do by hand (lower-cased, accent-free names; lower-cased e-mail; digits-only phone
with a leading 00 turned into +; birth dates in the source's declared formats; postcodes without spaces), and then
follows Splink's tutorial: comparison-library comparisons, blocking rules, prior from deterministic rules, u from
random sampling, EM on first+last name and on birth date, predict, connected components at 0.95. A column no record
fills gets no comparison, no blocking rule and no training step on it; an identifier (national id, customer or
loyalty number) counts only when two sources fill it, as a key of one source alone links nothing. A full name (a
source without first/last name) is split naively: first word = first name, last word = last name.

Usage: .venv/bin/python bench/plain_splink.py [--conf-file FILE] --root DIR [--threshold 0.95] [--out clusters.csv]
"""

from __future__ import annotations

import argparse
import glob
import json
import logging
import os
import re
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from golden_record.lakehouse.config import JdbcLocation, PipelineConfig, SourceConfig, load_config

log = logging.getLogger("plain_splink")

FIELDS = ("first_name", "last_name", "full_name", "birth_date", "email", "phone", "postcode", "national_id", "customer_number", "loyalty_card")
"""The canonical fields the baseline loads (the rest of a customer record is not used for matching)."""

IDENTIFIERS = ("national_id", "customer_number", "loyalty_card")
"""Fields compared and blocked on by exact match only."""

SPARK_TO_STRPTIME = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
"""Spark datetime pattern letters (as in the config's date_formats) and their strptime codes."""

STEPS = ("load", "clean", "train", "predict", "cluster")
"""Timed steps, in order."""


def strptime_format(pattern: str) -> str:
    """A Spark date pattern such as `dd.MM.yyyy` as a strptime format (`%d.%m.%Y`)."""
    return re.sub("|".join(sorted(SPARK_TO_STRPTIME, key=len, reverse=True)), lambda m: SPARK_TO_STRPTIME[m.group(0)], pattern.replace("'", ""))


def location_files(location: str) -> list[str]:
    """The files a location names: the file itself, every file of a folder, or a glob's matches."""
    if os.path.isdir(location):
        return sorted(str(p) for p in Path(location).iterdir() if p.is_file() and not p.name.startswith((".", "_")))
    return sorted(glob.glob(location)) if glob.has_magic(location) else [location]


def read_csv(source: SourceConfig, path: str) -> pd.DataFrame:
    """One CSV file as strings, with the source's delimiter, encoding and quoting; malformed lines skipped."""
    options = source.csv
    return pd.read_csv(
        path, sep=options.delimiter, encoding=options.encoding, quotechar=options.quote, header=0 if options.header else None,
        dtype=str, keep_default_na=False, na_values=[""], on_bad_lines="skip",
    )


def read_jsonl(path: str, encoding: str) -> pd.DataFrame:
    """A JSON-lines file, nested objects kept as dicts; lines that are not a JSON object are skipped."""
    rows, skipped = [], 0
    with open(path, encoding=encoding) as lines:
        for line in filter(str.strip, lines):
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                row = None
            if isinstance(row, dict):
                rows.append(row)
            else:
                skipped += 1
    if skipped:
        log.info("%s: skipped %d malformed line(s)", path, skipped)
    return pd.DataFrame.from_records(rows)


def read_jdbc(location: JdbcLocation) -> pd.DataFrame:
    """A PostgreSQL table or query read with psycopg (the JDBC URL as a libpq URI)."""
    import psycopg

    password = os.environ.get(location.password_env) if location.password_env else location.password
    sql = f"SELECT * FROM {location.table}" if location.table else location.query
    with psycopg.connect(location.url.removeprefix("jdbc:"), user=location.user, password=password) as connection:
        cursor = connection.execute(sql)
        return pd.DataFrame(cursor.fetchall(), columns=[c.name for c in cursor.description])


def read_source(source: SourceConfig, config: PipelineConfig) -> pd.DataFrame:
    """The raw rows of a source, every file of its location concatenated."""
    location = source.resolved_location(config.paths)
    if isinstance(location, JdbcLocation):
        return read_jdbc(location)
    readers = {
        "csv": lambda path: read_csv(source, path),
        "jsonl": lambda path: read_jsonl(path, source.csv.encoding),
        "parquet": pd.read_parquet,
    }
    return pd.concat([readers[source.format](path) for path in location_files(location)], ignore_index=True)


def nested_value(value: Any, path: tuple[str | int, ...]) -> Any:
    """Walk keys/indexes into a nested JSON value; None when a step is missing."""
    for key in path:
        if isinstance(key, int) and isinstance(value, list) and key < len(value):
            value = value[key]
        elif isinstance(key, str) and isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value


def mapped_column(source: SourceConfig, raw: pd.DataFrame, reference: str) -> pd.Series:
    """The values of a mapped column reference (dotted paths into nested JSON), as objects; None when absent."""
    ref = source.column_ref(reference)
    if ref.column not in raw.columns:
        return pd.Series([None] * len(raw), index=raw.index, dtype=object)
    column = raw[ref.column].astype(object)
    return column.map(lambda v: nested_value(v, ref.path)) if ref.path else column


def customer_records(source: SourceConfig, raw: pd.DataFrame) -> pd.DataFrame:
    """One row per source record: source, source_record_id and the loaded canonical fields (raw values)."""
    mapping = source.customers
    frame = pd.DataFrame({"source": source.name, "source_record_id": mapped_column(source, raw, mapping.record_id)})
    for field in FIELDS:
        frame[field] = mapped_column(source, raw, mapping.fields[field]) if field in mapping.fields else None
    return frame


def load(config: PipelineConfig) -> pd.DataFrame:
    """Every customer record of every source with a `customers:` mapping, unique by (source, source_record_id)."""
    frames = [customer_records(source, read_source(source, config)) for source in config.sources if source.customers]
    records = pd.concat(frames, ignore_index=True)
    records = records[records["source_record_id"].notna()].copy()
    records["source_record_id"] = records["source_record_id"].astype(str).str.strip()
    records["unique_id"] = records["source"] + ":" + records["source_record_id"]
    duplicates = records["unique_id"].duplicated(keep="last")
    if duplicates.any():
        log.info("dropping %d repeated record ids (keeping the last row of each)", int(duplicates.sum()))
    return records[~duplicates].reset_index(drop=True)


def _text(values: pd.Series) -> pd.Series:
    """Values as stripped strings; empty and missing values become None."""
    text = values.map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip())
    return text.where(text.fillna("") != "", None)


def clean_name(values: pd.Series) -> pd.Series:
    """Lower-case, strip, drop accents (unicodedata NFKD without combining marks)."""
    fold = lambda v: "".join(c for c in unicodedata.normalize("NFKD", v.lower()) if not unicodedata.combining(c))
    return _text(values).map(lambda v: None if v is None else fold(v))


def clean_email(values: pd.Series) -> pd.Series:
    """Lower-case and strip."""
    return _text(values).str.lower()


def _phone(value: str | None) -> str | None:
    """Digits only; a leading 00 or + becomes +."""
    if value is None:
        return None
    digits = re.sub(r"\D", "", value)
    if digits.startswith("00"):
        return "+" + digits[2:]
    return ("+" + digits if value.startswith("+") else digits) or None


def clean_phone(values: pd.Series) -> pd.Series:
    """Digits only; a leading 00 or + becomes +."""
    return _text(values).map(_phone)


def clean_postcode(values: pd.Series) -> pd.Series:
    """Upper-case, no whitespace."""
    return _text(values).map(lambda v: None if v is None else re.sub(r"\s", "", v.upper()) or None)


def parse_dates(values: pd.Series, formats: list[str]) -> pd.Series:
    """ISO dates (YYYY-MM-DD) from the first declared format that parses each value (None when none does)."""
    text = _text(values)
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for pattern in formats:
        parsed = parsed.fillna(pd.to_datetime(text, format=strptime_format(pattern), errors="coerce", exact=False))
    return parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), None)


def clean_birth_date(values: pd.Series, sources: pd.Series, config: PipelineConfig) -> pd.Series:
    """Birth dates parsed with each record's source `date_formats`, as ISO strings."""
    parsed = pd.Series(None, index=values.index, dtype=object)
    for name, rows in values.groupby(sources):
        parsed[rows.index] = parse_dates(rows, config.source(name).date_formats)
    return parsed


def split_full_name(records: pd.DataFrame) -> pd.DataFrame:
    """Where first and last name are missing but a full name is given: first word and last word."""
    words = records["full_name"].map(lambda v: v.split() if v else [])
    missing = records["first_name"].isna() & records["last_name"].isna()
    records.loc[missing, "first_name"] = words[missing].map(lambda w: w[0] if w else None)
    records.loc[missing, "last_name"] = words[missing].map(lambda w: w[-1] if len(w) > 1 else None)
    return records


def clean(records: pd.DataFrame, config: PipelineConfig) -> pd.DataFrame:
    """The hand-written cleaning: names, e-mail, phone, birth date, postcode, identifiers (stripped)."""
    cleaned = records[["unique_id", "source", "source_record_id"]].copy()
    for field in ("first_name", "last_name", "full_name"):
        cleaned[field] = clean_name(records[field])
    cleaned = split_full_name(cleaned).drop(columns="full_name")
    cleaned["birth_date"] = clean_birth_date(records["birth_date"], records["source"], config)
    cleaned["email"] = clean_email(records["email"])
    cleaned["phone"] = clean_phone(records["phone"])
    cleaned["postcode"] = clean_postcode(records["postcode"])
    for field in IDENTIFIERS:
        cleaned[field] = _text(records[field])
    return cleaned


def filled_columns(records: pd.DataFrame, minimum: int = 2) -> set[str]:
    """Columns at least `minimum` records fill; an identifier only when two sources fill it (else it links nothing)."""
    filled = {c for c in records.columns if c not in ("unique_id", "source", "source_record_id") and records[c].notna().sum() >= minimum}
    return {c for c in filled if c not in IDENTIFIERS or records.loc[records[c].notna(), "source"].nunique() >= 2}


def comparisons(filled: set[str]) -> list[Any]:
    """Splink comparison-library comparisons for the filled columns."""
    candidates = {
        "first_name": lambda: cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        "last_name": lambda: cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
        "birth_date": lambda: cl.DateOfBirthComparison("birth_date", input_is_string=True),
        "email": lambda: cl.EmailComparison("email"),
        "phone": lambda: cl.ExactMatch("phone"),
        "postcode": lambda: cl.ExactMatch("postcode"),
        **{field: (lambda f=field: cl.ExactMatch(f)) for field in IDENTIFIERS},
    }
    return [make() for column, make in candidates.items() if column in filled]


def rules(candidates: list[tuple[str, ...]], filled: set[str]) -> list[Any]:
    """block_on rules for the candidates whose columns are all filled."""
    return [block_on(*columns) for columns in candidates if set(columns) <= filled]


BLOCKING = [("email",), ("phone",), ("first_name", "last_name"), ("last_name", "birth_date"), ("postcode", "last_name"), *((f,) for f in IDENTIFIERS)]
"""Blocking rules for prediction (those on unfilled columns are dropped)."""

DETERMINISTIC = [("first_name", "last_name", "birth_date"), ("email",), ("national_id",)]
"""Deterministic rules for the probability that two random records match."""

EM_SESSIONS = [("first_name", "last_name"), ("birth_date",)]
"""Blocking rules of the EM training sessions."""


def new_linker(records: pd.DataFrame, filled: set[str]) -> Linker:
    """A DuckDB Splink linker for deduplication with the comparisons and blocking rules the data supports."""
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(filled),
        blocking_rules_to_generate_predictions=rules(BLOCKING, filled),
        retain_intermediate_calculation_columns=False,
    )
    return Linker(DuckDBAPI().register(records), settings, log_level=logging.WARNING)


def train(linker: Linker, filled: set[str], u_max_pairs: float, seed: int, recall: float) -> None:
    """Prior from deterministic rules, u from random pairs, m by EM on first+last name and on birth date."""
    linker.training.estimate_probability_two_random_records_match(rules(DETERMINISTIC, filled), recall=recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    for rule in rules(EM_SESSIONS, filled):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)


def run_plain(config: PipelineConfig, threshold: float = 0.95, u_max_pairs: float = 1e7, seed: int = 42, recall: float = 0.7) -> dict[str, Any]:
    """Load, clean, train, predict and cluster; the clusters (source, source_record_id, cluster_id) and seconds per step."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal started
        seconds[step] = time.perf_counter() - started
        started = time.perf_counter()

    raw = load(config)
    lap("load")
    records = clean(raw, config)
    filled = filled_columns(records)
    lap("clean")
    linker = new_linker(records, filled)
    train(linker, filled, u_max_pairs, seed, recall)
    lap("train")
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    pairs = int(linker.misc.query_sql(f"select count(*) as n from {predictions.physical_name}", output_type="pandas")["n"][0])
    lap("predict")
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_probability=threshold)
    clusters = clustered.as_pandas_dataframe()[["unique_id", "cluster_id"]].merge(records[["unique_id", "source", "source_record_id"]], on="unique_id")
    lap("cluster")
    seconds["total"] = sum(seconds[step] for step in STEPS)
    log.info("plain Splink: %d records, %d pairs >= %s, %d clusters in %.1fs", len(records), pairs, threshold, clusters["cluster_id"].nunique(), seconds["total"])
    return {"records": len(records), "pairs": pairs, "clusters": clusters, "seconds": seconds, "columns": sorted(filled), "threshold": threshold}


def main() -> None:
    """CLI: run the baseline on a config's sources, write the cluster assignment as CSV and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conf-file", help="pipeline config whose sources to read (default: bundled local)")
    parser.add_argument("--root", help="data folder of the run (samples under {root}/samples)")
    parser.add_argument("--samples-dir", help="folder of the silos (default {root}/samples)")
    parser.add_argument("--threshold", type=float, default=0.95, help="match probability at which pairs join a cluster (default 0.95)")
    parser.add_argument("--u-max-pairs", type=float, default=1e7)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", help="CSV of source, source_record_id, cluster_id (default: {root}/plain_splink_clusters.csv)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("splink").setLevel(logging.WARNING)
    paths = ({"root": args.root, "samples": "{root}/samples"} if args.root else {}) | ({"samples": args.samples_dir} if args.samples_dir else {})
    config = load_config(args.conf_file, environment="local", overrides={"paths": paths})
    result = run_plain(config, threshold=args.threshold, u_max_pairs=args.u_max_pairs, seed=args.seed)
    out = Path(args.out or Path(config.paths.root) / "plain_splink_clusters.csv")
    result["clusters"][["source", "source_record_id", "cluster_id"]].to_csv(out, index=False)
    print(json.dumps({k: v for k, v in result.items() if k != "clusters"} | {"clusters": int(result["clusters"]["cluster_id"].nunique()), "out": str(out)}, indent=2))


if __name__ == "__main__":
    main()
