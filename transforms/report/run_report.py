"""The run report: one self-contained HTML page per pipeline run (charts drawn by Vega from Splink's bundled scripts, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import altair as alt
from jinja2 import Environment, PackageLoader, select_autoescape
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.quality import GateResult
from golden_record.transforms.linkage.splink_adapter import chart_libraries, spec_for_html


@dataclass(frozen=True)
class LayerRow:
    """What one source's rows did in one layer: in, out, quarantined, and why."""

    source: str
    layer: str
    table: str
    rows_in: int
    rows_out: int
    quarantined: int
    reasons: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class LineageRow:
    """One value of the shown golden record (as a masked reader sees it), with the source record and rule it came from."""

    attribute: str
    value: str
    source_system: str
    source_record_id: str
    rule: str


@dataclass(frozen=True)
class RunReport:
    """Everything the run report shows, gathered by jobs/run_report.py."""

    run_id: str
    completed_at: datetime
    lakehouse: str
    stage_seconds: dict[str, float]
    layers: list[LayerRow]
    gates: list[GateResult]
    gold: dict[str, Any]
    matching: dict[str, Any]
    charts: dict[str, tuple[str, dict[str, Any]]]
    golden_id: str | None = None
    golden_record: list[LineageRow] = field(default_factory=list)


def stage_chart(stage_seconds: dict[str, float]) -> dict[str, Any]:
    """A bar per stage of the run, its seconds."""
    rows = [{"stage": stage, "seconds": round(seconds, 1)} for stage, seconds in stage_seconds.items()]
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("stage:N", sort=None, title=None), x=alt.X("seconds:Q", title="seconds"), tooltip=["stage:N", "seconds:Q"]
    )
    return chart.properties(width=520, height=24 * max(len(rows), 1)).to_dict()


def cluster_size_chart(sizes: dict[int, int]) -> dict[str, Any]:
    """Golden customers by how many source records they hold (symmetric log scale: most hold one or two)."""
    rows = [{"records": size, "golden_customers": count} for size, count in sorted(sizes.items())]
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("records:O", title="source records per golden customer"),
        y=alt.Y("golden_customers:Q", scale=alt.Scale(type="symlog"), title="golden customers (symlog scale)"),
        tooltip=["records:O", "golden_customers:Q"],
    )
    return chart.properties(width=520, height=220).to_dict()


def source_rows_chart(layers: list[LayerRow]) -> dict[str, Any]:
    """Rows per source landed in bronze and promoted to silver, and quarantined on the way."""
    rows = [
        {"source": row.source, "layer": row.layer, "outcome": outcome, "rows": count}
        for row in layers
        for outcome, count in (("kept", row.rows_out), ("quarantined", row.quarantined))
        if count
    ]
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        y=alt.Y("source:N", title=None),
        x=alt.X("sum(rows):Q", title="rows"),
        color=alt.Color("outcome:N", scale=alt.Scale(domain=["kept", "quarantined"], range=["#4c78a8", "#e45756"])),
        row=alt.Row("layer:N", title=None, sort=["bronze", "silver"]),
        tooltip=["source:N", "layer:N", "outcome:N", "rows:Q"],
    )
    return chart.properties(width=460).to_dict()


def cross_channel_chart(shares: list[dict[str, Any]]) -> dict[str, Any]:
    """ROPO and showrooming share of purchases per value segment (rows: value_segment, figure, share, purchases)."""
    chart = alt.Chart(alt.Data(values=shares)).mark_bar().encode(
        y=alt.Y("value_segment:N", title=None),
        x=alt.X("share:Q", title="share of purchases", axis=alt.Axis(format="%")),
        color=alt.Color("figure:N", title=None, scale=alt.Scale(domain=["ROPO (store purchases)", "showrooming (online purchases)"], range=["#4c78a8", "#f58518"])),
        yOffset="figure:N",
        tooltip=["value_segment:N", "figure:N", alt.Tooltip("share:Q", format=".1%"), "purchases:Q"],
    )
    return chart.properties(width=460).to_dict()


def channel_use_chart(use: list[dict[str, Any]]) -> dict[str, Any]:
    """Customers per channel and value segment (rows: value_segment, channel, customers)."""
    chart = alt.Chart(alt.Data(values=use)).mark_bar().encode(
        y=alt.Y("value_segment:N", title=None),
        x=alt.X("customers:Q", title="customers with an event in the channel (summed over months)"),
        color=alt.Color("channel:N", title="channel"),
        tooltip=["value_segment:N", "channel:N", "customers:Q"],
    )
    return chart.properties(width=460).to_dict()


BIN_WIDTHS = (0.01, 0.1, 0.2, 0.25, 0.5, 1, 2, 5)
"""Bin widths a match weight histogram may use (Splink's choice: the one nearest to the range over the target bins)."""


def weight_bins(pairs: DataFrame, target_bins: int = 30) -> list[dict[str, float]]:
    """Match weight histogram bins of the scored pairs, as Splink's histogram chart reads them."""
    low, high = pairs.agg(F.min("match_weight"), F.max("match_weight")).first()
    if low is None:
        return []
    width = min(BIN_WIDTHS, key=lambda w: abs(w - (high - low) / target_bins))
    binned = pairs.groupBy((F.floor(F.col("match_weight") / width) * width).alias("low")).count()
    return [
        {"splink_score_bin_low": row.low, "splink_score_bin_high": row.low + width, "binwidth": width, "count_rows": row["count"]}
        for row in binned.orderBy("low").collect()
    ]


def _environment() -> Environment:
    return Environment(loader=PackageLoader("golden_record.transforms.report", "templates"), autoescape=select_autoescape(["html"]))


def render_run_report(report: RunReport) -> str:
    """The report as one HTML page: Vega, Vega-Lite and Vega-Embed inlined from Splink's package, the charts' specs inline."""
    libraries = chart_libraries()
    charts = [(f"chart-{i}", title, spec_for_html(spec)) for i, (title, spec) in enumerate(report.charts.values())]
    return _environment().get_template("run_report.html").render(report=report, charts=charts, libraries=libraries)
