"""Erasure of a person: which rows of a table are theirs, and their values scrubbed from report files."""

from __future__ import annotations

import html
import json
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column
from pyspark.sql import functions as F

ERASED = "[erased]"
"""What a scrubbed value in a report file is replaced by."""

MIN_SCRUBBED_LENGTH = 3
"""Shorter values (an initial, a two-letter name) are not scrubbed from reports: they would hit unrelated text."""

KEY_COLUMNS = (
    ("source_system", "source_record_id"),
    ("source_system_l", "source_record_id_l"),
    ("source_system_r", "source_record_id_r"),
    ("customer_source", "customer_record_id"),
)
"""Column pairs that name a source customer record in the pipeline's tables."""

UNIQUE_ID_COLUMNS = ("unique_id", "unique_id_l", "unique_id_r")
"""Columns that name a silver customer record by its linkage id."""


@dataclass(frozen=True)
class ErasureSubject:
    """The person (or persons) to erase: golden ids, source records, events, and the values they are known by."""

    golden_ids: frozenset[str]
    records: frozenset[tuple[str, str]]
    unique_ids: frozenset[str]
    events: frozenset[tuple[str, str]]
    identifying: frozenset[str]
    personal: frozenset[str]

    @property
    def empty(self) -> bool:
        """Whether no source record was found to erase."""
        return not self.records


def sql_string(value: str) -> str:
    """A Spark SQL string literal of `value`."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quoted(column: str) -> str:
    """A column name quoted for Spark / Databricks SQL."""
    return "`" + column.replace("`", "``") + "`"


def in_list(column: str, values: Iterable[str]) -> str | None:
    """`column IN ('a', …)`, or None for no values."""
    listed = sorted(set(values))
    return f"{quoted(column)} IN ({', '.join(sql_string(v) for v in listed)})" if listed else None


def pairs_predicate(system_column: str, id_column: str, pairs: Iterable[tuple[str, str]]) -> str | None:
    """Rows whose (system, id) is one of `pairs`, grouped by system; None for no pairs."""
    by_system: dict[str, set[str]] = {}
    for system, record in pairs:
        by_system.setdefault(system, set()).add(record)
    parts = [f"({quoted(system_column)} = {sql_string(system)} AND {in_list(id_column, ids)})" for system, ids in sorted(by_system.items())]
    return " OR ".join(parts) or None


def erasure_predicate(columns: Iterable[str], subject: ErasureSubject, quarantine: bool = False) -> str | None:
    """The SQL predicate selecting a table's rows about the subject, from the key columns the table has; None when it has none.

    `quarantine`: the table is silver.quarantine, whose `record_id` is a customer record's or an event's id."""
    present = set(columns)
    conditions = []
    if "golden_id" in present:
        conditions.append(in_list("golden_id", subject.golden_ids))
    conditions += [in_list(column, subject.unique_ids) for column in UNIQUE_ID_COLUMNS if column in present]
    conditions += [pairs_predicate(system, record, subject.records) for system, record in KEY_COLUMNS if {system, record} <= present]
    if {"source_system", "event_id"} <= present:
        conditions.append(pairs_predicate("source_system", "event_id", subject.events))
    if quarantine and {"source_system", "record_id"} <= present:
        conditions.append(pairs_predicate("source_system", "record_id", subject.records | subject.events))
    found = [f"({c})" for c in conditions if c]
    return " OR ".join(found) or None


def mentions_subject(text: Column, source: Column, subject: ErasureSubject) -> Column:
    """Raw text (a quarantined row) that holds one of the subject's identifying values, or one of its record keys of that source as a whole token."""
    lowered = F.lower(text)
    by_value = [lowered.contains(value.lower()) for value in sorted(subject.identifying) if len(value) >= MIN_SCRUBBED_LENGTH]
    by_key = [
        (source == F.lit(system)) & text.rlike(rf"(?<![\p{{L}}\p{{N}}])\Q{record}\E(?![\p{{L}}\p{{N}}])")
        for system, record in sorted(subject.records | subject.events)
        if "\\E" not in record
    ]
    return F.coalesce(reduce(operator.or_, [*by_value, *by_key], F.lit(False)), F.lit(False))


def _spellings(value: str) -> set[str]:
    """How a value appears in a text file: as is, HTML-escaped, JSON-escaped (ASCII or not)."""
    return {value, html.escape(value), json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


def scrub_text(text: str, subject: ErasureSubject) -> tuple[str, int]:
    """The text with the subject's values replaced by ERASED, and how many were replaced.

    Identifying values are replaced wherever they appear; names, birth date and address only in a text that also holds
    an identifying value or the birth date next to a name, so a namesake's report line stays as it is."""
    identifying = {s for value in subject.identifying if len(value) >= MIN_SCRUBBED_LENGTH for s in _spellings(value)}
    personal = {s for value in subject.personal if len(value) >= MIN_SCRUBBED_LENGTH for s in _spellings(value)}
    if not any(s in text for s in identifying) and sum(s in text for s in personal) < 2:
        return text, 0
    replaced = 0
    for spelling in sorted(identifying | personal, key=len, reverse=True):
        replaced += text.count(spelling)
        text = text.replace(spelling, ERASED)
    return text, replaced
