"""Dates and timestamps from a source's declared formats; impossible, unparseable and out-of-range values flagged."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import functions as F

from golden_record.transforms.silver.dates import parse_date, parse_timestamp

FORMATS = ["yyyy-MM-dd", "dd.MM.yyyy", "MM/dd/yyyy", "yyyyMMdd"]
ISSUES_DDL = "array<struct<field:string, rule:string, value:string, reason:string>>"


def test_each_declared_format_is_tried_in_order(spark):
    df = spark.createDataFrame([("1980-02-13",), ("13.02.1980",), ("02/13/1980",), ("19800213",), (" 1980-02-13 ",)], "birth_date string")

    result = parse_date(df, "birth_date", FORMATS)

    expected = spark.createDataFrame([(dt.date(1980, 2, 13), [])] * 5, f"birth_date date, quality_issues {ISSUES_DDL}")
    assert_df_equality(result, expected, ignore_nullable=True)


def test_impossible_unparseable_and_out_of_range_dates_become_null_with_an_issue(spark):
    df = spark.createDataFrame([("31.02.1980",), ("42",), ("13/02/1980",), ("2031-05-01",), ("1899-12-31",), ("",), (None,)], "birth_date string")

    result = parse_date(df, "birth_date", FORMATS, max_date=dt.date(2030, 12, 31))

    unparseable = "matches none of the formats yyyy-MM-dd, dd.MM.yyyy, MM/dd/yyyy, yyyyMMdd"
    out_of_range = "before 1900-01-01 or after 2030-12-31"
    expected = spark.createDataFrame(
        [
            (None, [("birth_date", "date_unparseable", "31.02.1980", unparseable)]),
            (None, [("birth_date", "date_unparseable", "42", unparseable)]),
            (None, [("birth_date", "date_unparseable", "13/02/1980", unparseable)]),
            (None, [("birth_date", "date_out_of_range", "2031-05-01", out_of_range)]),
            (None, [("birth_date", "date_out_of_range", "1899-12-31", out_of_range)]),
            (None, []),
            (None, []),
        ],
        f"birth_date date, quality_issues {ISSUES_DDL}",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_birth_dates_after_today_are_out_of_range_by_default(spark):
    df = spark.createDataFrame([("2999-01-01",)], "birth_date string")

    result = parse_date(df, "birth_date", ["yyyy-MM-dd"]).select("birth_date", "quality_issues.rule")

    assert_df_equality(result, spark.createDataFrame([(None, ["date_out_of_range"])], "birth_date date, rule array<string>"), ignore_nullable=True)


def test_a_declared_placeholder_date_is_not_a_birth_date(spark):
    df = spark.createDataFrame([("01.01.1900",), ("02.01.1900",)], "birth_date string")

    result = parse_date(df, "birth_date", ["dd.MM.yyyy"], placeholders=(dt.date(1900, 1, 1),)).select("birth_date", "quality_issues.rule")

    expected = spark.createDataFrame([(None, ["date_placeholder"]), (dt.date(1900, 1, 2), [])], "birth_date date, rule array<string>")
    assert_df_equality(result, expected, ignore_nullable=True)


def test_timestamps_parse_with_the_first_matching_format(spark):
    df = spark.createDataFrame([("2024-03-01T10:15:00",), ("2024-03-01 10:15:00",), ("yesterday",)], "updated_at string")

    result = parse_timestamp(df, "updated_at", ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss"])

    reason = "matches none of the formats yyyy-MM-dd'T'HH:mm:ss, yyyy-MM-dd HH:mm:ss"
    expected = spark.createDataFrame(
        [
            ("2024-03-01 10:15:00", []),
            ("2024-03-01 10:15:00", []),
            (None, [("updated_at", "timestamp_unparseable", "yesterday", reason)]),
        ],
        f"updated_at string, quality_issues {ISSUES_DDL}",
    ).withColumn("updated_at", F.col("updated_at").cast("timestamp"))
    assert_df_equality(result, expected, ignore_nullable=True)


def test_rows_of_several_sources_are_read_with_their_own_formats(spark):
    df = spark.createDataFrame([("shop", "01/02/1980"), ("crm", "01/02/1980"), ("pos", "1980-02-01"), ("crm", "1980-02-01")], "source_system string, birth_date string")
    formats = {"shop": ["dd/MM/yyyy"], "crm": ["MM/dd/yyyy"], "pos": ["yyyy-MM-dd"]}

    rows = parse_date(df, "birth_date", formats).collect()

    assert [r.birth_date for r in rows] == [dt.date(1980, 2, 1), dt.date(1980, 1, 2), dt.date(1980, 2, 1), None]
    assert [(i.rule, i.reason) for i in rows[3].quality_issues] == [("date_unparseable", "matches none of the formats MM/dd/yyyy")]
