"""build_gold end to end on small hand-made silver and match tables: gold tables, reruns, id history, gates.

Merges and splits of golden ids are tested on the transforms (tests/transforms/gold/test_golden_ids.py).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from pyspark.sql import functions as F

from golden_record.jobs import build_gold
from golden_record.lakehouse import quality
from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.gold_settings import GoldSettings
from golden_record.lakehouse.quality import GateFailed
from golden_record.lakehouse.storage import open_store
from golden_record.lakehouse.tables import CUSTOMER_360
from golden_record.transforms.linkage.prediction import PAIR_SCHEMA
from golden_record.transforms.silver.interactions import INTERACTION_SCHEMA

GOLD_YAML = Path(__file__).parents[2] / "conf" / "gold.yaml"
ISSUES = "array<struct<field:string, rule:string, value:string, reason:string>>"
CUSTOMERS_DDL = (
    "source_system string, source_record_id string, title string, first_name string, last_name string, first_name_norm string, "
    "last_name_norm string, birth_date date, email string, email_norm string, phone string, street string, street_norm string, "
    "house_number string, address_line2 string, postcode string, city string, city_norm string, region string, country string, "
    "customer_number string, loyalty_card string, national_id string, consent_email boolean, consent_updated_at timestamp, "
    f"source_updated_at timestamp, batch_id string, ingested_at timestamp, row_hash string, quality_issues {ISSUES}"
)
LOADED = datetime(2024, 6, 1, 8, 0)
CUSTOMERS = [
    {"source_system": "crm", "source_record_id": "c1", "first_name": "Anna", "last_name": "Berg", "email": "anna@crm.ch", "street": "Ring",
     "house_number": "4", "postcode": "3011", "city": "Bern", "country": "CH", "consent_email": False,
     "consent_updated_at": datetime(2024, 2, 1), "source_updated_at": datetime(2021, 1, 1)},
    {"source_system": "newsletter", "source_record_id": "n7", "first_name": "Anna", "email": "anna@mail.ch", "consent_email": True,
     "consent_updated_at": datetime(2023, 5, 1), "source_updated_at": datetime(2023, 5, 1)},
    {"source_system": "webshop_accounts", "source_record_id": "w1", "first_name": "Anna", "last_name": "Berg", "birth_date": date(1990, 3, 4),
     "email": "anna@crm.ch", "phone": "+41791234567", "city": "Basel", "country": "CH", "source_updated_at": datetime(2024, 1, 1)},
    {"source_system": "pos_members", "source_record_id": "p3", "first_name": "Ola", "last_name": "Dahl", "loyalty_card": "p3", "country": "NO"},
    {"source_system": "support_tickets", "source_record_id": "t9", "first_name": "Eva", "last_name": "Lind", "email": "eva@lind.se"},
]
INTERACTIONS = [
    ("webshop_orders", "o1", "webshop_accounts", "w1", "order", "webshop_order", "webshop", datetime(2024, 1, 5), "120.50", "EUR"),
    ("webshop_orders", "o2", "webshop_accounts", "w1", "order", "webshop_order", "webshop", datetime(2024, 2, 5), "80.00", "EUR"),
    ("returns", "r1", "webshop_accounts", "w1", "return", "return", "logistics", datetime(2024, 2, 20), "80.00", "EUR"),
    ("pos_receipts", "s1", "pos_members", "p3", "order", "SALE", "store", datetime(2024, 3, 1), "500.00", "NOK"),
    ("support_tickets", "t9", "support_tickets", "t9", "complaint", "Beschwerde", "support", datetime(2024, 4, 1), None, None),
    ("newsletter", "n7", "newsletter", "n7", "newsletter_signup", "opt-in", "newsletter", datetime(2023, 5, 1), None, None),
]
CLUSTERS = {"k1": ["crm:c1", "newsletter:n7", "webshop_accounts:w1"], "k2": ["pos_members:p3"], "k3": ["support_tickets:t9"]}
PAIRS = [("crm:c1", "newsletter:n7", 0.995), ("crm:c1", "webshop_accounts:w1", 0.999), ("newsletter:n7", "webshop_accounts:w1", 0.6)]
GOLD_TABLES = ["gold.customers", "gold.customer_xref", "gold.customer_360", "gold.customer_timeline", "gold.golden_id_history"]


@pytest.fixture
def setup(spark, config: PipelineConfig, tmp_path: Path):
    """A config with the bundled gold settings, a fresh lakehouse, and the silver and match tables above."""
    gold = yaml.safe_load(GOLD_YAML.read_text(encoding="utf-8"))["gold"]
    paths = config.paths.model_copy(update={"lakehouse": str(tmp_path / "lakehouse"), "reports": str(tmp_path / "reports")})
    cfg = config.model_copy(update={"gold": GoldSettings.model_validate(gold), "paths": paths})
    store = open_store(spark, cfg)
    write_silver(spark, store, CUSTOMERS)
    rows = [(*row[:8], Decimal(row[8]) if row[8] else None, row[9], None, None, None, None, "b1", LOADED, "h", []) for row in INTERACTIONS]
    store.overwrite("silver.interactions", spark.createDataFrame(rows, INTERACTION_SCHEMA))
    write_matches(spark, store, CLUSTERS)
    return cfg, store


def write_silver(spark, store, customers: list[dict[str, Any]]) -> None:
    """Overwrite silver.customers with the rows (other columns null, loaded at LOADED)."""
    columns = spark.createDataFrame([], CUSTOMERS_DDL).columns
    full = [{"batch_id": "b1", "ingested_at": LOADED, "row_hash": "h", "quality_issues": [], **row} for row in customers]
    store.overwrite("silver.customers", spark.createDataFrame([tuple(row.get(c) for c in columns) for row in full], CUSTOMERS_DDL))


def write_matches(spark, store, groups: dict[str, list[str]]) -> None:
    """Overwrite gold.match_clusters from {cluster_id: [unique_id, …]} and gold.match_pairs from PAIRS."""
    rows = [(uid, *uid.split(":"), cluster, len(members)) for cluster, members in groups.items() for uid in members]
    schema = "unique_id string, source_system string, source_record_id string, cluster_id string, cluster_size long"
    store.overwrite("gold.match_clusters", spark.createDataFrame(rows, schema))
    pairs = [(l, r, *l.split(":"), *r.split(":"), 9.0, p, "0") for l, r, p in PAIRS]
    store.overwrite("gold.match_pairs", spark.createDataFrame(pairs, PAIR_SCHEMA))


def snapshot(store) -> dict[str, list]:
    """Every gold table's rows, sorted, for comparing runs."""
    return {table: sorted(map(str, store.read(table).collect())) for table in GOLD_TABLES}


