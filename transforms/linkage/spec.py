"""The linkage spec (comparisons, blocking rules) and the Splink settings built from it."""

from __future__ import annotations

import json
import logging
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

from golden_record.lakehouse.linkage_settings import TrainingSettings
from golden_record.lakehouse.settings_base import FileRef
from golden_record.transforms.linkage.errors import LinkageError
from golden_record.transforms.linkage.features import DERIVED_COLUMNS
from golden_record.transforms.linkage.splink_adapter import BlockingRuleCreator, ComparisonCreator, comparison_levels

log = logging.getLogger(__name__)



def load_spec(path: FileRef) -> dict[str, Any]:
    """Read a settings spec JSON (see linkage_models/customer_settings.json) and its first-name variants file, if named."""
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
        variants_file = spec.get("first_name_variants_file")
        spec["first_name_variants"] = json.loads((path.parent / variants_file).read_text(encoding="utf-8"))["variants"] if variants_file else {}
    except (OSError, json.JSONDecodeError, KeyError) as exc:
        raise LinkageError(f"cannot read the linkage settings spec {path} or its first-name variants: {exc}") from exc
    missing = {"link_type", "input_columns", "comparisons", "blocking_rules"} - set(spec)
    if missing:
        raise LinkageError(f"linkage settings spec {path} lacks {sorted(missing)}")
    return spec


def _column_names(entry: Any) -> list[str]:
    """Every 'col_name' argument inside a spec entry, in order."""
    if isinstance(entry, list):
        return [name for item in entry for name in _column_names(item)]
    if not isinstance(entry, dict):
        return []
    names = [entry["col_name"]] if "col_name" in entry else []
    return names + [name for value in entry.values() for name in _column_names(value)]


def comparison_columns(spec: dict[str, Any], include_derived: bool = False) -> dict[str, list[str]]:
    """Columns each comparison of the spec reads, by comparison output name (the null level's first; derived ones only if asked)."""
    creators = comparison_creators(spec)
    return {
        creator.create_output_column_name(): [c for c in dict.fromkeys(_column_names(entry)) if include_derived or c not in DERIVED_COLUMNS]
        for creator, entry in zip(creators, spec["comparisons"])
    }


def _build(entry: Any) -> Any:
    """Turn a spec entry naming a Splink class ({'comparison'|'level': name, 'args', 'configure'}) into its object."""
    if isinstance(entry, list):
        return [_build(item) for item in entry]
    if not isinstance(entry, dict):
        return entry
    if not {"comparison", "level"} & set(entry):
        return {key: _build(value) for key, value in entry.items()}
    library, name = (cl, entry["comparison"]) if "comparison" in entry else (cll, entry["level"])
    cls = getattr(library, name, None)
    if cls is None:
        raise LinkageError(f"{library.__name__} has no class {name!r}")
    args = _build(entry.get("args", {}))
    created = cls(*args) if isinstance(args, list) else cls(**args)
    return created.configure(**entry["configure"]) if "configure" in entry else created


def comparison_creators(spec: dict[str, Any]) -> list[ComparisonCreator]:
    """The spec's comparisons as Splink comparison creators (dialect-free)."""
    return [_build(entry) for entry in spec["comparisons"]]



def level_labels(creator: ComparisonCreator) -> list[str]:
    """Labels of a comparison's non-null levels, most similar first."""
    return [level["label_for_charts"] for level in comparison_levels(creator) if not level.get("is_null_level")]


def gamma_labels(spec: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Level label by gamma value (Splink's comparison vector value) for each comparison of the spec.

    Splink numbers the non-null levels from n-1 (the first, most similar) down to 0 (usually "else")
    and gives the null level -1.
    """
    result = {}
    for creator in comparison_creators(spec):
        labels = level_labels(creator)
        by_gamma = {len(labels) - 1 - i: label for i, label in enumerate(labels)}
        by_gamma.update({-1: level["label_for_charts"] for level in comparison_levels(creator) if level.get("is_null_level")})
        result[creator.create_output_column_name()] = by_gamma
    return result


def _with_trained_parameters(creators: list[ComparisonCreator], model: dict[str, Any]) -> list[ComparisonCreator]:
    """Configure each comparison with the m and u probabilities a trained model holds for it."""
    trained = {comparison["output_column_name"]: comparison for comparison in model.get("comparisons", [])}
    for creator in creators:
        name = creator.create_output_column_name()
        levels = [level for level in trained.get(name, {}).get("comparison_levels", []) if not level.get("is_null_level")]
        if [level.get("label_for_charts") for level in levels] != level_labels(creator):
            raise LinkageError(f"the trained model's comparison '{name}' does not match the settings spec: retrain the model")
        if any("m_probability" not in level or "u_probability" not in level for level in levels):
            raise LinkageError(f"the trained model has no m/u probability for some levels of '{name}'")
        creator.configure(m_probabilities=[level["m_probability"] for level in levels], u_probabilities=[level["u_probability"] for level in levels])
    return creators


def rule_sql(rule: list[str] | str) -> str:
    """A spec blocking rule as SQL over `l.` and `r.` columns."""
    return rule if isinstance(rule, str) else " and ".join(f"l.{c} = r.{c}" for c in rule)


def blocking_rule(rule: list[str] | str) -> BlockingRuleCreator | str:
    """A spec blocking rule for Splink: a list of columns that must be equal, or SQL over `l.` and `r.` columns."""
    return rule if isinstance(rule, str) else block_on(*rule)


def splink_settings(
    spec: dict[str, Any],
    model: dict[str, Any] | None = None,
    training: TrainingSettings | None = None,
    blocking_rules: list[list[str] | str] | None = None,
    prior_lambda: float | None = None,
) -> SettingsCreator:
    """Splink settings from the spec, with a trained `model`'s parameters (None: untrained) and other blocking rules if given."""
    creators = comparison_creators(spec)
    extra: dict[str, Any] = {} if prior_lambda is None else {"probability_two_random_records_match": prior_lambda}
    if model is not None:
        creators = _with_trained_parameters(creators, model)
        extra["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    if training is not None:
        extra |= {"max_iterations": training.max_iterations, "em_convergence": training.em_convergence}
    return SettingsCreator(
        link_type=spec["link_type"],
        unique_id_column_name="unique_id",
        comparisons=creators,
        blocking_rules_to_generate_predictions=[blocking_rule(rule) for rule in blocking_rules or spec["blocking_rules"]],
        additional_columns_to_retain=["source_system", "source_record_id"],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        **extra,
    )
