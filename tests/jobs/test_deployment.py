"""Deployment artefacts: cluster/Databricks configs, the spark-submit script, the bundle, the notebook, the wheel."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml

import golden_record.jobs.cli as cli_module
from golden_record.jobs.cli import build_parser
from golden_record.lakehouse.config import load_config
from golden_record.lakehouse.linkage_settings import LinkageSettings
from golden_record.lakehouse.session import splink_jar

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "golden_record.py"
BUILD_DIST = REPO / "scripts" / "build-dist.sh"


def _bundle() -> dict:
    return yaml.safe_load((REPO / "databricks.yml").read_text(encoding="utf-8"))


def _tasks(bundle: dict) -> list[dict]:
    return [task for job in bundle["resources"]["jobs"].values() for task in job["tasks"]]


def test_cluster_config_leaves_master_and_jars_to_spark_submit() -> None:
    config = load_config(environment="cluster")
    assert config.environment == "cluster"
    assert config.spark.mode == "cluster"
    assert config.spark.master is None
    assert config.spark.extra_jars == []
    assert config.sources, "the cluster config onboards the same sources"


def test_databricks_config_uses_unity_catalog_and_a_volume() -> None:
    config = load_config(environment="databricks")
    assert config.spark.mode == "databricks"
    assert (config.storage.backend, config.storage.catalog, config.storage.schema_prefix) == ("delta-spark", "main", "cgr_")
    assert config.paths.root == "/Volumes/main/cgr_files/golden_record"
    assert config.paths.lakehouse == "/Volumes/main/cgr_files/golden_record/lakehouse"
    assert isinstance(config.linkage, LinkageSettings)


def test_spark_submit_script_hands_its_arguments_to_the_cli(tmp_path: Path) -> None:
    script = REPO / "jobs" / "spark_submit.py"
    shown = subprocess.run([sys.executable, str(script), "ingest", "--help"], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "usage: golden-record ingest" in shown.stdout
    failed = subprocess.run([sys.executable, str(script), "ingest", "--conf-file", str(tmp_path / "missing.yaml")], capture_output=True, text=True, timeout=120)
    assert failed.returncode == 2, "the CLI's exit code reaches spark-submit"
    assert "config file not found" in failed.stderr


def test_bundle_tasks_run_the_notebook_with_cli_commands_and_the_built_artefacts() -> None:
    bundle = _bundle()
    assert bundle["bundle"]["name"] == "customer-golden-record"
    assert {"dev", "prod"} <= set(bundle["targets"])
    assert (REPO / bundle["artifacts"]["golden_record"]["build"]).exists()
    widgets = set(_notebook_widgets())
    tasks = _tasks(bundle)
    assert [task["notebook_task"]["base_parameters"]["command"] for task in tasks] == ["ingest", "standardise", "train", "match", "build-gold"]
    assert all(later.get("depends_on") == [{"task_key": earlier["task_key"]}] for earlier, later in zip(tasks, tasks[1:])), "stages run in order"
    for task in tasks:
        notebook = task["notebook_task"]
        assert (REPO / notebook["notebook_path"]).resolve() == NOTEBOOK
        build_parser().parse_args([notebook["base_parameters"]["command"]])  # a real subcommand, no required options
        libraries = {kind: path for library in task["libraries"] for kind, path in library.items()}
        assert libraries["whl"] == "./dist/*.whl"
        assert Path(libraries["jar"]).name == Path(splink_jar()).name, "the jar scripts/build-dist.sh copies from the installed splink"
    for job in bundle["resources"]["jobs"].values():
        assert {parameter["name"] for parameter in job["parameters"]} <= widgets, "job parameters reach the notebook as widgets"
        cluster = job["job_clusters"][0]["new_cluster"]
        assert cluster["data_security_mode"] == "SINGLE_USER", "custom jars (Splink) need dedicated access mode"


def test_bundle_resources_match_the_databricks_job_models() -> None:
    bundles = pytest.importorskip("databricks.bundles.jobs", reason="databricks-bundles (the bundle's Python models) is not installed")
    from databricks.bundles.schemas import Schema
    from databricks.bundles.volumes import Volume

    resources = _bundle()["resources"]
    for job in resources["jobs"].values():
        bundles.Job.from_dict(job)  # ValueError on an unknown or misplaced key
    for schema in resources["schemas"].values():
        Schema.from_dict(schema)
    for volume in resources["volumes"].values():
        Volume.from_dict(volume)


def _notebook_widgets() -> list[str]:
    tree = ast.parse(NOTEBOOK.read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "text" and node.args
    ]


def test_notebook_is_a_databricks_source_notebook_calling_public_entry_points_only() -> None:
    source = NOTEBOOK.read_text(encoding="utf-8")
    assert source.startswith("# Databricks notebook source\n")
    assert "# COMMAND ----------" in source
    project_imports = {
        (node.module, alias.name)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "golden_record"
        for alias in node.names
    }
    assert project_imports == {("golden_record.jobs.cli", "main"), ("golden_record.lakehouse.config", "bundled_config_path")}


class _Widgets:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def text(self, name: str, default: str, label: str) -> None:
        self.values.setdefault(name, default)

    def get(self, name: str) -> str:
        return self.values[name]


class _Dbutils:
    def __init__(self, values: dict[str, str]) -> None:
        self.widgets = _Widgets(values)


def _run_notebook(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, widgets: dict[str, str], exit_code: int = 0) -> list[str]:
    """Execute the notebook with Databricks' dbutils faked and the CLI replaced; return the CLI arguments it built."""
    calls: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        calls.append(argv)
        return exit_code

    monkeypatch.setattr(cli_module, "main", fake_main)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    exec(compile(NOTEBOOK.read_text(encoding="utf-8"), str(NOTEBOOK), "exec"), {"dbutils": _Dbutils(widgets)})
    assert len(calls) == 1
    return calls[0]


