"""The run manifest: readers see every table as the last complete run left it, never half of the next one."""

from __future__ import annotations

from pathlib import Path

import pytest

from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.manifest import last_complete_run, read_pinned, record_run, unchanged_since_last_run
from golden_record.lakehouse.storage import open_store


@pytest.fixture
def store(spark, config, tmp_path: Path):
    return open_store(spark, config.model_copy(update={"paths": config.paths.model_copy(update={"lakehouse": str(tmp_path / "lakehouse")})}))


def test_a_reader_sees_the_tables_of_the_last_complete_run_while_the_next_one_writes(spark, store) -> None:
    with pytest.raises(PipelineError, match="does not exist yet"):
        read_pinned(store, "gold.customers")
    store.overwrite("gold.customers", spark.createDataFrame([("GR-1", "Anna")], "golden_id string, first_name string"))
    store.overwrite("gold.customer_xref", spark.createDataFrame([("crm", "1", "GR-1")], "source_system string, source_record_id string, golden_id string"))
    versions = record_run(store, "run-1", "run")
    assert last_complete_run(store) == ("run-1", versions) and set(versions) == {"gold.customers", "gold.customer_xref"}

    store.overwrite("gold.customers", spark.createDataFrame([("GR-1", "Anna"), ("GR-2", "Ben")], "golden_id string, first_name string"))  # run-2, not complete
    assert [r.golden_id for r in read_pinned(store, "gold.customers").collect()] == ["GR-1"]
    record_run(store, "run-2", "run")
    assert sorted(r.golden_id for r in read_pinned(store, "gold.customers").collect()) == ["GR-1", "GR-2"]
    with pytest.raises(PipelineError, match="pins no version of gold.customer_360"):
        read_pinned(store, "gold.customer_360")


def test_a_run_is_current_until_any_recorded_table_changes_or_appears(spark, store) -> None:
    assert unchanged_since_last_run(store) is None, "no complete run yet"
    store.overwrite("gold.customers", spark.createDataFrame([("GR-1", "Anna")], "golden_id string, first_name string"))
    store.overwrite("bronze.ingest_log", spark.createDataFrame([("crm", "b1")], "source string, batch_id string"))
    record_run(store, "run-1", "run")
    assert unchanged_since_last_run(store) == "run-1"
    store.append("bronze.ingest_log", spark.createDataFrame([("crm", "b2")], "source string, batch_id string"))  # a new batch landed
    assert unchanged_since_last_run(store) is None
    record_run(store, "run-2", "run")
    assert unchanged_since_last_run(store) == "run-2"
    store.overwrite("gold.steward_decisions", spark.createDataFrame([("d1",)], "decision_id string"))  # a first steward decision
    assert unchanged_since_last_run(store) is None
