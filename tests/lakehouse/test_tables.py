"""The table registry is the one declaration: README lists the same tables with the same grain, code names no table twice."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from golden_record.lakehouse.tables import BRONZE_SOURCE_GRAIN, RESERVED_SOURCE_NAMES, TABLES, bronze_table

REPO = Path(__file__).resolve().parents[2]
TABLE_NAME = re.compile(r"^(bronze|silver|gold|privacy)\.[a-z0-9_]+$")


def _readme_rows() -> list[tuple[str, str, str]]:
    """`| `layer.table` | grain | columns |` rows of the README's Tables section."""
    return re.findall(r"^\| `((?:bronze|silver|gold|privacy)\.[a-z0-9_<>]+)` \| ([^|]+) \| ([^|]+) \|", (REPO / "README.md").read_text(encoding="utf-8"), flags=re.M)


def _readme_tables() -> dict[str, str]:
    return {name: grain.strip() for name, grain, _ in _readme_rows()}


def test_readme_columns_are_the_declared_ones_where_the_registry_fixes_them() -> None:
    documented = {name: columns.replace("`", "").strip() for name, _, columns in _readme_rows()}
    for table in (t for t in TABLES if t.columns):
        assert documented[table.name] == ", ".join(table.columns), table.name


def test_readme_lists_every_table_of_the_registry_with_its_grain() -> None:
    documented = _readme_tables()
    declared = {table.name: table.grain for table in TABLES} | {"bronze.<source>": BRONZE_SOURCE_GRAIN}
    assert documented == declared


def test_every_gated_table_has_its_suite_and_every_suite_a_table() -> None:
    suites = {path.stem for path in (REPO / "expectations").glob("*.json")}
    assert {table.suite for table in TABLES if table.gated} == suites


def test_bronze_names_of_pipeline_tables_are_reserved() -> None:
    assert RESERVED_SOURCE_NAMES == {"quarantine", "ingest_log"}
    assert bronze_table("crm").name == "bronze.crm"


def test_no_table_name_is_written_as_a_string_outside_the_registry() -> None:
    found = []
    for folder in ("jobs", "transforms", "lakehouse"):
        for path in (REPO / folder).rglob("*.py"):
            if path.name == "tables.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and TABLE_NAME.match(node.value):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value!r}")
    assert found == []
