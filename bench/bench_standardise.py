"""Push synthetic customer rows through each silver standardiser, then all of them, and print rows/s.

Usage: .venv/bin/python bench/bench_standardise.py [rows]   (default 1,000,000; local[2] session from conf/local.yaml)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from golden_record.lakehouse.config import load_config
from golden_record.lakehouse.session import get_spark
from golden_record.transforms.silver.addresses import split_house_number, standardise_city, standardise_postcode, standardise_street
from golden_record.transforms.silver.countries import standardise_country
from golden_record.transforms.silver.dates import parse_date
from golden_record.transforms.silver.emails import standardise_email
from golden_record.transforms.silver.names import split_full_name, standardise_names
from golden_record.transforms.silver.phones import standardise_phone

SAMPLES = {
    "first_name": ["Hans", "ANNA", "Dr. Jörg", "hans-peter", "Zoë", "Björn", "Kari", "Sean", "Marie-Luise", "Prof. Dr. Eva"],
    "last_name": ["Müller", "MUELLER", "von der Leyen", "Jørgensen", "o'brien", "Schmidt", "Nielsen", "Strauß", "Weber2", "Åberg"],
    "birth_date": ["1980-02-13", "13.02.1980", "31.02.1980", "1975-12-01", "2999-01-01", "42", "01.01.1960", "", "1990-07-30", "1955-03-03"],
    "email": ["Anna+shop@Web.de", "max.muster@googlemail.com", "bad@@x.de", "kari@online.no", " jorg@gmx.ch ", "x@y"],
    "street": ["Hauptstr. 12a", "Bahnhof-Straße 3", "Storgata 5 B", "Kirkeveien 10", "Kungsgatan 44", "Vesterbrogade 12", "Ring 12-14"],
    "postcode": ["D-12345", "8001", "0150", "123 45", "2100", "12345", "A-1010"],
    "city": ["BERLIN", "Zürich", "Oslo", "Stockholm", "København", "wien", "Frankfurt (Oder)"],
    "country": ["DE", "Schweiz", "Norge", "Sverige", "DK", "Österreich", "Atlantis"],
    "default_region": ["DE", "CH", "NO", "SE", "DK", "AT", "DE"],
}
PHONE_PREFIXES = {"DE": "030 ", "CH": "079 ", "NO": "9", "SE": "08-", "DK": "2", "AT": "0664 "}


def synthetic_customers(spark: SparkSession, rows: int) -> DataFrame:
    """`rows` bronze-like customer rows (raw strings) cycling through SAMPLES, with distinct phone numbers."""
    columns = {name: F.element_at(F.array(*map(F.lit, values)), (F.col("id") % len(values) + 1).cast("int")) for name, values in SAMPLES.items()}
    region = columns["default_region"]
    prefix = F.element_at(F.create_map(*[F.lit(x) for pair in PHONE_PREFIXES.items() for x in pair]), region)
    digits = F.lpad((F.col("id") % 10_000_000).cast("string"), 7, "1")
    return spark.range(rows).select(*[c.alias(n) for n, c in columns.items()], F.concat(prefix, digits).alias("phone"), F.lit(None).cast("string").alias("full_name"))


def timed(label: str, df: DataFrame, rows: int) -> None:
    """Run `df` to a no-op sink and print seconds and rows/s (input generation included)."""
    start = time.perf_counter()
    df.write.format("noop").mode("overwrite").save()
    seconds = time.perf_counter() - start
    print(f"{label:<22} {seconds:7.1f} s {rows / seconds:>12,.0f} rows/s", flush=True)


def main() -> None:
    """Time each standardiser and the whole chain on synthetic rows, then count the issues found."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    overrides = {"paths": {"root": tempfile.mkdtemp(prefix="bench-standardise-")}, "spark": {"extra_jars": [], "conf": {"spark.ui.showConsoleProgress": "false"}}}
    config = load_config(environment="local", overrides=overrides)
    spark = get_spark(config)
    rules = config.standardisation
    print(f"{rows:,} rows, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, Spark {spark.version}")
    source = synthetic_customers(spark, rows)
    timed("input generation only", source, rows)
    steps = {
        "names": lambda df: standardise_names(split_full_name(df, rules), rules),
        "birth_date": lambda df: parse_date(df, "birth_date", ["yyyy-MM-dd", "dd.MM.yyyy"]),
        "email": lambda df: standardise_email(df, rules),
        "phone": standardise_phone,
        "country": lambda df: standardise_country(df, rules),
        "house_number+street": lambda df: standardise_street(split_house_number(df), rules),
        "postcode": lambda df: standardise_postcode(df, rules),
        "city": lambda df: standardise_city(df, rules),
    }
    for label, step in steps.items():
        timed(label, step(source), rows)
    everything = source
    for step in steps.values():
        everything = step(everything)
    timed("all standardisers", everything, rows)
    issues = everything.select(F.explode("quality_issues.rule").alias("rule")).groupBy("rule").count().orderBy("rule")
    for row in issues.collect():
        print(f"  issue {row['rule']:<30} {row['count']:>10,}")
    spark.stop()


if __name__ == "__main__":
    main()
