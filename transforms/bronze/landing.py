"""Bronze logic: row hashes, load metadata, batch ids and the reasons a raw row is quarantined."""

from __future__ import annotations

import operator
from datetime import datetime
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.sources import CORRUPT_COLUMN, MISSING_COLUMNS_COLUMN, SOURCE_LOCATION_COLUMN

REASON_COLUMN = "_quarantine_reason"
BATCH_COLUMN = "_batch_id"
METADATA_COLUMNS = ("_source", BATCH_COLUMN, "_ingested_at", SOURCE_LOCATION_COLUMN, "_row_hash")
"""Load metadata every bronze row carries next to its raw columns."""

QUARANTINE_COLUMNS = ("source", "batch_id", "ingested_at", "source_location", "row_hash", "raw_record", "reason")
"""Columns of `bronze.quarantine`."""

_MOJIBAKE = "[ÃÂ][\u0080-\u00bf]"
"""UTF-8 bytes decoded as latin-1 ("MÃ¼ller"): the sign of a source whose encoding is declared wrongly."""


def data_columns(df: DataFrame) -> list[str]:
    """The raw source columns of a frame (everything that is not reader or load metadata)."""
    return [c for c in df.columns if not c.startswith("_")]


def with_row_hash(df: DataFrame) -> DataFrame:
    """Add `_row_hash`: SHA-256 over the raw values (by column name; the unparsed text for malformed rows)."""
    values = [F.coalesce(F.col(c), F.lit("\u0000")) for c in sorted(data_columns(df))]
    values.append(F.coalesce(F.col(CORRUPT_COLUMN), F.lit("\u0000")))
    return df.withColumn("_row_hash", F.sha2(F.concat_ws("\u0001", *[F.lit(c) for c in sorted(data_columns(df))], *values), 256))


def _any_column_matches(df: DataFrame, pattern: str) -> Column:
    return reduce(operator.or_, [F.coalesce(F.col(c).rlike(pattern), F.lit(False)) for c in data_columns(df)], F.lit(False))


def with_quarantine_reason(df: DataFrame, source_format: str, encoding: str) -> DataFrame:
    """Add `_quarantine_reason`: why a raw row cannot land in bronze, or null when it can."""
    malformed = {
        "csv": "malformed CSV row: field count differs from the header or a quote is not closed",
        "jsonl": "malformed JSON line: not a valid JSON object",
    }.get(source_format, f"malformed {source_format} record")
    missing = F.concat(
        F.lit("mapped column(s) ["), F.col(MISSING_COLUMNS_COLUMN), F.lit("] missing in file "), F.col(SOURCE_LOCATION_COLUMN),
        F.lit(": the whole batch is quarantined (fix the file or the mapping; it is retried on the next ingest)"),
    )
    reason = (
        F.when(F.col(MISSING_COLUMNS_COLUMN).isNotNull(), missing)
        .when(F.col(CORRUPT_COLUMN).isNotNull(), F.lit(malformed))
        .when(F.lit(source_format == "csv") & _any_column_matches(df, "[\r\n]\\z"), F.lit(f"{malformed} (a quoted field runs to the end of the file)"))
        .when(_any_column_matches(df, "\ufffd"), F.lit(f"undecodable bytes for the declared encoding {encoding}"))
        .when(_any_column_matches(df, _MOJIBAKE), F.lit(f"text looks like UTF-8 read as {encoding} (mojibake such as 'Ã¼'): check the declared encoding"))
    )
    return df.withColumn(REASON_COLUMN, reason)


def file_batch_id(source: str, sha256: str) -> str:
    """The batch id of a delivered file: from the SHA-256 of its bytes, so a renamed or re-read file keeps it."""
    return f"{source}-{sha256[:16]}"


def with_file_batch_ids(df: DataFrame, ids: dict[str, str]) -> DataFrame:
    """Add `_batch_id` from each row's file (`_source_location` -> batch id)."""
    lookup = F.create_map(*[F.lit(item) for pair in ids.items() for item in pair])
    return df.withColumn(BATCH_COLUMN, lookup[F.col(SOURCE_LOCATION_COLUMN)])


def with_snapshot_batch_id(df: DataFrame, source: str) -> DataFrame:
    """Add `_batch_id` to a table snapshot: derived from its row hashes, so an unchanged table keeps its id."""
    checksum = F.sum(F.conv(F.substring("_row_hash", 1, 15), 16, 10).cast("decimal(38,0)"))
    per_location = df.groupBy(SOURCE_LOCATION_COLUMN).agg(F.count(F.lit(1)).alias("rows"), checksum.cast("string").alias("checksum"))
    digest = F.sha2(F.concat_ws("|", F.lit(source), F.col("rows").cast("string"), F.col("checksum")), 256)
    ids = per_location.select(SOURCE_LOCATION_COLUMN, F.concat(F.lit(f"{source}-"), F.substring(digest, 1, 16)).alias(BATCH_COLUMN))
    return df.join(F.broadcast(ids), SOURCE_LOCATION_COLUMN)


def batch_summary(df: DataFrame) -> DataFrame:
    """One row per batch: its location, rows, rows quarantined and the mapped columns its file lacks (null if none)."""
    return df.groupBy(BATCH_COLUMN, SOURCE_LOCATION_COLUMN).agg(
        F.count(F.lit(1)).alias("rows"),
        F.count(REASON_COLUMN).alias("rows_quarantined"),
        F.max(MISSING_COLUMNS_COLUMN).alias("missing_columns"),
    )


def with_load_metadata(df: DataFrame, source: str, ingested_at: datetime) -> DataFrame:
    """Add the source name and ingest time every bronze row carries (next to `_batch_id`)."""
    return df.withColumns({"_source": F.lit(source), "_ingested_at": F.lit(ingested_at).cast("timestamp")})


def bronze_rows(df: DataFrame) -> DataFrame:
    """Rows that land in the source's bronze table: raw columns plus load metadata."""
    return df.where(F.col(REASON_COLUMN).isNull()).select(*data_columns(df), *METADATA_COLUMNS)


def quarantine_rows(df: DataFrame) -> DataFrame:
    """Rows that go to `bronze.quarantine`, keeping their raw text and the reason."""
    raw = F.coalesce(F.col(CORRUPT_COLUMN), F.to_json(F.struct(*[F.col(c) for c in data_columns(df)])))
    return df.where(F.col(REASON_COLUMN).isNotNull()).select(
        F.col("_source").alias("source"),
        F.col(BATCH_COLUMN).alias("batch_id"),
        F.col("_ingested_at").alias("ingested_at"),
        F.col(SOURCE_LOCATION_COLUMN).alias("source_location"),
        F.col("_row_hash").alias("row_hash"),
        raw.alias("raw_record"),
        F.col(REASON_COLUMN).alias("reason"),
    )

