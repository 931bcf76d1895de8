"""Read a silo in its native format (csv, json lines, parquet, jdbc) into raw string columns."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from urllib.parse import urlparse

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from golden_record.lakehouse.config import ColumnRef, JdbcLocation, PathSettings, SourceConfig
from golden_record.lakehouse.errors import PipelineError

CORRUPT_COLUMN = "_corrupt_record"
"""Column that holds the raw text of a row the reader could not parse (null for good rows)."""

SOURCE_LOCATION_COLUMN = "_source_location"
"""Column that holds the file or table each row was read from."""

MISSING_COLUMNS_COLUMN = "_missing_columns"
"""Column naming the mapped columns the row's file lacks (null when its file has them all)."""

READER_COLUMNS = (CORRUPT_COLUMN, SOURCE_LOCATION_COLUMN, MISSING_COLUMNS_COLUMN)
"""Columns the reader adds next to the raw data columns."""

_UNSAFE_NAME = re.compile(r"[ ,;{}()\n\t=.]+")
_GLOB = re.compile(r"[*?\[{]")


class SourceReadError(PipelineError):
    """A source cannot be read at all (missing file, unreachable database, missing columns)."""


@dataclass(frozen=True)
class SourceFile:
    """One file of a file source: its Hadoop path, its location as Spark reports it (`_metadata.file_path`), size and time."""

    path: str
    location: str
    size: int
    modified: datetime


def safe_column_name(name: str) -> str:
    """Column name as bronze stores it: characters Delta does not allow in names become `_`."""
    return _UNSAFE_NAME.sub("_", name.strip()).strip("_") or "unnamed"


def mapped_value(ref: ColumnRef) -> Column:
    """The raw string a mapping reference points at in bronze: the column, or `get_json_object` into its JSON text.

    Bronze keeps nested values (JSON objects, parquet structs, arrays) as JSON text under their top-level column,
    so `address.line1` reads key `line1` of bronze column `address`; a missing key or index gives null.
    """
    column = F.col(f"`{safe_column_name(ref.column)}`")
    return F.get_json_object(column, ref.json_path()) if ref.path else column


def _as_raw_string(column: str, data_type: T.DataType) -> Column:
    """Cast a column to the raw string bronze keeps: JSON text for nested values, ISO text for dates."""
    if isinstance(data_type, (T.StructType, T.ArrayType, T.MapType)):
        return F.to_json(F.col(f"`{column}`"))
    return F.col(f"`{column}`").cast("string")


def _to_raw_strings(df: DataFrame) -> DataFrame:
    """Every data column as a string with a Delta-safe name; reader columns kept as they are."""
    columns = [
        F.col(f"`{field.name}`") if field.name in READER_COLUMNS else _as_raw_string(field.name, field.dataType).alias(safe_column_name(field.name))
        for field in df.schema.fields
    ]
    names = [safe_column_name(f.name) for f in df.schema.fields if f.name not in READER_COLUMNS]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise SourceReadError(f"columns {clashes} collide once unsafe characters are replaced by '_'")
    return df.select(*columns)


def list_files(spark: SparkSession, source: SourceConfig, paths: PathSettings) -> list[SourceFile]:
    """The files a file source holds now (a file, a folder searched recursively, or a glob), sorted; no file is an error."""
    location = str(source.resolved_location(paths))
    try:
        listed = (
            spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(location)
            .select("path", F.col("_metadata.file_path").alias("location"), "length", "modificationTime")
            .collect()  # the content column is not selected, so no file is read
        )
    except Exception as exc:  # Spark's "path does not exist"
        if "PATH_NOT_FOUND" not in str(exc) and "does not exist" not in str(exc):
            raise SourceReadError(f"source '{source.name}' ({source.format}) cannot be listed at {location}: {_first_line(exc)}") from exc
        listed = []
    if not listed:
        raise SourceReadError(f"source '{source.name}': no input at {location}")
    return sorted((SourceFile(r.path, r.location, r.length, r.modificationTime) for r in listed), key=lambda f: f.location)


def is_single_file(source: SourceConfig, paths: PathSettings, files: list[SourceFile]) -> bool:
    """Whether the source's location names one file (not a folder or a glob)."""
    location = str(source.resolved_location(paths))
    return len(files) == 1 and not _GLOB.search(location) and urlparse(files[0].path).path == urlparse(location).path


def file_sha256(spark: SparkSession, file: SourceFile) -> str:
    """SHA-256 (hex) of a file's bytes, streamed in the driver JVM through Hadoop's FileSystem (local or object store)."""
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(file.path)
    stream = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).open(path)
    try:
        return jvm.org.apache.commons.codec.digest.DigestUtils.sha256Hex(stream)
    finally:
        stream.close()


def _csv_options(source: SourceConfig) -> dict[str, str]:
    csv = source.csv
    return {
        "header": str(csv.header).lower(),
        "sep": csv.delimiter,
        "encoding": csv.java_charset,
        "quote": csv.quote,
        "escape": csv.escape,
        "multiLine": str(csv.multiline).lower(),
    }


def _file_columns(spark: SparkSession, source: SourceConfig, file: SourceFile) -> T.StructType:
    """The schema one file declares: its CSV header (as strings plus the corrupt-record column) or its parquet schema."""
    if source.format == "parquet":
        return spark.read.parquet(file.path).schema
    header = spark.read.options(**_csv_options(source)).csv(file.path).columns
    return T.StructType([T.StructField(name, T.StringType()) for name in header] + [T.StructField(CORRUPT_COLUMN, T.StringType())])


