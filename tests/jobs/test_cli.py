"""End to end: `golden-record run` on generated sample silos, from files and PostgreSQL to gold."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.cli import main
from lakehouse.storage import open_store


@pytest.mark.postgres
@pytest.mark.slow
def test_run_goes_from_sample_silos_to_gold(spark, config, tmp_path: Path, capsys) -> None:
    root = tmp_path / "run"
    assert main(["run", "--env", "test", "--root", str(root), "--generate-sample", "150", "--no-train"]) == 0
    output = capsys.readouterr().out
    assert "summary: 10 sources" in output and "golden customers" in output and "gates: 5 passed" in output

    local = config.model_copy(update={"paths": config.paths.model_copy(update={"lakehouse": str(root / "lakehouse")})})
    store = open_store(spark, local)
    silver = store.read("silver.customers").count()
    xref = store.read("gold.customer_xref")
    assert xref.count() == silver, "every silver customer record is in the cross-reference exactly once"
    golden = store.read("gold.customers").count()
    assert 0 < golden < silver, "duplicates across and within sources were merged"
    assert store.read("gold.customer_360").count() == golden