def test_notebook_layers_job_parameters_over_the_packaged_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    widgets = {"command": "standardise", "catalog": "dev_cat", "schema_prefix": "dev_me_cgr_", "root": "/Volumes/dev_cat/x/y", "extra_args": "--source crm"}
    argv = _run_notebook(monkeypatch, tmp_path, widgets)
    assert argv[0] == "standardise" and argv[1] == "--conf-file"
    assert argv[3:] == ["--root", "/Volumes/dev_cat/x/y", "--source", "crm"]
    args = build_parser().parse_args(argv)
    assert args.source == ["crm"]
    config = load_config(args.conf_file)
    assert config.environment == "databricks"
    assert (config.storage.catalog, config.storage.schema_prefix) == ("dev_cat", "dev_me_cgr_")


def test_notebook_without_parameters_runs_the_packaged_databricks_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    argv = _run_notebook(monkeypatch, tmp_path, {})
    assert argv[0] == "run" and len(argv) == 3
    assert load_config(argv[2]) == load_config(environment="databricks")


def test_notebook_fails_the_task_when_the_cli_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="golden-record ingest failed with exit code 2"):
        _run_notebook(monkeypatch, tmp_path, {"command": "ingest"}, exit_code=2)


def _build_dist(dist: Path, *options: str) -> None:
    env = {**os.environ, "DIST_DIR": str(dist), "PYTHON": sys.executable}
    result = subprocess.run(["bash", str(BUILD_DIST), *options], capture_output=True, text=True, env=env, timeout=1800)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]


