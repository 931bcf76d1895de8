"""Bronze ingestion: append-only with load metadata, idempotent per batch, nothing lost to malformed rows."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from golden_record.jobs import ingest
from golden_record.lakehouse.config import PipelineConfig, SourceConfig
from golden_record.lakehouse.storage import open_store
from golden_record.lakehouse.tables import INGEST_LOG

CSV_HEADER = "kunde;name;ort\n"


@pytest.fixture
def setup(spark, config: PipelineConfig, tmp_path: Path):
    """A config with one ERP-like latin-1 CSV source reading a folder, and a fresh lakehouse."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    source = {
        "name": "erp",
        "system": "erp",
        "format": "csv",
        "location": str(inbox),
        "csv": {"delimiter": ";", "encoding": "latin-1"},
        "customers": {"record_id": "kunde", "fields": {"last_name": "name", "city": "ort"}},
    }
    paths = config.paths.model_copy(update={"lakehouse": str(tmp_path / "lakehouse")})
    cfg = config.model_copy(update={"sources": [SourceConfig.model_validate(source)], "paths": paths})
    return cfg, open_store(spark, cfg), inbox


def _write(path: Path, rows: list[str]) -> None:
    path.write_bytes((CSV_HEADER + "".join(f"{r}\n" for r in rows)).encode("latin-1"))


def test_rows_land_with_load_metadata_and_malformed_rows_are_quarantined(spark, setup) -> None:
    cfg, store, inbox = setup
    _write(inbox / "day1.csv", ["1;Müller;Zürich", "2;Weiß;Wien;EXTRA", "3;Ødegård;Oslo", "4"])
    [result] = ingest.run(cfg, spark, store)

    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (4, 2, 2)
    assert result.rows_read == result.rows_landed + result.rows_quarantined
    bronze = store.read("bronze.erp")
    assert sorted(r.name for r in bronze.collect()) == ["Müller", "Ødegård"]
    row = bronze.where(F.col("kunde") == "1").first()
    assert row._source == "erp" and row._batch_id.startswith("erp-") and row._source_location.endswith("day1.csv")
    assert isinstance(row._ingested_at, datetime) and len(row._row_hash) == 64
    quarantined = store.read("bronze.quarantine").collect()
    assert sorted(q.raw_record for q in quarantined) == ["2;Weiß;Wien;EXTRA", "4"]
    assert all(q.reason.startswith("malformed CSV row") and q.source == "erp" for q in quarantined)


def test_ingesting_the_same_batch_twice_adds_nothing(spark, setup) -> None:
    cfg, store, inbox = setup
    _write(inbox / "day1.csv", ["1;Müller;Zürich", "2;Meier;Bern", "x;broken"])
    ingest.run(cfg, spark, store)
    versions = (store.version("bronze.erp"), store.version("bronze.quarantine"))

    [again] = ingest.run(cfg, spark, store)
    assert (again.batches_new, again.batches_skipped, again.rows_landed, again.rows_quarantined) == (0, 1, 0, 0)
    assert (store.version("bronze.erp"), store.version("bronze.quarantine")) == versions
    shutil.copy(inbox / "day1.csv", inbox / "day1-resent.csv")  # the same export delivered twice under another name
    ingest.run(cfg, spark, store)
    assert store.read("bronze.erp").count() == 2
    assert store.read("bronze.quarantine").count() == 1


def test_a_new_file_in_the_folder_is_a_new_batch(spark, setup) -> None:
    cfg, store, inbox = setup
    _write(inbox / "day1.csv", ["1;Müller;Zürich"])
    ingest.run(cfg, spark, store)
    _write(inbox / "day2.csv", ["1;Müller;Basel", "2;Meier;Bern"])
    [result] = ingest.run(cfg, spark, store)
    assert (result.batches_new, result.batches_skipped, result.rows_landed) == (1, 1, 2)
    bronze = store.read("bronze.erp")
    assert bronze.count() == 3, "bronze is append-only: both versions of customer 1 are kept"
    assert bronze.select("_batch_id").distinct().count() == 2
    log = store.read("bronze.ingest_log").collect()
    assert sorted((r.rows_read, r.rows_landed, r.rows_quarantined) for r in log) == [(1, 1, 0), (2, 2, 0)]


def test_rerun_after_a_crash_completes_the_batch_without_doubling(spark, setup, monkeypatch) -> None:
    cfg, store, inbox = setup
    _write(inbox / "day1.csv", ["1;Müller;Zürich", "2;Meier;Bern", "bad"])
    real_append = type(store).append

    def crash_on_log(self, table, df):
        if table == INGEST_LOG.name:
            raise RuntimeError("simulated crash after the data was written")
        return real_append(self, table, df)

    monkeypatch.setattr(type(store), "append", crash_on_log)
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest.run(cfg, spark, store)
    assert store.read("bronze.erp").count() == 2, "the data commit happened before the crash"
    monkeypatch.setattr(type(store), "append", real_append)

    [result] = ingest.run(cfg, spark, store)
    assert (result.batches_new, result.rows_landed, result.rows_quarantined) == (1, 2, 1)
    assert store.read("bronze.erp").count() == 2
    assert store.read("bronze.quarantine").count() == 1


