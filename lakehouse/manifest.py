"""The run manifest (gold.run_manifest): the table versions of the last complete run, which readers pin.

build-gold appends one entry (one row per table of MANIFEST_TABLES) after its last write; erasure and retention
append one after their deletes, before they vacuum, so readers never hold versions whose files are gone or that still
show an erased person. A reader takes the newest entry and reads each table at its version: it never sees a gold
layer in which some tables reflect a new run and others do not.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import MANIFEST_TABLES, RUN_MANIFEST

log = logging.getLogger(__name__)

MANIFEST_SCHEMA = "run_id string, kind string, completed_at timestamp, table_name string, version long"
"""Schema of gold.run_manifest."""


def record_run(store: TableStore, run_id: str, kind: str) -> dict[str, int]:
    """Append a manifest entry naming the current version of every existing manifest table; return it."""
    versions = {table.name: store.version(table.name) for table in MANIFEST_TABLES if store.exists(table.name)}
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [(run_id, kind, now, table, version) for table, version in versions.items()]
    store.append(RUN_MANIFEST.name, store.spark.createDataFrame(rows, MANIFEST_SCHEMA))
    log.info("run manifest: %s %s pins %d table versions", kind, run_id, len(versions))
    return versions
