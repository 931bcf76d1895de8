"""Steward decisions as rows of gold.steward_decisions: one row per record pair, the declared schema."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pyspark.sql.pandas.types import from_arrow_schema

from golden_record.lakehouse.tables import STEWARD_DECISIONS
from golden_record.transforms.linkage.constraints import DECISION_SCHEMA
from golden_record.webapp.decisions import access_row, decision_rows, merge_links, pair_links, split_links

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


def test_each_decision_settles_record_pairs() -> None:
    assert pair_links("same_person", "crm:1", "shop:2") == [("crm:1", "shop:2", True)]
    assert pair_links("different_persons", "crm:1", "shop:2") == [("crm:1", "shop:2", False)]
    assert split_links("shop:2", ["crm:1", "shop:2", "pos:3"]) == [("shop:2", "crm:1", False), ("shop:2", "pos:3", False)]
    assert merge_links(["crm:9", "crm:1"], ["shop:2"]) == [("crm:1", "crm:9", True), ("crm:1", "shop:2", True)]
    with pytest.raises(ValueError):
        split_links("shop:2", ["shop:2"])  # nothing to split from
    with pytest.raises(ValueError):
        split_links("pos:7", ["crm:1", "shop:2"])
    with pytest.raises(ValueError):
        merge_links(["crm:1"], ["crm:1"])
    with pytest.raises(ValueError):
        pair_links("merge_customers", "crm:1", "shop:2")


def test_decision_rows_have_the_declared_schema_and_one_id() -> None:
    rows = decision_rows("split_record", "sam", split_links("shop:2", ["crm:1", "shop:2", "pos:3"]), "GR-1", None, "moved house, other person", NOW)
    assert from_arrow_schema(rows.schema).fieldNames() == list(STEWARD_DECISIONS.columns) == DECISION_SCHEMA.fieldNames()
    assert [f.dataType for f in from_arrow_schema(rows.schema).fields] == [f.dataType for f in DECISION_SCHEMA.fields]
    listed = rows.to_pylist()
    assert len({r["decision_id"] for r in listed}) == 1 and {r["same_person"] for r in listed} == {False}
    assert listed[0]["decided_at"] == NOW and listed[0]["note"] == "moved house, other person"
    with pytest.raises(ValueError, match="unknown decision"):
        decision_rows("maybe", "sam", [], None, None, None)
    assert access_row("sam", "steward", "view_customer", "GR-1", "customer page", NOW).to_pylist()[0]["user"] == "sam"
