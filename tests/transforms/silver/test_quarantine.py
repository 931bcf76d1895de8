"""The quarantine split: rejected rows leave silver, every issue is listed with its rule, reason and action."""

from __future__ import annotations

from chispa import assert_df_equality

from golden_record.transforms.silver.quarantine import accepted_rows, quarantine_rows

SCHEMA = "source_system string, record string, batch_id string, row_hash string, quality_issues array<struct<field:string,rule:string,value:string,reason:string>>"


def test_rejecting_issue_removes_the_row_and_other_issues_only_null_values(spark) -> None:
    rows = [
        ("crm", "1", "b", "h1", []),
        ("crm", "2", "b", "h2", [("phone", "phone_invalid", "12", "too short")]),
        ("crm", None, "b", "h3", [("source_record_id", "record_id_missing", None, "no id"), ("email", "email_syntax", "a@", "bad")]),
    ]
    df = spark.createDataFrame(rows, SCHEMA)
    assert sorted(r.record for r in accepted_rows(df, ["record_id_missing"]).collect()) == ["1", "2"]

    result = quarantine_rows(df, "silver.customers", "record", ["record_id_missing"])
    expected = spark.createDataFrame(
        [
            ("silver.customers", "crm", "2", "b", "h2", "phone", "phone_invalid", "12", "too short", "value_nulled"),
            ("silver.customers", "crm", None, "b", "h3", "source_record_id", "record_id_missing", None, "no id", "row_rejected"),
            ("silver.customers", "crm", None, "b", "h3", "email", "email_syntax", "a@", "bad", "row_rejected"),
        ],
        "table_name string, source_system string, record_id string, batch_id string, row_hash string, field string, rule string, value string, reason string, action string",
    )
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)
