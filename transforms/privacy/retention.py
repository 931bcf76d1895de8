"""What the retention rules remove: golden customers inactive for too long, interactions older than the retention period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def years_before(day: date, years: int) -> datetime:
    """Midnight of the same calendar day `years` earlier (29 February -> 28 February)."""
    try:
        earlier = day.replace(year=day.year - years)
    except ValueError:
        earlier = day.replace(year=day.year - years, day=28)
    return datetime(earlier.year, earlier.month, earlier.day)


def last_activity(xref: DataFrame, silver_customers: DataFrame, timeline: DataFrame) -> DataFrame:
    """Per golden id: the latest of its interactions and of its source records' updated-at (null when neither is known)."""
    updated = xref.join(silver_customers, ["source_system", "source_record_id"]).groupBy("golden_id").agg(F.max("source_updated_at").alias("updated_at"))
    contacted = timeline.groupBy("golden_id").agg(F.max("occurred_at").alias("contacted_at"))
    return (
        xref.select("golden_id").distinct()
        .join(updated, "golden_id", "left")
        .join(contacted, "golden_id", "left")
        .select("golden_id", F.greatest("updated_at", "contacted_at").alias("last_activity"))
    )


def inactive_golden_ids(activity: DataFrame, timeline: DataFrame, cutoff: datetime, keep_statuses: Sequence[str]) -> DataFrame:
    """Golden ids whose last activity is before the cutoff and who have no interaction in a kept (open) status."""
    kept = timeline.where(F.col("status").isin(*keep_statuses)).select("golden_id") if keep_statuses else timeline.limit(0).select("golden_id")
    return activity.where(F.col("last_activity") < F.lit(cutoff)).select("golden_id").join(kept, "golden_id", "left_anti")


def expired(interactions: DataFrame, cutoff: datetime, keep_statuses: Sequence[str]) -> DataFrame:
    """Interactions that occurred before the cutoff and are not in a kept (open) status."""
    still_open = F.coalesce(F.col("status").isin(*keep_statuses), F.lit(False)) if keep_statuses else F.lit(False)
    return interactions.where((F.col("occurred_at") < F.lit(cutoff)) & ~still_open)
