"""The match job on Spark: gold match tables with their documented schemas and the right clusters; the evaluate job."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from jobs import evaluate, match
from lakehouse.config import PipelineConfig
from lakehouse.storage import as_nullable, open_store
from transforms.clustering import CLUSTER_SCHEMA, REVIEW_SCHEMA
from transforms.linkage import PAIR_SCHEMA

SILVER_COLUMNS = (
    "source_system string, source_record_id string, first_name_norm string, last_name_norm string, birth_date date, "
    "email_norm string, phone string, street_norm string, house_number string, postcode string, city_norm string"
)
D = dt.date.fromisoformat
SILVER = [
    # one person: CRM record, web account, newsletter sign-up
    ("crm", "1", "anna", "mueller", D("1985-03-12"), "anna.mueller@web.de", "+4917012345678", "hauptstrasse", "12", "10115", "berlin"),
    ("webshop_accounts", "w1", "anna", "mueller", None, "anna.mueller@web.de", "+4917012345678", "hauptstrasse", "12", "10115", "berlin"),
    ("newsletter", "n1", "anna", None, None, "anna.mueller@web.de", None, None, None, None, None),
    # twins sharing everything but the first name
    ("crm", "2", "jonas", "schmidt", D("1990-07-01"), "familie.schmidt@gmx.de", "+4915111111111", "lindenweg", "5", "80331", "muenchen"),
    ("crm", "3", "lukas", "schmidt", D("1990-07-01"), "familie.schmidt@gmx.de", "+4915122222222", "lindenweg", "5", "80331", "muenchen"),
    # someone else
    ("erp_debtors", "e1", "karin", "lund", None, "karin.lund@online.no", "+4791234567", "storgata", "1", "0155", "oslo"),
]


@pytest.fixture(scope="module")
def matched(spark: SparkSession, config: PipelineConfig, tmp_path_factory: pytest.TempPathFactory):
    """The match job run once on the Spark backend (bundled model) over a fresh lakehouse."""
    root = tmp_path_factory.mktemp("match")
    settings = config.model_copy(update={"paths": config.paths.model_copy(update={"lakehouse": str(root / "lakehouse"), "models": str(root / "models")})})
    store = open_store(spark, settings)
    store.overwrite("silver.customers", spark.createDataFrame(SILVER, SILVER_COLUMNS))
    return store, match.run(settings, spark, store)


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
    assert Path(counts["model"]).name == "customer_model.json"  # nothing trained under paths.models: the bundled model


def test_evaluate_scores_against_the_truth_and_writes_the_report(spark: SparkSession, config: PipelineConfig, matched, tmp_path: Path, capsys) -> None:
    store, _ = matched
    truth = tmp_path / "ground_truth.csv"
    persons = {"1": "P1", "w1": "P1", "n1": "P1", "2": "P2", "3": "P3", "e1": "P4"}
    truth.write_text("source,source_record_id,person_id\n" + "".join(f"{s},{r},{persons[r]}\n" for s, r, *_ in SILVER), encoding="utf-8")
    settings = config.model_copy(update={"paths": config.paths.model_copy(update={"reports": str(tmp_path / "reports")}), "linkage": {**config.linkage, "backend": "duckdb"}})

    metrics = evaluate.run(settings, spark, store, str(truth))

    assert metrics["records"] == metrics["records_in_truth"] == 6
    assert metrics["clusters"]["f1"] == 1.0 and metrics["clusters"]["actual"] == 3
    assert metrics["blocking"]["reachable_cluster_recall"] == 1.0
    assert metrics["blocking"]["pair_completeness"] == 1.0
    report = Path(metrics["report"])
    assert report.is_file() and {"match_weights.html", "merges.html", "cluster_sizes.html", "metrics.json"} <= {p.name for p in report.parent.iterdir()}
    assert "clusters: precision 1.0000, recall 1.0000, F1 1.0000" in capsys.readouterr().out
