"""The whole pipeline in one call: (sample,) ingest, standardise, train, match, build gold. `golden-record run`, the
notebook and the benches all run it."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from golden_record.jobs import build_gold, generate_sample, ingest, match, run_report, standardise, train
from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.manifest import unchanged_since_last_run
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import SILVER_CUSTOMERS
from golden_record.transforms.linkage.models import load_metadata

log = logging.getLogger(__name__)

STAGES = ("generate-sample", "ingest", "standardise", "train", "match", "build-gold")
"""The stages of a run, in order (generate-sample only when asked for)."""

StageListener = Callable[[str, Any], None]
"""Called with (stage, its result) when a stage ends, e.g. to print its table."""


def training_reason(config: PipelineConfig, store: TableStore, retrain: bool) -> str | None:
    """Why this run must train a model before matching (None: the newest model trained here serves)."""
    if retrain:
        return "asked for (--retrain)"
    path = config.linkage.model_path(config.paths.models)
    if path is None:
        return f"no model trained under {config.paths.models} yet"
    growth, trained_on = config.linkage.incremental.retrain_growth, load_metadata(path).get("records")
    if growth is None or config.linkage.model or not trained_on:
        return None
    records = store.read(SILVER_CUSTOMERS.name).count()
    if records > trained_on * (1 + growth):
        return f"silver holds {records:,} customer records, more than {1 + growth:g} times the {trained_on:,} the model {path.name} was trained on"
    return None


@dataclass(frozen=True)
class PipelineRun:
    """What each stage of one run returned, and how long the run took."""

    sample: dict[str, Any] | None
    ingested: list[ingest.IngestResult]
    silver: standardise.StandardiseResult | None  # None: nothing arrived since the last complete run (`unchanged_since`)
    model: Path | None
    matching: dict[str, Any] | None
    gold: dict[str, Any] | None
    seconds: float
    stage_seconds: dict[str, float]
    report: Path | None = None  # {reports}/run-<run id>/index.html
    unchanged_since: str | None = None  # the complete run that already holds everything: this run changed no table


def run(
    config: PipelineConfig,
    spark: SparkSession,
    store: TableStore,
    *,
    sample_persons: int | None = None,
    seed: int = 42,
    retrain: bool = False,
    full: bool = False,
    on_stage: StageListener | None = None,
) -> PipelineRun:
    """Run every stage on one session; train when `retrain`, when no model exists yet, or when silver outgrew the model
    (never another data's model); the match is incremental unless `full` or a new model asks for a full one. When ingest
    lands nothing and no table changed since the last complete run, the run stops there and changes no table."""
    started, started_at = time.monotonic(), datetime.now(timezone.utc)
    done = on_stage or (lambda stage, result: None)
    stage_seconds: dict[str, float] = {}

    def stage(name: str, call: Callable[[], Any]) -> Any:
        log.info("stage %s", name)
        stage_started = time.monotonic()
        result = call()
        stage_seconds[name] = time.monotonic() - stage_started
        done(name, result)
        return result

    sample = stage("generate-sample", lambda: generate_sample.run(config, persons=sample_persons, seed=seed)) if sample_persons else None
    ingested = stage("ingest", lambda: ingest.run(config, spark, store))
    current = None if full or retrain else unchanged_since_last_run(store)
    if current:
        log.info("nothing arrived since run %s (no batch, match, steward decision or build after it): no table changes; --full rebuilds", current)
        return PipelineRun(sample, ingested, None, None, None, None, time.monotonic() - started, stage_seconds, unchanged_since=current)
    silver = stage("standardise", lambda: standardise.run(config, spark, store))
    why = training_reason(config, store, retrain)
    if why:
        log.info("training a new model: %s", why)
    model = stage("train", lambda: train.run(config, spark, store)) if why else None
    matching = stage("match", lambda: match.run(config, spark, store, full=full))
    gold = stage("build-gold", lambda: build_gold.run(config, spark, store))
    finished = PipelineRun(sample, ingested, silver, model, matching, gold, time.monotonic() - started, stage_seconds)
    return dataclasses.replace(finished, report=run_report.write(config, store, finished, started_at))
