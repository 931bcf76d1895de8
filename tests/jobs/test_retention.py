"""`golden-record retention`: long-inactive golden customers are erased, expired interactions leave bronze, silver and gold."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pyspark.sql import functions as F

from golden_record.jobs import retention
from golden_record.jobs.cli import main
from golden_record.lakehouse.storage import open_store

pytestmark = pytest.mark.slow


def _with_rules(config, **rules):
    settings = config.privacy.model_copy(update={"retention": config.privacy.retention.model_copy(update=rules)})
    return config.model_copy(update={"privacy": settings})


def test_inactive_customers_are_erased_and_expired_interactions_removed_everywhere(spark, copy_of_run):
    store = open_store(spark, copy_of_run)
    xref = {(r.source_system, r.source_record_id): r.golden_id for r in store.read("gold.customer_xref").collect()}
    latest: dict[str, datetime] = {}
    for r in store.read("silver.customers").collect():
        if r.source_updated_at:
            golden_id = xref[(r.source_system, r.source_record_id)]
            latest[golden_id] = max(latest.get(golden_id, r.source_updated_at), r.source_updated_at)
    timeline = store.read("gold.customer_timeline").collect()
    open_ids = {e.golden_id for e in timeline if e.status == "open"}
    for e in timeline:
        latest[e.golden_id] = max(latest.get(e.golden_id, e.occurred_at), e.occurred_at)
    middle = sorted(latest.values())[len(latest) // 2]
    cutoff = datetime(middle.year, middle.month, middle.day)
    as_of = date(cutoff.year + 1, cutoff.month, min(cutoff.day, 28))
    cutoff = datetime(as_of.year - 1, as_of.month, as_of.day)
    expected_erased = {g for g, at in latest.items() if at < cutoff and g not in open_ids}
    assert expected_erased and len(expected_erased) < len(set(xref.values()))
    old_events = store.read("silver.interactions").where((F.col("occurred_at") < cutoff) & (F.coalesce(F.col("status"), F.lit("")) != "open"))
    old_hashes = {(r.source_system, r.row_hash) for r in old_events.collect()}
    assert old_hashes

    result = retention.run(_with_rules(copy_of_run, inactive_customer_years=1, interaction_years=1), spark, store, as_of=as_of)

    assert result.customers.golden_customers == len(expected_erased)
    assert result.interactions_cutoff == cutoff
    remaining = {r.golden_id for r in store.read("gold.customers").collect()}
    assert not remaining & expected_erased and remaining == set(xref.values()) - expected_erased
    silver_events = store.read("silver.interactions")
    assert silver_events.where((F.col("occurred_at") < cutoff) & (F.coalesce(F.col("status"), F.lit("")) != "open")).isEmpty()
    assert store.read("gold.customer_timeline").where((F.col("occurred_at") < cutoff) & (F.coalesce(F.col("status"), F.lit("")) != "open")).isEmpty()
    for source in {s for s, _ in old_hashes}:
        left = {r._row_hash for r in store.read(f"bronze.{source}").select("_row_hash").collect()}
        assert not left & {h for s, h in old_hashes if s == source}
    audits = store.read("privacy.erasure_audit").where(F.col("kind") == "retention").collect()
    assert len(audits) == 2 and {a.selector for a in audits} == {f"inactive since before {cutoff:%Y-%m-%d}", f"interactions before {cutoff:%Y-%m-%d}"}
    assert store.read("privacy.suppression_list").isEmpty() if store.exists("privacy.suppression_list") else True  # they may come back


def test_retention_as_of_a_day_before_all_data_removes_nothing(spark, copy_of_run, capsys):
    store = open_store(spark, copy_of_run)
    before = {t: store.version(t) for t in ("gold.customers", "silver.interactions", "bronze.crm")}
    assert main(["retention", "--as-of", "1990-01-01", "--env", "test", "--root", copy_of_run.paths.root]) == 0
    assert "0 inactive golden customer(s) erased; interactions before 1980-01-01: 0 row(s) removed" in capsys.readouterr().out
    assert {t: store.version(t) for t in before} == before
