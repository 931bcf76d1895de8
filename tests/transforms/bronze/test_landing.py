"""Bronze transforms: quarantine reasons for whole files and unclosed quotes, batch ids from delivered bytes."""

from __future__ import annotations

from golden_record.lakehouse.sources import CORRUPT_COLUMN, MISSING_COLUMNS_COLUMN, SOURCE_LOCATION_COLUMN
from golden_record.transforms.bronze.landing import REASON_COLUMN, file_batch_id, with_quarantine_reason, with_row_hash


def _raw(spark, rows):
    schema = f"id string, note string, {CORRUPT_COLUMN} string, {SOURCE_LOCATION_COLUMN} string, {MISSING_COLUMNS_COLUMN} string"
    return spark.createDataFrame(rows, schema)


def test_a_file_lacking_a_mapped_column_is_quarantined_with_column_and_file(spark) -> None:
    df = with_quarantine_reason(_raw(spark, [(None, None, '{"id":"4"}', "file:/in/d.csv", "name, city"), ("1", "ok", None, "file:/in/a.csv", None)]), "csv", "UTF-8")
    reasons = dict(df.select(SOURCE_LOCATION_COLUMN, REASON_COLUMN).collect())
    assert reasons["file:/in/a.csv"] is None
    assert reasons["file:/in/d.csv"].startswith("mapped column(s) [name, city] missing in file file:/in/d.csv: the whole batch is quarantined")


def test_a_quoted_field_running_to_the_end_of_the_file_is_quarantined(spark) -> None:
    rows = [("1", "Zeile 1\nZeile 2", None, "f", None), ("3", "unclosed\n4;ok\n", None, "f", None)]
    df = with_quarantine_reason(_raw(spark, rows), "csv", "UTF-8")
    reasons = dict(df.select("id", REASON_COLUMN).collect())
    assert reasons["1"] is None, "a closed multi-line field is data"
    assert reasons["3"].startswith("malformed CSV row") and "runs to the end of the file" in reasons["3"]


def test_row_hash_ignores_reader_columns(spark) -> None:
    one, two = (with_row_hash(_raw(spark, [("1", "x", None, location, None)])).first()._row_hash for location in ("a", "b"))
    assert one == two, "the same row in another file has the same hash"


def test_file_batch_id_comes_from_the_bytes_digest() -> None:
    digest = "ab" * 32
    assert file_batch_id("erp", digest) == "erp-" + digest[:16]
