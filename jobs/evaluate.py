"""Job: measure entity-resolution accuracy against a ground-truth CSV and write an HTML report with Splink charts."""

from __future__ import annotations

import html
import json
import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import altair as alt
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from splink import Linker

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.linkage_settings import LinkageSettings
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import SILVER_CUSTOMERS, STEWARD_DECISIONS
from golden_record.transforms.linkage.clustering import cluster_records
from golden_record.transforms.linkage.constraints import steward_links
from golden_record.transforms.linkage.evaluation import accuracy, blocking_scores, cluster_scores, labelled_pairs, reachable_clusters, read_truth, steward_label_scores
from golden_record.transforms.linkage.features import prepare_for_linkage
from golden_record.transforms.linkage.models import matching_model
from golden_record.transforms.linkage.prediction import predict, settings_for_model
from golden_record.transforms.linkage.spec import splink_settings
from golden_record.transforms.linkage.splink_adapter import chart_page, new_linker, removes_intermediate_tables, to_spark

log = logging.getLogger(__name__)


@removes_intermediate_tables
def run(config: PipelineConfig, spark: SparkSession, store: TableStore, truth_path: str) -> dict[str, Any]:
    """Score every blocked pair of silver customers, cluster them, compare with the truth; print and return the metrics."""
    started = time.monotonic()
    configured = config.linkage
    trained = matching_model(configured, config.paths.models)
    spec, model_path = trained.spec, trained.path
    records = prepare_for_linkage(store.read(SILVER_CUSTOMERS.name), spec, configured.identifiers).persist(StorageLevel.MEMORY_AND_DISK)
    record_count = records.count()
    truth = read_truth(spark, truth_path).join(records.select("unique_id"), "unique_id").persist()

    linker = new_linker(records, splink_settings(spec, model=trained.model), configured)
    predictions = predict(linker, pair_floor=0.0)  # every blocked pair, for the blocking figures
    linkage = settings_for_model(configured, spec, linker, predictions)
    clusters = cluster_records(linker, predictions, records, spec, linkage).persist()
    scored = labelled_pairs(to_spark(predictions, spark), truth).persist()

    metrics: dict[str, Any] = {
        "records": record_count,
        "records_in_truth": truth.count(),
        "model": str(model_path),
        "backend": linkage.backend,
        "match_threshold": linkage.match_threshold,
        "cluster_threshold": linkage.cluster_threshold,
        "blocking": blocking_scores(scored, truth, record_count)
        | {"reachable_cluster_recall": cluster_scores(reachable_clusters(linker, predictions.db_api, scored, records), truth)["recall"]},
        **accuracy(scored, clusters, truth, linkage.match_threshold),
    }
    metrics["clusters"]["largest"] = clusters.agg(F.max("cluster_size")).first()[0] or 0
    if store.exists(STEWARD_DECISIONS.name):  # the stewards' decisions are labels too: does the model agree with them?
        links = steward_links(store.read(STEWARD_DECISIONS.name))
        labels = steward_label_scores(links, scored, clusters, linkage.match_threshold)
        metrics["steward_labels_pairwise"], metrics["steward_labels_clusters"] = labels["pairwise"], labels["clusters"]
    metrics["seconds"] = round(time.monotonic() - started, 1)
    metrics["report"] = str(write_report(linker, scored, clusters, truth, metrics, linkage, Path(config.paths.reports)))
    print(format_metrics(metrics))
    log.info("evaluated %s records (%s comparisons) in %ss: cluster F1 %.4f", f"{record_count:,}", f"{metrics['blocking']['comparisons']:,}", metrics["seconds"], metrics["clusters"]["f1"])
    for frame in (records, truth, clusters, scored):
        frame.unpersist()
    return metrics


