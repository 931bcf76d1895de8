"""Per-source settings: each row gets its own source's value; sources that share a value share one branch."""

from __future__ import annotations

import pytest
from pyspark.sql import functions as F

from golden_record.transforms.silver.per_source import per_source


def test_each_row_gets_its_sources_value_and_other_sources_null(spark) -> None:
    df = spark.createDataFrame([("crm",), ("shop",), ("pos",), ("other",)], "source_system string")
    region = per_source({"crm": "CH", "shop": "DE", "pos": "DE"}, F.lit)
    assert [r.region for r in df.select(region.alias("region")).collect()] == ["CH", "DE", "DE", None]


def test_one_shared_value_needs_no_source_column(spark) -> None:
    df = spark.createDataFrame([("x",)], "v string")
    built = []
    column = per_source({"crm": ["dd.MM.yyyy"], "shop": ["dd.MM.yyyy"]}, lambda formats: built.append(formats) or F.lit(formats[0]))
    assert df.select(column.alias("f")).first().f == "dd.MM.yyyy"
    assert built == [["dd.MM.yyyy"]], "sources with equal settings are built once"


def test_no_source_is_an_error() -> None:
    with pytest.raises(ValueError):
        per_source({}, F.lit)
