"""Job step: write `{reports}/run-<run id>/index.html`, the report of one pipeline run (opens offline, no CDN)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.config import PipelineConfig, local_folder
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import BRONZE_QUARANTINE, CHANNEL_INSIGHTS, GOLDEN_CUSTOMERS, GOLDEN_CUSTOMERS_MASKED, MATCH_PAIRS, SILVER_QUARANTINE
from golden_record.transforms.linkage.models import load_model
from golden_record.transforms.linkage.splink_adapter import model_weights_chart, weight_histogram_chart
from golden_record.transforms.report.run_report import (
    LayerRow,
    LineageRow,
    RunReport,
    channel_use_chart,
    cluster_size_chart,
    cross_channel_chart,
    render_run_report,
    source_rows_chart,
    stage_chart,
    weight_bins,
)

if TYPE_CHECKING:
    from golden_record.jobs.pipeline import PipelineRun

log = logging.getLogger(__name__)


def layer_rows(store: TableStore, done: PipelineRun, started_at: datetime) -> list[LayerRow]:
    """Per source: its bronze rows of this run's batches, its silver rows, what was quarantined and why."""
    bronze_reasons: dict[str, list[tuple[str, int]]] = {}
    if store.exists(BRONZE_QUARANTINE.name):
        landed = store.read(BRONZE_QUARANTINE.name).where(F.col("ingested_at") >= F.lit(started_at.replace(tzinfo=None)))
        for row in sorted(landed.groupBy("source", "reason").count().collect(), key=lambda r: -r["count"]):
            bronze_reasons.setdefault(row.source, []).append((row.reason, row["count"]))
    silver_reasons: dict[str, list[tuple[str, int]]] = {}
    if store.exists(SILVER_QUARANTINE.name):
        grouped = store.read(SILVER_QUARANTINE.name).groupBy("source_system", "table_name", "rule", "action").count().collect()
        for row in sorted(grouped, key=lambda r: -r["count"]):
            silver_reasons.setdefault(f"{row.source_system}/{row.table_name}", []).append((f"{row.rule} ({row.action.replace('_', ' ')})", row["count"]))
    rows = []
    for result in done.ingested:
        reasons = list(bronze_reasons.get(result.source, []))
        if result.rows_suppressed:
            reasons.append(("held back: an erased person", result.rows_suppressed))
        rows.append(LayerRow(result.source, "bronze", result.table, result.rows_new, result.rows_landed, result.rows_quarantined + result.rows_suppressed, reasons))
    for counts in done.silver.counts:
        reasons = list(silver_reasons.get(f"{counts.source}/{counts.table}", []))
        if counts.superseded:
            reasons.append(("older version superseded (not quarantined)", counts.superseded))
        if counts.deleted:
            reasons.append(("deleted at the source (not quarantined)", counts.deleted))
        rows.append(LayerRow(counts.source, "silver", counts.table, counts.bronze_rows, counts.silver_rows, counts.rejected, reasons))
    return rows


def shown_record(store: TableStore) -> tuple[str | None, list[LineageRow]]:
    """The golden customer drawn from the most source systems, masked, with the lineage of each value."""
    if not store.exists(GOLDEN_CUSTOMERS_MASKED.name):
        return None, []
    golden = store.read(GOLDEN_CUSTOMERS.name).orderBy(F.size("source_systems").desc(), F.col("record_count").desc(), "golden_id").select("golden_id", "lineage").first()
    if golden is None:
        return None, []
    masked = store.read(GOLDEN_CUSTOMERS_MASKED.name).where(F.col("golden_id") == golden.golden_id).first().asDict()
    rows = [
        LineageRow(attribute, "" if masked.get(attribute) is None else str(masked[attribute]), origin.source_system or "", origin.source_record_id or "", origin.rule or "")
        for attribute, origin in sorted(golden.lineage.items())
    ]
    return golden.golden_id, rows


def cross_channel_rows(insights: DataFrame) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """gold.channel_insights summed per value segment: ROPO / showrooming shares, and customers per channel."""
    per_side = insights.where(F.col("purchases") > 0).groupBy("value_segment", "channel_side").agg(
        F.sum("purchases").alias("purchases"), F.sum("ropo_purchases").alias("ropo"), F.sum("showrooming_purchases").alias("showrooming")
    )
    shares = []
    for row in per_side.collect():
        if row.channel_side == "offline":
            shares.append({"value_segment": row.value_segment, "figure": "ROPO (store purchases)", "share": row.ropo / row.purchases, "purchases": row.purchases})
        elif row.channel_side == "online":
            shares.append({"value_segment": row.value_segment, "figure": "showrooming (online purchases)", "share": row.showrooming / row.purchases, "purchases": row.purchases})
    use = [row.asDict() for row in insights.groupBy("value_segment", "channel").agg(F.sum("customers").alias("customers")).where(F.col("channel").isNotNull()).collect()]
    return sorted(shares, key=lambda r: (r["value_segment"] or "", r["figure"])), sorted(use, key=lambda r: (r["value_segment"] or "", r["channel"]))


def write(config: PipelineConfig, store: TableStore, done: PipelineRun, started_at: datetime) -> Path | None:
    """Gather what the run did and write its report; return the page's path (None when the reports folder is not local)."""
    reports = local_folder(config.paths.reports)
    if reports is None:
        log.warning("no run report: the reports folder %s is not a local or mounted folder", config.paths.reports)
        return None
    golden = store.read(GOLDEN_CUSTOMERS.name)
    sizes = {row.record_count: row["count"] for row in golden.groupBy("record_count").count().collect()}
    layers = layer_rows(store, done, started_at)
    charts = {
        "stages": ("Time per stage (s)", stage_chart(done.stage_seconds)),
        "sources": ("Rows per source: kept and quarantined", source_rows_chart(layers)),
        "model": ("Match weights of the model trained on this data", model_weights_chart(load_model(Path(done.matching["model"])))),
        "pairs": ("Match weights of the scored pairs", weight_histogram_chart(weight_bins(store.read(MATCH_PAIRS.name)))),
        "clusters": ("Source records per golden customer", cluster_size_chart(sizes)),
    }
    if store.exists(CHANNEL_INSIGHTS.name):
        shares, use = cross_channel_rows(store.read(CHANNEL_INSIGHTS.name))
        if shares:
            charts["ropo"] = ("Research online, purchase offline (ROPO) and showrooming, by segment", cross_channel_chart(shares))
        if use:
            charts["channels"] = ("Channels each segment uses", channel_use_chart(use))
    golden_id, record = shown_record(store)
    report = RunReport(
        run_id=done.gold["run_id"],
        completed_at=datetime.now(timezone.utc),
        lakehouse=config.paths.lakehouse,
        stage_seconds=done.stage_seconds,
        layers=layers,
        gates=[*done.silver.gates, *done.gold["gates"]],
        gold=done.gold,
        matching=done.matching,
        charts=charts,
        golden_id=golden_id,
        golden_record=record,
    )
    folder = reports / f"run-{report.run_id}"
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "index.html"
    page.write_text(render_run_report(report), encoding="utf-8")
    log.info("run report: %s (%d charts, %d gates, %d layer rows)", page, len(charts), len(report.gates), len(layers))
    return page