@pytest.mark.slow
def test_build_gold_then_rerun_on_the_same_inputs_then_a_failing_gate(spark, setup) -> None:
    cfg, store = setup

    first = build_gold.run(cfg, spark, store, run_id="run-1")
    assert {k: first[k] for k in ("records", "golden_customers", "duplicates_merged", "multi_record_customers", "ids_created", "id_merges", "id_splits")} == {
        "records": 5, "golden_customers": 3, "duplicates_merged": 2, "multi_record_customers": 1, "ids_created": 3, "id_merges": 0, "id_splits": 0,
    }
    assert (first["interactions"], first["orphan_interactions"], first["as_of"]) == (6, 0, "2024-06-01")
    assert all(gate.success for gate in first["gates"]) and len(first["gates"]) == 3

    anna = store.read("gold.customer_xref").where("source_record_id = 'c1'").first()
    assert (anna.golden_id.startswith("GR-"), anna.record_count, anna.match_probability, anna.assigned_run) == (True, 3, 0.999, "run-1")
    golden = store.read("gold.customers").where(f"golden_id = '{anna.golden_id}'").first()
    assert (golden.first_name, golden.last_name, golden.email, golden.city, golden.consent_email) == ("Anna", "Berg", "anna@crm.ch", "Bern", False)
    assert (golden.lineage["email"].source_system, golden.lineage["email"].rule) == ("webshop_accounts", "most_recent")
    kpis = store.read("gold.customer_360").where(f"golden_id = '{anna.golden_id}'").first()
    assert (kpis.order_count, kpis.revenue, kpis.return_rate, kpis.newsletter_status, kpis.value_segment) == (2, Decimal("200.50"), 0.5, "subscribed", "at_risk")
    assert store.read("gold.customer_timeline").where(f"golden_id = '{anna.golden_id}'").count() == 4

    assert sorted((r.change, r.run_id) for r in store.read("gold.golden_changes").collect()) == [("created", "run-1")] * 3
    before = snapshot(store)
    history_version, changes_version = store.version("gold.golden_id_history"), store.version("gold.golden_changes")
    again = build_gold.run(cfg, spark, store, run_id="run-2")
    assert snapshot(store) == before  # same inputs: identical gold tables, also the xref's assigned_run
    assert store.version("gold.golden_id_history") == history_version
    assert (again["ids_created"], again["id_merges"], again["id_splits"]) == (0, 0, 0)
    assert store.version("gold.golden_changes") == changes_version and again["changes"] == 0  # nothing changed: nothing listed

    eva = store.read("gold.customer_xref").where("source_record_id = 't9'").first().golden_id
    write_silver(spark, store, [*CUSTOMERS[:4], {**CUSTOMERS[4], "email": "eva@lind.example"}])  # Eva writes from a new address
    third = build_gold.run(cfg, spark, store, run_id="run-3")
    assert [(r.golden_id, r.change, r.fields) for r in store.read("gold.golden_changes").where("run_id = 'run-3'").collect()] == [(eva, "updated", ["email"])]
    assert (third["customers_updated"], third["changes"]) == (1, 1)

    versions = {table: store.version(table) for table in GOLD_TABLES}
    write_silver(spark, store, [*CUSTOMERS, {"source_system": "crm", "source_record_id": "c2", "last_name": "Neu"}])  # not matched yet
    with pytest.raises(GateFailed, match="gold.customer_xref"):
        build_gold.run(cfg, spark, store, run_id="run-4")
    assert {table: store.version(table) for table in GOLD_TABLES} == versions


