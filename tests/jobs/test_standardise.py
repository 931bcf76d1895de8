"""Bronze -> silver: counts add up, reruns replace instead of doubling, a failed gate promotes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from golden_record.jobs import ingest, standardise
from golden_record.lakehouse.config import PipelineConfig, SourceConfig
from golden_record.lakehouse.quality import GateFailed, load_suite
from golden_record.lakehouse.storage import open_store
from golden_record.lakehouse.storage.table_store import as_nullable
from golden_record.transforms.silver.interactions import INTERACTION_SCHEMA

SHOP = {
    "name": "shop",
    "system": "webshop",
    "format": "csv",
    "location": None,
    "date_formats": ["dd.MM.yyyy"],
    "timestamp_formats": ["yyyy-MM-dd HH:mm"],
    "default_region": "CH",
    "customers": {
        "record_id": "id",
        "fields": {"first_name": "vorname", "last_name": "name", "email": "mail", "phone": "tel", "birth_date": "geb", "updated_at": "geaendert"},
    },
}
TICKETS = {
    "name": "tickets",
    "system": "support",
    "format": "csv",
    "location": None,
    "timestamp_formats": ["yyyy-MM-dd HH:mm"],
    "interactions": {
        "customer_source": "shop",
        "fields": {"event_id": "ticket", "customer_record_id": "kunde", "event_label": "kategorie", "occurred_at": "am"},
        "channel": "support",
        "labels": {"Reklamation": "complaint", "Frage": "support_request"},
    },
}


@pytest.fixture
def pipeline(spark, config: PipelineConfig, tmp_path: Path):
    """Two small sources in CSV files, ingested into a fresh lakehouse."""
    (tmp_path / "shop.csv").write_text(
        "id,vorname,name,mail,tel,geb,geaendert\n"
        "1,Anna,Müller,Anna.Mueller+shop@Example.com,079 123 45 67,01.02.1980,2024-01-01 10:00\n"
        "1,Anna,Müller,anna@example.com,079 123 45 67,01.02.1980,2024-06-01 10:00\n"  # newer version of record 1
        "2,Bob,Meier,not-an-email,12,31.02.1990,2024-01-01 10:00\n"  # invalid email, phone, date: nulled, kept
        ",Eve,Ohne,eve@example.com,,,2024-01-01 10:00\n"  # no record id: rejected
        "3,,,,,,2024-01-01 10:00\n",  # nothing to recognise the person by: rejected
        encoding="utf-8",
    )
    (tmp_path / "tickets.csv").write_text(
        "ticket,kunde,kategorie,am\nT1,1,Reklamation,2024-02-01 09:30\nT2,2,Lob,2024-02-02 09:30\nT3,2,Frage,2024-02-03 09:30\n"
        "T4,3,Frage,2024-02-04 09:30\n",  # customer 3 was rejected: its event cannot be linked
        encoding="utf-8",
    )
    sources = [SourceConfig.model_validate({**spec, "location": str(tmp_path / f"{spec['name']}.csv")}) for spec in (SHOP, TICKETS)]
    paths = config.paths.model_copy(update={"lakehouse": str(tmp_path / "lakehouse"), "reports": str(tmp_path / "reports")})
    cfg = config.model_copy(update={"sources": sources, "paths": paths})
    store = open_store(spark, cfg)
    ingest.run(cfg, spark, store)
    return cfg, store


def test_counts_add_up_and_bad_rows_are_quarantined_with_reasons(spark, pipeline) -> None:
    cfg, store = pipeline
    result = standardise.run(cfg, spark, store)

    counts = {(c.source, c.table): c for c in result.counts}
    shop = counts[("shop", "silver.customers")]
    assert (shop.bronze_rows, shop.superseded, shop.silver_rows, shop.rejected) == (5, 1, 2, 2)
    assert shop.bronze_rows == shop.superseded + shop.silver_rows + shop.rejected
    tickets = counts[("tickets", "silver.interactions")]
    assert (tickets.bronze_rows, tickets.silver_rows, tickets.rejected) == (4, 2, 2)
    assert store.read("silver.interactions").schema == as_nullable(INTERACTION_SCHEMA), "the one declared schema (also of a source-less, empty table)"

    customers = {r.source_record_id: r for r in store.read("silver.customers").collect()}
    assert customers["1"].email == "anna@example.com", "the newest version of a record wins"
    assert customers["1"].phone == "+41791234567"
    assert (customers["2"].email, customers["2"].phone, customers["2"].birth_date) == (None, None, None)
    quarantine = {(q.record_id, q.rule, q.action) for q in store.read("silver.quarantine").collect()}
    assert {("2", "email_syntax", "value_nulled"), ("2", "date_unparseable", "value_nulled"), ("T2", "label_unmapped", "row_rejected"), ("T4", "customer_unknown", "row_rejected")} <= quarantine
    assert (None, "record_id_missing", "row_rejected") in quarantine
    assert ("3", "no_identifying_attribute", "row_rejected") in quarantine
    assert all(g.success for g in result.gates)
    assert result.docs_index and Path(result.docs_index.removeprefix("file://")).is_file()


def test_a_record_deleted_at_the_source_leaves_silver_and_is_counted(spark, config: PipelineConfig, tmp_path: Path) -> None:
    (tmp_path / "crm.csv").write_text(
        "id,vorname,name,mail,geaendert,geloescht\n"
        "1,Anna,Müller,anna@example.com,2024-01-01 10:00,\n"
        "1,Anna,Müller,anna@example.com,2024-06-01 10:00,2024-06-01 10:00\n"  # newest version: deleted at the source
        "2,Bob,Meier,bob@example.com,2024-01-01 10:00,nein\n"  # an explicit "not deleted"
        "3,Cem,Kaya,cem@example.com,2024-07-01 10:00,2024-05-01 10:00\n"  # deleted before and restored by a newer version
        "3,Cem,Kaya,cem@example.com,2024-08-01 10:00,\n",
        encoding="utf-8",
    )
    spec = {**SHOP, "name": "crm", "location": str(tmp_path / "crm.csv"), "customers": {
        "record_id": "id", "deleted": "geloescht", "fields": {"first_name": "vorname", "last_name": "name", "email": "mail", "updated_at": "geaendert"}}}
    paths = config.paths.model_copy(update={"lakehouse": str(tmp_path / "lakehouse"), "reports": str(tmp_path / "reports")})
    cfg = config.model_copy(update={"sources": [SourceConfig.model_validate(spec)], "paths": paths})
    store = open_store(spark, cfg)
    ingest.run(cfg, spark, store)
    result = standardise.run(cfg, spark, store)

    counts = next(c for c in result.counts if c.table == "silver.customers")
    assert (counts.bronze_rows, counts.superseded, counts.deleted, counts.silver_rows, counts.rejected) == (5, 2, 1, 2, 0)
    assert sorted(r.source_record_id for r in store.read("silver.customers").collect()) == ["2", "3"]
    assert "deleted_at_source" not in store.read("silver.customers").columns
    assert store.read("silver.quarantine").where("record_id = '1'").count() == 0, "a deletion is not a quality issue"


def test_rerun_replaces_silver_instead_of_doubling(spark, pipeline) -> None:
    cfg, store = pipeline
    standardise.run(cfg, spark, store)
    first = {t: store.read(t).count() for t in ("silver.customers", "silver.interactions", "silver.quarantine")}
    standardise.run(cfg, spark, store)
    assert {t: store.read(t).count() for t in first} == first


def test_a_partial_run_checks_events_against_the_customers_already_in_silver(spark, pipeline) -> None:
    cfg, store = pipeline
    standardise.run(cfg, spark, store)
    result = standardise.run(cfg, spark, store, only=["tickets"])

    assert [(c.source, c.silver_rows, c.rejected) for c in result.counts] == [("tickets", 2, 2)]
    assert sorted(r.event_id for r in store.read("silver.interactions").collect()) == ["T1", "T3"]
    assert store.read("silver.customers").count() == 2


def test_a_partial_run_of_a_customer_source_leaves_the_events_of_other_sources(spark, pipeline) -> None:
    cfg, store = pipeline
    standardise.run(cfg, spark, store)
    version = store.version("silver.interactions")

    result = standardise.run(cfg, spark, store, only=["shop"])

    assert [(c.source, c.table) for c in result.counts] == [("shop", "silver.customers")]
    assert [g.table for g in result.gates] == ["silver.customers"]
    assert store.version("silver.interactions") == version, "not rewritten, let alone emptied"
    assert sorted(r.event_id for r in store.read("silver.interactions").collect()) == ["T1", "T3"]


def test_an_event_source_whose_events_are_all_rejected_fails_the_row_count_gate(spark, pipeline) -> None:
    cfg, store = pipeline
    shop, tickets = cfg.sources
    unmapped = tickets.model_copy(update={"interactions": tickets.interactions.model_copy(update={"labels": {"Anfrage": "support_request"}})})
    broken = cfg.model_copy(update={"sources": [shop, unmapped]})

    with pytest.raises(GateFailed, match="silver.interactions") as failure:
        standardise.run(broken, spark, store)
    assert "expect_table_row_count_to_be_between" in str(failure.value), "the floor is 1 when a source maps interactions"
    assert not store.exists("silver.interactions")


def test_a_failing_table_gate_stops_promotion_and_keeps_the_previous_silver(spark, pipeline, tmp_path: Path) -> None:
    cfg, store = pipeline
    standardise.run(cfg, spark, store)
    before = store.version("silver.customers"), sorted(map(tuple, store.read("silver.customers").drop("quality_issues").collect()))

    suites = tmp_path / "suites"
    suites.mkdir()
    for name in ("silver_customers", "silver_interactions"):
        suite = load_suite(name)
        if name == "silver_customers":
            suite["expectations"].append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "email"}})
        (suites / f"{name}.json").write_text(json.dumps(suite), encoding="utf-8")
    strict = cfg.model_copy(update={"quality": cfg.quality.model_copy(update={"suites_dir": str(suites)})})

    with pytest.raises(GateFailed) as failure:
        standardise.run(strict, spark, store)
    message = str(failure.value)
    assert "silver.customers" in message and "expect_column_values_to_not_be_null" in message and "'email'" in message
    assert "1 unexpected" in message, "the message gives the observed value"
    after = store.version("silver.customers"), sorted(map(tuple, store.read("silver.customers").drop("quality_issues").collect()))
    assert after == before
