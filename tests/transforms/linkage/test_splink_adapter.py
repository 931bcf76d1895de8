"""What we rely on inside Splink: a Splink upgrade that changes it fails here, by name, not somewhere in a run."""

from __future__ import annotations

import ast
import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path

import splink.comparison_library as cl

from golden_record.transforms.linkage import splink_adapter

REPO = Path(__file__).resolve().parents[3]


def test_the_installed_splink_is_the_pinned_one() -> None:
    pins = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert f"splink=={version('splink')}" in pins


def test_the_internals_we_use_still_have_their_shape() -> None:
    history = "_core_model_settings_history"
    assert history in inspect.getsource(splink_adapter.EMTrainingSession), f"EMTrainingSession no longer keeps {history} (em_converged, em_iterations)"
    assert {"inline", "fullhtml"} <= set(inspect.signature(splink_adapter.chart_html).parameters)
    assert issubclass(splink_adapter.EMTrainingException, Exception)
    levels = splink_adapter.comparison_levels(cl.ExactMatch("email"))
    assert [level.get("is_null_level", False) for level in levels] == [True, False, False]
    assert all("label_for_charts" in level for level in levels)


def test_only_the_adapter_imports_splink_internals() -> None:
    importers = []
    for folder in ("jobs", "transforms", "lakehouse", "bench", "notebooks"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [module or ""]
                if any(name.startswith("splink.internals") for name in names):
                    importers.append(str(path.relative_to(REPO)))
    assert set(importers) == {"transforms/linkage/splink_adapter.py"}


def test_the_model_weights_chart_reads_a_model_of_either_dialect() -> None:
    import json

    model = json.loads((REPO / "linkage_models" / "customer_model.json").read_text(encoding="utf-8"))
    spark_model = json.loads(json.dumps(model).replace('"sql_dialect": "duckdb"', '"sql_dialect": "spark"').replace('\\"', "`"))
    for each in (model, spark_model):
        chart = splink_adapter.model_weights_chart(each)
        assert chart["data"]["values"] and {"comparison_name", "log2_bayes_factor"} <= set(chart["data"]["values"][0])
