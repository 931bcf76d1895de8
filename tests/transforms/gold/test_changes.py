"""The change feed: which golden ids a run created, updated, merged, split, retired, and which fields an update changed."""

from __future__ import annotations

from datetime import date, datetime

from chispa import assert_df_equality

from golden_record.transforms.gold.changes import CHANGES_SCHEMA, changed_fields, golden_changes
from golden_record.transforms.gold.golden_ids import HISTORY_SCHEMA

RUN_AT = datetime(2024, 3, 1, 6, 0)
GOLDEN = "golden_id string, email string, birth_date date, record_count long, source_systems array<string>, lineage map<string,string>"


def test_changed_fields_names_each_changed_column_null_safe_and_ignores_lineage_and_new_ids(spark) -> None:
    previous = spark.createDataFrame(
        [
            ("GR-same", "a@x.ch", date(1980, 1, 2), 1, ["crm"], {"email": "crm:1"}),
            ("GR-mail", "old@x.ch", None, 1, ["crm"], {}),
            ("GR-born", "b@x.ch", None, 2, ["crm", "shop"], {}),
            ("GR-gone", "g@x.ch", None, 1, ["crm"], {}),
        ],
        GOLDEN,
    )
    current = spark.createDataFrame(
        [
            ("GR-same", "a@x.ch", date(1980, 1, 2), 1, ["crm"], {"email": "shop:7"}),  # only the lineage moved
            ("GR-mail", "new@x.ch", None, 2, ["crm", "shop"], {}),
            ("GR-born", "b@x.ch", date(1990, 5, 6), 2, ["crm", "shop"], {}),  # null -> a value
            ("GR-new", "n@x.ch", None, 1, ["crm"], {}),
        ],
        GOLDEN,
    )
    expected = spark.createDataFrame(
        [("GR-born", ["birth_date"]), ("GR-mail", ["email", "record_count", "source_systems"])], "golden_id string, fields array<string>"
    )
    assert_df_equality(changed_fields(previous, current), expected, ignore_row_order=True, ignore_nullable=True)


def test_golden_changes_list_every_id_event_both_sides_of_a_merge_and_the_updates(spark) -> None:
    events = spark.createDataFrame(
        [
            ("created", "GR-new", None, 1, "r2", RUN_AT, None),
            ("merged", "GR-big", "GR-small", 2, "r2", RUN_AT, "d-1"),
            ("split", "GR-part", "GR-new", 1, "r2", RUN_AT, None),
            ("retired", "GR-gone", None, 1, "r2", RUN_AT, None),
        ],
        HISTORY_SCHEMA,
    )
    previous = spark.createDataFrame([("GR-big", "a@x.ch", None, 2, ["crm"], {}), ("GR-kept", "k@x.ch", None, 1, ["crm"], {})], GOLDEN)
    current = spark.createDataFrame([("GR-big", "a@x.ch", None, 4, ["crm"], {}), ("GR-kept", "k@x.ch", None, 1, ["crm"], {})], GOLDEN)
    expected = spark.createDataFrame(
        [
            ("GR-new", "created", None, None, "r2", RUN_AT),
            ("GR-big", "merged", "GR-small", None, "r2", RUN_AT),
            ("GR-small", "merged_into", "GR-big", None, "r2", RUN_AT),
            ("GR-part", "split", "GR-new", None, "r2", RUN_AT),
            ("GR-gone", "retired", None, None, "r2", RUN_AT),
            ("GR-big", "updated", None, ["record_count"], "r2", RUN_AT),
        ],
        CHANGES_SCHEMA,
    )
    assert_df_equality(golden_changes(events, previous, current, "r2", RUN_AT), expected, ignore_row_order=True, ignore_nullable=True)


def test_a_run_that_changed_nothing_lists_nothing(spark) -> None:
    golden = spark.createDataFrame([("GR-kept", "k@x.ch", None, 1, ["crm"], {})], GOLDEN)
    no_events = spark.createDataFrame([], HISTORY_SCHEMA)
    assert golden_changes(no_events, golden, golden, "r3", RUN_AT).isEmpty()
