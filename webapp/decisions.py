"""Steward decisions and the access log as rows of their Delta tables (gold.steward_decisions, privacy.access_log).

A decision becomes one row per record pair it settles (see transforms/linkage/constraints.py): the next match run
turns them into must-links and cannot-links, build-gold names the decision on the merge or split it causes.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pyarrow as pa
from pyspark.sql.pandas.types import to_arrow_schema

from golden_record.lakehouse.tables import ACCESS_LOG
from golden_record.transforms.linkage.constraints import DECISION_ACTIONS, DECISION_SCHEMA

DECISION_ARROW_SCHEMA = to_arrow_schema(DECISION_SCHEMA, timezone="UTC")
"""gold.steward_decisions as Arrow (from the one Spark declaration)."""

ACCESS_ARROW_SCHEMA = pa.schema(
    [pa.field(name, pa.timestamp("us", tz="UTC") if name == "logged_at" else pa.string()) for name in ACCESS_LOG.columns]
)
"""privacy.access_log as Arrow: when, who (user, role), what (action), about whom (golden_id), detail."""

Pair = tuple[str, str, bool]
"""(unique_id, unique_id, same person?)"""


def pair_links(action: str, unique_id_l: str, unique_id_r: str) -> list[Pair]:
    """The link a decision about one review pair makes."""
    if action not in ("same_person", "different_persons"):
        raise ValueError(f"a pair is decided as same_person or different_persons, not {action!r}")
    return [(unique_id_l, unique_id_r, action == "same_person")]


def split_links(record: str, members: list[str]) -> list[Pair]:
    """Splitting a record out of its golden customer: it is not the same person as any other member."""
    others = [m for m in members if m != record]
    if len(others) == len(members) or not others:
        raise ValueError(f"{record} is not one of several records of this golden customer")
    return [(record, other, False) for other in others]


def merge_links(members: list[str], other_members: list[str]) -> list[Pair]:
    """Merging two golden customers: every record of both is the same person as the first record of the first."""
    if not members or not other_members or set(members) & set(other_members):
        raise ValueError("a merge needs two different golden customers with records")
    hub = min(members)
    return [(hub, record, True) for record in sorted(set(members + other_members)) if record != hub]


def decision_rows(action: str, steward: str, links: list[Pair], golden_id: str | None, other_id: str | None, note: str | None, now: datetime | None = None) -> pa.Table:
    """The rows of one decision: a new decision id, who and when, one row per link."""
    if action not in DECISION_ACTIONS:
        raise ValueError(f"unknown decision {action!r}; known: {list(DECISION_ACTIONS)}")
    decided_at = now or datetime.now(timezone.utc)
    decision_id = f"decision-{decided_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    rows = [
        {
            "decision_id": decision_id, "decided_at": decided_at, "steward": steward, "action": action,
            "unique_id_l": left, "unique_id_r": right, "same_person": same, "golden_id": golden_id, "other_id": other_id, "note": note or None,
        }
        for left, right, same in links
    ]
    return pa.Table.from_pylist(rows, schema=DECISION_ARROW_SCHEMA)


def access_row(user: str, role: str, action: str, golden_id: str | None, detail: str, now: datetime | None = None) -> pa.Table:
    """One access log row."""
    row = {"logged_at": now or datetime.now(timezone.utc), "user": user, "role": role, "action": action, "golden_id": golden_id, "detail": detail}
    return pa.Table.from_pylist([row], schema=ACCESS_ARROW_SCHEMA)
