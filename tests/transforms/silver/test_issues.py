"""The quality-issue convention: an empty array per row, issues appended where a check fails."""

from __future__ import annotations

from chispa import assert_df_equality
from pyspark.sql import functions as F

from golden_record.transforms.silver.issues import ISSUES_COLUMN, ISSUES_TYPE, flag_issue, replace_or_flag, with_issues_column

ISSUES_DDL = "array<struct<field:string, rule:string, value:string, reason:string>>"


def test_with_issues_column_adds_an_empty_array_once(spark):
    df = spark.createDataFrame([("a",)], "x string")

    once = with_issues_column(df)
    twice = with_issues_column(once)

    assert once.schema[ISSUES_COLUMN].dataType == ISSUES_TYPE
    assert twice.columns == ["x", ISSUES_COLUMN]
    assert once.collect()[0][ISSUES_COLUMN] == []


def test_flag_issue_appends_where_failed_and_keeps_earlier_issues(spark):
    df = spark.createDataFrame([("1", "ok"), ("-5", "bad"), (None, "bad")], "n string, s string")

    flagged = flag_issue(df, "n", "negative", "below zero", F.col("n").cast("int") < 0, F.col("n"))
    flagged = flag_issue(flagged, "s", "bad_word", F.concat(F.lit("word "), F.col("s")), F.col("s") == "bad", F.col("s"))

    expected = spark.createDataFrame(
        [
            ("1", "ok", []),
            ("-5", "bad", [("n", "negative", "-5", "below zero"), ("s", "bad_word", "bad", "word bad")]),
            (None, "bad", [("s", "bad_word", "bad", "word bad")]),
        ],
        f"n string, s string, quality_issues {ISSUES_DDL}",
    )
    assert_df_equality(flagged, expected, ignore_nullable=True)


def test_replace_or_flag_records_raw_value_and_ignores_blank_or_missing_values(spark):
    df = spark.createDataFrame([("12",), ("x1",), ("  ",), (None,)], "code string")

    result = replace_or_flag(df, "code", F.when(F.col("code").rlike("^[0-9]+$"), F.col("code")), "code_digits", "not only digits")

    expected = spark.createDataFrame(
        [("12", []), (None, [("code", "code_digits", "x1", "not only digits")]), (None, []), (None, [])],
        f"code string, quality_issues {ISSUES_DDL}",
    )
    assert_df_equality(result, expected, ignore_nullable=True)
