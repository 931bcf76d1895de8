"""Job: silver + match clusters -> gold. Stable golden ids, golden records, xref, id history, customer 360, timeline."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timezone
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from golden_record.jobs.privacy import write_masked_forms
from golden_record.lakehouse import quality
from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.manifest import record_run
from golden_record.lakehouse.progress import StageProgress
from golden_record.lakehouse.session import materialise
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import (
    CHANNEL_INSIGHTS,
    CUSTOMER_360,
    CUSTOMER_JOURNEYS,
    CUSTOMER_TIMELINE,
    CUSTOMER_XREF,
    GOLDEN_CHANGES,
    GOLDEN_CUSTOMERS,
    GOLDEN_ID_HISTORY,
    MARKETING_AUDIENCE,
    MATCH_CLUSTERS,
    MATCH_PAIRS,
    SILVER_CUSTOMERS,
    SILVER_INTERACTIONS,
    STEWARD_DECISIONS,
)
from golden_record.transforms.gold.audience import marketing_audience
from golden_record.transforms.gold.changes import golden_changes
from golden_record.transforms.gold.customer360 import NEWSLETTER_STATUSES, SEGMENTS, as_of_date, customer_360, customer_timeline
from golden_record.transforms.gold.golden_ids import HISTORY_SCHEMA, KEYS, XREF_SCHEMA, assign_golden_ids, customer_xref, empty, id_events, xref_coverage
from golden_record.transforms.gold.journeys import channel_insights, customer_journeys
from golden_record.transforms.gold.survivorship import survive
from golden_record.transforms.linkage.constraints import records_decided_since, steward_links

log = logging.getLogger(__name__)


def new_run_id(run_at: datetime) -> str:
    """A readable, unique run id: gold-<UTC time>-<random hex>."""
    return f"gold-{run_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def _read_required(store: TableStore, table: str, command: str) -> DataFrame:
    """The table, or a PipelineError naming the command that writes it."""
    if not store.exists(table):
        raise PipelineError(f"{table} does not exist yet; run `golden-record {command}` first")
    return store.read(table)


def _read_or_empty(spark: SparkSession, store: TableStore, table: str, schema: StructType) -> DataFrame:
    """The table, or an empty DataFrame of the schema before the first run."""
    return store.read(table) if store.exists(table) else empty(spark, schema)


def run(config: PipelineConfig, spark: SparkSession, store: TableStore, run_id: str | None = None) -> dict[str, Any]:
    """Build the gold tables from silver and the match clusters (gates first); return counts, gate results under "gates"."""
    started = time.monotonic()
    progress = StageProgress("build-gold", ["golden ids and records", "customer 360 and timeline", "gates", "write tables"], config.paths.reports)
    progress.step("golden ids and records")
    settings = config.gold
    run_at = datetime.now(timezone.utc)
    run_id = run_id or new_run_id(run_at)
    silver = _read_required(store, SILVER_CUSTOMERS.name, "standardise")
    interactions = _read_required(store, SILVER_INTERACTIONS.name, "standardise")  # empty when no source maps interactions
    clusters = _read_required(store, MATCH_CLUSTERS.name, "match").join(silver.select(*KEYS), KEYS, "left_semi")  # records erased since matching leave
    pairs = _read_required(store, MATCH_PAIRS.name, "match")
    previous = _read_or_empty(spark, store, CUSTOMER_XREF.name, XREF_SCHEMA)
    history = _read_or_empty(spark, store, GOLDEN_ID_HISTORY.name, HISTORY_SCHEMA)

    # each frame is computed once, its lineage cut: the gates, writes and counts below neither recompute nor re-plan it
    assigned = materialise(assign_golden_ids(clusters, previous, history, settings.id_prefix))
    xref = materialise(customer_xref(assigned, pairs, run_id, run_at))
    decided = None
    if store.exists(STEWARD_DECISIONS.name):
        last_run_at = history.agg(F.max("event_at")).first()[0]
        decided = records_decided_since(steward_links(store.read(STEWARD_DECISIONS.name)), last_run_at)
    events = materialise(id_events(assigned, previous, run_id, run_at, decided))
    golden = materialise(survive(silver.join(xref.select(*KEYS, "golden_id"), KEYS), settings))
    before = store.read(GOLDEN_CUSTOMERS.name) if store.exists(GOLDEN_CUSTOMERS.name) else golden.limit(0)
    changes = materialise(golden_changes(events, before, golden, run_id, run_at))
    records = progress.records = xref.count()
    progress.step("customer 360 and timeline")
    as_of = as_of_date(interactions, settings.customer_360, silver)
    timeline = materialise(customer_timeline(interactions, xref))
    kpis = materialise(customer_360(timeline, golden.select("golden_id"), settings.customer_360, as_of))
    journeys = materialise(customer_journeys(timeline, kpis, settings.customer_360, settings.journeys))
    insights = channel_insights(journeys, timeline, kpis, settings.journeys)
    coverage = materialise(xref_coverage(silver.select(*KEYS), xref, interactions))
    log.info("gold run %s: %s records -> %s golden customers", run_id, f"{records:,}", f"{golden.count():,}")

    parameters = {
        "golden_ids": xref.select("golden_id").distinct().count(),
        "golden_id_regex": f"^{settings.id_prefix}[0-9a-f]{{16}}$",
        "segments": list(SEGMENTS),
        "newsletter_statuses": list(NEWSLETTER_STATUSES),
        "min_linked_customer_share": settings.gate.min_linked_customer_share,
        "timeline_events": timeline.count(),  # the 360 counts every timeline event once (0 without interactions)
    }
    progress.step("gates")
    reports = config.paths.reports
    gates = [
        quality.validate(golden, GOLDEN_CUSTOMERS, reports, parameters, config.quality),
        quality.validate(coverage, CUSTOMER_XREF, reports, parameters, config.quality),
        quality.validate(kpis, CUSTOMER_360, reports, parameters, config.quality),
    ]
    gates = quality.build_docs(reports, gates)
    for gate in gates:
        quality.enforce(gate)  # raises before anything is written: the previous gold stays in place

    progress.step("write tables")
    # the change feed first: a run that crashes in its writes lists its changes again in the next run, never loses one
    if not changes.isEmpty() or not store.exists(GOLDEN_CHANGES.name):
        store.append(GOLDEN_CHANGES.name, changes)
    store.overwrite(CUSTOMER_XREF.name, xref)
    if not events.isEmpty() or not store.exists(GOLDEN_ID_HISTORY.name):
        store.append(GOLDEN_ID_HISTORY.name, events)
    store.overwrite(GOLDEN_CUSTOMERS.name, golden)
    store.overwrite(CUSTOMER_360.name, kpis)
    store.overwrite(CUSTOMER_TIMELINE.name, timeline)
    store.overwrite(CUSTOMER_JOURNEYS.name, journeys.select(*CUSTOMER_JOURNEYS.columns))
    store.overwrite(CHANNEL_INSIGHTS.name, insights.select(*CHANNEL_INSIGHTS.columns))
    store.overwrite(MARKETING_AUDIENCE.name, marketing_audience(golden, kpis))
    masked_forms = write_masked_forms(config, store)  # from the tables just written: the same rows, masked
    record_run(store, run_id, "run")  # last: readers switch to this run's tables together

    event_counts = {row.event: row["count"] for row in events.groupBy("event").count().collect()}
    change_counts = {row.change: row["count"] for row in changes.groupBy("change").count().collect()}
    orphans = coverage.where(F.col("coverage") == "orphan_interactions").agg(F.sum("interactions")).first()[0] or 0
    counts = {
        "run_id": run_id,
        "records": records,
        "golden_customers": golden.count(),
        "multi_record_customers": golden.where(F.col("record_count") > 1).count(),
        "ids_created": event_counts.get("created", 0),
        "id_merges": event_counts.get("merged", 0),
        "id_splits": event_counts.get("split", 0),
        "ids_retired": event_counts.get("retired", 0),
        "customers_updated": change_counts.get("updated", 0),
        "changes": sum(change_counts.values()),
        "interactions": timeline.count(),
        "journeys": journeys.count(),
        "ropo_purchases": journeys.where("ropo").count(),
        "showrooming_purchases": journeys.where("showrooming").count(),
        "orphan_interactions": orphans,
        "as_of": as_of.isoformat(),
        "masked_tables": len(masked_forms),
        "gates": gates,
    }
    counts["duplicates_merged"] = counts["records"] - counts["golden_customers"]
    counts["seconds"] = round(time.monotonic() - started, 1)
    progress.finish()
    log.info(
        "gold run %(run_id)s: %(records)s records -> %(golden_customers)s golden customers (%(duplicates_merged)s duplicates merged); "
        "ids: %(ids_created)s created, %(id_merges)s merges, %(id_splits)s splits, %(ids_retired)s retired; %(customers_updated)s updated (%(changes)s rows in gold.golden_changes); "
        "%(interactions)s interactions, %(orphan_interactions)s orphans; %(seconds)ss",
        counts,
    )
    return counts
