"""TableStore on delta-rs (the `deltalake` package): Spark computes, delta-rs commits standard Delta tables."""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote, urlparse

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from deltalake import DeltaTable as RsDeltaTable
from deltalake import Schema as RsSchema
from deltalake.exceptions import DeltaError
from deltalake.transaction import AddAction, CommitProperties, RemoveAction, create_table_with_add_actions
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from golden_record.lakehouse.storage.table_store import (
    TABLE_NAME,
    StorageError,
    TableStore,
    as_nullable,
    check_keys,
    check_replace_where,
    check_unique_keys,
    commit_record,
    history_entry,
    matches,
    merged_schema,
    parse_table_name,
    table_path,
)

RowSelector = Callable[[DataFrame, bool], DataFrame]
"""Given rows of a table, returns the rows an operation keeps (True) or the rows it removes (False)."""


READABLE_FEATURES = {"timestampNtz"}
"""Reader features that leave the parquet files readable as they are (deletion vectors, column mapping do not)."""


FILE_COLUMN = "__delta_file"
"""Column naming the parquet file a row was read from (Spark's `_metadata.file_path`)."""


@dataclass(frozen=True)
class _DataFile:
    size: int
    rows: int | None


@dataclass(frozen=True)
class _Staged:
    """Parquet files written into the table folder but not yet committed, and a DataFrame reading them."""

    files: list[AddAction]
    frame: DataFrame
    rows: int


