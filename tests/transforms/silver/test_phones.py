"""Phone numbers: DACH and Nordic formats to E.164; invalid numbers null with a `phone_invalid` issue."""

from __future__ import annotations

from chispa import assert_df_equality

from golden_record.transforms.silver.phones import standardise_phone

ISSUES_DDL = "array<struct<field:string, rule:string, value:string, reason:string>>"


def test_national_and_international_formats_become_e164(spark):
    cases = [
        ("+49 30 1234567", "DE", "+49301234567"),
        ("0049 30 1234567", "DE", "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("(030) 123 45 67", "DE", "+49301234567"),
        ("030/1234567", "DE", "+49301234567"),
        ("0171-1234567", "DE", "+491711234567"),
        ("+41 79 123 45 67", "CH", "+41791234567"),
        ("0041 79 123 45 67", "CH", "+41791234567"),
        ("079 123 45 67", "CH", "+41791234567"),
        ("+43 664 1234567", "AT", "+436641234567"),
        ("0664 1234567", "AT", "+436641234567"),
        ("22 33 44 55", "NO", "+4722334455"),
        ("+47 22 33 44 55", "NO", "+4722334455"),
        ("070-123 45 67", "SE", "+46701234567"),
        ("08-123 456 78", "SE", "+46812345678"),
        ("32 12 34 56", "DK", "+4532123456"),
        ("+41 79 123 45 67", "DE", "+41791234567"),
        ("+47 22 33 44 55", None, "+4722334455"),
    ]
    df = spark.createDataFrame([(raw, region) for raw, region, _ in cases], "phone string, default_region string")

    result = standardise_phone(df).select("phone", "quality_issues")

    expected = spark.createDataFrame([(e164, []) for _, _, e164 in cases], f"phone string, quality_issues {ISSUES_DDL}")
    assert_df_equality(result, expected, ignore_nullable=True)


def test_invalid_numbers_become_null_with_a_phone_invalid_issue(spark):
    cases = [
        ("123", "DE", "too short for DE"),
        ("030 12ab567", "DE", "contains characters other than digits, spaces and + ( ) - / ."),
        ("0800 FLOWERS", "DE", "contains characters other than digits, spaces and + ( ) - / ."),
        ("079 123 45 67", "NO", "too long for NO"),
        ("12345", "NO", "not a valid number for NO"),
        ("+999 1234567", "DE", "unknown country code, or a national number without a region"),
        ("030 1234567", None, "unknown country code, or a national number without a region"),
    ]
    df = spark.createDataFrame([(raw, region) for raw, region, _ in cases] + [("  ", "DE"), (None, "DE")], "phone string, default_region string")

    result = standardise_phone(df).select("phone", "quality_issues")

    expected = spark.createDataFrame(
        [(None, [("phone", "phone_invalid", raw, reason)]) for raw, _, reason in cases] + [(None, []), (None, [])],
        f"phone string, quality_issues {ISSUES_DDL}",
    )
    assert_df_equality(result, expected, ignore_nullable=True)
