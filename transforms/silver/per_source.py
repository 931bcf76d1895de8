"""Settings that differ by source (date formats, default region, labels) applied to rows of many sources in one plan."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import TypeVar

from pyspark.sql import Column
from pyspark.sql import functions as F

T = TypeVar("T")

SOURCE_COLUMN = "source_system"
"""The column that names each row's source."""


def _key(value: object) -> Hashable:
    """A hashable stand-in for a setting value (lists and dicts become tuples), to group sources with equal settings."""
    if isinstance(value, Mapping):
        return tuple(sorted((k, _key(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_key(v) for v in value)
    return value


def per_source(values: Mapping[str, T], build: Callable[[T], Column]) -> Column:
    """`build(setting)` of each row's source: one branch per distinct setting (none when all sources share it); null for other sources."""
    groups: dict[Hashable, tuple[T, list[str]]] = {}
    for source, value in values.items():
        groups.setdefault(_key(value), (value, []))[1].append(source)
    if not groups:
        raise ValueError("per_source needs the setting of at least one source")
    if len(groups) == 1:
        return build(next(iter(groups.values()))[0])
    branches = [(F.col(SOURCE_COLUMN).isin(*sources), build(value)) for value, sources in groups.values()]
    column = F.when(*branches[0])
    for condition, value in branches[1:]:
        column = column.when(condition, value)
    return column