class DeltaRsStore(TableStore):
    """Path-based Delta tables: Spark writes the parquet files, then one delta-rs commit adds them to the table.

    Rows change copy-on-write, as in Delta Spark without deletion vectors: one Spark query finds the files that hold
    rows to delete or replace, those files are rewritten without them, and the commit swaps old files for new.
    Merges run the same way (distributed in Spark, never in the driver). Concurrency is optimistic without retry:
    if another writer committed after this operation read the table, the commit fails with StorageError, the staged
    files are deleted and the table is unchanged. A new column makes delta-rs rewrite every file (it changes a
    schema only together with replacing all files). Tables must be unpartitioned, without deletion vectors or column
    mapping; tables this store writes are reader 1 / writer 2 (3 / 7 with timestamp_ntz columns).
    """

    backend = "delta-rs"

    def __init__(self, spark: SparkSession, root: str) -> None:
        self.spark = spark
        self.root = root.rstrip("/")
        self._fs, self._fs_root = pafs.FileSystem.from_uri(self.root)
        # delta-rs and other Delta readers need parquet timestamps as INT64 microseconds, not Spark's legacy INT96.
        spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")

    def location(self, table: str) -> str:
        """The table's folder: `<lakehouse>/<layer>/<name>`."""
        return table_path(self.root, table)

    def exists(self, table: str) -> bool:
        """Whether a Delta table exists in the table's folder."""
        return RsDeltaTable.is_deltatable(self.location(table))

    def read(self, table: str, version: int | None = None) -> DataFrame:
        """The table's rows (at `version` if given), read by Spark from the files that version references."""
        snapshot = self._open(table, version)
        return self._frame(self._schema(snapshot), snapshot.file_uris())

    def overwrite(self, table: str, df: DataFrame, replace_where: str | None = None) -> int:
        """Replace the table with `df` and its schema; with `replace_where`, only the rows matching it."""
        with self._transaction(table) as tx:
            new = tx.stage(df)
            if replace_where is None:
                tx.removes = list(tx.current)
                metrics = {"numFiles": len(new.files), "numOutputRows": new.rows, "numRemovedFiles": len(tx.removes)}
                return tx.commit("OVERWRITE", {}, as_nullable(df.schema), metrics)
            check_replace_where(table, new.frame, replace_where)
            schema = tx.merged_schema(df.schema)
            condition = matches(replace_where)
            removed, copied = tx.rewrite(lambda rows, keep: rows.where(~condition if keep else condition), schema)
            metrics = {
                "numFiles": len(tx.adds),
                "numOutputRows": new.rows + copied,
                "numDeletedRows": _minus(removed, copied),
                "numCopiedRows": copied,
                "numRemovedFiles": len(tx.removes),
            }
            return tx.commit("OVERWRITE", {"replace_where": replace_where}, schema, metrics)

    def append(self, table: str, df: DataFrame) -> int:
        """Add `df`'s rows (creating the table if missing); new columns join the schema."""
        with self._transaction(table) as tx:
            new = tx.stage(df)
            schema = tx.merged_schema(df.schema)
            _, copied = tx.rewrite(None, schema)
            metrics = {"numFiles": len(new.files), "numOutputRows": new.rows, "numCopiedRows": copied}
            return tx.commit("APPEND", {}, schema, metrics)

    def merge(self, table: str, df: DataFrame, keys: list[str]) -> int:
        """Upsert by key: rewrite the files holding matched keys without those rows, add df's rows, one commit."""
        keys = list(keys)
        check_keys(table, df, keys)
        with self._transaction(table) as tx:
            source = tx.stage(df)  # df is evaluated once: the checks and the join below read the staged files
            check_unique_keys(table, source.frame, keys)
            schema = tx.merged_schema(df.schema)
            source_keys = source.frame.select(*keys)
            removed, copied = tx.rewrite(
                lambda rows, keep: rows.join(source_keys, keys, "left_anti" if keep else "left_semi"), schema
            )
            updated = _minus(removed, copied)
            metrics = {
                "numSourceRows": source.rows,
                "numTargetRowsUpdated": updated,
                "numTargetRowsInserted": _minus(source.rows, updated),
                "numTargetRowsCopied": copied,
                "numOutputRows": source.rows + copied,
                "numTargetFilesRemoved": len(tx.removes),
                "numTargetFilesAdded": len(tx.adds),
            }
            return tx.commit("MERGE", {"keys": keys}, schema, metrics)

    def delete_where(self, table: str, predicate: str) -> int:
        """Rewrite the files holding rows where the predicate is true without them; no match -> no commit."""
        condition = matches(predicate)
        with self._transaction(table, must_exist=True) as tx:
            removed, copied = tx.rewrite(lambda rows, keep: rows.where(~condition if keep else condition), tx.schema)
            if not tx.removes:
                return tx.read_version  # nothing matched: like Delta's DELETE, no new version
            metrics = {
                "numDeletedRows": _minus(removed, copied),
                "numCopiedRows": copied,
                "numRemovedFiles": len(tx.removes),
                "numAddedFiles": len(tx.adds),
            }
            return tx.commit("DELETE", {"predicate": predicate}, tx.schema, metrics)

    def history(self, table: str) -> list[dict[str, Any]]:
        """The table's commits, newest first."""
        return [
            history_entry(
                commit["version"],
                datetime.fromtimestamp(commit["timestamp"] / 1000, tz=timezone.utc),
                commit.get("operation", ""),
                commit.get("operationParameters"),
                commit.get("operationMetrics"),
                commit.get("userMetadata"),
            )
            for commit in self._open(table).history()
        ]

    def version(self, table: str) -> int:
        """The table's latest version."""
        return self._open(table).version()

    def vacuum(self, table: str, retention_hours: float = 168, dry_run: bool = False) -> list[str]:
        """Delete unreferenced files older than the retention, orphans of failed writes included; return their paths."""
        snapshot = self._open(table)
        # delta-rs takes whole hours; rounding up never deletes a file the caller wanted kept. `full` lists every
        # file of the folder (as Delta Spark's VACUUM does), so files of writes that never committed go too.
        deleted = snapshot.vacuum(
            retention_hours=math.ceil(retention_hours), dry_run=dry_run, enforce_retention_duration=False, full=True
        )
        if not dry_run:
            self._remove_empty_folders(table)
        location = self.location(table)
        return sorted(f"{location}/{path}" for path in deleted)

    def tables(self, layer: str | None = None) -> list[str]:
        """The Delta tables under the lakehouse root, as sorted "layer.name"."""
        if layer is not None:
            parse_table_name(f"{layer}.any")
        layers = [layer] if layer is not None else self._subfolders(self._fs_root)
        found = [
            f"{each}.{name}"
            for each in layers
            for name in self._subfolders(f"{self._fs_root}/{each}")
            if TABLE_NAME.match(f"{each}.{name}") and self.exists(f"{each}.{name}")
        ]
        return sorted(found)

    # -- helpers -------------------------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self, table: str, must_exist: bool = False) -> Iterator[_Transaction]:
        """One commit in the making; whatever it staged is deleted unless it commits."""
        snapshot = self._open(table) if must_exist or self.exists(table) else None
        tx = _Transaction(self, table, snapshot)
        try:
            yield tx
        finally:
            if not tx.committed:
                tx.discard()

    def _open(self, table: str, version: int | None = None) -> RsDeltaTable:
        """The table at `version` (default latest); StorageError if it does not exist or uses unsupported features."""
        location = self.location(table)
        if not RsDeltaTable.is_deltatable(location):
            raise StorageError(f"table {table} does not exist (no Delta table at {location})")
        try:
            snapshot = RsDeltaTable(location, version=version)
        except DeltaError as exc:
            raise StorageError(f"table {table}: cannot load version {version}: {exc}") from exc
        protocol = snapshot.protocol()
        unsupported = set(protocol.reader_features or []) - READABLE_FEATURES
        if snapshot.metadata().partition_columns or unsupported or protocol.min_reader_version == 2:
            raise StorageError(
                f"table {table} at {location} is partitioned or uses reader features this store cannot read "
                f"(reader protocol {protocol.min_reader_version}, features {protocol.reader_features}); "
                "the delta-rs store reads unpartitioned tables without deletion vectors or column mapping"
            )
        return snapshot

    def _schema(self, snapshot: RsDeltaTable) -> StructType:
        return StructType.fromJson(json.loads(snapshot.schema().to_json()))

    def _files(self, snapshot: RsDeltaTable) -> dict[str, _DataFile]:
        """The data files of a snapshot: relative path -> size and row count (from the commit's stats)."""
        actions = pa.table(snapshot.get_add_actions(flatten=True)).to_pylist()
        return {action["path"]: _DataFile(action["size_bytes"], action.get("num_records")) for action in actions}

    def _frame(self, schema: StructType, uris: list[str], with_file: bool = False) -> DataFrame:
        """Spark reading parquet files with the table's schema (columns a file lacks read as null)."""
        if not uris:
            return self.spark.createDataFrame([], schema)
        frame = self.spark.read.schema(schema).parquet(*[_spark_uri(uri) for uri in uris])
        return frame.withColumn(FILE_COLUMN, F.col("_metadata.file_path")) if with_file else frame

    def _relative(self, table: str, file_uri: str) -> str:
        """A data file's path relative to its table, from the URI Spark reports."""
        root = unquote(urlparse(self.location(table)).path).rstrip("/")
        return unquote(urlparse(file_uri).path)[len(root) + 1 :]

    def _fs_path(self, table: str) -> str:
        layer, name = parse_table_name(table)
        return f"{self._fs_root}/{layer}/{name}"

    def _subfolders(self, path: str) -> list[str]:
        infos = self._fs.get_file_info(pafs.FileSelector(path, allow_not_found=True))
        return [info.base_name for info in infos if info.type == pafs.FileType.Directory]

    def _remove_empty_folders(self, table: str) -> None:
        """Delete folders that vacuum left without files (one per write), deepest first."""
        root = self._fs_path(table)
        infos = self._fs.get_file_info(pafs.FileSelector(root, recursive=True))
        folders = {info.path for info in infos if info.type == pafs.FileType.Directory}
        in_use = set()
        for info in infos:
            if info.type == pafs.FileType.File:
                parent = info.path.rsplit("/", 1)[0]
                while parent.startswith(root + "/") and parent not in in_use:
                    in_use.add(parent)
                    parent = parent.rsplit("/", 1)[0]
        for folder in sorted(folders - in_use, key=len, reverse=True):
            if not folder.startswith(f"{root}/_delta_log"):
                self._fs.delete_dir(folder)


