"""Quality gates: the pandas and Spark engines of Great Expectations reach the same verdicts on the same rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from golden_record.lakehouse import quality
from golden_record.lakehouse.config import QualitySettings
from golden_record.lakehouse.tables import SILVER_CUSTOMERS

PARAMETERS = {"sources": ["crm", "shop"]}
COLUMNS = "source_system string, source_record_id string, email string, phone string, country string, birth_date date, last_name_norm string, city string"
"""The columns the silver_customers suite reads, plus one it does not (city)."""


def _verdicts(result: quality.GateResult) -> list[tuple[str, str | None, bool, str]]:
    return [(o.expectation, o.column, o.success, str(o.observed)) for o in result.outcomes]


@pytest.fixture
def customers(spark):
    """Four silver customer rows: a duplicate key, an unknown source, a bad e-mail, phone and country, a birth date before
    1900, three of four last names missing."""
    good = ("crm", "1", "a@example.org", "+41791234567", "CH", dt.date(1980, 5, 1), "muller", "Bern")
    return spark.createDataFrame(
        [
            good,
            (*good[:6], None, "Bern"),
            ("pos", "2", "not-an-email", "0791234567", "Schweiz", dt.date(1850, 1, 1), None, "Basel"),
            ("shop", "3", None, None, None, None, None, None),
        ],
        COLUMNS,
    )


@pytest.mark.parametrize("engine", ["pandas", "spark"])
def test_a_gate_names_each_failed_expectation(spark, customers, tmp_path: Path, engine: str) -> None:
    result = quality.validate(customers, SILVER_CUSTOMERS, str(tmp_path), PARAMETERS, QualitySettings(engine=engine))
    failed = {(o.expectation, o.column) for o in result.outcomes if not o.success}
    assert failed == {
        ("expect_compound_columns_to_be_unique", None),
        ("expect_column_values_to_be_in_set", "source_system"),
        ("expect_column_values_to_match_regex", "email"),
        ("expect_column_values_to_match_regex", "phone"),
        ("expect_column_values_to_match_regex", "country"),
        ("expect_column_values_to_be_between", "birth_date"),
        ("expect_column_values_to_not_be_null", "last_name_norm"),
    }
    assert not result.success


def test_both_engines_give_the_same_outcomes(spark, customers, tmp_path: Path) -> None:
    on_pandas = quality.validate(customers, SILVER_CUSTOMERS, str(tmp_path), PARAMETERS, QualitySettings(engine="pandas"))
    on_spark = quality.validate(customers, SILVER_CUSTOMERS, str(tmp_path), PARAMETERS, QualitySettings(engine="spark"))
    assert _verdicts(on_pandas) == _verdicts(on_spark)


def test_auto_uses_pandas_up_to_the_row_limit(spark, customers) -> None:
    assert quality.engine_for(customers, QualitySettings(pandas_max_rows=4)) == "pandas"
    assert quality.engine_for(customers, QualitySettings(pandas_max_rows=3)) == "spark"
    assert quality.engine_for(customers, QualitySettings(engine="spark", pandas_max_rows=10)) == "spark"


def test_pandas_collects_only_the_columns_the_suite_reads() -> None:
    suite = quality.load_suite(SILVER_CUSTOMERS.suite)["expectations"]
    columns = ["source_system", "source_record_id", "email", "city", "quality_issues"]
    assert quality.suite_columns(suite, columns) == ["source_system", "source_record_id", "email"]
    assert quality.suite_columns([{"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}}], columns) == ["source_system"]
    assert quality.suite_columns([{"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": []}}], columns) == columns


def test_data_docs_get_a_page_per_gate_and_an_index(spark, customers, tmp_path: Path) -> None:
    gate = quality.validate(customers, SILVER_CUSTOMERS, str(tmp_path), PARAMETERS, QualitySettings(engine="pandas"))
    [gate] = quality.build_docs(str(tmp_path), [gate])
    index = Path(gate.docs_index.removeprefix("file://"))
    assert index.is_file()
    pages = list((index.parent / "validations").rglob("*.html"))
    assert [p for p in pages if SILVER_CUSTOMERS.suite in str(p)], "the gate's validation page is there"
