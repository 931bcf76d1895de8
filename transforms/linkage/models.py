"""Trained model files: saving, loading, their metadata, and which model a run matches with."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from golden_record.lakehouse.linkage_settings import BUNDLED_MODEL, TRAINED_MODEL_PREFIX, LinkageSettings, bundled_file
from golden_record.lakehouse.settings_base import FileRef
from golden_record.transforms.linkage.errors import LinkageError
from golden_record.transforms.linkage.spec import comparison_columns, load_spec

log = logging.getLogger(__name__)


def load_model(path: FileRef) -> dict[str, Any]:
    """Read a trained model JSON (Splink's own format, as train writes it)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise LinkageError(f"cannot read the trained linkage model {path}: {exc}; run `golden-record train` first") from exc


def save_model(model: dict[str, Any], metadata: dict[str, Any], models_dir: str, trained_at: datetime) -> Path:
    """Write model JSON plus its `.meta.json` sidecar under `models_dir` with a timestamped, sortable name."""
    folder = Path(models_dir)
    if folder.resolve() == bundled_file(BUNDLED_MODEL).parent.resolve():
        raise LinkageError(f"paths.models ({models_dir}) is the linkage_models package: trained models never go into the source tree")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{TRAINED_MODEL_PREFIX}-{trained_at:%Y%m%dT%H%M%S}Z.json"
    path.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    model_metadata_path(path).write_text(json.dumps(metadata, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def model_metadata_path(model_path: FileRef) -> FileRef:
    """The sidecar JSON with a model's training metadata (`<model>.meta.json`)."""
    return model_path.parent / f"{model_path.name.removesuffix('.json')}.meta.json"


def load_metadata(model_path: FileRef) -> dict[str, Any]:
    """A model's training metadata ({} for a model without a sidecar, e.g. one written by hand)."""
    path = model_metadata_path(model_path)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def load_prior(linkage: LinkageSettings) -> tuple[FileRef | None, dict[str, Any] | None]:
    """The prior model (path and JSON) whose values fill the levels training data never shows."""
    path = linkage.prior_model_path()
    return (path, load_model(path)) if path.is_file() else (None, None)


@dataclass(frozen=True)
class MatchingModel:
    """A trained model ready to match with: its file, parameters, training metadata and the spec it was trained with."""

    path: Path
    model: dict[str, Any]
    metadata: dict[str, Any]
    spec: dict[str, Any]


def matching_model(linkage: LinkageSettings, models_dir: str) -> MatchingModel:
    """The configured model, else the newest trained on this lakehouse; never a model of other data unasked."""
    path = linkage.model_path(models_dir)
    if path is None:
        raise LinkageError(f"no trained linkage model under {models_dir}: run `golden-record train` (or `golden-record run`, which trains one) first")
    model, metadata = load_model(path), load_metadata(path)
    return MatchingModel(path, model, metadata, spec_for_model(load_spec(linkage.settings_path()), model, metadata))


def spec_for_model(spec: dict[str, Any], model: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """The spec as the model was trained: its comparisons only, and the blocking rules training chose for the data."""
    trained = {c["output_column_name"] for c in model.get("comparisons", [])}
    kept = [entry for name, entry in zip(comparison_columns(spec), spec["comparisons"]) if name in trained]
    rules = metadata.get("plan", {}).get("blocking_rules", spec["blocking_rules"])
    return {**spec, "comparisons": kept, "blocking_rules": rules}