class _Transaction:
    """One delta-rs commit in the making: files staged in the table folder, and current files to remove."""

    def __init__(self, store: DeltaRsStore, table: str, snapshot: RsDeltaTable | None) -> None:
        self.store = store
        self.table = table
        self.snapshot = snapshot
        self.read_version = snapshot.version() if snapshot else -1
        self.schema = store._schema(snapshot) if snapshot else None
        self.current = store._files(snapshot) if snapshot else {}
        self.adds: list[AddAction] = []
        self.removes: list[str] = []
        self.folders: list[str] = []
        self.committed = False

    def stage(self, df: DataFrame) -> _Staged:
        """Write `df` as parquet into a new folder of the table; no reader sees these files before the commit."""
        folder = uuid.uuid4().hex
        self.folders.append(folder)
        location = self.store.location(self.table)
        # No _SUCCESS marker: the commit, not the folder, says which files are data.
        df.write.option("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false").parquet(_spark_uri(f"{location}/{folder}"))
        files = self._written_files(folder)
        self.adds.extend(files)
        frame = self.store._frame(df.schema, [f"{location}/{file.path}" for file in files])
        return _Staged(files, frame, sum(json.loads(file.stats)["numRecords"] for file in files))

    def merged_schema(self, incoming: StructType) -> StructType:
        """The schema after this write: the table's plus incoming's new columns (incoming's for a new table)."""
        return as_nullable(incoming) if self.schema is None else merged_schema(self.table, self.schema, incoming)

    def rewrite(self, select: RowSelector | None, schema: StructType) -> tuple[int | None, int]:
        """Remove the files holding rows `select` drops and stage the rows it keeps; return (rows removed, kept).

        A new column changes the schema, which delta-rs commits only together with replacing every file,
        so then every file is rewritten.
        """
        if not self.current or self.schema is None:
            return 0, 0
        if schema.fieldNames() != self.schema.fieldNames():
            touched = list(self.current)
        elif select is None:
            return 0, 0
        else:
            rows = self.store._frame(self.schema, self._uris(list(self.current)), with_file=True)
            found = select(rows, False).select(FILE_COLUMN).distinct().collect()
            touched = sorted({self.store._relative(self.table, row[0]) for row in found})
            unknown = [path for path in touched if path not in self.current]
            if unknown:
                raise StorageError(f"{self.table}: Spark read files the table does not list: {unknown[:3]}")
        if not touched:
            return 0, 0
        rows = self.store._frame(self.schema, self._uris(touched))
        kept = self.stage(select(rows, True) if select else rows)
        self.removes.extend(touched)
        counts = [self.current[path].rows for path in touched]
        return (None if None in counts else sum(counts)), kept.rows

    def commit(self, operation: str, parameters: dict[str, Any], schema: StructType, metrics: dict[str, Any]) -> int:
        """Commit the staged files and removals atomically; return the new version."""
        properties = CommitProperties(
            custom_metadata={
                "userMetadata": commit_record(operation, parameters),
                "operationMetrics": {key: value for key, value in metrics.items() if value is not None},
            },
            max_commit_retries=0,  # any commit since read_version is a conflict: fail rather than rebase
        )
        delta_schema = RsSchema.from_json(schema.json())
        try:
            if self.snapshot is None:
                location = self.store.location(self.table)
                create_table_with_add_actions(location, delta_schema, self.adds, mode="error", commit_properties=properties)
            elif set(self.removes) == set(self.current):
                self.snapshot.create_write_transaction(self.adds, "overwrite", delta_schema, commit_properties=properties)
            else:
                now = int(time.time() * 1000)
                removes = [RemoveAction(path, True, now, self.current[path].size, {}) for path in self.removes]
                self.snapshot.create_write_transaction([*removes, *self.adds], "append", delta_schema, commit_properties=properties)
        except DeltaError as exc:
            raise StorageError(
                f"{operation} {self.table} was not committed, the table is unchanged: {exc}. "
                f"If another writer committed after version {self.read_version} was read, retry the operation."
            ) from exc
        self.committed = True
        return self.read_version + 1

    def discard(self) -> None:
        """Delete the folders this transaction staged (it did not commit)."""
        for folder in self.folders:
            try:
                self.store._fs.delete_dir(f"{self.store._fs_path(self.table)}/{folder}")
            except FileNotFoundError:
                pass

    def _uris(self, paths: list[str]) -> list[str]:
        location = self.store.location(self.table)
        return [f"{location}/{path}" for path in paths]

    def _written_files(self, folder: str) -> list[AddAction]:
        """Add actions for the parquet files Spark wrote into `folder` (row counts from their footers)."""
        store = self.store
        actions = []
        for info in store._fs.get_file_info(pafs.FileSelector(f"{store._fs_path(self.table)}/{folder}")):
            if info.type != pafs.FileType.File or not info.base_name.endswith(".parquet") or info.base_name.startswith(("_", ".")):
                continue
            rows = pq.read_metadata(info.path, filesystem=store._fs).num_rows
            if rows == 0:
                store._fs.delete_file(info.path)  # Spark writes a file even for an empty partition
                continue
            stats = json.dumps({"numRecords": rows})
            actions.append(AddAction(f"{folder}/{info.base_name}", info.size, {}, info.mtime_ns // 1_000_000, True, stats))
        return actions


def _spark_uri(path: str) -> str:
    """A path as Spark should see it: plain local paths get `file://`, so a cluster's default filesystem is not used."""
    return path if "://" in path or path.startswith("file:") else f"file://{path}"


def _minus(total: int | None, part: int | None) -> int | None:
    return None if total is None or part is None else total - part
