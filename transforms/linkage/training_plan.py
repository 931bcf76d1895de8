"""Training set-up derived from the data at hand: the comparisons, rules and EM sessions the filled columns allow."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

_RULE_COLUMN = re.compile(r"\b[lr]\.\"?`?([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class TrainingPlan:
    """What training will use on this data: the fitted spec, lambda rules, EM sessions, and what was left out and why."""

    spec: dict[str, Any]
    deterministic_rules: list[list[str] | str]
    em_rules: list[list[str] | str]
    left_out: dict[str, str] = field(default_factory=dict)
    estimates: dict[str, set[str]] = field(default_factory=dict)
    """Per EM rule (as str), the comparisons whose m it estimates (those reading none of the rule's columns)."""

    def describe(self) -> dict[str, Any]:
        """The plan as metadata for the model's sidecar (JSON-friendly)."""
        return {
            "comparisons_left_out": self.left_out,
            "blocking_rules": self.spec["blocking_rules"],
            "deterministic_rules": self.deterministic_rules,
            "em_blocking_rules": self.em_rules,
        }


def rule_columns(rule: list[str] | str) -> set[str]:
    """Columns a blocking rule reads: the listed ones, or every `l.x` / `r.x` of an SQL rule."""
    return set(rule) if isinstance(rule, list) else set(_RULE_COLUMN.findall(rule))


def filled_counts(records: DataFrame, columns: list[str]) -> dict[str, int]:
    """Records with a value in each column (one aggregation over the linkage input)."""
    row = records.agg(*[F.count(F.col(c)).alias(c) for c in columns]).first()
    return {c: int(row[c]) for c in columns}


def filled_columns(counts: dict[str, int], min_records: int) -> set[str]:
    """Columns at least `min_records` records fill: fewer cannot show a single agreeing pair worth estimating."""
    return {column for column, count in counts.items() if count >= min_records}


def fit_spec(spec: dict[str, Any], comparison_columns: dict[str, list[str]], filled: set[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The spec without the comparisons whose null-level column too few records fill, nor the blocking rules reading such a column."""
    fitted = copy.deepcopy(spec)
    left_out: dict[str, str] = {}
    kept = []
    for (name, columns), entry in zip(comparison_columns.items(), spec["comparisons"]):
        if columns and columns[0] not in filled:
            left_out[name] = f"too few records fill {columns[0]}"
        else:
            kept.append(entry)
    fitted["comparisons"] = kept
    fitted["blocking_rules"] = usable_rules(spec["blocking_rules"], filled)
    return fitted, left_out


def usable_rules(rules: list[list[str] | str], filled: set[str]) -> list[list[str] | str]:
    """The rules whose every column enough records fill."""
    return [rule for rule in rules if rule_columns(rule) <= filled]


def plan_training(spec: dict[str, Any], comparison_columns: dict[str, list[str]], deterministic: list, em: list, filled: set[str]) -> TrainingPlan:
    """Fit the spec and the candidate lambda and EM rules of the config to the linkage input columns this data fills.

    `comparison_columns` name the linkage input columns (derived ones included) each comparison reads, null-level column first.
    """
    fitted, left_out = fit_spec(spec, comparison_columns, filled)
    if not fitted["comparisons"]:
        left = "; ".join(f"{name}: {why}" for name, why in left_out.items())
        raise ValueError(f"no comparison of the settings spec has data to compare ({left})")
    if not fitted["blocking_rules"]:
        raise ValueError(f"no blocking rule of the settings spec has its columns filled; filled: {sorted(filled)}")
    em_rules = usable_rules(em, filled)
    kept = {name: columns for name, columns in comparison_columns.items() if name not in left_out}
    estimates = {str(rule): em_estimates(rule, kept) for rule in em_rules}
    return TrainingPlan(fitted, usable_rules(deterministic, filled), em_rules, left_out, estimates)


def em_estimates(rule: list[str] | str, comparison_columns: dict[str, list[str]]) -> set[str]:
    """The comparisons an EM session blocked on `rule` estimates m for: those reading none of its columns."""
    blocked = rule_columns(rule)
    return {name for name, columns in comparison_columns.items() if not blocked & set(columns)}
