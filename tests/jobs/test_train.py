"""The train job: saves a trained model with its metadata under paths.models, refuses an untrainable one."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from jobs import train
from lakehouse.config import PipelineConfig
from lakehouse.linkage_settings import LinkageSettings
from lakehouse.storage import TableStore, open_store
from transforms.linkage import ModelNotTrainedError, load_model, model_metadata_path, untrained_levels

SILVER_COLUMNS = "source_system string, source_record_id string, first_name_norm string, last_name_norm string, birth_date date, email_norm string"
ADDRESS_COLUMNS = ", phone string, street_norm string, house_number string, postcode string, city_norm string"
FIRST = ["anna", "jonas", "lena", "paul", "mia", "felix", "emma", "lukas", "sara", "nils", "ida", "ole"]
LAST = ["mueller", "schmidt", "hansen", "berg", "weber", "lund", "fischer", "nilsen"]

SMALL_SPEC = {
    "description": "exact-match model over four columns, small enough to train on a few hundred records",
    "link_type": "dedupe_only",
    "input_columns": ["first_name_norm", "last_name_norm", "birth_date", "email_norm"],
    "comparisons": [{"comparison": "ExactMatch", "args": {"col_name": c}} for c in ("first_name_norm", "last_name_norm", "birth_date", "email_norm")],
    "blocking_rules": [["email_norm"], ["first_name_norm", "last_name_norm"]],
}
SMALL_TRAINING = {
    "seed": 7,
    "deterministic_rules": [["email_norm"]],
    "deterministic_recall": 0.8,
    "u_max_pairs": 1e5,
    "em_blocking_rules": [["first_name_norm", "last_name_norm"], ["email_norm"]],
}


def _people(count: int, seed: int) -> list[tuple]:
    """`count` persons with one to three records each in three silos; later records miss a field or spell it otherwise."""
    rng = random.Random(seed)
    rows = []
    for person in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(40))  # few dates: random pairs share some
        email = f"{first}.{last}{person}@example.org"
        for copy in range(rng.choice([1, 2, 2, 3])):
            system = ("crm", "webshop_accounts", "pos_members")[copy]
            record = [system, f"{person}-{copy}", first, last, birth, email]
            variants = (f"{first}i", f"{last}-{rng.choice(LAST)}", birth.replace(year=1990), f"{first}{person}@mail.example.org")
            field = rng.randrange(4)
            if copy and rng.random() < 0.3:
                record[2 + field] = None
            elif copy and rng.random() < 0.2:
                record[2 + field] = variants[field]
            rows.append(tuple(record))
    return rows


def _store_with_silver(spark: SparkSession, config: PipelineConfig, rows: list[tuple], columns: str = SILVER_COLUMNS) -> TableStore:
    store = open_store(spark, config)
    store.overwrite("silver.customers", spark.createDataFrame(rows, columns))
    return store


def _config(config: PipelineConfig, tmp_path: Path, linkage: dict) -> PipelineConfig:
    paths = config.paths.model_copy(update={"lakehouse": str(tmp_path / "lakehouse"), "models": str(tmp_path / "models")})
    return config.model_copy(update={"paths": paths, "linkage": linkage})


def test_train_saves_a_versioned_model_with_metadata(spark: SparkSession, config: PipelineConfig, tmp_path: Path) -> None:
    spec_path = tmp_path / "small_settings.json"
    spec_path.write_text(json.dumps(SMALL_SPEC), encoding="utf-8")
    linkage = {**config.linkage, "backend": "duckdb", "settings_file": str(spec_path), "cluster_guards": [], "training": SMALL_TRAINING}
    settings = _config(config, tmp_path, linkage)
    store = _store_with_silver(spark, settings, _people(150, seed=1))

    path = train.run(settings, spark, store)

    assert path.parent == tmp_path / "models" and path.name.startswith("customer_model-") and path.suffix == ".json"
    model = load_model(path)
    assert untrained_levels(model) == []
    assert 0 < model["probability_two_random_records_match"] < 1
    metadata = json.loads(model_metadata_path(path).read_text(encoding="utf-8"))
    assert metadata["silver_version"] == store.version("silver.customers")
    assert metadata["records"] == store.read("silver.customers").count()
    assert metadata["training"]["seed"] == 7
    assert LinkageSettings.from_config(linkage).model_path(settings.paths.models) == path


def test_train_refuses_a_model_with_untrained_levels(spark: SparkSession, config: PipelineConfig, tmp_path: Path) -> None:
    # a handful of people without phones or addresses: those comparisons' levels are never observed
    rows = [(*row, None, None, None, None, None) for row in _people(8, seed=2)]
    settings = _config(config, tmp_path, {**config.linkage, "backend": "duckdb"})
    store = _store_with_silver(spark, settings, rows, SILVER_COLUMNS + ADDRESS_COLUMNS)

    with pytest.raises(ModelNotTrainedError, match="untrained level"):
        train.run(settings, spark, store)
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())
