"""`golden-record privacy-report`, the masked form of gold.customers and the Databricks column masks, on a whole sample run."""

from __future__ import annotations

import re

import pytest
from pyspark.sql import functions as F

from golden_record.jobs import privacy
from golden_record.jobs.cli import main
from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.storage import open_store

pytestmark = pytest.mark.slow


def test_every_column_of_every_table_is_classified_and_the_report_says_where_personal_data_is(spark, sample_run, capsys):
    store = open_store(spark, sample_run)
    tables = privacy.report(sample_run, store)
    names = {t.table for t in tables}
    assert {"bronze.crm", "silver.customers", "gold.customers", "gold.customers_masked", "gold.match_review"} <= names
    assert {t.table: t.unclassified for t in tables if t.unclassified} == {}
    by_name = {t.table: t for t in tables}
    assert {"email", "phone", "national_id"} <= set(by_name["gold.customers"].of_class("identifying"))
    assert by_name["gold.customer_360"].of_class("identifying") == by_name["gold.customer_360"].of_class("personal") == []

    assert main(["privacy-report", "--strict", "--env", "test", "--root", sample_run.paths.root]) == 0
    out = capsys.readouterr().out
    assert re.search(r"gold\.customers\s+identifying\s+\d+\s+.*email", out)


def test_the_report_names_a_column_nobody_classified_and_strict_fails(spark, copy_of_run, capsys):
    store = open_store(spark, copy_of_run)
    store.append("bronze.crm", store.read("bronze.crm").limit(1).withColumn("hobby", F.lit("chess")))
    assert main(["privacy-report", "--env", "test", "--root", copy_of_run.paths.root]) == 0
    assert "bronze.crm: hobby" in capsys.readouterr().out
    assert main(["privacy-report", "--strict", "--env", "test", "--root", copy_of_run.paths.root]) == 1
    assert "unclassified column(s), counted as personal: bronze.crm: hobby" in capsys.readouterr().err


def test_masked_customers_keep_rows_types_and_kpis_but_no_full_personal_values(spark, sample_run):
    store = open_store(spark, sample_run)
    full = store.read("gold.customers")
    masked = store.read("gold.customers_masked")
    assert masked.schema.simpleString() == full.schema.simpleString()
    assert masked.count() == full.count() == masked.join(full, "golden_id", "left_semi").count()
    for row in full.join(masked.select("golden_id", *[F.col(c).alias(f"m_{c}") for c in masked.columns if c != "golden_id"]), "golden_id").collect():
        if row.email:
            assert row.m_email == "***@" + row.email.split("@")[1]
        if row.birth_date:
            assert (row.m_birth_date.year, row.m_birth_date.month, row.m_birth_date.day) == (row.birth_date.year, 1, 1)
        if row.last_name:
            assert row.m_last_name == row.last_name[0] + "."
        if row.phone:
            assert row.m_phone.endswith(row.phone[-2:]) and set(row.m_phone[:-2]) <= {"*"} and len(row.m_phone) == len(row.phone)
        assert row.m_street is None and row.m_national_id is None and row.m_city is None
        assert (row.m_consent_email, row.m_record_count, row.m_source_systems) == (row.consent_email, row.record_count, row.source_systems)


def test_privacy_sql_puts_the_same_masks_on_unity_catalog_columns(spark, sample_run):
    store = open_store(spark, sample_run)
    with pytest.raises(PipelineError, match="storage.catalog"):
        privacy.column_masks(sample_run, store)
    on_databricks = sample_run.model_copy(update={"storage": sample_run.storage.model_copy(update={"catalog": "main", "schema_prefix": "cgr_"})})
    statements = privacy.column_masks(on_databricks, store)
    assert statements[0] == "CREATE SCHEMA IF NOT EXISTS main.cgr_privacy;"
    assert "ALTER TABLE main.cgr_gold.customers ALTER COLUMN `email` SET MASK main.cgr_privacy.golden_record_mask_email_domain_string;" in statements
    assert not any("customers_masked" in s or "`golden_id`" in s or "`revenue`" in s for s in statements)
    # every mask function's masked branch is valid Spark SQL and gives what the masked table holds
    email_mask = next(s for s in statements if "golden_record_mask_email_domain_string(" in s)
    masked_branch = re.search(r"ELSE (.*) END;$", email_mask, re.S).group(1)
    for function in (s for s in statements if s.startswith("CREATE OR REPLACE FUNCTION")):
        branch = re.search(r"ELSE (.*) END;$", function, re.S).group(1)
        value_type = re.search(r"\(value (.+?)\) RETURNS", function).group(1)
        spark.sql(f"SELECT {branch} AS masked FROM (SELECT CAST(NULL AS {value_type}) AS value)").collect()
    expected = store.read("gold.customers_masked").where(F.col("email").isNotNull()).select("golden_id", "email")
    computed = store.read("gold.customers").where(F.col("email").isNotNull()).selectExpr("golden_id", f"{masked_branch.replace('value', 'email')} AS email")
    assert sorted(expected.collect()) == sorted(computed.collect())
