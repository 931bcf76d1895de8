"""`golden-record run` on data the project did not write: the second population, onboarded by a config file alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from golden_record.jobs import evaluate
from golden_record.jobs.cli import main
from golden_record.lakehouse.config import load_config
from golden_record.lakehouse.storage import open_store
from golden_record.sample_silos.second_population import generate
from golden_record.transforms.linkage.models import load_metadata

PIPELINE = Path(__file__).parents[2] / "sample_silos" / "second_population" / "pipeline.yaml"


@pytest.mark.slow
def test_customers_only_run_on_an_unseen_population_trains_its_own_model(spark, tmp_path: Path) -> None:
    generate(400, seed=3, out_dir=tmp_path / "samples")
    conf_file = tmp_path / "onboarding.yaml"
    conf_file.write_text(yaml.safe_dump({"extends": str(PIPELINE), "linkage": {"backend": "duckdb", "training": {"u_max_pairs": 1e6}}}), encoding="utf-8")

    assert main(["run", "--conf-file", str(conf_file), "--root", str(tmp_path)]) == 0

    config = load_config(conf_file, overrides={"paths": {"root": str(tmp_path), "samples": str(tmp_path / "samples"), "models": str(tmp_path / "models"), "lakehouse": str(tmp_path / "lakehouse"), "reports": str(tmp_path / "reports")}})
    store = open_store(spark, config)
    models = sorted(p for p in (tmp_path / "models").glob("customer_model-*.json") if not p.name.endswith(".meta.json"))
    assert len(models) == 1
    metadata = load_metadata(models[0])
    assert metadata["records"] == store.read("silver.customers").count() and metadata["silver_version"] == store.version("silver.customers")
    assert "national_id" not in metadata["plan"]["comparisons_left_out"]  # the register's national ids are evidence
    assert store.read("silver.interactions").count() == 0 and store.read("gold.customer_timeline").count() == 0
    assert store.read("gold.customers").count() == store.read("gold.customer_360").count() > 0
    assert store.read("silver.customers").where("source_system = 'webshop_customers' and street is not null and postcode is not null").count() > 0  # nested address

    metrics = evaluate.run(config, spark, store, str(tmp_path / "samples" / "ground_truth.csv"))
    print(json.dumps(metrics["clusters"]))
    assert metrics["clusters"]["precision"] > 0.85 and metrics["clusters"]["recall"] > 0.7