def test_wrongly_declared_encoding_is_quarantined_with_its_reason(spark, setup) -> None:
    cfg, store, inbox = setup
    (inbox / "utf8.csv").write_bytes((CSV_HEADER + "1;Müller;Zürich\n2;Meier;Bern\n").encode("utf-8"))
    [result] = ingest.run(cfg, spark, store)  # declared latin-1, delivered UTF-8
    assert (result.rows_landed, result.rows_quarantined) == (1, 1)
    [row] = store.read("bronze.quarantine").collect()
    assert "looks like UTF-8 read as latin-1" in row.reason and "MÃ¼ller" in row.raw_record


def _write_with_header(path: Path, header: str, rows: list[str]) -> None:
    path.write_bytes((header + "".join(f"{r}\n" for r in rows)).encode("latin-1"))


def _logged_ids(store) -> dict[str, str]:
    return {r.source_location.rsplit("/", 1)[-1]: r.batch_id for r in store.read("bronze.ingest_log").collect()}


def test_a_new_file_with_another_header_adds_only_its_rows_and_keeps_earlier_batch_ids(spark, setup) -> None:
    cfg, store, inbox = setup
    _write(inbox / "day1.csv", ["1;Müller;Zürich", "2;Meier;Bern"])
    ingest.run(cfg, spark, store)
    before = {r.kunde: r._batch_id for r in store.read("bronze.erp").collect()}

    _write_with_header(inbox / "day2.csv", "ort;kunde;email;name\n", ["Wien;3;w@example.org;Weiß"])  # other order, one more column
    [result] = ingest.run(cfg, spark, store)
    assert (result.batches_new, result.batches_skipped, result.rows_landed, result.rows_quarantined) == (1, 1, 1, 0)
    bronze = {r.kunde: r for r in store.read("bronze.erp").collect()}
    assert {k: (r.name, r.ort, r.email) for k, r in bronze.items()} == {
        "1": ("Müller", "Zürich", None), "2": ("Meier", "Bern", None), "3": ("Weiß", "Wien", "w@example.org"),
    }
    assert {k: bronze[k]._batch_id for k in before} == before, "earlier batches keep their ids"
    assert _logged_ids(store)["day1.csv"] == before["1"]
    [again] = ingest.run(cfg, spark, store)
    assert (again.batches_new, again.batches_skipped) == (0, 2)


def test_a_file_lacking_a_mapped_column_goes_to_quarantine_whole_and_is_retried(spark, setup) -> None:
    cfg, store, inbox = setup
    _write(inbox / "day1.csv", ["1;Müller;Zürich"])
    _write_with_header(inbox / "day2.csv", "kunde;nachname;ort\n", ["2;Meier;Bern", "3;Weiß;Wien"])
    [result] = ingest.run(cfg, spark, store)
    assert (result.batches_new, result.batches_rejected, result.rows_landed, result.rows_quarantined) == (2, 1, 1, 2)
    bronze = store.read("bronze.erp")
    assert bronze.count() == 1 and "nachname" not in bronze.columns, "nothing lands under a column the file does not have"
    quarantined = store.read("bronze.quarantine").collect()
    assert len(quarantined) == 2 and all("mapped column(s) [name] missing in file" in q.reason and "day2.csv" in q.reason for q in quarantined)
    assert sorted(q.raw_record for q in quarantined) == ['{"kunde":"2","nachname":"Meier","ort":"Bern"}', '{"kunde":"3","nachname":"Weiß","ort":"Wien"}']
    statuses = {r.source_location.rsplit("/", 1)[-1]: (r.status, r.missing_columns) for r in store.read("bronze.ingest_log").collect()}
    assert statuses == {"day1.csv": ("ingested", None), "day2.csv": ("rejected", "name")}

    [retry] = ingest.run(cfg, spark, store)  # a rejected file is tried again (e.g. after the mapping was fixed), never doubled
    assert (retry.batches_new, retry.batches_rejected, retry.batches_skipped) == (1, 1, 1)
    assert store.read("bronze.quarantine").count() == 2 and store.read("bronze.erp").count() == 1


def test_multiline_quoted_fields_land_and_an_unclosed_quote_is_quarantined(spark, setup) -> None:
    cfg, store, inbox = setup
    _write(inbox / "day1.csv", ['1;"Müller\nHof";Zürich', "2;Weiß;Wien;EXTRA", '3;Ødegård;"Oslo'])
    [result] = ingest.run(cfg, spark, store)
    assert (result.rows_landed, result.rows_quarantined) == (1, 2)
    assert store.read("bronze.erp").first().name == "Müller\nHof"
    reasons = {q.raw_record: q.reason for q in store.read("bronze.quarantine").collect()}
    assert reasons["2;Weiß;Wien;EXTRA"].startswith("malformed CSV row")
    [(raw, reason)] = [(raw, reason) for raw, reason in reasons.items() if "Ødegård" in raw]
    assert "runs to the end of the file" in reason
