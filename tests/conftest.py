"""Shared fixtures: one local SparkSession for the whole test session, on small data."""

from __future__ import annotations

import shutil
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


@pytest.fixture(scope="session")
def sample_run(spark, tmp_path_factory: pytest.TempPathFactory) -> PipelineConfig:
    """One whole pipeline run on a generated 200-person sample (DuckDB linkage): a complete lakehouse that tests read,
    or copy (fixture `copy_of_run`) before they change it. Returns the run's config."""
    from golden_record.jobs import pipeline
    from golden_record.lakehouse.storage import open_store

    root = tmp_path_factory.mktemp("sample-run")
    run_config = load_config(environment="test", overrides={"paths": {"root": str(root)}, "linkage": {"backend": "duckdb"}})
    pipeline.run(run_config, spark, open_store(spark, run_config), sample_persons=200)
    return run_config


@pytest.fixture
def copy_of_run(sample_run: PipelineConfig, tmp_path: Path) -> PipelineConfig:
    """The config of a copy of `sample_run`'s whole data root (samples, lakehouse, reports, models), for a test that changes it."""
    import shutil

    root = tmp_path / "run"
    shutil.copytree(sample_run.paths.root, root)
    return load_config(environment="test", overrides={"paths": {"root": str(root)}, "linkage": {"backend": "duckdb"}})


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A per-test folder for input files."""
    return tmp_path


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser():
    """Debian's Chromium, headless, driven by Playwright (which downloads no browser of its own)."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (make test installs it: scripts/apt-install.sh chromium)")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()
