"""The TableStore contract, run against every backend available here (see the `store` fixture in conftest.py)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from chispa import assert_df_equality
from deltalake import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.storage import StorageError, TableStore, open_store
from golden_record.lakehouse.storage.delta_spark import delta_spark_missing

TABLE = "silver.customers"
SCHEMA = "id long, name string, city string"


@pytest.fixture
def customers(spark: SparkSession) -> DataFrame:
    """Three customers, one without a city."""
    return spark.createDataFrame([(1, "Ada", "Berlin"), (2, "Bo", "Hamburg"), (3, "Cy", None)], SCHEMA)


def assert_rows(actual: DataFrame, expected: DataFrame) -> None:
    """Same columns, types and rows in any order (Delta stores every column as nullable)."""
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def data_files(paths: list[str]) -> list[str]:
    """The parquet data files among paths (leaving out checksum files of local filesystems)."""
    return [path for path in paths if path.endswith(".parquet") and not Path(path).name.startswith(".")]


def failing(df: DataFrame, column: str, bad_value: str) -> DataFrame:
    """`df` whose evaluation raises inside Spark on the row where `column` equals `bad_value`."""

    @F.udf("string", useArrow=False)
    def explode_on_bad(value: str | None) -> str | None:
        if value == bad_value:
            raise ValueError(f"boom on {value}")
        return value

    return df.withColumn(column, explode_on_bad(column))


def test_overwrite_replaces_rows_and_schema(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    assert store.overwrite(TABLE, customers) == 0
    replacement = spark.createDataFrame([(7, "Dee", 41)], "id long, name string, age int")

    assert store.overwrite(TABLE, replacement) == 1
    assert_rows(store.read(TABLE), replacement)


def test_overwrite_with_replace_where_keeps_other_rows(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)
    berlin = spark.createDataFrame([(1, "Ada B.", "Berlin"), (4, "Dan", "Berlin")], SCHEMA)

    assert store.overwrite(TABLE, berlin, replace_where="city = 'Berlin'") == 1

    expected = spark.createDataFrame([(1, "Ada B.", "Berlin"), (4, "Dan", "Berlin"), (2, "Bo", "Hamburg"), (3, "Cy", None)], SCHEMA)
    assert_rows(store.read(TABLE), expected)


def test_replace_where_rejects_rows_outside_the_predicate(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)
    stray = spark.createDataFrame([(5, "Eve", "Munich")], SCHEMA)

    with pytest.raises(ValueError, match="replace_where"):
        store.overwrite(TABLE, stray, replace_where="city = 'Berlin'")
    assert store.version(TABLE) == 0
    assert_rows(store.read(TABLE), customers)


def test_append_creates_the_table_then_adds_rows(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    assert not store.exists(TABLE)
    assert store.append(TABLE, customers) == 0
    more = spark.createDataFrame([(4, "Dan", "Bonn")], SCHEMA)

    assert store.append(TABLE, more) == 1
    assert store.exists(TABLE)
    assert_rows(store.read(TABLE), customers.unionByName(more))


def test_append_merges_new_columns_and_fills_missing_ones_with_null(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.append(TABLE, customers)
    with_email = spark.createDataFrame([(4, "Dan", "dan@example.org")], "id long, name string, email string")

    store.append(TABLE, with_email)

    expected = spark.createDataFrame(
        [(1, "Ada", "Berlin", None), (2, "Bo", "Hamburg", None), (3, "Cy", None, None), (4, "Dan", None, "dan@example.org")],
        "id long, name string, city string, email string",
    )
    assert_rows(store.read(TABLE), expected)


def test_append_refuses_to_change_a_column_type(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.append(TABLE, customers)
    text_ids = spark.createDataFrame([("x9", "Zed", "Kiel")], "id string, name string, city string")

    with pytest.raises(StorageError, match=r"silver\.customers.*'id'"):
        store.append(TABLE, text_ids)
    assert store.version(TABLE) == 0


def test_merge_updates_matched_rows_and_inserts_new_ones(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)
    changes = spark.createDataFrame([(2, "Bo", "Bremen"), (4, "Dan", "Bonn")], SCHEMA)

    assert store.merge(TABLE, changes, ["id"]) == 1

    expected = spark.createDataFrame([(1, "Ada", "Berlin"), (2, "Bo", "Bremen"), (3, "Cy", None), (4, "Dan", "Bonn")], SCHEMA)
    assert_rows(store.read(TABLE), expected)
    metrics = store.history(TABLE)[0]["metrics"]
    assert (metrics["numTargetRowsUpdated"], metrics["numTargetRowsInserted"]) == (1, 1)


def test_merge_replaces_whole_rows_and_adds_new_columns(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)
    changes = spark.createDataFrame([(1, "Ada", "ada@example.org")], "id long, name string, email string")

    store.merge(TABLE, changes, ["id"])

    expected = spark.createDataFrame(
        [(1, "Ada", None, "ada@example.org"), (2, "Bo", "Hamburg", None), (3, "Cy", None, None)],
        "id long, name string, city string, email string",
    )
    assert_rows(store.read(TABLE), expected)


def test_merge_creates_a_missing_table(store: TableStore, customers: DataFrame) -> None:
    assert store.merge(TABLE, customers, ["id"]) == 0
    assert_rows(store.read(TABLE), customers)


def test_merge_with_duplicate_keys_raises_and_changes_nothing(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)
    duplicated = spark.createDataFrame([(2, "Bo", "Bremen"), (2, "Bob", "Bonn")], SCHEMA)

    with pytest.raises(ValueError, match=r"duplicate keys \['id'\]"):
        store.merge(TABLE, duplicated, ["id"])
    assert store.version(TABLE) == 0
    assert_rows(store.read(TABLE), customers)
    assert data_files(store.vacuum(TABLE, retention_hours=0, dry_run=True)) == []


def test_read_at_a_version_time_travels(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)
    store.delete_where(TABLE, "id = 1")
    store.append(TABLE, spark.createDataFrame([(9, "Ivy", "Ulm")], SCHEMA))

    assert_rows(store.read(TABLE, version=0), customers)
    assert store.read(TABLE, version=1).count() == 2
    assert store.read(TABLE).count() == 3
    with pytest.raises(StorageError, match=r"silver\.customers"):
        store.read(TABLE, version=7)


def test_history_lists_operations_newest_first(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)
    store.append(TABLE, spark.createDataFrame([(4, "Dan", "Bonn")], SCHEMA))
    store.merge(TABLE, spark.createDataFrame([(4, "Dan", "Kiel")], SCHEMA), ["id"])
    store.delete_where(TABLE, "city = 'Kiel'")

    history = store.history(TABLE)

    assert [entry["version"] for entry in history] == [3, 2, 1, 0]
    assert [entry["operation"] for entry in history] == ["DELETE", "MERGE", "APPEND", "OVERWRITE"]
    assert history[0]["parameters"] == {"predicate": "city = 'Kiel'"}
    assert history[1]["parameters"] == {"keys": ["id"]}
    assert history[0]["metrics"]["numDeletedRows"] == 1
    assert history[2]["metrics"]["numOutputRows"] == 1
    assert all(isinstance(entry["timestamp"], datetime) and entry["timestamp"].tzinfo is not None for entry in history)
    assert history[0]["timestamp"] >= history[-1]["timestamp"]
    assert store.version(TABLE) == 3


def test_delete_where_keeps_rows_where_the_predicate_is_null(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)

    assert store.delete_where(TABLE, "city <> 'Berlin'") == 1

    expected = spark.createDataFrame([(1, "Ada", "Berlin"), (3, "Cy", None)], SCHEMA)
    assert_rows(store.read(TABLE), expected)


def test_delete_where_without_a_match_makes_no_new_version(store: TableStore, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)

    assert store.delete_where(TABLE, "name = 'Nobody'") == 0
    assert store.version(TABLE) == 0


def test_delete_on_a_missing_table_raises(store: TableStore) -> None:
    with pytest.raises(StorageError, match=r"silver\.customers"):
        store.delete_where(TABLE, "id = 1")


def test_vacuum_removes_the_files_of_old_versions(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)
    old_files = data_files(store.vacuum(TABLE, retention_hours=0, dry_run=True))
    assert old_files == []
    replacement = spark.createDataFrame([(8, "Hal", "Jena")], SCHEMA)
    store.overwrite(TABLE, replacement)

    listed = data_files(store.vacuum(TABLE, retention_hours=0, dry_run=True))
    assert listed and all(Path(path.removeprefix("file:")).exists() for path in listed)
    assert data_files(store.vacuum(TABLE, retention_hours=168, dry_run=True)) == []

    deleted = data_files(store.vacuum(TABLE, retention_hours=0))

    assert sorted(deleted) == sorted(listed)
    assert not any(Path(path.removeprefix("file:")).exists() for path in deleted)
    assert_rows(store.read(TABLE), replacement)


def test_vacuum_removes_files_a_killed_write_left_behind(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)
    # A writer killed after Spark wrote its files but before the commit leaves them in the table folder.
    orphan_folder = f"{store.location(TABLE)}/killed-write"
    spark.createDataFrame([(66, "Orphan", "Nowhere")], SCHEMA).write.parquet(orphan_folder)
    assert_rows(store.read(TABLE), customers)

    deleted = data_files(store.vacuum(TABLE, retention_hours=0))

    assert deleted and all("killed-write" in path for path in deleted)
    assert not list(Path(orphan_folder).glob("*.parquet"))
    assert_rows(store.read(TABLE), customers)


@pytest.mark.parametrize("operation", ["overwrite", "append", "merge"])
def test_a_failed_write_leaves_the_previous_version_intact(
    store: TableStore, spark: SparkSession, customers: DataFrame, operation: str
) -> None:
    store.overwrite(TABLE, customers)
    rows = spark.createDataFrame([(4, "Dan", "Bonn"), (5, "Eve", "Boom Town"), (6, "Fay", "Gera")], SCHEMA)
    breaking = failing(rows, "city", "Boom Town")
    write = {
        "overwrite": lambda: store.overwrite(TABLE, breaking),
        "append": lambda: store.append(TABLE, breaking),
        "merge": lambda: store.merge(TABLE, breaking, ["id"]),
    }[operation]

    with pytest.raises(Exception, match="boom on Boom Town"):
        write()

    assert store.version(TABLE) == 0
    assert_rows(store.read(TABLE), customers)
    store.vacuum(TABLE, retention_hours=0)
    assert data_files(store.vacuum(TABLE, retention_hours=0, dry_run=True)) == []
    assert_rows(store.read(TABLE), customers)


def test_reading_a_missing_table_names_it(store: TableStore) -> None:
    with pytest.raises(StorageError, match=r"gold\.nothing_here"):
        store.read("gold.nothing_here")
    assert not store.exists("gold.nothing_here")


@pytest.mark.parametrize("name", ["customers", "Silver.customers", "silver.customers.extra", "silver.", "silver.cust-omers"])
def test_table_names_must_be_layer_dot_name(store: TableStore, customers: DataFrame, name: str) -> None:
    with pytest.raises(ValueError, match="<layer>.<name>"):
        store.append(name, customers)


def test_empty_dataframes_create_and_keep_tables(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    empty = spark.createDataFrame([], SCHEMA)

    assert store.overwrite(TABLE, empty) == 0
    assert_rows(store.read(TABLE), empty)
    store.append(TABLE, customers)
    assert store.append(TABLE, empty) == 2
    assert_rows(store.read(TABLE), customers)
    store.merge(TABLE, empty, ["id"])
    assert_rows(store.read(TABLE), customers)


def test_timestamps_dates_decimals_and_nested_types_round_trip(store: TableStore, spark: SparkSession) -> None:
    seen = datetime(2024, 3, 31, 1, 30, 15, 123456, tzinfo=timezone.utc)
    typed = spark.createDataFrame(
        [(1, date(1990, 5, 17), seen, Decimal("1234.56"), ["vip", "b2b"], ("Berlin", "10115")), (2, None, None, None, None, None)],
        "id long, born date, seen timestamp, amount decimal(12,2), tags array<string>, address struct<city:string,postcode:string>",
    )

    store.overwrite(TABLE, typed)

    assert_rows(store.read(TABLE), typed)
    independent = DeltaTable(store.location(TABLE)).to_pyarrow_table().to_pylist()
    first = next(row for row in independent if row["id"] == 1)
    assert first["born"] == date(1990, 5, 17)
    assert first["seen"] == seen
    assert first["amount"] == Decimal("1234.56")
    assert first["tags"] == ["vip", "b2b"]
    assert first["address"] == {"city": "Berlin", "postcode": "10115"}


def test_timestamp_ntz_round_trips(store: TableStore, spark: SparkSession) -> None:
    local = spark.createDataFrame([(1, datetime(2024, 3, 31, 2, 30))], "id long, local timestamp_ntz")

    store.overwrite(TABLE, local)

    assert_rows(store.read(TABLE), local)


def test_tables_are_standard_delta_tables(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    store.overwrite(TABLE, customers)
    store.merge(TABLE, spark.createDataFrame([(2, "Bo", "Bremen")], SCHEMA), ["id"])

    independent = DeltaTable(store.location(TABLE))

    assert independent.version() == 1
    expected = [{"id": 1, "name": "Ada", "city": "Berlin"}, {"id": 2, "name": "Bo", "city": "Bremen"}, {"id": 3, "name": "Cy", "city": None}]
    assert sorted(independent.to_pyarrow_table().to_pylist(), key=lambda row: row["id"]) == expected
    assert DeltaTable(store.location(TABLE), version=0).to_pyarrow_table().num_rows == 3


def test_tables_lists_existing_tables_by_layer(store: TableStore, customers: DataFrame) -> None:
    store.append("bronze.crm_customers", customers)
    store.append("bronze.webshop_customers", customers)
    store.append(TABLE, customers)

    assert store.tables() == ["bronze.crm_customers", "bronze.webshop_customers", "silver.customers"]
    assert store.tables("bronze") == ["bronze.crm_customers", "bronze.webshop_customers"]
    assert store.tables("gold") == []


def test_delta_rs_reports_a_conflicting_commit_as_storage_error(store: TableStore, spark: SparkSession, customers: DataFrame) -> None:
    if store.backend != "delta-rs":
        pytest.skip("simulates a concurrent writer through delta-rs transaction internals")
    store.overwrite(TABLE, customers)
    late = spark.createDataFrame([(4, "Dan", "Bonn")], SCHEMA)
    other = spark.createDataFrame([(5, "Eve", "Essen")], SCHEMA)

    with pytest.raises(StorageError, match=r"silver\.customers.*retry"):
        with store._transaction(TABLE) as transaction:
            transaction.stage(late)
            store.append(TABLE, other)  # another writer commits version 1 meanwhile
            transaction.commit("APPEND", {}, transaction.schema, {})

    assert store.version(TABLE) == 1
    assert_rows(store.read(TABLE), customers.unionByName(other))
    assert data_files(store.vacuum(TABLE, retention_hours=0, dry_run=True)) == []


def test_open_store_picks_delta_rs_when_delta_spark_is_absent(spark: SparkSession, config: PipelineConfig, tmp_path: Path) -> None:
    missing = delta_spark_missing(spark)
    if missing is None:
        pytest.skip("delta-spark is available here, so 'auto' picks it")
    auto = config.model_copy(update={"paths": config.paths.model_copy(update={"lakehouse": str(tmp_path)})})
    forced = auto.model_copy(update={"storage": auto.storage.model_copy(update={"backend": "delta-spark"})})
    with_catalog = auto.model_copy(update={"storage": auto.storage.model_copy(update={"catalog": "main"})})

    assert open_store(spark, auto).backend == "delta-rs"
    with pytest.raises(StorageError, match="delta-spark.*io.delta.tables.DeltaTable"):
        open_store(spark, forced)
    with pytest.raises(StorageError, match="catalog"):
        open_store(spark, with_catalog)
