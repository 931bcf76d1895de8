"""Masking rules: type-preserving masked values, typed nulls for columns without a rule, unmasked classes untouched, mask SQL."""

from __future__ import annotations

from datetime import date

from chispa import assert_df_equality

from golden_record.lakehouse.config import PipelineConfig
from golden_record.transforms.privacy.classification import ColumnClass, classify_columns
from golden_record.transforms.privacy.masking import column_mask_statements, mask_sql, masked

DDL = "golden_id string, email string, phone string, birth_date date, first_name string, postcode string, street string, revenue double"


def test_masked_keeps_names_types_and_neutral_values(spark, config: PipelineConfig):
    rows = [("GC1", "anna.muster@example.ch", "+41791234567", date(1980, 5, 17), "Anna", "8001", "Bahnhofstrasse", 120.5), ("GC2", None, None, None, None, None, None, None)]
    df = spark.createDataFrame(rows, DDL)
    got = masked(df, classify_columns(df.columns, config.privacy), config.privacy)
    expected = spark.createDataFrame(
        [("GC1", "***@example.ch", "**********67", date(1980, 1, 1), "A.", "80**", None, 120.5), ("GC2", None, None, None, None, None, None, None)], DDL
    )
    assert_df_equality(got, expected, ignore_nullable=True)


def test_only_masked_classes_are_masked_and_a_column_without_rule_becomes_a_typed_null(config: PipelineConfig):
    assert mask_sql(ColumnClass("golden_id", "pseudonymous", "config"), config.privacy, "string") is None
    assert mask_sql(ColumnClass("street", "personal", "config"), config.privacy, "string") == "CAST(NULL AS string)"
    assert mask_sql(ColumnClass("email", "identifying", "config"), config.privacy, "string", value="value") == "CAST(concat('***@', substring_index(value, '@', -1)) AS string)"


def test_column_masks_make_one_function_per_rule_and_type_and_let_the_full_access_group_see_values(spark, config: PipelineConfig):
    columns = classify_columns(["golden_id", "email", "birth_date", "street", "city"], config.privacy)
    types = {"golden_id": "string", "email": "string", "birth_date": "date", "street": "string", "city": "string"}
    statements = column_mask_statements("main.gold.customers", columns, types, config.privacy, "main.privacy")
    functions = [s for s in statements if s.startswith("CREATE")]
    masks = [s for s in statements if s.startswith("ALTER")]
    assert len(functions) == 3 and len(masks) == 4  # street and city share the null mask of strings
    assert "ALTER TABLE main.gold.customers ALTER COLUMN `city` SET MASK main.privacy.golden_record_mask_null_string;" in masks
    birth = next(f for f in functions if "birth_year_date" in f)
    assert "RETURNS date" in birth and "is_account_group_member('golden_record_stewards') THEN value" in birth
    masked_branch = birth.split(" ELSE ")[1].removesuffix(" END;")
    assert spark.sql(f"SELECT {masked_branch} AS v FROM (SELECT DATE'1980-05-17' AS value)").first().v == date(1980, 1, 1)
