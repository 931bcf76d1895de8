"""Job: land every configured source append-only in its bronze Delta table, quarantining unreadable rows."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NamedTuple

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from golden_record.lakehouse.config import JdbcLocation, PipelineConfig, SourceConfig
from golden_record.lakehouse.sources import SOURCE_LOCATION_COLUMN, SourceFile, file_sha256, is_single_file, list_files, read_files, read_table
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.suppression import salt_file, suppression_salt
from golden_record.lakehouse.session import materialise
from golden_record.lakehouse.tables import BRONZE_QUARANTINE, INGEST_LOG, SUPPRESSION_LIST, bronze_table
from golden_record.transforms.bronze.landing import (
    REASON_COLUMN,
    batch_summary,
    bronze_rows,
    file_batch_id,
    quarantine_rows,
    with_file_batch_ids,
    with_load_metadata,
    with_quarantine_reason,
    with_row_hash,
    with_snapshot_batch_id,
)

from golden_record.transforms.privacy.suppression import customer_reference, event_suppression_keys, standardised_identities, suppressed_row_hashes, suppression_keys
from golden_record.transforms.silver.customers import select_customer_fields

log = logging.getLogger(__name__)


INGEST_LOG_SCHEMA = (
    "source string, batch_id string, source_location string, status string, rows_read long, "
    "rows_landed long, rows_quarantined long, ingested_at timestamp, file_size long, file_modified_at timestamp, missing_columns string, "
    "rows_suppressed long"
)
"""Schema of `bronze.ingest_log`: one row per batch written; status 'ingested', or 'rejected' (file lacks a mapped column, retried next run);
rows_read = rows_landed + rows_quarantined + rows_suppressed (rows of erased persons, held back by the suppression list)."""


@dataclass(frozen=True)
class IngestResult:
    """What ingesting one source did, in numbers (rows_new = rows_landed + rows_quarantined + rows_suppressed; rows_read counts new batches only)."""

    source: str
    table: str
    batches_new: int
    batches_skipped: int
    rows_read: int
    rows_new: int
    rows_landed: int
    rows_quarantined: int
    seconds: float
    batches_rejected: int = 0
    rows_suppressed: int = 0


def _ingest_log(store: TableStore, sources: list[str]) -> dict[str, list]:
    """The ingest log's rows of these sources, by source (one read for all of them)."""
    logged: dict[str, list] = {source: [] for source in sources}
    if store.exists(INGEST_LOG.name):
        for row in store.read(INGEST_LOG.name).where(F.col("source").isin(*sources)).collect():
            logged[row.source].append(row)
    return logged


def _file_batch_ids(spark: SparkSession, source: SourceConfig, files: list[SourceFile], logged: list) -> dict[str, str]:
    """Batch id per file location: from the SHA-256 of its bytes, reused from the log for a file of unchanged location, size and time."""
    known = {(r.source_location, r.file_size, r.file_modified_at): r.batch_id for r in logged if getattr(r, "file_size", None) is not None}
    ids, hashed = {}, []
    for file in files:
        ids[file.location] = known.get((file.location, file.size, file.modified)) or file_batch_id(source.name, file_sha256(spark, file))
        if (file.location, file.size, file.modified) not in known:
            hashed.append(file.size)
    log.info("%s: %d file(s) listed, %d hashed (%.1f MB), %d known from the ingest log", source.name, len(files), len(hashed), sum(hashed) / 1e6, len(files) - len(hashed))
    return ids


class _Delivery(NamedTuple):
    """Rows that may be new (with `_row_hash` and `_batch_id`), the persisted frame behind them, files skipped, new files by location."""

    rows: DataFrame | None
    cached: DataFrame | None
    skipped: int
    files: dict[str, SourceFile]


def _new_file_rows(spark: SparkSession, config: PipelineConfig, source: SourceConfig, done: set[str], logged: list) -> _Delivery:
    """The files whose content was not ingested before (the first file per content), read with their batch ids."""
    files = list_files(spark, source, config.paths)
    ids = _file_batch_ids(spark, source, files, logged)
    first: dict[str, SourceFile] = {}
    for file in files:
        first.setdefault(ids[file.location], file)
    new = {file.location: file for batch_id, file in first.items() if batch_id not in done}
    if not new:
        return _Delivery(None, None, len(files), new)
    raw = read_files(spark, source, list(new.values()), single_file=is_single_file(source, config.paths, files))
    rows = with_row_hash(with_file_batch_ids(raw, {location: ids[location] for location in new})).persist(StorageLevel.MEMORY_AND_DISK)
    return _Delivery(rows, rows, len(files) - len(new), new)