def test_build_gold_on_empty_interactions_gives_zero_kpis_and_its_gates_still_check(spark, setup) -> None:
    cfg, store = setup
    store.overwrite("silver.interactions", spark.createDataFrame([], INTERACTION_SCHEMA))  # customers-only sources

    counts = build_gold.run(cfg, spark, store, run_id="run-1")

    assert (counts["golden_customers"], counts["interactions"], counts["orphan_interactions"], counts["as_of"]) == (3, 0, 0, "2024-06-01")
    assert all(gate.success for gate in counts["gates"]) and len(counts["gates"]) == 3
    assert store.read("gold.customer_timeline").count() == 0
    kpis = store.read("gold.customer_360")
    assert kpis.count() == 3
    assert {tuple(row) for row in kpis.select("interaction_count", "order_count", "revenue", "invoice_count", "return_rate", "last_contact_at", "value_segment").collect()} == {
        (0, 0, Decimal("0.00"), 0, None, None, "prospect")
    }

    # the 360 gate is not vacuous on empty interactions: null counts, or events counted that the timeline lacks, fail it
    parameters = {"golden_ids": 3, "segments": ["prospect"], "newsletter_statuses": ["subscribed", "unsubscribed"], "timeline_events": 0}
    reports = cfg.paths.reports
    nulls = quality.validate(kpis.withColumn("order_count", F.lit(None).cast("bigint")), CUSTOMER_360, reports, parameters)
    assert [(o.expectation, o.column) for o in nulls.blocking_failures] == [("expect_column_values_to_not_be_null", "order_count")]
    counted = quality.validate(kpis.withColumn("interaction_count", F.lit(1).cast("bigint")), CUSTOMER_360, reports, parameters)
    assert [(o.expectation, o.column) for o in counted.blocking_failures] == [("expect_column_sum_to_be_between", "interaction_count")]
