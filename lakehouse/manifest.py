"""The run manifest (gold.run_manifest): the table versions of the last complete run, which readers pin.

build-gold appends one entry (one row per table of MANIFEST_TABLES and RUN_INPUTS) after its last write; erasure and retention
append one after their deletes, before they vacuum, so readers never hold versions whose files are gone or that still
show an erased person. A reader takes the newest entry and reads each table at its version: it never sees a gold
layer in which some tables reflect a new run and others do not.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import MANIFEST_TABLES, RUN_INPUTS, RUN_MANIFEST

log = logging.getLogger(__name__)

MANIFEST_SCHEMA = "run_id string, kind string, completed_at timestamp, table_name string, version long"
"""Schema of gold.run_manifest."""


def record_run(store: TableStore, run_id: str, kind: str) -> dict[str, int]:
    """Append a manifest entry naming the current version of every existing manifest table; return it."""
    versions = {table.name: store.version(table.name) for table in (*MANIFEST_TABLES, *RUN_INPUTS) if store.exists(table.name)}
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [(run_id, kind, now, table, version) for table, version in versions.items()]
    store.append(RUN_MANIFEST.name, store.spark.createDataFrame(rows, MANIFEST_SCHEMA))
    log.info("run manifest: %s %s pins %d table versions", kind, run_id, len(versions))
    return versions


def last_complete_run(store: TableStore) -> tuple[str, dict[str, int]]:
    """The newest manifest entry: its run id and the version of each table it pins (PipelineError before the first run)."""
    if not store.exists(RUN_MANIFEST.name):
        raise PipelineError(f"{RUN_MANIFEST.name} does not exist yet; run `golden-record build-gold` to complete a run")
    entries = store.read(RUN_MANIFEST.name)
    newest = entries.orderBy(F.col("completed_at").desc(), F.col("run_id").desc()).select("run_id").first().run_id
    return newest, {row.table_name: row.version for row in entries.where(F.col("run_id") == newest).collect()}


def unchanged_since_last_run(store: TableStore) -> str | None:
    """The last complete run's id when every table it recorded is still at that version and no such table appeared
    since (nothing was ingested, standardised, matched, decided or built after it); else None."""
    if not store.exists(RUN_MANIFEST.name):
        return None
    run_id, versions = last_complete_run(store)
    for table in (*MANIFEST_TABLES, *RUN_INPUTS):
        exists = store.exists(table.name)
        if exists != (table.name in versions) or (exists and store.version(table.name) != versions[table.name]):
            return None
    return run_id


def read_pinned(store: TableStore, table: str) -> DataFrame:
    """A gold table as the last complete run left it (a Spark reader's consistent view, like the web app's)."""
    run_id, versions = last_complete_run(store)
    if table not in versions:
        raise PipelineError(f"run {run_id} pins no version of {table}; pinned: {', '.join(sorted(versions))}")
    return store.read(table, version=versions[table])
