"""Cross-channel journeys: the touchpoint window, first/last touch, ROPO and showrooming, coupon conversion, channel insights."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from golden_record.lakehouse.gold_settings import GoldSettings, JourneySettings
from golden_record.lakehouse.tables import CHANNEL_INSIGHTS, CUSTOMER_JOURNEYS, CUSTOMER_TIMELINE
from golden_record.transforms.gold.journeys import channel_insights, customer_journeys

GOLD_YAML = Path(__file__).parents[3] / "conf" / "gold.yaml"
TIMELINE_DDL = (
    "golden_id string, occurred_at timestamp, event_type string, event_label string, channel string, amount decimal(18,2), "
    "currency string, status string, reference_id string, due_date date, product_category string, source_system string, "
    "event_id string, customer_source string, customer_record_id string"
)


@pytest.fixture(scope="module")
def gold() -> GoldSettings:
    """The bundled gold settings (journeys: 14-day window, research events product_view, newsletter_click, store_visit)."""
    return GoldSettings.model_validate(yaml.safe_load(GOLD_YAML.read_text(encoding="utf-8"))["gold"])


def timeline(spark, rows: list[dict[str, Any]]):
    """Timeline rows (golden customer G1, source s, unless given); other columns null."""
    assert tuple(spark.createDataFrame([], TIMELINE_DDL).columns) == CUSTOMER_TIMELINE.columns
    full = [{"golden_id": "G1", "source_system": "s", **row} for row in rows]
    for row in full:
        if row.get("amount") is not None:
            row["amount"] = Decimal(str(row["amount"]))
    return spark.createDataFrame([tuple(row.get(c) for c in CUSTOMER_TIMELINE.columns) for row in full], TIMELINE_DDL)


def ev(event_id: str, event_type: str, at: str, channel: str, category: str | None = None, **more: Any) -> dict[str, Any]:
    """One timeline event at an ISO time."""
    return {"event_id": event_id, "event_type": event_type, "occurred_at": datetime.fromisoformat(at), "channel": channel, "product_category": category, **more}


def segments(spark, rows=(("G1", "regular"), ("G2", "vip"))):
    return spark.createDataFrame(list(rows), "golden_id string, value_segment string")


def journeys_of(spark, gold: GoldSettings, rows, settings: JourneySettings | None = None):
    return customer_journeys(timeline(spark, rows), segments(spark), gold.customer_360, settings or gold.journeys)


def test_the_window_holds_touchpoints_up_to_window_days_before_the_purchase_day_and_earlier_than_it(spark, gold) -> None:
    rows = [
        ev("p1", "order", "2025-03-15 12:00", "store", "Shoes", amount=80),
        ev("v_15", "product_view", "2025-02-28 23:59", "web", "Shoes"),  # 15 calendar days before: outside
        ev("v_14", "product_view", "2025-03-01 00:00", "web", "Shoes"),  # 14 days before: inside
        ev("v_0", "product_view", "2025-03-15 11:59", "app", "Shoes"),  # same day, earlier: inside, 0 days
        ev("v_after", "product_view", "2025-03-15 12:01", "web", "Shoes"),  # after the purchase: not a touchpoint
        ev("t_other", "support_request", "2025-03-10 10:00", "support"),  # not a touchpoint type
        ev("v_g2", "product_view", "2025-03-10 10:00", "web", "Shoes", golden_id="G2"),  # another customer
    ]
    journey = journeys_of(spark, gold, rows).collect()
    assert len(journey) == 1, "one row per purchase"
    j = journey[0]
    assert [(t.days_before, t.channel) for t in j.touchpoints] == [(0, "app"), (14, "web")], "latest first"
    assert (j.touchpoint_count, j.first_touch_channel, j.last_touch_channel) == (2, "web", "app")
    assert (j.purchase_side, j.researched_online, j.ropo, j.showrooming, j.value_segment) == ("offline", True, True, False, "regular")
    assert j.purchase_month == date(2025, 3, 1)

    narrow = gold.journeys.model_copy(update={"window_days": 0})
    assert [(t.days_before, t.channel) for t in journeys_of(spark, gold, rows, narrow).collect()[0].touchpoints] == [(0, "app")]


def test_ropo_needs_online_research_of_the_same_category_and_showrooming_offline_research(spark, gold) -> None:
    rows = [
        # p_store: an online view of another category and a coupon (not research): no ROPO
        ev("p_store", "order", "2025-05-20 10:00", "store", "Shoes"),
        ev("v_bags", "product_view", "2025-05-18 10:00", "web", "Bags"),
        ev("c1", "coupon_issued", "2025-05-19 10:00", "street", "Shoes", reference_id="K1"),
        # p_web: ordered online after a store visit of the shoe department: showrooming
        ev("p_web", "order", "2025-06-10 10:00", "webshop", "Shoes"),
        ev("s1", "store_visit", "2025-06-08 16:00", "store", "Shoes"),
        # p_cancelled: not a purchase; p_nocat: no category, neither ROPO nor showrooming
        ev("p_cancelled", "order", "2025-06-10 11:00", "store", "Shoes", status="cancelled"),
        ev("p_nocat", "order", "2025-06-11 10:00", "store"),
        ev("v_nocat", "product_view", "2025-06-11 09:00", "web"),
        # p_cc: click and collect is an online purchase; a newsletter click on its category is online research
        ev("p_cc", "order", "2025-06-20 10:00", "click_and_collect", "Bags"),
        ev("n1", "newsletter_click", "2025-06-19 10:00", "newsletter", "Bags"),
    ]
    got = {r.event_id: r for r in journeys_of(spark, gold, rows).collect()}
    assert set(got) == {"p_store", "p_web", "p_nocat", "p_cc"}, "cancelled orders are no purchases"
    assert (got["p_store"].ropo, got["p_store"].researched_online, got["p_store"].touchpoint_count) == (False, False, 2)
    assert (got["p_web"].showrooming, got["p_web"].researched_offline, got["p_web"].ropo, got["p_web"].purchase_side) == (True, True, False, "online")
    assert (got["p_nocat"].ropo, got["p_nocat"].showrooming, got["p_nocat"].touchpoint_count) == (False, False, 2), "its view and the store visit"
    assert (got["p_cc"].purchase_side, got["p_cc"].researched_online, got["p_cc"].showrooming) == ("online", True, False)
    assert journeys_of(spark, gold, rows).columns == list(CUSTOMER_JOURNEYS.columns)


def test_a_purchase_without_touchpoints_has_an_empty_journey(spark, gold) -> None:
    j = journeys_of(spark, gold, [ev("p1", "order", "2025-03-15 12:00", "store", "Shoes")]).collect()[0]
    assert (j.touchpoints, j.touchpoint_count, j.first_touch_channel, j.ropo, j.showrooming) == ([], 0, None, False, False)


def test_channel_insights_count_purchases_shares_coupons_and_customers(spark, gold) -> None:
    rows = [
        ev("p1", "order", "2025-03-05 10:00", "store", "Shoes"),
        ev("v1", "product_view", "2025-03-01 10:00", "web", "Shoes"),  # p1 is ROPO
        ev("p2", "order", "2025-03-20 10:00", "store", "Shoes"),  # no research: not ROPO
        ev("p3", "order", "2025-03-21 10:00", "store", "Shoes", golden_id="G2"),  # the vip segment
        ev("c1", "coupon_issued", "2025-03-02 10:00", "street", "Shoes", reference_id="K1"),
        ev("c2", "coupon_issued", "2025-03-03 10:00", "street", "Shoes", reference_id="K2"),
        ev("r1", "coupon_redeemed", "2025-04-01 10:00", "webshop", "Shoes", reference_id="K1"),  # redeemed next month, online
    ]
    events = timeline(spark, rows)
    seg = segments(spark)
    journeys = customer_journeys(events, seg, gold.customer_360, gold.journeys)
    insights = channel_insights(journeys, events, seg, gold.journeys)
    assert insights.columns == list(CHANNEL_INSIGHTS.columns)
    got = {(r.month.isoformat(), r.value_segment, r.channel): r for r in insights.collect()}
    store = got[("2025-03-01", "regular", "store")]
    assert (store.purchases, store.ropo_purchases, store.ropo_share, store.showrooming_share, store.customers) == (2, 1, 0.5, None, 1)
    assert got[("2025-03-01", "vip", "store")].ropo_share == 0.0
    web = got[("2025-03-01", "regular", "web")]
    assert (web.purchases, web.ropo_share, web.showrooming_share, web.customers, web.channel_side) == (0, None, None, 1, "online")
    street = got[("2025-03-01", "regular", "street")]
    assert (street.coupons_issued, street.coupons_converted, street.coupon_conversion, street.channel_side) == (2, 1, 0.5, "offline")
    redeemed = got[("2025-04-01", "regular", "webshop")]
    assert (redeemed.coupons_redeemed, redeemed.coupons_issued, redeemed.coupon_conversion) == (1, 0, None)


def test_a_channel_cannot_be_online_and_offline() -> None:
    with pytest.raises(ValueError, match="both online and offline"):
        JourneySettings(online_channels=["web", "store"], offline_channels=["store"])
