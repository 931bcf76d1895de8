"""Shared fixtures: one local SparkSession for the whole test session, on small data."""

from __future__ import annotations

from pathlib import Path

import pytest

from golden_record.lakehouse.config import PipelineConfig, load_config
from golden_record.lakehouse.session import get_spark


@pytest.fixture(scope="session")
def config(tmp_path_factory: pytest.TempPathFactory) -> PipelineConfig:
    """The bundled test configuration with every data path under a fresh temporary folder."""
    root = tmp_path_factory.mktemp("golden-record-data")
    return load_config(environment="test", overrides={"paths": {"root": str(root)}})


@pytest.fixture(scope="session")
def spark(config: PipelineConfig):
    """One local SparkSession shared by all tests."""
    session = get_spark(config)
    yield session
    session.stop()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A per-test folder for input files."""
    return tmp_path
