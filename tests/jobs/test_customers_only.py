"""Customer-only onboarding end to end: CRM + shop accounts + newsletter, no interaction source (events come later).

ingest -> standardise -> match (bundled model) -> build_gold through the job modules, on a config file that `extends`
the bundled test config, as a user's `--conf-file` would.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from chispa import assert_df_equality
from pyspark.sql import functions as F

from golden_record.jobs import build_gold, ingest, match, standardise
from golden_record.lakehouse.config import bundled_config_path, load_config
from golden_record.lakehouse.storage import open_store
from golden_record.lakehouse.storage.table_store import as_nullable
from golden_record.lakehouse.tables import CUSTOMER_TIMELINE
from golden_record.transforms.silver.interactions import INTERACTION_SCHEMA

pytestmark = pytest.mark.slow  # one onboarding run shared by the module: minutes

CRM_CSV = (
    "kundennr;vorname;nachname;email;telefon;geburtsdatum;geaendert\n"
    "1;Anna;Müller;anna.mueller@web.de;+49 170 1234567;12.03.1985;2024-05-01 10:00:00\n"
    "2;Jonas;Schmidt;jonas.schmidt@gmx.de;+49 151 1111111;01.07.1990;2024-05-02 10:00:00\n"
)
SHOP_JSONL = (
    '{"account": "w1", "first": "Anna", "last": "Mueller", "mail": "Anna.Mueller@web.de", "phone": "0170 1234567", "updated": "2024-05-03 09:00:00"}\n'
    '{"account": "w2", "first": "Karin", "last": "Lund", "mail": "karin.lund@online.no", "phone": "+47 912 34 567", "updated": "2024-05-04 09:00:00"}\n'
)
NEWSLETTER_CSV = "id,email,vorname,optin,datum\nn1,anna.mueller@web.de,Anna,ja,2024-05-05 08:00:00\n"
SOURCES = [
    {
        "name": "crm",
        "system": "crm",
        "format": "csv",
        "location": "{samples}/crm.csv",
        "csv": {"delimiter": ";"},
        "date_formats": ["dd.MM.yyyy"],
        "customers": {
            "record_id": "kundennr",
            "fields": {"first_name": "vorname", "last_name": "nachname", "email": "email", "phone": "telefon", "birth_date": "geburtsdatum", "updated_at": "geaendert"},
        },
    },
    {
        "name": "webshop_accounts",
        "system": "webshop",
        "format": "jsonl",
        "location": "{samples}/shop.jsonl",
        "customers": {"record_id": "account", "fields": {"first_name": "first", "last_name": "last", "email": "mail", "phone": "phone", "updated_at": "updated"}},
    },
    {
        "name": "newsletter",
        "system": "newsletter",
        "format": "csv",
        "location": "{samples}/newsletter.csv",
        "customers": {"record_id": "id", "fields": {"email": "email", "first_name": "vorname", "consent_email": "optin", "consent_updated_at": "datum", "updated_at": "datum"}},
    },
]
BUNDLED_MODEL = Path(__file__).parents[2] / "linkage_models" / "customer_model.json"
"""Matching with the bundled model, asked for by name (a first onboarding has too few records to train on)."""
GOLD_TABLES = ("gold.customers", "gold.customer_xref", "gold.golden_id_history", "gold.customer_360", "gold.customer_timeline")


@pytest.fixture(scope="module")
def onboarded(spark, tmp_path_factory: pytest.TempPathFactory):
    """The customers-only config (a YAML extending the bundled test config) and its lakehouse after a full run."""
    root = tmp_path_factory.mktemp("customers-only")
    samples = root / "samples"
    samples.mkdir()
    (samples / "crm.csv").write_text(CRM_CSV, encoding="utf-8")
    (samples / "shop.jsonl").write_text(SHOP_JSONL, encoding="utf-8")
    (samples / "newsletter.csv").write_text(NEWSLETTER_CSV, encoding="utf-8")
    conf_file = root / "customers-only.yaml"
    conf_file.write_text(yaml.safe_dump({"extends": str(bundled_config_path("test")), "paths": {"root": str(root)}, "linkage": {"model": str(BUNDLED_MODEL)}, "sources": SOURCES}), encoding="utf-8")
    config = load_config(conf_file)
    assert all(source.interactions is None for source in config.sources)
    store = open_store(spark, config)

    ingest.run(config, spark, store)
    silver = standardise.run(config, spark, store)
    matched = match.run(config, spark, store)
    gold = build_gold.run(config, spark, store, run_id="onboarding-1")
    return config, store, silver, matched, gold


def test_standardise_writes_an_empty_silver_interactions_of_the_canonical_schema(onboarded) -> None:
    _, store, silver, _, _ = onboarded
    events = store.read("silver.interactions")
    assert events.count() == 0
    assert events.schema == as_nullable(INTERACTION_SCHEMA), "the same schema as standardised events: later event sources append to it"
    assert store.read("silver.customers").count() == 5
    assert {c.table for c in silver.counts} == {"silver.customers"}, "no counts for a table no source feeds"

    gates = {gate.table: gate for gate in silver.gates}
    assert set(gates) == {"silver.customers", "silver.interactions"} and all(g.success for g in gates.values())
    floor = next(o for o in gates["silver.interactions"].outcomes if o.expectation == "expect_table_row_count_to_be_between")
    assert floor.observed == 0, "the empty table is gated like any other promotion, with a row-count floor of 0"


def test_build_gold_gives_golden_records_xref_and_id_history(onboarded) -> None:
    _, store, _, matched, gold = onboarded
    assert matched["records"] == 5
    clusters = {row.unique_id: row.cluster_id for row in store.read("gold.match_clusters").collect()}
    owners = {row.unique_id: row.golden_id for row in store.read("gold.customer_xref").collect()}
    assert set(owners) == set(clusters) == {"crm:1", "crm:2", "webshop_accounts:w1", "webshop_accounts:w2", "newsletter:n1"}
    assert {(a, b) for a in owners for b in owners if owners[a] == owners[b]} == {(a, b) for a in clusters for b in clusters if clusters[a] == clusters[b]}, (
        "one golden customer per match cluster"
    )
    assert len({owners["crm:1"], owners["crm:2"], owners["webshop_accounts:w2"]}) == 3, "Anna, Jonas and Karin are three people"

    customers = len(set(owners.values()))
    assert (gold["records"], gold["golden_customers"], gold["duplicates_merged"], gold["interactions"], gold["orphan_interactions"]) == (5, customers, 5 - customers, 0, 0)
    golden = {row.golden_id: row for row in store.read("gold.customers").collect()}
    assert set(golden) == set(owners.values())
    anna = golden[owners["crm:1"]]
    assert (anna.first_name, anna.last_name, anna.email, anna.phone) == ("Anna", "Müller", "anna.mueller@web.de", "+491701234567")
    assert anna.record_count == sum(1 for gid in owners.values() if gid == owners["crm:1"])
    assert golden[owners["newsletter:n1"]].consent_email is True, "the newsletter opt-in survives into gold.customers"
    history = store.read("gold.golden_id_history")
    assert sorted((row.event, row.golden_id, row.records_moved) for row in history.collect()) == sorted(
        ("created", gid, sum(1 for other in owners.values() if other == gid)) for gid in set(owners.values())
    )


def test_the_timeline_is_empty_and_the_360_has_zero_kpis(spark, onboarded) -> None:
    _, store, _, _, gold = onboarded
    timeline = store.read("gold.customer_timeline")
    assert timeline.count() == 0 and tuple(timeline.columns) == CUSTOMER_TIMELINE.columns

    as_of = store.read("silver.customers").agg(F.max("ingested_at")).first()[0].date()
    assert gold["as_of"] == as_of.isoformat(), "no interactions: as of the latest load into silver.customers, not today"
    kpis = store.read("gold.customer_360")
    golden_ids = sorted(row.golden_id for row in store.read("gold.customers").select("golden_id").collect())
    zero = {
        "first_contact_at": None, "last_contact_at": None, "channels": [], "preferred_purchase_channel": None,
        "preferred_research_channel": None, "interaction_count": 0, "order_count": 0,
        "revenue": Decimal("0.00"), "revenue_currency": "EUR", "return_count": 0, "return_rate": None, "invoice_count": 0,
        "avg_days_to_pay": None, "invoices_paid_late": 0, "late_payment_share": None, "dunning_count": 0, "complaint_count": 0,
        "open_complaints": 0, "newsletter_status": None, "value_segment": "prospect", "as_of": as_of,
    }
    expected = spark.createDataFrame([(gid, *zero.values()) for gid in golden_ids], kpis.schema)
    assert_df_equality(kpis, expected, ignore_row_order=True, ignore_nullable=True)


def test_every_gold_gate_ran_and_checked_the_empty_interactions(onboarded) -> None:
    _, _, _, _, gold = onboarded
    gates = {gate.table: gate for gate in gold["gates"]}
    assert set(gates) == {"gold.customers", "gold.customer_xref", "gold.customer_360"} and all(g.success for g in gates.values())
    kpi_gate = gates["gold.customer_360"]
    counted = next(o for o in kpi_gate.outcomes if o.expectation == "expect_column_sum_to_be_between")
    assert (counted.column, counted.success, counted.observed) == ("interaction_count", True, 0), "the sum is checked: 0 events, 0 counted"
    not_null = {o.column for o in kpi_gate.outcomes if o.expectation == "expect_column_values_to_not_be_null" and o.success}
    assert {"interaction_count", "order_count", "revenue", "invoice_count", "dunning_count"} <= not_null, "zeros, checked as not null"


def test_a_rerun_and_a_partial_standardise_keep_silver_and_gold(spark, onboarded) -> None:
    config, store, _, _, _ = onboarded
    before = {table: sorted(map(str, store.read(table).collect())) for table in GOLD_TABLES}
    events_version = store.version("silver.interactions")

    partial = standardise.run(config, spark, store, only=["newsletter"])
    assert [(c.source, c.silver_rows) for c in partial.counts] == [("newsletter", 1)]
    assert store.version("silver.interactions") == events_version, "a partial run does not rewrite a table no source of it feeds"
    assert store.read("silver.customers").count() == 5, "the other sources' customers stay"

    again = build_gold.run(config, spark, store, run_id="onboarding-2")
    assert {table: sorted(map(str, store.read(table).collect())) for table in GOLD_TABLES} == before, "same data: the same gold, ids and as-of included"
    assert (again["ids_created"], again["id_merges"], again["id_splits"], again["ids_retired"]) == (0, 0, 0, 0)


def test_a_partial_first_run_creates_the_empty_table_and_build_gold_finds_it(spark, onboarded, tmp_path: Path) -> None:
    config, _, _, _, _ = onboarded
    fresh = config.model_copy(update={"paths": config.paths.model_copy(update={"lakehouse": str(tmp_path / "lakehouse"), "reports": str(tmp_path / "reports")})})
    store = open_store(spark, fresh)
    ingest.run(fresh, spark, store, only=["crm"])

    standardise.run(fresh, spark, store, only=["crm"])

    assert store.read("silver.interactions").count() == 0
    assert store.read("silver.interactions").schema == as_nullable(INTERACTION_SCHEMA)
