"""Stable golden ids: first run, reruns, grown data, merges, splits, retirement, xref probabilities and coverage."""

from __future__ import annotations

import hashlib
from datetime import datetime

from chispa import assert_df_equality

from golden_record.transforms.gold.golden_ids import HISTORY_SCHEMA, XREF_SCHEMA, assign_golden_ids, customer_xref, empty, id_events, xref_coverage
from golden_record.transforms.linkage.prediction import PAIR_SCHEMA

RUN1, RUN2 = datetime(2024, 1, 1), datetime(2024, 2, 1)


def gid(key: str) -> str:
    """The id minted for a cluster whose smallest record key is `key` (computed independently of the code)."""
    return "GR-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def clusters(spark, groups: dict[str, list[str]]):
    """gold.match_clusters rows from {cluster_id: [unique_id, …]}."""
    rows = [(uid, *uid.split(":"), cluster, len(members)) for cluster, members in groups.items() for uid in members]
    return spark.createDataFrame(rows, "unique_id string, source_system string, source_record_id string, cluster_id string, cluster_size long")


def pairs(spark, rows: list[tuple[str, str, float]] = ()):
    """gold.match_pairs rows from (unique_id_l, unique_id_r, match_probability)."""
    full = [(l, r, *l.split(":"), *r.split(":"), 10.0, p, "0") for l, r, p in rows]
    return spark.createDataFrame(full, PAIR_SCHEMA)


def run(spark, groups: dict[str, list[str]], previous=None, history=None, run_id: str = "run1", run_at: datetime = RUN1, links=()):
    """One golden-id run: (xref, history events), materialised as the job's table reads would be."""
    previous = previous if previous is not None else empty(spark, XREF_SCHEMA)
    history = history if history is not None else empty(spark, HISTORY_SCHEMA)
    assigned = assign_golden_ids(clusters(spark, groups), previous, history, "GR-").localCheckpoint()
    return customer_xref(assigned, pairs(spark, links), run_id, run_at).localCheckpoint(), id_events(assigned, previous, run_id, run_at).localCheckpoint()


def golden_of(xref) -> dict[str, str]:
    """unique_id -> golden_id."""
    return {row.unique_id: row.golden_id for row in xref.collect()}


def events(history) -> set[tuple]:
    """(event, golden_id, other_id, records_moved) of history rows."""
    return {(r.event, r.golden_id, r.other_id, r.records_moved) for r in history.collect()}


def test_first_run_mints_ids_from_the_smallest_member_key(spark) -> None:
    xref, history = run(spark, {"7": ["shop:9", "crm:1"], "8": ["pos:5"]})

    assert golden_of(xref) == {"shop:9": gid("crm:1"), "crm:1": gid("crm:1"), "pos:5": gid("pos:5")}
    assert events(history) == {("created", gid("crm:1"), None, 2), ("created", gid("pos:5"), None, 1)}
    assert {(r.run_id, r.event_at) for r in history.collect()} == {("run1", RUN1)}
    assert {(r.assigned_run, r.assigned_at, r.record_count) for r in xref.collect()} == {("run1", RUN1, 2), ("run1", RUN1, 1)}


def test_a_rerun_on_the_same_data_changes_nothing_even_when_splink_renames_clusters(spark) -> None:
    first, history = run(spark, {"a": ["crm:1", "shop:9"], "b": ["pos:5"]})
    again, changes = run(spark, {"pos:5": ["pos:5"], "crm:1": ["crm:1", "shop:9"]}, first, history, "run2", RUN2)

    assert_df_equality(again, first, ignore_row_order=True, ignore_nullable=True)
    assert changes.count() == 0


def test_grown_data_keeps_ids_and_only_new_records_get_the_new_run(spark) -> None:
    first, history = run(spark, {"a": ["crm:1", "shop:9"], "b": ["pos:5"]})
    grown, changes = run(spark, {"a": ["crm:1", "shop:9", "news:2"], "b": ["pos:5"], "c": ["news:1"]}, first, history, "run2", RUN2)

    assert golden_of(grown) == {"crm:1": gid("crm:1"), "shop:9": gid("crm:1"), "news:2": gid("crm:1"), "pos:5": gid("pos:5"), "news:1": gid("news:1")}
    assert {r.unique_id: r.assigned_run for r in grown.collect()} == {"crm:1": "run1", "shop:9": "run1", "news:2": "run2", "pos:5": "run1", "news:1": "run2"}
    assert events(changes) == {("created", gid("news:1"), None, 1)}


def test_a_merge_keeps_the_id_most_records_had_and_records_the_absorbed_one(spark) -> None:
    first, history = run(spark, {"a": ["crm:1", "crm:2"], "b": ["shop:3"]})
    merged, changes = run(spark, {"x": ["crm:1", "crm:2", "shop:3"]}, first, history, "run2", RUN2)

    assert set(golden_of(merged).values()) == {gid("crm:1")}
    assert events(changes) == {("merged", gid("crm:1"), gid("shop:3"), 1)}
    assert merged.where("unique_id = 'shop:3'").first().assigned_run == "run2"