def _new_rows(spark: SparkSession, config: PipelineConfig, source: SourceConfig, done: set[str], logged: list) -> _Delivery:
    """What may be new: the new files of a file source, or the whole snapshot of a table."""
    location = source.resolved_location(config.paths)
    if not isinstance(location, JdbcLocation):
        return _new_file_rows(spark, config, source, done, logged)
    cached = with_row_hash(read_table(spark, source, location)).persist(StorageLevel.MEMORY_AND_DISK)
    return _Delivery(with_snapshot_batch_id(cached, source.name), cached, 0, {})  # id and rows from one persisted snapshot


def _remove_partial_batches(store: TableStore, table: str, batch_ids: list[str], shared: AbstractContextManager) -> None:
    """Undo what an earlier attempt at these batches wrote before it crashed (it was never logged as complete)."""
    listed = ", ".join(f"'{b}'" for b in batch_ids)
    with shared:
        if store.exists(BRONZE_QUARANTINE.name):
            store.delete_where(BRONZE_QUARANTINE.name, f"batch_id IN ({listed})")
    if store.exists(table):
        store.delete_where(table, f"_batch_id IN ({listed})")


def ingest_source(
    spark: SparkSession,
    store: TableStore,
    config: PipelineConfig,
    source: SourceConfig,
    ingested_at: datetime,
    shared: AbstractContextManager,
    logged: list,
    suppression: Suppression | None = None,
) -> IngestResult:
    """Ingest the batches (files, or a database snapshot) of a source that were not ingested before.

    `shared` (a lock when sources are ingested side by side) guards the writes to the tables all sources share: the
    bronze quarantine and the ingest log. `logged`: the source's rows of the ingest log. `suppression`: the erased
    persons' keys; their rows are held back and counted."""
    started = time.monotonic()
    table = bronze_table(source.name).name
    done = {r.batch_id for r in logged if r.status == "ingested"}
    delivery = _new_rows(spark, config, source, done, logged)
    skipped = delivery.skipped
    if delivery.rows is None or delivery.cached is None:
        log.info("%s: the content of all %d file(s) was ingested before, nothing added", source.name, skipped)
        return IngestResult(source.name, table, 0, skipped, 0, 0, 0, 0, time.monotonic() - started)
    flagged = with_quarantine_reason(delivery.rows, source.format, source.csv.encoding)
    try:
        summary = batch_summary(flagged).collect()
        new = [b for b in summary if b._batch_id not in done]
        skipped += len(summary) - len(new)
        if not new:
            log.info("%s: the table snapshot was ingested before, nothing added", source.name)
            return IngestResult(source.name, table, 0, skipped, 0, 0, 0, 0, time.monotonic() - started)
        _remove_partial_batches(store, table, [b._batch_id for b in new], shared)
        stamped = with_load_metadata(flagged, source.name, ingested_at)
        quarantined = sum(b.rows_quarantined for b in new)
        rows_new = sum(b.rows for b in new)
        held_back, hashes = _suppressed(config, source, stamped, suppression) if suppression is not None else ({}, None)
        landing = bronze_rows(stamped) if not held_back else bronze_rows(stamped).join(hashes, "_row_hash", "left_anti")
        if quarantined:
            with shared:
                store.append(BRONZE_QUARANTINE.name, quarantine_rows(stamped))
        if rows_new > quarantined + sum(held_back.values()) or not store.exists(table):
            store.append(table, landing)
    finally:
        delivery.cached.unpersist()
    rejected = [b for b in new if b.missing_columns]
    for batch in rejected:
        log.warning("%s: %s lacks mapped column(s) %s: its %d row(s) are in %s", source.name, batch[SOURCE_LOCATION_COLUMN], batch.missing_columns, batch.rows, BRONZE_QUARANTINE.name)
    with shared:
        _log_batches(spark, store, source, new, delivery.files, ingested_at, held_back)
    suppressed = sum(held_back.values())
    result = IngestResult(
        source.name, table, len(new), skipped, rows_new, rows_new, rows_new - quarantined - suppressed, quarantined, time.monotonic() - started, len(rejected), suppressed
    )
    log.info(
        "%s: %d new batch(es) with %d rows: %d landed in %s, %d quarantined (%d batch(es) rejected whole), %d suppressed (erased persons); "
        "%d batch(es) already ingested (%.1fs)",
        source.name, len(new), rows_new, result.rows_landed, table, quarantined, len(rejected), suppressed, skipped, result.seconds,
    )
    return result


