"""The match job on Spark: gold match tables with their documented schemas and the right clusters; the evaluate job."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from golden_record.jobs import evaluate, match, train
from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.linkage_settings import BUNDLED_MODEL, LinkageSettings, bundled_file
from golden_record.lakehouse.storage import open_store
from golden_record.lakehouse.storage.table_store import as_nullable
from golden_record.transforms.linkage.clustering import CLUSTER_SCHEMA, REVIEW_SCHEMA
from golden_record.transforms.linkage.prediction import PAIR_SCHEMA

SILVER_COLUMNS = (
    "source_system string, source_record_id string, first_name_norm string, last_name_norm string, birth_date date, "
    "email_norm string, phone string, street_norm string, house_number string, postcode string, city_norm string, "
    "national_id string, customer_number string, loyalty_card string"
)
NO_IDS = (None, None, None)
D = dt.date.fromisoformat
SILVER = [
    # one person: CRM record, web account, newsletter sign-up
    ("crm", "1", "anna", "mueller", D("1985-03-12"), "anna.mueller@web.de", "+4917012345678", "hauptstrasse", "12", "10115", "berlin", *NO_IDS),
    ("webshop_accounts", "w1", "anna", "mueller", None, "anna.mueller@web.de", "+4917012345678", "hauptstrasse", "12", "10115", "berlin", *NO_IDS),
    ("newsletter", "n1", "anna", None, None, "anna.mueller@web.de", None, None, None, None, None, *NO_IDS),
    # twins sharing everything but the first name
    ("crm", "2", "jonas", "schmidt", D("1990-07-01"), "familie.schmidt@gmx.de", "+4915111111111", "lindenweg", "5", "80331", "muenchen", *NO_IDS),
    ("crm", "3", "lukas", "schmidt", D("1990-07-01"), "familie.schmidt@gmx.de", "+4915122222222", "lindenweg", "5", "80331", "muenchen", *NO_IDS),
    # someone else
    ("erp_debtors", "e1", "karin", "lund", None, "karin.lund@online.no", "+4791234567", "storgata", "1", "0155", "oslo", *NO_IDS),
]


def _bundled_model_linkage(config: PipelineConfig) -> dict:
    """Linkage settings with the bundled model asked for by name, fixed thresholds and the opt-in first-name guard (twins)."""
    first_name_guard = {"comparison": "first_name", "max_conflict_level": "All other comparisons"}
    fixed = {"match_threshold": 0.35, "cluster_threshold": 0.2, "review_band": {"low": 0.1, "high": 0.35}}
    linkage = config.linkage.model_dump()
    return {**linkage, **fixed, "model": str(bundled_file(BUNDLED_MODEL)), "cluster_guards": [*linkage["cluster_guards"], first_name_guard]}


@pytest.fixture(scope="module")
def matched(spark: SparkSession, config: PipelineConfig, tmp_path_factory: pytest.TempPathFactory):
    """The match job run once on the Spark backend over a fresh lakehouse, with the bundled model configured explicitly."""
    root = tmp_path_factory.mktemp("match")
    linkage = _bundled_model_linkage(config)
    paths = config.paths.model_copy(update={"lakehouse": str(root / "lakehouse"), "models": str(root / "models")})
    settings = config.model_copy(update={"paths": paths, "linkage": LinkageSettings.model_validate(linkage)})
    store = open_store(spark, settings)
    store.overwrite("silver.customers", spark.createDataFrame(SILVER, SILVER_COLUMNS))
    return store, match.run(settings, spark, store)


def test_match_leaves_no_intermediate_table_of_splink_behind(spark: SparkSession, matched) -> None:
    folder = spark.sparkContext._jsc.sc().getCheckpointDir().get()  # Splink writes its __splink__df_* parquet here
    leftovers = list(Path(folder.removeprefix("file:")).iterdir()) if Path(folder.removeprefix("file:")).exists() else []
    assert leftovers == [], "every compared pair's values would stay on disk"


def test_match_writes_gold_tables_with_the_documented_schemas(matched) -> None:
    store, _ = matched
    assert store.read("gold.match_pairs").schema == as_nullable(PAIR_SCHEMA)
    assert store.read("gold.match_clusters").schema == as_nullable(CLUSTER_SCHEMA)
    assert store.read("gold.match_review").schema == as_nullable(REVIEW_SCHEMA)


def test_match_clusters_duplicates_and_keeps_twins_apart(matched) -> None:
    store, counts = matched
    clusters = store.read("gold.match_clusters")
    found = {frozenset(row.members) for row in clusters.groupBy("cluster_id").agg(F.collect_set("unique_id").alias("members")).collect()}
    assert found == {
        frozenset({"crm:1", "webshop_accounts:w1", "newsletter:n1"}),
        frozenset({"crm:2"}),
        frozenset({"crm:3"}),
        frozenset({"erp_debtors:e1"}),
    }
    assert clusters.where("unique_id = 'crm:1'").first().cluster_size == 3
    assert counts["records"] == 6 and counts["clusters"] == 4 and counts["multi_record_clusters"] == 1 and counts["largest_cluster"] == 3
    assert counts["pairs"] == store.read("gold.match_pairs").count()
    assert counts["comparisons"] >= counts["pairs"]
    assert Path(counts["model"]).name == "customer_model.json"  # configured explicitly: the bundled model


def test_evaluate_scores_against_the_truth_and_writes_the_report(spark: SparkSession, config: PipelineConfig, matched, tmp_path: Path, capsys) -> None:
    store, _ = matched
    truth = tmp_path / "ground_truth.csv"
    persons = {"1": "P1", "w1": "P1", "n1": "P1", "2": "P2", "3": "P3", "e1": "P4"}
    truth.write_text("source,source_record_id,person_id\n" + "".join(f"{s},{r},{persons[r]}\n" for s, r, *_ in SILVER), encoding="utf-8")
    linkage = {**_bundled_model_linkage(config), "backend": "duckdb"}
    settings = config.model_copy(update={"paths": config.paths.model_copy(update={"reports": str(tmp_path / "reports")}), "linkage": LinkageSettings.model_validate(linkage)})

    metrics = evaluate.run(settings, spark, store, str(truth))

    assert metrics["records"] == metrics["records_in_truth"] == 6
    assert metrics["clusters"]["f1"] == 1.0 and metrics["clusters"]["actual"] == 3
    assert metrics["blocking"]["reachable_cluster_recall"] == 1.0
    assert metrics["blocking"]["pair_completeness"] == 1.0
    report = Path(metrics["report"])
    assert report.is_file() and {"match_weights.html", "merges.html", "cluster_sizes.html", "metrics.json"} <= {p.name for p in report.parent.iterdir()}
    assert "clusters: precision 1.0000, recall 1.0000, F1 1.0000" in capsys.readouterr().out


FIRST = ["anna", "marie", "sophie", "julia", "laura", "lea", "sarah", "lisa", "nina", "eva", "jan", "tim", "max", "ben", "leon", "paul"]
LAST = ["meier", "huber", "wagner", "keller", "brunner", "frei", "graf", "roth", "baumann", "gerber", "moser", "widmer"]


def _register(persons: int, seed: int) -> list[tuple]:
    """A register with national ids in two silos: the shop account often under another e-mail or a married name, never a birth date."""
    rng = random.Random(seed)
    rows = []
    for k in range(persons):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(15000))
        national_id = f"756.{k:04d}.{rng.randrange(10_000):04d}.{rng.randrange(100):02d}"
        postcode = str(8000 + rng.randrange(50))
        rows.append(("crm", f"c{k}", first, last, birth, f"{first}.{last}{k}@mail.ch", None, None, None, postcode, "zuerich", national_id, None, None))
        if rng.random() < 0.6:
            shop_last = rng.choice(LAST) if rng.random() < 0.3 else last
            email = f"{first[0]}{k}@shop.ch" if rng.random() < 0.5 else f"{first}.{last}{k}@mail.ch"
            rows.append(("webshop_accounts", f"w{k}", first, shop_last, None, email, None, None, None, postcode if rng.random() < 0.5 else None, None, national_id.replace(".", ""), None, None))
    return rows


def test_identifiers_are_evidence_and_conflicting_ids_keep_namesakes_apart(spark: SparkSession, config: PipelineConfig, tmp_path: Path) -> None:
    rows = _register(400, seed=11)
    # married name, other e-mail, no birth date: only the first name and the national id agree
    rows.append(("crm", "m1", "vreni", "keller", D("1971-04-04"), "vreni.keller@mail.ch", None, None, None, "8001", "zuerich", "756.9999.1111.22", None, None))
    rows.append(("webshop_accounts", "m2", "vreni", "schoch", None, "v.schoch@shop.ch", None, None, None, None, None, "7569999111122", None, None))
    # namesakes with the same birth date and postcode, but other national ids
    rows.append(("crm", "n1", "ueli", "frei", D("1960-06-06"), None, None, None, None, "8002", "zuerich", "756.8888.0000.11", None, None))
    rows.append(("webshop_accounts", "n2", "ueli", "frei", D("1960-06-06"), None, None, None, None, "8002", None, "756.7777.5555.33", None, None))
    linkage = {**config.linkage.model_dump(), "backend": "duckdb", "training": {**config.linkage.training.model_dump(), "u_max_pairs": 2e5}}
    settings = config.model_copy(update={"paths": config.paths.model_copy(update={"lakehouse": str(tmp_path / "lakehouse"), "models": str(tmp_path / "models")}), "linkage": LinkageSettings.model_validate(linkage)})
    store = open_store(spark, settings)
    store.overwrite("silver.customers", spark.createDataFrame(rows, SILVER_COLUMNS))

    train.run(settings, spark, store)
    match.run(settings, spark, store)

    cluster = {row.unique_id: row.cluster_id for row in store.read("gold.match_clusters").collect()}
    assert cluster["crm:m1"] == cluster["webshop_accounts:m2"]
    assert cluster["crm:n1"] != cluster["webshop_accounts:n2"]
