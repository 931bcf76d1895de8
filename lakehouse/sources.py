"""Read a silo in its native format (csv, json lines, parquet, jdbc) into raw string columns."""

from __future__ import annotations

import glob
import os
import re

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse.config import JdbcLocation, PathSettings, SourceConfig
from lakehouse.errors import PipelineError

CORRUPT_COLUMN = "_corrupt_record"
"""Column that holds the raw text of a row the reader could not parse (null for good rows)."""

SOURCE_LOCATION_COLUMN = "_source_location"
"""Column that holds the file or table each row was read from."""

_UNSAFE_NAME = re.compile(r"[ ,;{}()\n\t=.]+")


class SourceReadError(PipelineError):
    """A source cannot be read at all (missing file, unreachable database, missing columns)."""


def safe_column_name(name: str) -> str:
    """Column name as bronze stores it: characters Delta does not allow in names become `_`."""
    return _UNSAFE_NAME.sub("_", name.strip()).strip("_") or "unnamed"


def _as_raw_string(column: str, data_type: T.DataType) -> Column:
    """Cast a column to the raw string bronze keeps: JSON text for nested values, ISO text for dates."""
    if isinstance(data_type, (T.StructType, T.ArrayType, T.MapType)):
        return F.to_json(F.col(f"`{column}`"))
    return F.col(f"`{column}`").cast("string")


def _to_raw_strings(df: DataFrame) -> DataFrame:
    """Every data column as a string with a Delta-safe name; reader columns kept as they are."""
    keep = {CORRUPT_COLUMN, SOURCE_LOCATION_COLUMN}
    columns = [
        F.col(f"`{field.name}`") if field.name in keep else _as_raw_string(field.name, field.dataType).alias(safe_column_name(field.name))
        for field in df.schema.fields
    ]
    names = [safe_column_name(f.name) for f in df.schema.fields if f.name not in keep]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise SourceReadError(f"columns {clashes} collide once unsafe characters are replaced by '_'")
    return df.select(*columns)


def _files(source: SourceConfig, location: str) -> list[str]:
    """The files a file source currently holds (a file, a folder or a glob), or a clear error."""
    if "://" in location and not location.startswith("file://"):
        return [location]  # object stores: let Spark list them
    path = location.removeprefix("file://")
    if os.path.isdir(path):
        files = sorted(p for p in glob.glob(os.path.join(path, "**", "*"), recursive=True) if os.path.isfile(p) and not os.path.basename(p).startswith((".", "_")))
    else:
        files = sorted(glob.glob(path))
    if not files:
        raise SourceReadError(f"source '{source.name}': no input at {location}")
    return files


def _read_csv(spark: SparkSession, source: SourceConfig, files: list[str]) -> DataFrame:
    options = {
        "header": str(source.csv.header).lower(),
        "sep": source.csv.delimiter,
        "encoding": source.csv.java_charset,
        "quote": source.csv.quote,
        "escape": source.csv.escape,
    }
    header = spark.read.options(**options).csv(files[0]).columns
    schema = T.StructType([T.StructField(name, T.StringType()) for name in header] + [T.StructField(CORRUPT_COLUMN, T.StringType())])
    return (
        spark.read.options(**options, mode="PERMISSIVE", columnNameOfCorruptRecord=CORRUPT_COLUMN)
        .schema(schema)
        .csv(files)
    )


def _read_jsonl(spark: SparkSession, source: SourceConfig, files: list[str]) -> DataFrame:
    return spark.read.options(primitivesAsString="true", mode="PERMISSIVE", columnNameOfCorruptRecord=CORRUPT_COLUMN, encoding=source.csv.java_charset).json(files)


def _read_jdbc(spark: SparkSession, source: SourceConfig, location: JdbcLocation) -> DataFrame:
    options = {"url": location.url, "driver": location.driver, "fetchsize": str(location.fetchsize)}
    options["dbtable" if location.table else "query"] = location.table or location.query
    if location.user:
        options["user"] = location.user
    password = os.environ.get(location.password_env) if location.password_env else location.password
    if location.password_env and password is None:
        raise SourceReadError(f"source '{source.name}': environment variable {location.password_env} (the database password) is not set")
    if password is not None:
        options["password"] = password
    df = spark.read.format("jdbc").options(**options).load()
    return df.withColumn(SOURCE_LOCATION_COLUMN, F.lit(f"{location.url}#{location.table or 'query'}"))


def read_source(spark: SparkSession, source: SourceConfig, paths: PathSettings) -> DataFrame:
    """Read a source as raw strings, with `_corrupt_record` (null when the row parsed) and `_source_location`."""
    location = source.resolved_location(paths)
    try:
        if isinstance(location, JdbcLocation):
            df = _read_jdbc(spark, source, location)
            df.schema  # noqa: B018 - resolves the table now, so connection errors surface here
        else:
            files = _files(source, location)
            reader = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": lambda s, _, f: s.read.parquet(*f)}[source.format]
            df = reader(spark, source, files).withColumn(SOURCE_LOCATION_COLUMN, F.col("_metadata.file_path"))
    except SourceReadError:
        raise
    except Exception as exc:  # Spark/JDBC errors: say which source and where
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceReadError(f"source '{source.name}' ({source.format}) cannot be read from {_describe(location)}: {first_line}") from exc
    if CORRUPT_COLUMN not in df.columns:
        df = df.withColumn(CORRUPT_COLUMN, F.lit(None).cast("string"))
    df = _to_raw_strings(df)
    missing = sorted(safe_column_name(c) for c in source.mapped_columns() if safe_column_name(c) not in df.columns)
    if missing:
        raise SourceReadError(
            f"source '{source.name}': mapped column(s) {missing} not found in {_describe(location)}; "
            f"it has {[c for c in df.columns if not c.startswith('_')]}"
        )
    return df


def _describe(location: str | JdbcLocation) -> str:
    return f"{location.url} ({location.table or 'query'})" if isinstance(location, JdbcLocation) else location

