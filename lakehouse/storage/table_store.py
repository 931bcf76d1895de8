"""The one seam for Delta table I/O: `open_store(spark, config)` returns a TableStore on delta-spark or delta-rs.

Tables are named "<layer>.<name>" (e.g. "bronze.crm_customers"). Every write is one atomic Delta commit whose
`userMetadata` records this store's operation name (OVERWRITE, APPEND, MERGE, DELETE) and its parameters, so
`history()` reads the same on both backends. The two backends live in `lakehouse/storage/delta_rs.py` and `delta_spark.py`.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, StructType

from golden_record.lakehouse.errors import PipelineError

TABLE_NAME = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$")
"""A table name: "<layer>.<name>", both lower-case identifiers."""


class StorageError(PipelineError):
    """A table cannot be read or written; the message names the table."""


class TableStore(ABC):
    """Delta tables addressed as "<layer>.<name>"; each write is one atomic commit and returns the new version."""

    backend: str
    """"delta-rs" or "delta-spark"."""

    @abstractmethod
    def exists(self, table: str) -> bool:
        """Whether the table exists."""

    @abstractmethod
    def read(self, table: str, version: int | None = None) -> DataFrame:
        """The table's rows, at `version` if given (time travel); StorageError when it does not exist."""

    @abstractmethod
    def overwrite(self, table: str, df: DataFrame, replace_where: str | None = None) -> int:
        """Replace the table with `df` (schema too), or with `replace_where` only the rows matching that predicate."""

    @abstractmethod
    def append(self, table: str, df: DataFrame) -> int:
        """Add `df`'s rows, creating the table if missing; new columns join the schema, missing ones are null."""

    @abstractmethod
    def merge(self, table: str, df: DataFrame, keys: list[str]) -> int:
        """Upsert by key: a matched row is replaced by df's row, others are inserted; duplicate keys -> ValueError."""

    @abstractmethod
    def delete_where(self, table: str, predicate: str) -> int:
        """Delete rows where the Spark SQL predicate is true (NULL keeps the row); no match -> no new version."""

    @abstractmethod
    def history(self, table: str) -> list[dict[str, Any]]:
        """Commits, newest first: version, timestamp (UTC), operation, parameters, metrics, engine_operation."""

    @abstractmethod
    def version(self, table: str) -> int:
        """The current version of the table."""

    @abstractmethod
    def vacuum(self, table: str, retention_hours: float = 168, dry_run: bool = False) -> list[str]:
        """Delete files no version younger than the retention needs (and orphans); return the files (to be) deleted."""

    @abstractmethod
    def location(self, table: str) -> str:
        """Where the table lives (a path or a catalog name), for messages."""

    @abstractmethod
    def tables(self, layer: str | None = None) -> list[str]:
        """The existing tables as sorted "layer.name", of one layer or all."""


def parse_table_name(table: str) -> tuple[str, str]:
    """Split "<layer>.<name>" into (layer, name), or raise ValueError explaining the expected form."""
    match = TABLE_NAME.match(table) if isinstance(table, str) else None
    if match is None:
        raise ValueError(f"invalid table name {table!r}: expected '<layer>.<name>' in lower case, e.g. 'bronze.crm_customers'")
    return match.group(1), match.group(2)


def table_path(root: str, table: str) -> str:
    """Where a path-based table lives: `<lakehouse>/<layer>/<name>` (both backends, and Spark-free readers)."""
    layer, name = parse_table_name(table)
    return f"{root.rstrip('/')}/{layer}/{name}"


def matches(predicate: str) -> Column:
    """True exactly where the Spark SQL predicate is true; NULL counts as no match, as in Delta's DELETE."""
    return F.expr(predicate).eqNullSafe(F.lit(True))


def check_keys(table: str, df: DataFrame, keys: list[str]) -> None:
    """Raise ValueError unless `keys` is a non-empty list of columns of `df`."""
    missing = [key for key in keys if key not in df.columns]
    if not keys or missing:
        raise ValueError(f"merge into {table}: keys {list(keys)} must be non-empty columns of the data; missing {missing}, columns {df.columns}")


