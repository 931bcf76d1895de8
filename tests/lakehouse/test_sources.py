"""Reading silos in their native formats into raw string columns, with unreadable rows flagged."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from golden_record.lakehouse.config import ColumnRef, PipelineConfig, SourceConfig, parse_column_ref
from golden_record.lakehouse.sources import CORRUPT_COLUMN, MISSING_COLUMNS_COLUMN, SOURCE_LOCATION_COLUMN, SourceReadError, mapped_value, read_source, safe_column_name

PG = {"host": "127.0.0.1", "port": 5432, "dbname": "crm", "user": "golden_record", "password": "golden_record"}


def customer_source(location, **changes) -> SourceConfig:
    """A customers source reading `location`, mapping id and name columns."""
    spec = {
        "name": "unit",
        "system": "unit",
        "format": "csv",
        "location": location,
        "customers": {"record_id": "id", "fields": {"last_name": "name"}},
    }
    spec.update(changes)
    return SourceConfig.model_validate(spec)


def data_only(df):
    return df.drop(SOURCE_LOCATION_COLUMN, MISSING_COLUMNS_COLUMN)


@pytest.mark.parametrize(("encoding", "name"), [("latin-1", "Jørgensen"), ("windows-1250", "Dvořák")])
def test_semicolon_csv_in_legacy_encoding_keeps_raw_strings(spark, config: PipelineConfig, data_dir: Path, encoding: str, name: str) -> None:
    path = data_dir / "erp.csv"
    path.write_bytes(f"id;name;Betrag;Datum\n7;Müller-Weiß;1.234,50;31.12.2024\n8;{name};0,99;01.02.2025\n".encode(encoding))
    source = customer_source(str(path), csv={"delimiter": ";", "encoding": encoding})
    df = read_source(spark, source, config.paths)
    expected = spark.createDataFrame(
        [("7", "Müller-Weiß", "1.234,50", "31.12.2024", None), ("8", name, "0,99", "01.02.2025", None)],
        f"id string, name string, Betrag string, Datum string, {CORRUPT_COLUMN} string",
    )
    assert_df_equality(data_only(df), expected, ignore_row_order=True)
    assert df.select(SOURCE_LOCATION_COLUMN).first()[0].endswith("erp.csv")


def test_csv_rows_with_wrong_field_count_are_flagged(spark, config: PipelineConfig, data_dir: Path) -> None:
    path = data_dir / "tickets.csv"
    path.write_text('id,name,city\n1,Anna,Bern\n2,Bob,Oslo,extra\n3,Eve\n4,"Zoe, Jr.",Wien\n', encoding="utf-8")
    df = read_source(spark, customer_source(str(path)), config.paths)
    flagged = {row.id: row[CORRUPT_COLUMN] for row in df.collect()}
    assert flagged["1"] is None and flagged["4"] is None, "a quoted delimiter is data, not a malformed row"
    assert flagged["2"] == "2,Bob,Oslo,extra"
    assert flagged["3"] == "3,Eve"
    assert df.count() == 4, "no input row may vanish"


def test_json_lines_nested_values_become_json_text(spark, config: PipelineConfig, data_dir: Path) -> None:
    path = data_dir / "accounts.jsonl"
    lines = [
        json.dumps({"id": 1, "name": "Anna", "address": {"city": "Bern"}, "tags": ["vip"], "active": True}),
        '{"id": 2, "name": "broken',
        json.dumps({"id": "3", "name": "Ole"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    df = read_source(spark, customer_source(str(path), format="jsonl"), config.paths)
    rows = {row[CORRUPT_COLUMN] is None and row.id: row for row in df.collect()}
    assert rows["1"].address == '{"city":"Bern"}' and rows["1"].tags == '["vip"]' and rows["1"].active == "true"
    assert rows["3"].name == "Ole"
    assert [r[CORRUPT_COLUMN] for r in df.where(F.col(CORRUPT_COLUMN).isNotNull()).collect()] == ['{"id": 2, "name": "broken']


def test_parquet_values_are_cast_to_strings(spark, config: PipelineConfig, data_dir: Path) -> None:
    path = str(data_dir / "pos")
    spark.createDataFrame([(1, "Hansen", 12.5)], "id long, name string, amount double").write.parquet(path)
    df = read_source(spark, customer_source(path, format="parquet"), config.paths)
    assert [tuple(r) for r in data_only(df).collect()] == [("1", "Hansen", "12.5", None)]
    assert dict(df.dtypes)["amount"] == "string"


def test_unsafe_column_names_are_made_delta_safe(spark, config: PipelineConfig, data_dir: Path) -> None:
    path = data_dir / "spaces.csv"
    path.write_text("id,Last Name,PLZ (Ort)\n1,Meier,8000\n", encoding="utf-8")
    source = customer_source(str(path), customers={"record_id": "id", "fields": {"last_name": "Last Name"}})
    df = read_source(spark, source, config.paths)
    assert [c for c in df.columns if not c.startswith("_")] == ["id", "Last_Name", "PLZ_Ort"]
    assert safe_column_name(" Straße; Nr ") == "Straße_Nr"


def test_missing_mapped_column_names_source_and_column(spark, config: PipelineConfig, data_dir: Path) -> None:
    path = data_dir / "crm.csv"
    path.write_text("id,surname\n1,Meier\n", encoding="utf-8")
    with pytest.raises(SourceReadError, match=r"source 'unit': mapped column\(s\) \['name'\] not found"):
        read_source(spark, customer_source(str(path)), config.paths)


def test_missing_file_names_the_source(spark, config: PipelineConfig, data_dir: Path) -> None:
    with pytest.raises(SourceReadError, match=f"source 'unit': no input at {data_dir}/absent.csv"):
        read_source(spark, customer_source(str(data_dir / "absent.csv")), config.paths)


@pytest.mark.postgres
def test_jdbc_reads_postgresql(spark, config: PipelineConfig) -> None:
    with psycopg.connect(**PG, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS unit_test")
        conn.execute("DROP TABLE IF EXISTS unit_test.customers")
        conn.execute("CREATE TABLE unit_test.customers (id integer primary key, name text, born date)")
        conn.execute("INSERT INTO unit_test.customers VALUES (1, 'Zoë Ødegård', '1980-02-29'), (2, NULL, NULL)")
    location = {"url": "jdbc:postgresql://127.0.0.1:5432/crm", "table": "unit_test.customers", "user": PG["user"], "password": PG["password"]}
    df = read_source(spark, customer_source(location, format="jdbc"), config.paths)
    expected = spark.createDataFrame([("1", "Zoë Ødegård", "1980-02-29", None), ("2", None, None, None)], f"id string, name string, born string, {CORRUPT_COLUMN} string")
    assert_df_equality(data_only(df), expected, ignore_row_order=True)
    assert df.select(SOURCE_LOCATION_COLUMN).first()[0] == "jdbc:postgresql://127.0.0.1:5432/crm#unit_test.customers"


@pytest.mark.postgres
def test_unreachable_database_names_the_source(spark, config: PipelineConfig) -> None:
    location = {"url": "jdbc:postgresql://127.0.0.1:1/crm", "table": "crm.customers", "user": "x", "password": "y"}
    with pytest.raises(SourceReadError, match=r"source 'unit' \(jdbc\) cannot be read from jdbc:postgresql://127.0.0.1:1/crm"):
        read_source(spark, customer_source(location, format="jdbc"), config.paths)


def _by_id(df) -> dict:
    return {row.id: row for row in df.collect()}


def test_folder_files_are_read_each_with_its_own_header(spark, config: PipelineConfig, data_dir: Path) -> None:
    inbox = data_dir / "inbox"
    (inbox / "2025").mkdir(parents=True)
    (inbox / "a.csv").write_text("id,name,city\n1,Anna,Bern\n", encoding="utf-8")
    (inbox / "b.csv").write_text("city,id,name\nOslo,2,Ole\n", encoding="utf-8")  # same columns, other order
    (inbox / "2025" / "c.csv").write_text("id,name,city,email\n3,Eve,Wien,eve@example.org\n", encoding="utf-8")  # one more
    (inbox / "d.csv").write_text("id,surname,city\n4,Meier,Basel\n", encoding="utf-8")  # lacks the mapped 'name'
    df = read_source(spark, customer_source(str(inbox)), config.paths)
    rows = _by_id(df.where(F.col(MISSING_COLUMNS_COLUMN).isNull()))
    assert {i: (r.name, r.city, r.email) for i, r in rows.items()} == {
        "1": ("Anna", "Bern", None), "2": ("Ole", "Oslo", None), "3": ("Eve", "Wien", "eve@example.org"),
    }
    assert "surname" not in df.columns, "a file lacking a mapped column adds none of its columns"
    [rejected] = df.where(F.col(MISSING_COLUMNS_COLUMN).isNotNull()).collect()
    assert rejected[MISSING_COLUMNS_COLUMN] == "name" and rejected[SOURCE_LOCATION_COLUMN].endswith("d.csv")
    assert json.loads(rejected[CORRUPT_COLUMN]) == {"id": "4", "surname": "Meier", "city": "Basel"}, "nothing is lost"


@pytest.mark.parametrize("encoding", ["UTF-8", "latin-1", "windows-1252"])
def test_multiline_quoted_fields_parse_and_malformed_rows_keep_their_text(spark, config: PipelineConfig, data_dir: Path, encoding: str) -> None:
    path = data_dir / "tickets.csv"
    text = 'id;name;note\n1;"Müller;Weiß";"Zeile 1\r\nZeile 2 ""zitiert"" €"\n2;Ole;ok;extra\n3;Eve;"a\nb"\n'
    path.write_bytes((text if encoding != "latin-1" else text.replace(" €", "")).encode(encoding))  # latin-1 has no euro sign
    df = read_source(spark, customer_source(str(path), csv={"delimiter": ";", "encoding": encoding}), config.paths)
    rows = _by_id(df)
    assert rows["1"].name == "Müller;Weiß" and rows["1"].note.startswith('Zeile 1\r\nZeile 2 "zitiert"') and rows["1"][CORRUPT_COLUMN] is None
    assert rows["2"][CORRUPT_COLUMN] == "2;Ole;ok;extra", "a row with an extra field keeps its raw text"
    assert rows["3"].note == "a\nb" and df.count() == 3


def test_dotted_paths_read_nested_json_and_parquet_structs(spark, config: PipelineConfig, data_dir: Path) -> None:
    lines = [
        {"id": 1, "name": "Anna", "address": {"line1": "Hauptstr. 1", "zip": 8000}, "items": [{"sku": "A-1"}], "user.name": "anna"},
        {"id": 2, "name": "Ole", "address": {"line1": "Storgata 2"}},
    ]
    (data_dir / "accounts.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    fields = {"last_name": "name", "street": "address.line1", "postcode": "address.zip", "loyalty_card": "items[0].sku", "email": "`user.name`"}
    source = customer_source(str(data_dir / "accounts.jsonl"), format="jsonl", customers={"record_id": "id", "fields": fields})
    assert source.mapped_columns() == {"id", "name", "address", "items", "user.name"}
    df = read_source(spark, source, config.paths)
    picked = df.select("id", *[mapped_value(source.column_ref(ref)).alias(field) for field, ref in fields.items()])
    assert {tuple(r) for r in picked.collect()} == {("1", "Anna", "Hauptstr. 1", "8000", "A-1", "anna"), ("2", "Ole", "Storgata 2", None, None, None)}

    path = str(data_dir / "members.parquet")
    spark.createDataFrame([(7, "Hansen", ("Torget 3", 5003))], "id long, name string, address struct<line1: string, zip: int>").write.parquet(path)
    members = customer_source(path, format="parquet", customers={"record_id": "id", "fields": {"last_name": "name", "street": "address.line1", "postcode": "address.zip"}})
    row = read_source(spark, members, config.paths).select(*[mapped_value(members.column_ref(r)) for r in ("address.line1", "address.zip")]).first()
    assert tuple(row) == ("Torget 3", "5003")


def test_a_dot_in_a_csv_header_is_part_of_the_name(spark, config: PipelineConfig, data_dir: Path) -> None:
    path = data_dir / "erp.csv"
    path.write_text("id;name;Str.Nr\n1;Meier;12a\n", encoding="utf-8")
    source = customer_source(str(path), csv={"delimiter": ";"}, customers={"record_id": "id", "fields": {"last_name": "name", "house_number": "Str.Nr"}})
    assert source.column_ref("Str.Nr") == ColumnRef("Str.Nr")
    assert read_source(spark, source, config.paths).select(mapped_value(source.column_ref("Str.Nr"))).first()[0] == "12a"


@pytest.mark.parametrize(
    ("reference", "expected"),
    [("address.line1", ColumnRef("address", ("line1",))), ("items[0].sku", ColumnRef("items", (0, "sku"))),
     ("`a.b`.c", ColumnRef("a.b", ("c",))), ("plain", ColumnRef("plain"))],
)
def test_column_paths_parse(reference: str, expected: ColumnRef) -> None:
    assert parse_column_ref(reference, nested=True) == expected


def test_invalid_column_path_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="invalid column path 'address..line1'"):
        customer_source("x.jsonl", format="jsonl", customers={"record_id": "id", "fields": {"street": "address..line1"}})
