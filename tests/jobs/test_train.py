"""The train job: saves a trained model with its metadata under paths.models, refuses an untrainable one."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from golden_record.jobs import match, train
from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.linkage_settings import LinkageSettings
from golden_record.lakehouse.storage import TableStore, open_store
from golden_record.transforms.linkage.errors import LinkageError
from golden_record.transforms.linkage.models import load_model, model_metadata_path
from golden_record.transforms.linkage.training import untrained_levels

SILVER_COLUMNS = "source_system string, source_record_id string, first_name_norm string, last_name_norm string, birth_date date, email_norm string"
ADDRESS_COLUMNS = ", phone string, street_norm string, house_number string, postcode string, city_norm string"
ID_COLUMNS = ", national_id string, customer_number string, loyalty_card string"
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
    return config.model_copy(update={"paths": paths, "linkage": LinkageSettings.model_validate(linkage)})


def test_train_saves_a_versioned_model_with_metadata(spark: SparkSession, config: PipelineConfig, tmp_path: Path) -> None:
    spec_path = tmp_path / "small_settings.json"
    spec_path.write_text(json.dumps(SMALL_SPEC), encoding="utf-8")
    linkage = {**config.linkage.model_dump(), "backend": "duckdb", "settings_file": str(spec_path), "cluster_guards": [], "training": SMALL_TRAINING}
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
    assert LinkageSettings.model_validate(linkage).model_path(settings.paths.models) == path


ALL_COLUMNS = SILVER_COLUMNS + ADDRESS_COLUMNS + ID_COLUMNS


def _train(spark: SparkSession, config: PipelineConfig, tmp_path: Path, rows: list[tuple], **linkage: object) -> tuple[dict, dict]:
    """Train with the bundled spec and training candidates on DuckDB (rows padded with nulls); return the model and its metadata."""
    width = len(ALL_COLUMNS.split(","))
    padded = [(*row, *([None] * (width - len(row)))) for row in rows]
    settings = _config(config, tmp_path, {**config.linkage.model_dump(), "backend": "duckdb", "training": {**config.linkage.training.model_dump(), "u_max_pairs": 1e5}, **linkage})
    path = train.run(settings, spark, _store_with_silver(spark, settings, padded, ALL_COLUMNS))
    return load_model(path), json.loads(model_metadata_path(path).read_text(encoding="utf-8"))


def _comparisons(model: dict) -> list[str]:
    return [c["output_column_name"] for c in model["comparisons"]]


def test_train_without_phone_address_or_ids_leaves_those_comparisons_out(spark: SparkSession, config: PipelineConfig, tmp_path: Path) -> None:
    model, metadata = _train(spark, config, tmp_path, _people(150, seed=2))
    assert _comparisons(model) == ["first_name", "last_name", "birth_date", "email_norm"]
    assert set(metadata["plan"]["comparisons_left_out"]) == {"phone", "address", "postcode_city", "national_id", "customer_number", "loyalty_card"}
    assert untrained_levels(model) == []
    # nobody is written with an initial or swapped names here: those levels keep a prior and say so
    assert any(line.startswith("first_name: Initial matches the first name") for line in metadata["prior_values"])
    assert all(["phone"] != rule for rule in metadata["plan"]["blocking_rules"])


def test_train_without_email_skips_the_email_session(spark: SparkSession, config: PipelineConfig, tmp_path: Path) -> None:
    rows = [(*row[:5], None) for row in _people(150, seed=3)]
    model, metadata = _train(spark, config, tmp_path, rows)
    assert "email_norm" not in _comparisons(model)
    assert ["email_norm", "first_name_norm"] not in metadata["plan"]["deterministic_rules"]
    assert all(not session.startswith("['email_norm']") for session in metadata["em_sessions"])
    assert metadata["em_sessions"] and 0 < model["probability_two_random_records_match"] < 1


def test_train_without_birth_date(spark: SparkSession, config: PipelineConfig, tmp_path: Path) -> None:
    rows = [(*row[:4], None, row[5]) for row in _people(150, seed=4)]
    model, metadata = _train(spark, config, tmp_path, rows)
    assert _comparisons(model) == ["first_name", "last_name", "email_norm"]
    assert metadata["plan"]["deterministic_rules"] == [["email_norm", "first_name_norm"]]


def test_match_without_a_model_trained_here_is_refused(spark: SparkSession, config: PipelineConfig, tmp_path: Path) -> None:
    settings = _config(config, tmp_path, {**config.linkage.model_dump(), "backend": "duckdb"})
    store = _store_with_silver(spark, settings, _people(5, seed=5))
    with pytest.raises(LinkageError, match="no trained linkage model"):
        match.run(settings, spark, store)