def check_unique_keys(table: str, df: DataFrame, keys: list[str]) -> None:
    """Raise ValueError naming the keys and a few values when `df` holds a key twice (rows with a null key never match)."""
    duplicates = df.dropna(subset=keys).groupBy(*keys).count().where(F.col("count") > 1).limit(5).collect()
    if duplicates:
        examples = [tuple(row[key] for key in keys) for row in duplicates]
        raise ValueError(f"merge into {table}: the data holds duplicate keys {keys}, e.g. {examples}")


def check_replace_where(table: str, df: DataFrame, predicate: str) -> None:
    """Raise ValueError when a row of `df` does not satisfy the replace_where predicate."""
    if df.where(~matches(predicate)).limit(1).count():
        raise ValueError(f"overwrite {table}: every row must satisfy replace_where {predicate!r}, some do not")


def as_nullable(schema: StructType) -> StructType:
    """The same schema with every field, array element and map value nullable (Delta stores DataFrame writes so)."""
    return StructType.fromJson(_nullable_json(schema.jsonValue()))


def _same_type(left: DataType, right: DataType) -> bool:
    return _nullable_json(left.jsonValue()) == _nullable_json(right.jsonValue())


def _nullable_json(value: Any) -> Any:
    """A schema's JSON with every nullability flag set to true (field metadata left as it is)."""
    if isinstance(value, list):
        return [_nullable_json(item) for item in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        if key in ("nullable", "containsNull", "valueContainsNull"):
            result[key] = True
        elif key == "metadata":
            result[key] = item
        else:
            result[key] = _nullable_json(item)
    return result


def merged_schema(table: str, current: StructType, incoming: StructType) -> StructType:
    """The table's columns followed by incoming's new ones (all nullable); a changed column type is a StorageError."""
    known = {field.name: field for field in current.fields}
    for field in incoming.fields:
        if field.name in known and not _same_type(known[field.name].dataType, field.dataType):
            raise StorageError(
                f"{table}: column '{field.name}' is {known[field.name].dataType.simpleString()} in the table "
                f"but {field.dataType.simpleString()} in the data; a column's type cannot change (cast it, or overwrite the table)"
            )
    added = [field for field in incoming.fields if field.name not in known]
    return as_nullable(StructType([*current.fields, *added]))


COMMIT_RECORD_KEY = "table_store"
"""Key of this store's record inside a commit's `userMetadata` JSON."""


def commit_record(operation: str, parameters: dict[str, Any]) -> str:
    """The `userMetadata` this store gives a commit: JSON naming its operation and parameters."""
    return json.dumps({COMMIT_RECORD_KEY: {"operation": operation, "parameters": parameters}}, sort_keys=True, default=str)


def history_entry(
    version: int,
    timestamp: datetime,
    operation: str,
    parameters: dict[str, Any] | None,
    metrics: dict[str, Any] | None,
    user_metadata: str | None,
) -> dict[str, Any]:
    """One `history()` item; operation and parameters come from this store's commit record when there is one."""
    record = {"operation": operation, "parameters": parameters or {}}
    try:
        record = json.loads(user_metadata or "")[COMMIT_RECORD_KEY]
    except (json.JSONDecodeError, TypeError, KeyError):
        pass  # a commit made by another tool: keep the engine's own operation name and parameters
    return {
        "version": int(version),
        "timestamp": timestamp.astimezone(timezone.utc),
        "operation": record["operation"],
        "parameters": record["parameters"],
        "metrics": {key: _number(value) for key, value in (metrics or {}).items()},
        "engine_operation": operation,
    }


def _number(value: Any) -> Any:
    """Delta Spark stores metrics as strings; give numbers back as int."""
    return int(value) if isinstance(value, str) and value.lstrip("-").isdigit() else value
