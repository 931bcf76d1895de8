"""Spark-free access to the path-based lakehouse (delta-rs + Arrow), for readers that must answer in milliseconds.

The web app reads the tables the run manifest pins and appends steward decisions and its access log here; the
pipeline's TableStore backends read those tables like any other (same paths, standard Delta commits, the same
`userMetadata` commit record). Object storage works through delta-rs `storage_options` (s3://, abfss://, gs://).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import CommitProperties, DeltaTable, write_deltalake

from golden_record.lakehouse.storage.table_store import StorageError, commit_record, table_path
from golden_record.lakehouse.tables import RUN_MANIFEST


@dataclass(frozen=True)
class Manifest:
    """The newest run manifest entry: which run (or erasure) completed when, and the table versions it pins."""

    run_id: str
    kind: str
    completed_at: datetime
    versions: dict[str, int]


class ArrowTables:
    """Path-based Delta tables under `root` as Arrow tables, read at a version; appends are one commit each."""

    def __init__(self, root: str, storage_options: dict[str, str] | None = None) -> None:
        self.root = root.rstrip("/")
        self.storage_options = storage_options or None

    def location(self, table: str) -> str:
        """The table's folder (`<lakehouse>/<layer>/<name>`)."""
        return table_path(self.root, table)

    def exists(self, table: str) -> bool:
        """Whether a Delta table exists at the table's folder."""
        return DeltaTable.is_deltatable(self.location(table), storage_options=self.storage_options)

    def _open(self, table: str, version: int | None = None) -> DeltaTable:
        try:
            return DeltaTable(self.location(table), version=version, storage_options=self.storage_options)
        except Exception as error:  # delta-rs raises several types (TableNotFoundError, DeltaError, OSError)
            raise StorageError(f"cannot read {table} at {self.location(table)} (version {version}): {error}") from error

    def version(self, table: str) -> int:
        """The table's current version."""
        return self._open(table).version()

    def columns(self, table: str, version: int | None = None) -> list[str]:
        """The table's column names at `version`."""
        return [field.name for field in self._open(table, version).schema().fields]

    def read(self, table: str, version: int | None = None, columns: list[str] | None = None) -> pa.Table:
        """The table's rows at `version` (default: the newest), optionally only some columns."""
        return self._open(table, version).to_pyarrow_table(columns=columns)

    def append(self, table: str, rows: pa.Table) -> int:
        """Append the rows in one commit (creating the table; new columns join its schema); return the new version."""
        metadata = {"userMetadata": commit_record("APPEND", {})}
        write_deltalake(
            self.location(table), rows, mode="append", schema_mode="merge", storage_options=self.storage_options,
            commit_properties=CommitProperties(custom_metadata=metadata),
        )
        return self.version(table)

    def manifest(self) -> Manifest | None:
        """The newest entry of gold.run_manifest, or None before the first complete run."""
        if not self.exists(RUN_MANIFEST.name):
            return None
        rows = self.read(RUN_MANIFEST.name)
        if rows.num_rows == 0:
            return None
        newest = pc.max(rows["completed_at"]).as_py()
        entry = rows.filter(pc.equal(rows["completed_at"], pa.scalar(newest, rows.schema.field("completed_at").type))).to_pylist()
        return Manifest(entry[0]["run_id"], entry[0]["kind"], newest, {r["table_name"]: r["version"] for r in entry})
