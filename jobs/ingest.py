"""Job: land every configured source append-only in its bronze Delta table, quarantining unreadable rows."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from pyspark import StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse.config import PipelineConfig, SourceConfig
from lakehouse.sources import SOURCE_LOCATION_COLUMN, read_source
from lakehouse.storage import TableStore
from transforms.bronze import (
    batch_ids,
    bronze_rows,
    quarantine_rows,
    with_load_metadata,
    with_quarantine_reason,
    with_row_hash,
)

log = logging.getLogger(__name__)

QUARANTINE_TABLE = "bronze.quarantine"
INGEST_LOG_TABLE = "bronze.ingest_log"


@dataclass(frozen=True)
class IngestResult:
    """What ingesting one source did, in numbers (rows_new = rows_landed + rows_quarantined)."""

    source: str
    table: str
    batches_new: int
    batches_skipped: int
    rows_read: int
    rows_new: int
    rows_landed: int
    rows_quarantined: int
    seconds: float


def bronze_table(source: SourceConfig) -> str:
    """Name of the bronze table a source lands in."""
    return f"bronze.{source.name}"


def _completed_batches(store: TableStore, source: str) -> set[str]:
    if not store.exists(INGEST_LOG_TABLE):
        return set()
    rows = store.read(INGEST_LOG_TABLE).where((F.col("source") == source) & (F.col("status") == "ingested")).select("batch_id").collect()
    return {row.batch_id for row in rows}


def _remove_partial_batches(store: TableStore, table: str, batch_ids: list[str]) -> None:
    """Undo what an earlier attempt at these batches wrote before it crashed (it was never logged as complete)."""
    listed = ", ".join(f"'{b}'" for b in batch_ids)
    if store.exists(QUARANTINE_TABLE):
        store.delete_where(QUARANTINE_TABLE, f"batch_id IN ({listed})")
    if store.exists(table):
        store.delete_where(table, f"_batch_id IN ({listed})")


def ingest_source(spark: SparkSession, store: TableStore, config: PipelineConfig, source: SourceConfig, ingested_at: datetime) -> IngestResult:
    """Ingest the batches (files, or a database snapshot) of a source that were not ingested before."""
    started = time.monotonic()
    table = bronze_table(source)
    raw = read_source(spark, source, config.paths)
    flagged = with_quarantine_reason(with_row_hash(raw), source.format, source.csv.encoding).persist(StorageLevel.MEMORY_AND_DISK)
    batches = batch_ids(flagged, source.name).persist()
    try:
        done = _completed_batches(store, source.name)
        per_batch = batches.collect()
        new = [b for b in per_batch if b.batch_id not in done and b.first_location]
        skipped = len(per_batch) - len(new)
        rows_read = sum(b.rows for b in per_batch)
        if not new:
            log.info("%s: the content of all %d file(s)/table(s) was ingested before, nothing added", source.name, skipped)
            return IngestResult(source.name, table, 0, skipped, rows_read, 0, 0, 0, time.monotonic() - started)
        new_ids = [b.batch_id for b in new]
        _remove_partial_batches(store, table, new_ids)
        stamped = with_load_metadata(
            flagged.join(F.broadcast(batches.where(F.col("first_location")).select(SOURCE_LOCATION_COLUMN, "batch_id")), SOURCE_LOCATION_COLUMN)
            .where(F.col("batch_id").isin(new_ids)),
            source.name,
            ingested_at,
        )
        quarantined = sum(b.rows_quarantined for b in new)
        if quarantined:
            store.append(QUARANTINE_TABLE, quarantine_rows(stamped))
        store.append(table, bronze_rows(stamped))
    finally:
        batches.unpersist()
        flagged.unpersist()
    rows_new = sum(b.rows for b in new)
    result = IngestResult(source.name, table, len(new), skipped, rows_read, rows_new, rows_new - quarantined, quarantined, time.monotonic() - started)
    records = [
        {"source": source.name, "batch_id": b.batch_id, "source_location": b[SOURCE_LOCATION_COLUMN], "status": "ingested",
         "rows_read": b.rows, "rows_landed": b.rows - b.rows_quarantined, "rows_quarantined": b.rows_quarantined, "ingested_at": ingested_at}
        for b in new
    ]
    store.append(INGEST_LOG_TABLE, spark.createDataFrame(records, schema=INGEST_LOG_SCHEMA))
    log.info(
        "%s: %d rows read, %d new in %d batch(es): %d landed in %s, %d quarantined; %d batch(es) already ingested (%.1fs)",
        source.name, rows_read, rows_new, len(new), result.rows_landed, table, quarantined, skipped, result.seconds,
    )
    return result


INGEST_LOG_SCHEMA = (
    "source string, batch_id string, source_location string, status string, rows_read long, "
    "rows_landed long, rows_quarantined long, ingested_at timestamp"
)
"""Schema of `bronze.ingest_log`: one row per batch that completed."""


def run(config: PipelineConfig, spark: SparkSession, store: TableStore, only: list[str] | None = None) -> list[IngestResult]:
    """Ingest every configured source (or those named in `only`) into bronze; returns one result per source."""
    sources = [config.source(name) for name in only] if only else list(config.sources)
    ingested_at = datetime.now(timezone.utc).replace(tzinfo=None)
    results = []
    for position, source in enumerate(sources, start=1):
        log.info("[%d/%d] ingesting %s (%s)", position, len(sources), source.name, source.format)
        results.append(ingest_source(spark, store, config, source, ingested_at))
    return results