def test_a_merge_of_equal_parts_keeps_the_oldest_id(spark) -> None:
    first, history = run(spark, {"a": ["shop:3"]})
    grown, more_history = run(spark, {"a": ["shop:3"], "b": ["crm:1"]}, first, history, "run2", RUN2)
    merged, changes = run(spark, {"x": ["crm:1", "shop:3"]}, grown, history.unionByName(more_history), "run3", datetime(2024, 3, 1))

    assert set(golden_of(merged).values()) == {gid("shop:3")}  # issued in run1; gid("crm:1") came in run2
    assert events(changes) == {("merged", gid("shop:3"), gid("crm:1"), 1)}


def test_a_split_leaves_the_id_with_the_larger_part_and_never_reissues_an_id(spark) -> None:
    first, history = run(spark, {"a": ["crm:1", "crm:2", "shop:3"]})
    split, changes = run(spark, {"a": ["crm:2", "shop:3"], "b": ["crm:1"]}, first, history, "run2", RUN2)

    reissued = "GR-" + hashlib.sha256(b"crm:1#1").hexdigest()[:16]  # gid("crm:1") is taken: the key is salted
    assert golden_of(split) == {"crm:2": gid("crm:1"), "shop:3": gid("crm:1"), "crm:1": reissued}
    assert events(changes) == {("split", gid("crm:1"), reissued, 1)}


def test_records_moving_between_golden_customers_and_retired_ids(spark) -> None:
    first, history = run(spark, {"a": ["crm:1", "crm:2", "crm:3"], "b": ["shop:1", "shop:2"], "c": ["pos:1"]})
    moved, changes = run(spark, {"a": ["crm:1", "crm:2", "shop:1"], "b": ["crm:3", "shop:2"]}, first, history, "run2", RUN2)

    # shop:1 and crm:3 swapped sides; each part keeps the id of its larger share; pos:1 is gone
    assert golden_of(moved) == {"crm:1": gid("crm:1"), "crm:2": gid("crm:1"), "shop:1": gid("crm:1"), "crm:3": gid("shop:1"), "shop:2": gid("shop:1")}
    assert events(changes) == {
        ("split", gid("crm:1"), gid("shop:1"), 1),
        ("split", gid("shop:1"), gid("crm:1"), 1),
        ("retired", gid("pos:1"), None, 1),
    }


def test_match_probability_is_the_best_pair_inside_the_golden_customer(spark) -> None:
    links = [("crm:1", "shop:9", 0.995), ("crm:1", "news:2", 0.999), ("shop:9", "pos:5", 0.7)]
    xref, _ = run(spark, {"a": ["crm:1", "shop:9", "news:2"], "b": ["pos:5"]}, links=links)

    assert {r.unique_id: r.match_probability for r in xref.collect()} == {"crm:1": 0.999, "shop:9": 0.995, "news:2": 0.999, "pos:5": None}


def test_xref_coverage_names_every_gap(spark) -> None:
    silver = spark.createDataFrame([("crm", "1"), ("crm", "2"), ("shop", "9")], "source_system string, source_record_id string")
    xref, _ = run(spark, {"a": ["crm:1", "shop:9"], "b": ["pos:5"]})
    interactions = spark.createDataFrame(
        [("shop", "9"), ("shop", "9"), ("ticket", "77")], "customer_source string, customer_record_id string"
    )

    coverage = xref_coverage(silver, xref, interactions).select("source_system", "source_record_id", "interactions", "coverage")

    expected = spark.createDataFrame(
        [("crm", "1", 0, "ok"), ("crm", "2", 0, "missing_from_xref"), ("pos", "5", 0, "not_in_silver"), ("shop", "9", 2, "ok"), ("ticket", "77", 1, "orphan_interactions")],
        "source_system string, source_record_id string, interactions long, coverage string",
    )
    assert_df_equality(coverage, expected, ignore_row_order=True, ignore_nullable=True)


def test_a_merge_or_split_caused_by_a_steward_decision_names_it(spark) -> None:
    xref1, history1 = run(spark, {"1": ["crm:1"], "2": ["shop:2"], "3": ["crm:3", "pos:4"]})
    decided = spark.createDataFrame([("crm:1", "decision-1"), ("shop:2", "decision-1"), ("pos:4", "decision-2")], "unique_id string, decision_id string")
    assigned = assign_golden_ids(clusters(spark, {"1": ["crm:1", "shop:2"], "3": ["crm:3"], "4": ["pos:4"]}), xref1, history1, "GR-")
    events = {(r.event, r.golden_id, r.other_id, r.decision_id) for r in id_events(assigned, xref1, "run2", RUN2, decided).collect()}
    merged = next(e for e in events if e[0] == "merged")
    assert ({merged[1], merged[2]}, merged[3]) == ({gid("crm:1"), gid("shop:2")}, "decision-1")
    split = next(e for e in events if e[0] == "split")
    assert (split[1], split[3]) == (gid("crm:3"), "decision-2")
    plain = {(r.event, r.decision_id) for r in id_events(assigned, xref1, "run2", RUN2).collect()}
    assert {decision for _, decision in plain} == {None}
