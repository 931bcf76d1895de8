"""Job: apply the retention rules (conf/privacy.yaml): erase inactive golden customers, remove expired interactions."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone

from pyspark.sql import SparkSession

from golden_record.jobs.erase import ErasureResult, delete_rows, erase, find_subject, new_request_id, record_request
from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.manifest import record_run
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import CUSTOMER_TIMELINE, CUSTOMER_XREF, SILVER_CUSTOMERS, SILVER_INTERACTIONS, bronze_table
from golden_record.transforms.privacy.erasure import ErasureSubject, in_list, pairs_predicate, sql_string
from golden_record.transforms.privacy.retention import expired, inactive_golden_ids, last_activity, years_before

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionResult:
    """What a retention run removed."""

    customers: ErasureResult | None
    interactions_cutoff: datetime | None
    interactions_removed: dict[str, int]
    seconds: float


def erase_inactive(config: PipelineConfig, spark: SparkSession, store: TableStore, as_of: date) -> ErasureResult | None:
    """Erase golden customers without activity for `inactive_customer_years` (and nothing open) like an erasure request, unsuppressed."""
    years = config.privacy.retention.inactive_customer_years
    if years is None or not store.exists(CUSTOMER_XREF.name):
        return None
    cutoff = years_before(as_of, years)
    timeline = store.read(CUSTOMER_TIMELINE.name)
    activity = last_activity(store.read(CUSTOMER_XREF.name), store.read(SILVER_CUSTOMERS.name), timeline)
    golden_ids = [r.golden_id for r in inactive_golden_ids(activity, timeline, cutoff, config.privacy.retention.keep_open_statuses).collect()]
    log.info("retention: %d golden customer(s) inactive since before %s", len(golden_ids), f"{cutoff:%Y-%m-%d}")
    if not golden_ids:
        return None
    subject = find_subject(config, spark, store, golden_ids=golden_ids)
    # not suppressed: a person who comes back later is welcome as a new customer
    return erase(config, spark, store, subject, "retention", f"inactive since before {cutoff:%Y-%m-%d}", suppress=False)


def remove_expired_interactions(config: PipelineConfig, spark: SparkSession, store: TableStore, as_of: date) -> tuple[datetime | None, dict[str, int]]:
    """Delete interactions older than `interaction_years` (not in a kept status) from bronze, silver and the timeline, then vacuum."""
    settings = config.privacy.retention
    if settings.interaction_years is None or not store.exists(SILVER_INTERACTIONS.name):
        return None, {}
    cutoff = years_before(as_of, settings.interaction_years)
    old = expired(store.read(SILVER_INTERACTIONS.name), cutoff, settings.keep_open_statuses)
    rows = {(row.source_system, row.row_hash) for row in old.select("source_system", "row_hash").distinct().collect()}
    if not rows:
        return cutoff, {}
    kept = ", ".join(sql_string(s) for s in settings.keep_open_statuses)
    by_time = f"occurred_at < TIMESTAMP {sql_string(f'{cutoff:%Y-%m-%d %H:%M:%S}')}" + (f" AND NOT coalesce(status IN ({kept}), false)" if kept else "")
    predicates = {SILVER_INTERACTIONS.name: by_time, CUSTOMER_TIMELINE.name: by_time}
    for source in config.sources:
        predicates[bronze_table(source.name).name] = in_list("_row_hash", [h for s, h in rows if s == source.name])
    predicates = {table: predicate for table, predicate in predicates.items() if predicate}
    # a row that was a customer record too (a ticket's requester) is as old as the event
    customer_sources = {source.name for source in config.sources if source.customers}
    customer_rows = pairs_predicate("source_system", "row_hash", {(s, h) for s, h in rows if s in customer_sources})
    if customer_rows:
        predicates[SILVER_CUSTOMERS.name] = customer_rows
    now = datetime.now(timezone.utc)
    request_id = new_request_id("retention", now)
    removed = delete_rows(store, predicates)
    record_run(store, request_id, "retention")  # before vacuuming: readers move to versions without the expired rows
    vacuumed = {table: len(store.vacuum(table, retention_hours=0)) for table in removed}
    nobody = ErasureSubject(frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), frozenset())
    record_request(config, spark, store, request_id, now, "retention", f"interactions before {cutoff:%Y-%m-%d}", nobody, removed, vacuumed, 0)
    return cutoff, removed


def run(config: PipelineConfig, spark: SparkSession, store: TableStore, as_of: date | None = None) -> RetentionResult:
    """Apply both retention rules as of a day (default today); each removal is audited in privacy.erasure_audit."""
    started = time.monotonic()
    as_of = as_of or datetime.now(timezone.utc).date()
    if config.privacy.retention.inactive_customer_years is None and config.privacy.retention.interaction_years is None:
        raise PipelineError("no retention rule is configured (privacy.retention.inactive_customer_years, interaction_years)")
    customers = erase_inactive(config, spark, store, as_of)
    cutoff, removed = remove_expired_interactions(config, spark, store, as_of)
    result = RetentionResult(customers, cutoff, removed, time.monotonic() - started)
    log.info(
        "retention as of %s: %d golden customer(s) erased, %d expired interaction row(s) removed (%.1fs)",
        as_of, customers.golden_customers if customers else 0, sum(removed.values()), result.seconds,
    )
    return result
