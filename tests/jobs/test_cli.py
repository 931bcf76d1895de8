"""End to end: `golden-record run` on generated sample silos, from files and PostgreSQL to gold; rerun and growth."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from golden_record.jobs.cli import _fmt, main
from golden_record.lakehouse.storage import open_store
from golden_record.lakehouse.tables import CUSTOMER_360, CUSTOMER_TIMELINE, CUSTOMER_XREF, GOLDEN_CUSTOMERS, GOLDEN_ID_HISTORY

GOLD_TABLES = tuple(t.name for t in (GOLDEN_CUSTOMERS, CUSTOMER_XREF, GOLDEN_ID_HISTORY, CUSTOMER_360, CUSTOMER_TIMELINE))


def _snapshot(store) -> dict[str, list[str]]:
    return {table: sorted(map(str, store.read(table).collect())) for table in GOLD_TABLES}


def _golden_ids(store) -> dict[str, str]:
    return {row.unique_id: row.golden_id for row in store.read(CUSTOMER_XREF.name).select("unique_id", "golden_id").collect()}


def _unchanged_clusters(before: dict[str, str], after: dict[str, str]) -> dict[str, str]:
    """{old golden id: new golden id} for every old cluster whose records are still together and alone among the old records."""
    old_members, new_members = defaultdict(set), defaultdict(set)
    for record, golden_id in before.items():
        old_members[golden_id].add(record)
    for record, golden_id in after.items():
        if record in before:
            new_members[golden_id].add(record)
    kept = {}
    for old_id, records in old_members.items():
        new_ids = {after.get(record) for record in records}
        if len(new_ids) == 1 and None not in new_ids and new_members[next(iter(new_ids))] == records:
            kept[old_id] = next(iter(new_ids))
    return kept


@pytest.mark.postgres
@pytest.mark.slow
def test_run_goes_from_silos_to_gold_reruns_identically_and_keeps_golden_ids_as_the_sample_grows(spark, config, tmp_path: Path, capsys) -> None:
    root = tmp_path / "run"
    command = ["run", "--env", "test", "--root", str(root)]
    assert main([*command, "--generate-sample", "150"]) == 0
    output = capsys.readouterr().out
    assert "summary: 13 sources" in output and "golden customers" in output and "gates: 5 passed" in output
    times = output[output.index("time per stage"):].splitlines()
    assert [line.split()[0] for line in times[3:]] == ["generate-sample", "ingest", "standardise", "train", "match", "build-gold", "total"]

    local = config.model_copy(update={"paths": config.paths.model_copy(update={"lakehouse": str(root / "lakehouse")})})
    store = open_store(spark, local)
    silver = store.read("silver.customers").count()
    xref = store.read(CUSTOMER_XREF.name)
    assert xref.count() == silver, "every silver customer record is in the cross-reference exactly once"
    golden = store.read(GOLDEN_CUSTOMERS.name).count()
    assert 0 < golden < silver, "duplicates across and within sources were merged"
    assert store.read("gold.customer_360").count() == golden

    first = _snapshot(store)
    assert main(command) == 0, "a rerun on the same silos"
    assert _snapshot(store) == first, "a rerun on the same data leaves every gold table as it was, ids included"

    before = _golden_ids(store)
    assert main([*command, "--generate-sample", "200"]) == 0, "the same seed grown by 50 persons: every old record is still there"
    after = _golden_ids(store)
    assert set(before) <= set(after) and len(after) > len(before)
    kept = _unchanged_clusters(before, after)
    assert len(kept) >= 0.9 * len(set(before.values())), "most old customers gained no records of other old customers"
    assert all(old == new for old, new in kept.items()), "a cluster that still describes the same people keeps its golden id"
    gone = set(before.values()) - set(after.values())
    history = store.read(GOLDEN_ID_HISTORY.name).collect()
    recorded = {row.other_id for row in history if row.event == "merged"} | {row.golden_id for row in history if row.event == "retired"}
    assert gone <= recorded, "an id that disappeared was merged into another or retired, and the history says so"


@pytest.mark.parametrize(
    ("section", "mistake", "field"),
    [
        ("gold", {"survivorship": {"name": {"rulez": ["source_trust"]}}}, "section 'gold', field 'survivorship.name.rulez'"),
        ("linkage", {"cluster_threshold": "half"}, "section 'linkage', field 'cluster_threshold'"),
        ("standardisation", {"postcodes": {"DE": {"patern": "^[0-9]{5}$"}}}, "section 'standardisation', field 'postcodes.DE.patern'"),
        ("quality", {"suites": "x"}, "section 'quality', field 'suites'"),
    ],
)
def test_run_with_a_config_mistake_stops_before_any_work_naming_file_and_field(tmp_path: Path, capsys, section: str, mistake: dict, field: str) -> None:
    import yaml

    from golden_record.lakehouse.config import bundled_config_path

    conf = tmp_path / "mine.yaml"
    conf.write_text(yaml.safe_dump({"extends": str(bundled_config_path("test")), section: mistake}), encoding="utf-8")
    root = tmp_path / "data"

    assert main(["run", "--conf-file", str(conf), "--root", str(root)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("configuration error: invalid configuration")
    assert f"{conf}: {field}" in error
    assert not root.exists(), "nothing ran: no Spark session, no table, no folder"


def test_table_cells_show_thresholds_to_three_digits_and_seconds_to_one_decimal() -> None:
    assert [_fmt(0.473), _fmt(0.2365), _fmt(21.04), _fmt(12_345.6), _fmt(27_379), _fmt("crm")] == ["0.473", "0.236", "21.0", "12,345.6", "27,379", "crm"]