@pytest.mark.packaging
def test_build_dist_makes_a_wheel_with_its_data_files_the_entry_script_and_the_jars(tmp_path: Path) -> None:
    _build_dist(tmp_path)
    (wheel,) = tmp_path.glob("customer_golden_record-*-py3-none-any.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data_files = ["golden_record/" + path.relative_to(REPO).as_posix() for folder, pattern in (("conf", "*.yaml"), ("expectations", "*.json"), ("linkage_models", "*.json")) for path in (REPO / folder).glob(pattern)]
    assert {"golden_record/conf/cluster.yaml", "golden_record/conf/databricks.yaml", "golden_record/jobs/spark_submit.py", "golden_record/jobs/cli.py"} <= names
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"golden_record"}, "the wheel installs one package, nothing with a generic name"
    packaged = {name.rsplit("/", 1)[0] for name in names if name.endswith("/__init__.py")}
    in_tree = {"golden_record/" + path.parent.relative_to(REPO).as_posix() for path in REPO.glob("*/**/__init__.py") if path.parts[len(REPO.parts)] not in {"tests", "bench", "notebooks", "scripts", ".venv", "build"}}
    assert packaged == in_tree | {"golden_record"}, "pyproject.toml lists every package of the tree"
    assert set(data_files) <= names, f"missing from the wheel: {sorted(set(data_files) - names)}"
    entry_points = next(zipfile.Path(wheel, name) for name in names if name.endswith(".dist-info/entry_points.txt")).read_text()
    assert "golden-record = golden_record.jobs.cli:main" in entry_points
    assert (tmp_path / "spark_submit.py").read_bytes() == (REPO / "jobs" / "spark_submit.py").read_bytes()
    assert (tmp_path / "jars" / Path(splink_jar()).name).exists()
    assert (tmp_path / "jars" / "postgresql.jar").exists() == Path("/usr/share/java/postgresql.jar").exists()

    # Imported straight from the zipped wheel, the packaged YAML and JSON still load (importlib.resources).
    probe = (
        "import golden_record as g, golden_record.lakehouse.config as c, golden_record.lakehouse.quality as q, golden_record.transforms.linkage.models as m, golden_record.transforms.linkage.spec as s\n"
        "config = c.load_config(environment='cluster')\n"
        "print(g.__file__); print(config.spark.mode, len(config.standardisation.titles) > 0, q.load_suite('silver_customers')['name'])\n"
        "print(len(s.load_spec(config.linkage.settings_path())['comparisons']) > 0, m.load_prior(config.linkage)[1] is not None)"
    )
    zipped = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(wheel)})
    assert zipped.returncode == 0, zipped.stderr
    location, loaded, linkage = zipped.stdout.splitlines()
    assert location.startswith(str(wheel)), "imported from the zipped wheel"
    assert loaded == "cluster True silver_customers" and linkage == "True True"


@pytest.mark.packaging
def test_wheel_installs_into_a_clean_venv_and_packs_for_archives(tmp_path: Path) -> None:
    try:
        _build_dist(tmp_path, "--python-env")
        env = tmp_path / "env"
        shown = subprocess.run([str(env / "bin" / "golden-record"), "--help"], capture_output=True, text=True, timeout=120)
        assert shown.returncode == 0, shown.stderr
        assert all(command in shown.stdout for command in ("generate-sample", "ingest", "standardise", "run"))
        probe = "import golden_record.jobs.cli as cli, golden_record.lakehouse.config as c; print(cli.__file__); print(c.load_config(environment='cluster').spark.mode, c.load_config(environment='databricks').storage.catalog)"
        installed = subprocess.run([str(env / "bin" / "python"), "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert installed.returncode == 0, installed.stderr
        location, modes = installed.stdout.splitlines()
        assert location.startswith(str(env)), "the code comes from the installed wheel, not the source tree"
        assert modes == "cluster main"
        with tarfile.open(tmp_path / "golden-record-env.tar.gz") as packed:
            members = set(packed.getnames())
        site_packages = f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"
        assert {"bin/python", f"{site_packages}/golden_record/jobs/cli.py", f"{site_packages}/golden_record/conf/cluster.yaml", f"{site_packages}/splink/__init__.py"} <= members
    finally:  # 2 GB: do not keep them among pytest's retained temporary folders
        shutil.rmtree(tmp_path / "env", ignore_errors=True)
        (tmp_path / "golden-record-env.tar.gz").unlink(missing_ok=True)


def test_no_project_module_is_imported_under_a_top_level_name() -> None:
    """Everything imports `golden_record.…`: a bare `jobs` or `transforms` would collide with a user's own modules."""
    bare = {"jobs", "transforms", "lakehouse", "sample_silos", "conf", "linkage_models", "expectations"}
    found = []
    for path in REPO.rglob("*.py"):
        if {".venv", "build", ".git"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            found += [f"{path.relative_to(REPO)}: {name}" for name in names if name.split(".")[0] in bare]
    assert found == []