def format_metrics(metrics: dict[str, Any]) -> str:
    """The headline figures as text lines."""
    blocking, pairwise, clusters = metrics["blocking"], metrics["pairwise"], metrics["clusters"]
    return "\n".join(
        [
            f"records {metrics['records']:,} ({metrics['records_in_truth']:,} in the truth), {metrics['backend']} backend, match threshold {metrics['match_threshold']}, cluster threshold {metrics['cluster_threshold']}",
            f"blocking: {blocking['comparisons']:,} comparisons, pair completeness {blocking['pair_completeness']:.4f}, reduction ratio {blocking['reduction_ratio']:.6f}, "
            f"reachable cluster recall {blocking['reachable_cluster_recall']:.4f}",
            f"pairwise: precision {pairwise['precision']:.4f}, recall {pairwise['recall']:.4f}, F1 {pairwise['f1']:.4f}",
            f"clusters: precision {clusters['precision']:.4f}, recall {clusters['recall']:.4f}, F1 {clusters['f1']:.4f}, largest cluster {clusters['largest']}",
            *[
                f"steward labels ({kind}): {figures['true_positives']:,} of {figures['predicted']:,} linked confirmed, {figures['actual']:,} decided same, precision {figures['precision']:.4f}, recall {figures['recall']:.4f}, F1 {figures['f1']:.4f}"
                for kind, figures in (("pairs", metrics.get("steward_labels_pairwise")), ("clusters", metrics.get("steward_labels_clusters")))
                if figures
            ],
            f"report: {metrics['report']}",
        ]
    )


def _sample(scored: DataFrame, condition: str, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` scored pairs matching a SQL condition, highest match weight first, as plain dicts."""
    rows = scored.where(condition).orderBy(F.desc("match_weight"), "unique_id_l", "unique_id_r").limit(limit).collect()
    return [row.asDict() for row in rows]


def _cluster_size_chart(clusters: DataFrame, truth: DataFrame) -> dict[str, Any]:
    """Vega-Lite spec: how many clusters of each size were found, next to the true sizes."""
    found = clusters.groupBy("cluster_id").count().groupBy(F.col("count").alias("size")).count().withColumn("clusters", F.lit("found"))
    true = truth.groupBy("person_id").count().groupBy(F.col("count").alias("size")).count().withColumn("clusters", F.lit("truth"))
    data = found.unionByName(true).toPandas()
    chart = alt.Chart(data, title="Cluster sizes").mark_bar().encode(
        x=alt.X("size:O", title="records per cluster"),
        xOffset="clusters:N",
        y=alt.Y("count:Q", title="clusters", scale=alt.Scale(type="symlog")),
        color="clusters:N",
        tooltip=["clusters", "size", "count"],
    )
    return chart.to_dict()


def write_report(linker: Linker, scored: DataFrame, clusters: DataFrame, truth: DataFrame, metrics: dict[str, Any], linkage: LinkageSettings, reports_dir: Path) -> Path:
    """An offline HTML report (index.html + one page per chart) under reports_dir/linkage-<UTC time>/."""
    folder = reports_dir / f"linkage-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}Z"
    folder.mkdir(parents=True, exist_ok=True)
    threshold, samples = linkage.match_threshold, linkage.waterfall_samples
    waterfalls = {
        "merges.html": ("Waterfall: sample merges", f"match_probability >= {threshold}"),
        "wrong_merges.html": ("Waterfall: merged pairs of different persons", f"match_probability >= {threshold} and not same_person"),
        "missed_matches.html": ("Waterfall: compared pairs of one person left below the threshold", f"match_probability < {threshold} and same_person"),
    }
    charts = {
        "match_weights.html": ("Match weights of the model", linker.visualisations.match_weights_chart()),
        "m_u_parameters.html": ("m and u probabilities", linker.visualisations.m_u_parameters_chart()),
    }
    for name, (title, condition) in waterfalls.items():
        pairs = _sample(scored, condition, samples)
        if pairs:
            charts[name] = (title, linker.visualisations.waterfall_chart(pairs))
    links = []
    for name, (title, chart) in charts.items():
        chart.save(str(folder / name), inline=True)
        links.append((name, title))
    (folder / "cluster_sizes.html").write_text(chart_page(_cluster_size_chart(clusters, truth)), encoding="utf-8")
    links.append(("cluster_sizes.html", "Cluster sizes: found and true"))
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str) + "\n", encoding="utf-8")

    rows = [(f"{section} {name}", value) for section, values in metrics.items() if isinstance(values, dict) for name, value in values.items()]
    rows = [(name, value) for name, value in metrics.items() if not isinstance(value, dict) and name != "report"] + rows
    figures = "".join(f"<tr><th align='left'>{html.escape(name)}</th><td>{html.escape(f'{value:.4f}' if isinstance(value, float) else str(value))}</td></tr>" for name, value in rows)
    sections = "".join(f'<h2>{html.escape(title)}</h2><iframe src="{name}" width="1100" height="650" style="border:0"></iframe>' for name, title in links)
    page = f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Linkage evaluation</title></head><body><h1>Linkage evaluation</h1><table>{figures}</table>{sections}</body></html>'
    (folder / "index.html").write_text(page, encoding="utf-8")
    return folder / "index.html"
