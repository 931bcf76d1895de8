"""Retention rules: last activity per golden customer, who is inactive, which interactions expired, calendar arithmetic."""

from __future__ import annotations

from datetime import date, datetime

from chispa import assert_df_equality

from golden_record.transforms.privacy.retention import expired, inactive_golden_ids, last_activity, years_before

XREF = "source_system string, source_record_id string, golden_id string"
SILVER = "source_system string, source_record_id string, source_updated_at timestamp"
TIMELINE = "golden_id string, occurred_at timestamp, status string"


def test_years_before_keeps_the_calendar_day_and_handles_29_february():
    assert years_before(date(2026, 12, 3), 3) == datetime(2023, 12, 3)
    assert years_before(date(2024, 2, 29), 1) == datetime(2023, 2, 28)


def test_last_activity_is_the_latest_record_update_or_interaction(spark):
    xref = spark.createDataFrame([("crm", "1", "G1"), ("shop", "9", "G1"), ("crm", "2", "G2"), ("crm", "3", "G3")], XREF)
    silver = spark.createDataFrame([("crm", "1", datetime(2020, 1, 1)), ("shop", "9", datetime(2021, 6, 1)), ("crm", "2", datetime(2019, 1, 1)), ("crm", "3", None)], SILVER)
    timeline = spark.createDataFrame([("G2", datetime(2022, 3, 1), "closed")], TIMELINE)
    got = last_activity(xref, silver, timeline)
    expected = spark.createDataFrame([("G1", datetime(2021, 6, 1)), ("G2", datetime(2022, 3, 1)), ("G3", None)], "golden_id string, last_activity timestamp")
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)


def test_inactive_customers_exclude_recent_unknown_and_open_ones(spark):
    activity = spark.createDataFrame(
        [("OLD", datetime(2019, 1, 1)), ("OPEN", datetime(2019, 1, 1)), ("NEW", datetime(2025, 1, 1)), ("UNKNOWN", None)], "golden_id string, last_activity timestamp"
    )
    timeline = spark.createDataFrame([("OPEN", datetime(2018, 5, 1), "open"), ("OLD", datetime(2018, 5, 1), "closed")], TIMELINE)
    got = inactive_golden_ids(activity, timeline, datetime(2023, 1, 1), ["open"])
    assert [r.golden_id for r in got.collect()] == ["OLD"]


def test_expired_interactions_are_old_and_not_open(spark):
    events = spark.createDataFrame(
        [("G1", datetime(2010, 1, 1), "closed"), ("G1", datetime(2010, 1, 1), "open"), ("G1", datetime(2010, 1, 1), None), ("G1", datetime(2024, 1, 1), "closed")], TIMELINE
    )
    got = expired(events, datetime(2016, 1, 1), ["open"])
    expected = spark.createDataFrame([("G1", datetime(2010, 1, 1), "closed"), ("G1", datetime(2010, 1, 1), None)], TIMELINE)
    assert_df_equality(got, expected, ignore_row_order=True, ignore_nullable=True)
