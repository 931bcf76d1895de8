"""Job: train the customer linkage model (unsupervised) on the silver customers at hand and save it under paths.models."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from pathlib import Path

from pyspark import StorageLevel
from pyspark.sql import SparkSession

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.progress import StageProgress
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import SILVER_CUSTOMERS
from golden_record.transforms.linkage.errors import LinkageError
from golden_record.transforms.linkage.features import prepare_for_linkage
from golden_record.transforms.linkage.models import load_prior, save_model
from golden_record.transforms.linkage.spec import comparison_columns, load_spec, splink_settings
from golden_record.transforms.linkage.splink_adapter import new_linker, removes_intermediate_tables
from golden_record.transforms.linkage.training import TRAINING_STEPS, train_model
from golden_record.transforms.linkage.training_plan import filled_columns, filled_counts, plan_training

log = logging.getLogger(__name__)



@removes_intermediate_tables
def run(config: PipelineConfig, spark: SparkSession, store: TableStore) -> Path:
    """Train on the current silver customers, with comparisons and sessions fitted to the columns they fill; return the model path."""
    started = time.monotonic()
    progress = StageProgress("train", ["prepare input", *TRAINING_STEPS, "save model"], config.paths.reports)
    progress.step("prepare input")
    linkage = config.linkage
    spec_path = linkage.settings_path()
    spec = load_spec(spec_path)
    silver_version = store.version(SILVER_CUSTOMERS.name)
    records = prepare_for_linkage(store.read(SILVER_CUSTOMERS.name, version=silver_version), spec, linkage.identifiers).persist(StorageLevel.MEMORY_AND_DISK)
    counts = filled_counts(records, spec["input_columns"])
    record_count = progress.records = records.count()
    filled = filled_columns(counts, linkage.training.min_filled_records)
    try:
        plan = plan_training(spec, comparison_columns(spec, include_derived=True), linkage.training.deterministic_rules, linkage.training.em_blocking_rules, filled)
    except ValueError as exc:
        raise LinkageError(f"cannot train on {SILVER_CUSTOMERS.name} v{silver_version} ({record_count:,} records): {exc}") from None
    for name, why in plan.left_out.items():
        log.warning("comparison %s left out: %s", name, why)
    log.info(
        "training the linkage model on %s records of %s v%s (%s backend): %d comparisons, %d EM sessions",
        f"{record_count:,}", SILVER_CUSTOMERS.name, silver_version, linkage.backend, len(plan.spec["comparisons"]), len(plan.em_rules),
    )
    prior_path, prior = load_prior(linkage)
    settings = splink_settings(plan.spec, training=linkage.training, prior_lambda=prior["probability_two_random_records_match"] if prior else None)
    linker = new_linker(records, settings, linkage)
    model, report = train_model(linker, linkage.training, plan, record_count, prior, on_step=progress.step)
    progress.step("save model")
    trained_at = datetime.now(timezone.utc)
    seconds = time.monotonic() - started
    metadata = {
        "trained_at": trained_at.isoformat(),
        "silver_table": SILVER_CUSTOMERS.name,
        "silver_version": silver_version,
        "records": record_count,
        "filled_records": counts,
        "backend": linkage.backend,
        "settings_file": str(spec_path),
        "prior_model": str(prior_path) if prior_path else None,
        "training": linkage.training.model_dump(),
        "plan": plan.describe(),
        "em_sessions": report.em_sessions,
        "em_sessions_skipped": report.skipped_sessions,
        "prior_values": report.prior_values,
        "warnings": report.warnings,
        "probability_two_random_records_match": model["probability_two_random_records_match"],
        "seconds": round(seconds, 1),
    }
    path = save_model(model, metadata, config.paths.models, trained_at)
    records.unpersist()
    progress.finish()
    log.info("trained the linkage model on %s records in %.0fs; saved %s", f"{record_count:,}", seconds, path)
    return path
