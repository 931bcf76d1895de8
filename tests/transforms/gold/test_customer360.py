"""Customer 360: timeline and orphans, KPI arithmetic (revenue, return rate, late payments), newsletter, segments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from chispa import assert_df_equality

from golden_record.lakehouse.gold_settings import Customer360Settings
from golden_record.lakehouse.tables import CUSTOMER_TIMELINE
from golden_record.transforms.gold.customer360 import as_of_date, customer_360, customer_timeline, invoice_settlement, orphan_interactions, value_segment
from golden_record.transforms.silver.interactions import INTERACTION_SCHEMA

GOLD_YAML = Path(__file__).parents[3] / "conf" / "gold.yaml"
TIMELINE_DDL = (
    "golden_id string, occurred_at timestamp, event_type string, event_label string, channel string, amount decimal(18,2), "
    "currency string, status string, reference_id string, due_date date, product_category string, source_system string, event_id string, "
    "customer_source string, customer_record_id string"
)
AS_OF = date(2024, 4, 1)


@pytest.fixture(scope="module")
def settings() -> Customer360Settings:
    """The bundled customer 360 settings."""
    return Customer360Settings.model_validate(yaml.safe_load(GOLD_YAML.read_text(encoding="utf-8"))["gold"]["customer_360"])


def timeline(spark, rows: list[dict[str, Any]]):
    """Timeline rows (golden customer G1 unless given), other columns null."""
    columns = spark.createDataFrame([], TIMELINE_DDL).columns
    full = [{"golden_id": "G1", "source_system": "erp", **row} for row in rows]
    for row in full:
        if isinstance(row.get("amount"), (int, float, str)):
            row["amount"] = Decimal(str(row["amount"]))
    return spark.createDataFrame([tuple(row.get(c) for c in columns) for row in full], TIMELINE_DDL)


def event(event_type: str, day: str, event_id: str | None = None, **more: Any) -> dict[str, Any]:
    """One timeline row of `event_type` on the ISO day."""
    return {"event_type": event_type, "occurred_at": datetime.fromisoformat(day), "event_id": event_id or f"{event_type}-{day}", **more}


INVOICES = [
    event("invoice", "2024-01-01", "i1", due_date=date(2024, 1, 15), amount=100),  # paid on the due date: on time, 14 days
    event("payment", "2024-01-15", "p1", reference_id="i1"),
    event("invoice", "2024-02-01", "i2", due_date=date(2024, 2, 15), amount=50),  # paid after the due date: late, 29 days
    event("payment", "2024-03-01", "p2", reference_id="i2"),
    event("payment", "2024-03-05", "p3", reference_id="i2"),  # a second payment: the first one settled it
    event("invoice", "2024-03-01", "i3", due_date=date(2024, 3, 15), amount=70),  # unpaid and overdue on AS_OF: late
    event("invoice", "2024-03-25", "i4", due_date=date(2024, 4, 8), amount=20),  # unpaid, not yet due: not judged
    event("invoice", "2024-03-26", "i5", amount=20),  # no due date: not judged
]


def test_invoices_are_settled_by_their_first_payment_and_judged_on_time_or_late(spark) -> None:
    settled = invoice_settlement(timeline(spark, INVOICES), AS_OF).select("event_id", "paid_on", "days_to_pay", "paid_late")

    expected = spark.createDataFrame(
        [
            ("i1", date(2024, 1, 15), 14, False),
            ("i2", date(2024, 3, 1), 29, True),
            ("i3", None, None, True),
            ("i4", None, None, None),
            ("i5", None, None, None),
        ],
        "event_id string, paid_on date, days_to_pay int, paid_late boolean",
    )
    assert_df_equality(settled, expected, ignore_row_order=True, ignore_nullable=True)


def test_kpis_of_one_customer(spark, settings: Customer360Settings) -> None:
    rows = [
        *INVOICES,
        event("dunning_notice", "2024-03-29", "d1", reference_id="i3"),
        event("dunning_notice", "2024-03-30", "d2", reference_id="i3"),
        event("order", "2024-01-10", "o1", amount=100, currency="EUR", channel="webshop", source_system="webshop_orders"),
        event("order", "2024-01-20", "o2", amount=200, currency="CHF", channel="store", source_system="pos_receipts"),
        event("order", "2024-01-21", "o3", amount=999, currency="EUR", status="cancelled", channel="webshop", source_system="webshop_orders"),
        event("return", "2024-02-10", "r1", amount=80, currency="EUR", channel="logistics", source_system="returns"),
        event("complaint", "2024-02-11", "t1", status="open", channel="support"),
        event("complaint", "2024-02-12", "t2", status="closed", channel="support"),
        event("newsletter_signup", "2024-01-01", "n1", channel="newsletter"),
        event("newsletter_optout", "2024-02-01", "n2", channel="newsletter"),
        event("newsletter_signup", "2024-03-02", "n3", channel="newsletter"),
    ]
    golden_ids = spark.createDataFrame([("G1",), ("G3",)], "golden_id string")

    kpis = customer_360(timeline(spark, rows), golden_ids, settings, AS_OF)

    expected = spark.createDataFrame(
        [
            ("G1", datetime(2024, 1, 1), datetime(2024, 3, 30), ["logistics", "newsletter", "store", "support", "webshop"], "store", None, 19, 2,
             Decimal("310.52"), "EUR", 1, 0.5, 5, 21.5, 2, 0.6667, 2, 2, 1, "subscribed", "at_risk", AS_OF),
            ("G3", None, None, [], None, None, 0, 0, Decimal("0.00"), "EUR", 0, None, 0, None, 0, None, 0, 0, 0, None, "prospect", AS_OF),
        ],
        "golden_id string, first_contact_at timestamp, last_contact_at timestamp, channels array<string>, preferred_purchase_channel string, "
        "preferred_research_channel string, interaction_count bigint, "
        "order_count bigint, revenue decimal(18,2), revenue_currency string, return_count bigint, return_rate double, invoice_count bigint, "
        "avg_days_to_pay double, invoices_paid_late bigint, late_payment_share double, dunning_count bigint, complaint_count bigint, "
        "open_complaints bigint, newsletter_status string, value_segment string, as_of date",
    )
    assert_df_equality(kpis, expected, ignore_row_order=True, ignore_nullable=True)


def test_preferred_channels_count_orders_and_research_events_and_ties_go_to_the_latest(spark, settings: Customer360Settings) -> None:
    rows = [
        event("order", "2024-01-10", "o1", channel="store"),
        event("order", "2024-01-11", "o2", channel="store"),
        event("order", "2024-01-12", "o3", channel="webshop"),
        event("order", "2024-01-13", "o4", channel="webshop", status="cancelled"),  # not an order: store keeps the lead
        event("product_view", "2024-01-01", "v1", channel="web"),
        event("newsletter_click", "2024-01-02", "c1", channel="email"),
        event("store_visit", "2024-01-03", "s1", channel="store"),
        event("product_view", "2024-01-04", "v2", channel="web"),
        event("support_request", "2024-01-05", "q1", channel="support"),  # not research
        {**event("order", "2024-02-01", "o5", channel="webshop"), "golden_id": "G2"},
        {**event("order", "2024-02-03", "o6", channel="store"), "golden_id": "G2"},  # a tie: the latest order's channel
        {**event("newsletter_click", "2024-02-02", "c2", channel="email"), "golden_id": "G2"},
    ]
    kpis = customer_360(timeline(spark, rows), spark.createDataFrame([("G1",), ("G2",), ("G3",)], "golden_id string"), settings, AS_OF)
    preferred = {r.golden_id: (r.preferred_purchase_channel, r.preferred_research_channel) for r in kpis.collect()}
    assert preferred == {"G1": ("store", "web"), "G2": ("store", "email"), "G3": (None, None)}


def test_a_simultaneous_opt_out_wins_and_revenue_skips_currencies_without_rate(spark, settings: Customer360Settings) -> None:
    rows = [
        event("newsletter_signup", "2024-01-01T10:00:00", "n1"),
        event("newsletter_optout", "2024-01-01T10:00:00", "n2"),
        event("order", "2024-01-02", "o1", amount=10, currency="USD"),
        event("order", "2024-01-03", "o2", amount=5),  # no currency: the reporting currency
    ]
    row = customer_360(timeline(spark, rows), spark.createDataFrame([("G1",)], "golden_id string"), settings, AS_OF).first()
    assert (row.newsletter_status, row.order_count, row.revenue) == ("unsubscribed", 2, Decimal("5.00"))


@pytest.mark.parametrize(
    "late_share, dunning, return_rate, revenue, orders, segment",
    [
        (0.5, 0, None, 5000.0, 9, "at_risk"),
        (None, 2, None, 5000.0, 9, "at_risk"),
        (None, 0, 0.5, 5000.0, 9, "at_risk"),
        (0.4, 1, 0.4, 2000.0, 5, "vip"),
        (None, 0, None, 1999.99, 9, "regular"),
        (None, 0, None, 2000.0, 2, "regular"),
        (None, 0, None, 30.0, 1, "occasional"),
        (None, 0, None, 0.0, 0, "prospect"),
    ],
)
def test_value_segments(spark, settings: Customer360Settings, late_share, dunning, return_rate, revenue, orders, segment) -> None:
    kpis = spark.createDataFrame(
        [(late_share, dunning, return_rate, revenue, orders)],
        "late_payment_share double, dunning_count long, return_rate double, revenue double, order_count long",
    )
    assert kpis.select(value_segment(settings)).first()[0] == segment


def test_timeline_joins_events_to_golden_ids_and_orphans_are_the_rest(spark) -> None:
    interactions = timeline(
        spark,
        [
            event("order", "2024-01-01", "o1", customer_source="webshop_accounts", customer_record_id="a1"),
            event("complaint", "2024-01-02", "t9", customer_source="support_tickets", customer_record_id="t9"),
            event("order", "2024-01-03", "r1", customer_source="pos_members", customer_record_id="unknown"),
        ],
    ).drop("golden_id")
    xref = spark.createDataFrame([("webshop_accounts", "a1", "G1"), ("support_tickets", "t9", "G2")], "source_system string, source_record_id string, golden_id string")

    assert sorted((r.golden_id, r.event_id) for r in customer_timeline(interactions, xref).collect()) == [("G1", "o1"), ("G2", "t9")]
    assert [r.event_id for r in orphan_interactions(interactions, xref).collect()] == ["r1"]


def test_as_of_is_configured_or_the_latest_load(spark, settings: Customer360Settings) -> None:
    loads = spark.createDataFrame([(datetime(2024, 5, 2, 23, 0),), (datetime(2024, 5, 1),)], "ingested_at timestamp")
    assert as_of_date(loads, settings) == date(2024, 5, 2)
    assert as_of_date(loads, settings.model_copy(update={"as_of": date(2024, 1, 1)})) == date(2024, 1, 1)


def test_without_any_interaction_every_customer_has_zero_kpis_and_is_a_prospect(spark, settings: Customer360Settings) -> None:
    empty = customer_timeline(spark.createDataFrame([], INTERACTION_SCHEMA), spark.createDataFrame([], "source_system string, source_record_id string, golden_id string"))
    assert empty.count() == 0 and tuple(empty.columns) == CUSTOMER_TIMELINE.columns

    kpis = customer_360(empty, spark.createDataFrame([("G1",), ("G2",)], "golden_id string"), settings, AS_OF)

    zero = (None, None, [], None, None, 0, 0, Decimal("0.00"), "EUR", 0, None, 0, None, 0, None, 0, 0, 0, None, "prospect", AS_OF)
    expected = spark.createDataFrame([("G1", *zero), ("G2", *zero)], kpis.schema)
    assert_df_equality(kpis, expected, ignore_row_order=True, ignore_nullable=True)


def test_as_of_without_interactions_is_the_latest_customer_load(spark, settings: Customer360Settings) -> None:
    no_events = spark.createDataFrame([], "ingested_at timestamp")
    customers = spark.createDataFrame([(datetime(2024, 5, 3, 7, 0),), (datetime(2024, 4, 1),)], "ingested_at timestamp")
    assert as_of_date(no_events, settings, customers) == date(2024, 5, 3)
    assert as_of_date(no_events, settings.model_copy(update={"as_of": date(2024, 1, 1)}), customers) == date(2024, 1, 1)
    assert as_of_date(no_events, settings) == date.today(), "no load time anywhere: today"
