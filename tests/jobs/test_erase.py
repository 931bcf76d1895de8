"""`golden-record erase`: a person with records in several silos leaves no trace under the data root, and stays erased."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F

from golden_record.jobs import erase, ingest, standardise
from golden_record.jobs.cli import main
from golden_record.lakehouse.storage import open_store
from golden_record.transforms.silver.customers import select_customer_fields


def _person(store, config) -> tuple[str, dict[str, set[str]]]:
    """A golden customer with a webshop account and records in at least two other silos, and their raw values from bronze."""
    xref = store.read("gold.customer_xref")
    systems = xref.groupBy("golden_id").agg(F.collect_set("source_system").alias("systems"))
    candidates = systems.where(F.array_contains("systems", "webshop_accounts") & (F.size("systems") >= 3)).orderBy("golden_id").collect()
    assert candidates, "the sample has persons in several silos"
    golden_id = candidates[0].golden_id
    records = {(r.source_system, r.source_record_id) for r in xref.where(F.col("golden_id") == golden_id).collect()}
    values: dict[str, set[str]] = {"email": set(), "phone": set(), "name_birth": set()}
    for source in (s for s in config.sources if s.customers):
        bronze = select_customer_fields(store.read(f"bronze.{source.name}"), source)
        for row in bronze.collect():
            if (row.source_system, row.source_record_id) in records:
                values["email"] |= {row.email} if row.email else set()
                values["phone"] |= {row.phone} if row.phone and len(row.phone) > 6 else set()
                if row.last_name and row.birth_date:
                    values["name_birth"].add(f"{row.last_name}\u0000{row.birth_date}")
    silver = store.read("silver.customers").join(xref.where(F.col("golden_id") == golden_id), ["source_system", "source_record_id"], "left_semi").collect()
    values["email"] |= {r.email for r in silver if r.email}
    values["phone"] |= {r.phone for r in silver if r.phone}
    values["name_birth"] |= {f"{r.last_name}\u0000{r.birth_date}" for r in silver if r.last_name and r.birth_date}
    assert values["email"] and values["phone"]
    return golden_id, values


def _texts(root: Path) -> list[tuple[Path, list[str]]]:
    """Every file under the root except the source silos, as text units: parquet rows, or the whole text of other files."""
    units = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "samples" not in p.relative_to(root).parts):
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            units.append((path, [json.dumps(row, default=str, ensure_ascii=False) for row in table.to_pylist()]))
        else:
            units.append((path, [path.read_bytes().decode("utf-8", errors="ignore")]))
    return units


def _traces(root: Path, values: dict[str, set[str]]) -> list[str]:
    found = []
    for path, texts in _texts(root):
        for text in texts:
            lowered = text.lower()
            hits = [v for v in values["email"] if v.lower() in lowered] + [v for v in values["phone"] if v in text]
            hits += [pair for pair in values["name_birth"] if all(part in text for part in pair.split("\u0000"))]
            if hits:
                found.append(f"{path}: {hits}")
    return found


@pytest.mark.slow
def test_an_erased_person_leaves_no_trace_and_does_not_come_back(spark, copy_of_run) -> None:
    config = copy_of_run
    store = open_store(spark, config)
    golden_id, values = _person(store, config)
    root = Path(config.paths.root)
    assert _traces(root, values), "before the erasure the person is in the lakehouse"
    old_version = store.version("silver.customers")
    golden_before = store.read("gold.customers").count()

    assert main(["erase", "--golden-id", golden_id, "--env", "test", "--root", str(root)]) == 0

    assert _traces(root, values) == []
    assert store.read("gold.customers").count() == golden_before - 1
    with pytest.raises(Exception):  # the old files are vacuumed: time travel cannot read the person back
        store.read("silver.customers", version=old_version).collect()
    history = store.read("gold.golden_id_history").where(F.col("golden_id") == golden_id)
    assert [r.event for r in history.collect()].count("erased") == 1
    feed = store.read("gold.golden_changes").where(F.col("change") == "erased").collect()
    assert [(r.golden_id, r.run_id) for r in feed] == [(golden_id, history.where(F.col("event") == "erased").first().run_id)]  # downstream deletes it too
    audit = store.read("privacy.erasure_audit").collect()
    assert len(audit) == 1 and audit[0].golden_customers == 1 and audit[0].source_records >= 3 and audit[0].files_vacuumed > 0
    assert golden_id not in json.dumps(audit[0].asDict(recursive=True), default=str)  # only its salted hash
    kinds = {r.kind for r in store.read("privacy.suppression_list").collect()}
    assert {"record", "email", "phone"} <= kinds

    # the silos still hold the person: unchanged silos bring nothing back, a new delivery with them is held back and counted
    assert all(r.batches_new == 0 for r in ingest.run(config, spark, store))
    accounts = Path(config.paths.samples) / "webshop" / "accounts.jsonl"
    lines = accounts.read_text(encoding="utf-8").splitlines()
    accounts.write_text("\n".join(reversed(lines)) + "\n", encoding="utf-8")  # the same accounts re-exported: a new batch
    results = {r.source: r for r in ingest.run(config, spark, store)}
    webshop = results["webshop_accounts"]
    assert webshop.rows_suppressed >= 1 and webshop.rows_landed == len(lines) - webshop.rows_suppressed - webshop.rows_quarantined
    logged = store.read("bronze.ingest_log").where("source = 'webshop_accounts'").agg(F.sum("rows_suppressed")).first()[0]
    assert logged == webshop.rows_suppressed
    standardise.run(config, spark, store)
    assert _traces(root, values) == []


@pytest.mark.slow
def test_an_erasure_a_crash_interrupted_is_finished_by_the_next_erase(spark, copy_of_run, monkeypatch, capsys) -> None:
    config = copy_of_run
    store = open_store(spark, config)
    golden_id, values = _person(store, config)
    root = Path(config.paths.root)
    old_version = store.version("silver.customers")

    def crash(*args, **kwargs):
        raise RuntimeError("the driver was lost")

    with monkeypatch.context() as patched:
        patched.setattr(type(store), "vacuum", crash)
        with pytest.raises(RuntimeError, match="driver was lost"):
            erase.run(config, spark, store, golden_ids=[golden_id])
    journals = list((root / "privacy" / "pending").glob("*.json"))
    assert len(journals) == 1 and journals[0].stat().st_mode & 0o777 == 0o600
    assert store.read("gold.customers").where(F.col("golden_id") == golden_id).isEmpty()  # deleted, but old versions still hold them
    assert not store.exists("privacy.erasure_audit")

    assert main(["erase", "--env", "test", "--root", str(root)]) == 0  # no selector: finishes what is pending
    assert "0 old file(s) vacuumed" not in capsys.readouterr().out
    assert not list((root / "privacy" / "pending").glob("*.json"))
    with pytest.raises(Exception):
        store.read("silver.customers", version=old_version).collect()
    audit = store.read("privacy.erasure_audit").collect()
    assert [a.request_id for a in audit] == [journals[0].stem] and audit[0].golden_customers == 1
    tombstones = store.read("gold.golden_id_history").where((F.col("golden_id") == golden_id) & (F.col("event") == "erased")).count()
    assert tombstones == 1
    assert store.read("gold.golden_changes").where((F.col("golden_id") == golden_id) & (F.col("change") == "erased")).count() == 1
    assert _traces(root, values) == []
    assert main(["erase", "--env", "test", "--root", str(root)]) == 1  # nothing pending any more: say whom


def test_erase_without_a_match_stops_with_a_clear_message(spark, sample_run, tmp_path: Path, capsys) -> None:
    assert main(["erase", "--email", "nobody-here@example.invalid", "--env", "test", "--root", str(sample_run.paths.root)]) == 1
    assert "no golden customer or source record matches" in capsys.readouterr().err
    assert main(["erase", "--env", "test", "--root", str(tmp_path)]) == 1
    assert main(["erase", "--source-record", "crm", "--env", "test", "--root", str(tmp_path)]) == 1