def _read_group(spark: SparkSession, source: SourceConfig, schema: T.StructType | None, files: list[SourceFile]) -> DataFrame:
    """Read files that share one schema (csv, parquet) or all JSON-lines files (self-describing per line)."""
    paths = [f.path for f in files]
    if source.format == "csv":
        reader = spark.read.options(**_csv_options(source), mode="PERMISSIVE", columnNameOfCorruptRecord=CORRUPT_COLUMN).schema(schema)
        return reader.csv(paths)
    if source.format == "parquet":
        return spark.read.schema(schema).parquet(*paths)
    options = {"primitivesAsString": "true", "mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT_COLUMN, "encoding": source.csv.java_charset}
    return spark.read.options(**options).json(paths)


def _with_reader_columns(df: DataFrame, missing: list[str]) -> DataFrame:
    """Raw strings plus `_source_location`, `_corrupt_record` and `_missing_columns` (the mapped columns absent here).

    Rows of a file lacking a mapped column keep their values only as JSON text in `_corrupt_record`, so none of
    its columns can land (or join a bronze schema) under a name that means something else.
    """
    df = df.withColumn(SOURCE_LOCATION_COLUMN, F.col("_metadata.file_path"))
    if CORRUPT_COLUMN not in df.columns:
        df = df.withColumn(CORRUPT_COLUMN, F.lit(None).cast("string"))
    df = _to_raw_strings(df)
    if not missing:
        return df.withColumn(MISSING_COLUMNS_COLUMN, F.lit(None).cast("string"))
    data = [F.col(f"`{c}`") for c in df.columns if c not in READER_COLUMNS]
    return df.select(
        F.coalesce(F.col(CORRUPT_COLUMN), F.to_json(F.struct(*data))).alias(CORRUPT_COLUMN),
        F.col(SOURCE_LOCATION_COLUMN),
        F.lit(", ".join(missing)).alias(MISSING_COLUMNS_COLUMN),
    )


def _missing(source: SourceConfig, columns: list[str]) -> list[str]:
    """The mapped top-level columns (safe names) a set of columns lacks."""
    present = {safe_column_name(c) for c in columns}
    return sorted({safe_column_name(c) for c in source.mapped_columns()} - present)


def read_files(spark: SparkSession, source: SourceConfig, files: list[SourceFile], single_file: bool = False) -> DataFrame:
    """Read files each with its own header/schema, matched by name (a column a file lacks is null for its rows).

    Files lacking a mapped column are marked in `_missing_columns`; when the location is one file, that is a SourceReadError.
    """
    where = files[0].path if len(files) == 1 else f"{files[0].path} and {len(files) - 1} more file(s)"
    with _reading(source, where):
        if source.format == "jsonl":
            groups: dict[str, tuple[T.StructType | None, list[SourceFile]]] = {"": (None, files)}
        else:
            groups = {}
            for file in files:
                schema = _file_columns(spark, source, file)
                groups.setdefault(schema.json(), (schema, []))[1].append(file)
        frames = []
        for schema, members in groups.values():
            df = _read_group(spark, source, schema, members)
            if single_file:
                _require_mapped_columns(source, df.columns, members[0].path)
            frames.append(_with_reader_columns(df, _missing(source, df.columns)))
    return reduce(lambda left, right: left.unionByName(right, allowMissingColumns=True), frames)


def read_table(spark: SparkSession, source: SourceConfig, location: JdbcLocation) -> DataFrame:
    """Read a database table or query over JDBC as raw strings with the reader columns."""
    options = {"url": location.url, "driver": location.driver, "fetchsize": str(location.fetchsize)}
    options["dbtable" if location.table else "query"] = location.table or location.query
    if location.user:
        options["user"] = location.user
    password = os.environ.get(location.password_env) if location.password_env else location.password
    if location.password_env and password is None:
        raise SourceReadError(f"source '{source.name}': environment variable {location.password_env} (the database password) is not set")
    if password is not None:
        options["password"] = password
    with _reading(source, _describe(location)):
        df = spark.read.format("jdbc").options(**options).load()
        df.schema  # noqa: B018 - resolves the table now, so connection errors surface here
    df = df.withColumns({SOURCE_LOCATION_COLUMN: F.lit(f"{location.url}#{location.table or 'query'}"), CORRUPT_COLUMN: F.lit(None).cast("string")})
    df = _to_raw_strings(df).withColumn(MISSING_COLUMNS_COLUMN, F.lit(None).cast("string"))
    _require_mapped_columns(source, df.columns, _describe(location))
    return df


def read_source(spark: SparkSession, source: SourceConfig, paths: PathSettings) -> DataFrame:
    """Read all of a source as raw strings with `_corrupt_record`, `_source_location` and `_missing_columns`."""
    location = source.resolved_location(paths)
    if isinstance(location, JdbcLocation):
        return read_table(spark, source, location)
    files = list_files(spark, source, paths)
    return read_files(spark, source, files, single_file=is_single_file(source, paths, files))


def _require_mapped_columns(source: SourceConfig, columns: list[str], where: str) -> None:
    """Raise a SourceReadError naming the mapped columns a table or single file lacks."""
    missing = _missing(source, columns)
    if missing:
        found = [c for c in columns if not c.startswith("_")]
        raise SourceReadError(f"source '{source.name}': mapped column(s) {missing} not found in {where}; it has {found}")


@contextmanager
def _reading(source: SourceConfig, where: str) -> Iterator[None]:
    """Turn Spark/JDBC errors into a SourceReadError naming the source and where it was read from."""
    try:
        yield
    except SourceReadError:
        raise
    except Exception as exc:
        raise SourceReadError(f"source '{source.name}' ({source.format}) cannot be read from {where}: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _describe(location: str | JdbcLocation) -> str:
    return f"{location.url} ({location.table or 'query'})" if isinstance(location, JdbcLocation) else location
