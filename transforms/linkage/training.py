"""Fit the model to the data at hand: EM sessions, prior values for unseen levels, the training report."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from splink import Linker

from golden_record.lakehouse.linkage_settings import TrainingSettings
from golden_record.transforms.linkage.errors import LinkageError, ModelNotTrainedError
from golden_record.transforms.linkage.spec import blocking_rule, rule_sql
from golden_record.transforms.linkage.splink_adapter import EMTrainingException, em_converged, em_iterations
from golden_record.transforms.linkage.training_plan import TrainingPlan

log = logging.getLogger(__name__)


def known_matches(linker: Linker, rule: list[str] | str, deterministic_rules: list[list[str] | str]) -> int:
    """Pairs a blocking rule finds that a deterministic rule also finds: the near-certain matches inside its block."""
    anyone = " or ".join(f"({rule_sql(d)})" for d in deterministic_rules)
    counted = linker.blocking_analysis.count_comparisons_from_blocking_rules([f"({rule_sql(rule)}) and ({anyone})"], record_sample_proportion=1.0)
    return int(counted[0]["marginal_comparison_count"])


def untrained_levels(model: dict[str, Any]) -> list[str]:
    """Comparison levels of a saved model that lack an estimated m or u probability ('comparison: level (m, u)')."""
    problems = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            missing = [p for p in ("m", "u") if not level.get("is_null_level") and not isinstance(level.get(f"{p}_probability"), (int, float))]
            if missing:
                problems.append(f"{comparison['output_column_name']}: {level.get('label_for_charts')} ({', '.join(missing)})")
    return problems


def _prior_levels(prior: dict[str, Any] | None) -> dict[tuple[str, str], dict[str, Any]]:
    """The prior model's levels by (comparison, level label)."""
    if not prior:
        return {}
    return {(c["output_column_name"], level.get("label_for_charts")): level for c in prior.get("comparisons", []) for level in c["comparison_levels"]}


def with_priors(model: dict[str, Any], prior: dict[str, Any] | None, pairs_sampled: float) -> tuple[dict[str, Any], list[str]]:
    """Fill the m/u probabilities the data never showed: the prior model's value for the same level, else a documented default.

    Defaults: a u the random sample never showed is 1 / pairs sampled (rarer than one in the sample);
    an m never estimated equals the level's u, so the level weighs nothing until data shows it.
    Returns the filled model and one line per filled value ('comparison: level: m from prior').
    """
    known = _prior_levels(prior)
    filled = []
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            label = f"{comparison['output_column_name']}: {level.get('label_for_charts')}"
            source = known.get((comparison["output_column_name"], level.get("label_for_charts")), {})
            for p in ("u", "m"):
                if isinstance(level.get(f"{p}_probability"), (int, float)):
                    continue
                if isinstance(source.get(f"{p}_probability"), (int, float)):
                    level[f"{p}_probability"], origin = source[f"{p}_probability"], "prior model"
                elif p == "u":
                    level["u_probability"], origin = 1.0 / max(pairs_sampled, 1.0), "1 / pairs sampled"
                else:
                    level["m_probability"], origin = level["u_probability"], "equal to u (no evidence)"
                filled.append(f"{label}: {p} = {level[f'{p}_probability']:.3g} ({origin})")
    return model, filled


@dataclass(frozen=True)
class TrainingReport:
    """What training did on this data: sessions run and skipped, values filled from priors, warnings."""

    em_sessions: list[str]
    skipped_sessions: list[str]
    prior_values: list[str]
    warnings: list[str]


TRAINING_STEPS = ["probability two records match", "u by random sampling", "m by EM sessions"]
"""The steps of `train_model`, in order, as reported to its `on_step`."""


def train_model(
    linker: Linker, training: TrainingSettings, plan: TrainingPlan, records: int, prior: dict[str, Any] | None, on_step: Callable[[str], None] = lambda step: None
) -> tuple[dict[str, Any], TrainingReport]:
    """Estimate lambda, u and m unsupervised on this data; levels it never shows keep prior values (see with_priors).

    EM sessions run in the configured order; a session that would estimate only comparisons earlier sessions
    already estimated is not run, and one whose rule finds no pairs, or fewer near-certain matches (pairs a
    deterministic rule also finds) than training.min_known_matches, is skipped: EM on a block without matches
    fits its m probabilities to non-matches.
    """
    deterministic_rules, em_rules = plan.deterministic_rules, plan.em_rules
    warnings = []
    on_step(TRAINING_STEPS[0])
    try:
        if not deterministic_rules:
            raise LinkageError("no deterministic rule has its columns filled")
        linker.training.estimate_probability_two_random_records_match([blocking_rule(rule) for rule in deterministic_rules], recall=training.deterministic_recall)
    except Exception as exc:  # no pairs or no rule: the settings' prior lambda stays (see splink_settings)
        if not prior:
            raise ModelNotTrainedError(f"the probability that two records match cannot be estimated: {exc}") from exc
        warnings.append(f"probability two random records match kept from the prior model ({exc})")
    on_step(TRAINING_STEPS[1])
    pairs_sampled = min(training.u_max_pairs, records * (records - 1) / 2)
    linker.training.estimate_u_using_random_sampling(max_pairs=training.u_max_pairs, seed=training.seed)
    on_step(TRAINING_STEPS[2])
    sessions, skipped, estimated = [], [], set()
    for rule in em_rules:
        if plan.estimates.get(str(rule), set()) <= estimated:
            continue
        known = known_matches(linker, rule, deterministic_rules) if deterministic_rules else training.min_known_matches
        if known < training.min_known_matches:
            skipped.append(f"{rule}: only {known} pair(s) in its block that a deterministic rule also finds (min_known_matches {training.min_known_matches})")
            continue
        try:
            session = linker.training.estimate_parameters_using_expectation_maximisation(blocking_rule(rule), max_pairs=training.em_max_pairs)
        except EMTrainingException as exc:
            skipped.append(f"{rule}: {str(exc).splitlines()[0]}")
            continue
        estimated |= plan.estimates.get(str(rule), set())
        sessions.append(f"{rule}: {em_iterations(session)} iterations")
        if not em_converged(session, training):
            warnings.append(f"EM blocked on {rule} did not converge in {training.max_iterations} iterations")
    model, prior_values = with_priors(linker.misc.save_model_to_json(), prior, pairs_sampled)
    report = TrainingReport(sessions, skipped, prior_values, warnings)
    log.info("trained: probability two random records match %.3g; EM sessions %s", model["probability_two_random_records_match"], sessions)
    for line in [*(f"EM session skipped: {s}" for s in skipped), *(f"prior value: {p}" for p in prior_values), *warnings]:
        log.warning(line)
    return model, report