def _log_batches(
    spark: SparkSession, store: TableStore, source: SourceConfig, batches: list, files: dict[str, SourceFile], ingested_at: datetime, suppressed: dict[str, int]
) -> None:
    """Record each written batch in `bronze.ingest_log` (the commit that marks it complete)."""
    records = []
    for b in batches:
        file = files.get(b[SOURCE_LOCATION_COLUMN])
        held_back = suppressed.get(b._batch_id, 0)
        records.append({
            "source": source.name, "batch_id": b._batch_id, "source_location": b[SOURCE_LOCATION_COLUMN],
            "status": "rejected" if b.missing_columns else "ingested", "rows_read": b.rows, "rows_landed": b.rows - b.rows_quarantined - held_back,
            "rows_quarantined": b.rows_quarantined, "ingested_at": ingested_at, "file_size": file.size if file else None,
            "file_modified_at": file.modified if file else None, "missing_columns": b.missing_columns, "rows_suppressed": held_back,
        })
    store.append(INGEST_LOG.name, spark.createDataFrame(records, schema=INGEST_LOG_SCHEMA))


@dataclass(frozen=True)
class Suppression:
    """The suppression list as one ingest run reads it: the keys (`value_hash`) and their salt."""

    keys: DataFrame
    salt: str


def _suppression(config: PipelineConfig, store: TableStore) -> Suppression | None:
    """The suppression list, or None when nobody was erased (then ingest does no extra work)."""
    if not store.exists(SUPPRESSION_LIST.name):
        return None
    keys = store.read(SUPPRESSION_LIST.name).select("value_hash").persist(StorageLevel.MEMORY_AND_DISK)
    if keys.isEmpty():
        keys.unpersist()
        return None
    salt = suppression_salt(config)
    if salt is None:
        keys.unpersist()
        raise PipelineError(
            f"{SUPPRESSION_LIST.name} holds erased persons, but its salt is missing ({config.privacy.suppression.salt_env} unset and "
            f"no {salt_file(config)}): without it erased persons would be ingested again; restore the salt"
        )
    return Suppression(keys, salt)


def _suppressed(config: PipelineConfig, source: SourceConfig, stamped: DataFrame, suppression: Suppression) -> tuple[dict[str, int], DataFrame]:
    """Rows per batch that belong to erased persons (a key of theirs is on the suppression list), and those rows' `_row_hash`."""
    readable = stamped.where(F.col(REASON_COLUMN).isNull())
    keys = []
    if source.customers:
        selected = standardised_identities(select_customer_fields(readable, source), [source], config.standardisation)
        keys.append(suppression_keys(selected, config.linkage.identifiers.placeholder_patterns, suppression.salt))
    if source.interactions:
        keys.append(event_suppression_keys(customer_reference(readable, source), suppression.salt))
    held_back = keys[0] if len(keys) == 1 else keys[0].unionByName(keys[1])
    hashes = materialise(suppressed_row_hashes(held_back, suppression.keys).withColumnRenamed("row_hash", "_row_hash"))  # counted, then anti-joined
    counts = {row._batch_id: row["count"] for row in readable.join(hashes, "_row_hash", "left_semi").groupBy("_batch_id").count().collect()}
    return counts, hashes


def run(config: PipelineConfig, spark: SparkSession, store: TableStore, only: list[str] | None = None) -> list[IngestResult]:
    """Ingest every configured source (or those named in `only`) into bronze, `ingest.parallel_sources` at a time; one result per source."""
    sources = [config.source(name) for name in only] if only else list(config.sources)
    ingested_at = datetime.now(timezone.utc).replace(tzinfo=None)
    shared = threading.Lock()
    logged = _ingest_log(store, [source.name for source in sources])
    suppression = _suppression(config, store)

    def ingest(numbered: tuple[int, SourceConfig]) -> IngestResult:
        position, source = numbered
        log.info("[%d/%d] ingesting %s (%s)", position, len(sources), source.name, source.format)
        return ingest_source(spark, store, config, source, ingested_at, shared, logged[source.name], suppression)

    try:
        with ThreadPoolExecutor(max_workers=config.ingest.parallel_sources, thread_name_prefix="ingest") as pool:
            return list(pool.map(ingest, enumerate(sources, start=1)))
    finally:
        if suppression is not None:
            suppression.keys.unpersist()
