"""Customer 360: every golden customer's interaction timeline and KPIs (contacts, orders, returns, payments, segment).

KPI rules:
- orders: events of type order, except those whose status is in `excluded_order_statuses` (e.g. cancelled);
  revenue is their amount converted with `fx_rates` into the reporting currency (no currency: the reporting currency;
  a currency without a rate: left out of revenue).
- return_rate = returns / orders (null without orders; not capped, a return may refer to an order of another system).
- payments settle the invoice their reference_id names (in the same source); the first payment counts.
  days to pay = payment date - invoice date. An invoice is paid late when paid after its due date, or when still unpaid
  after its due date as of the as-of date; an unpaid invoice not yet due, or one without due date, is not judged.
  late_payment_share = invoices paid late / invoices judged.
- open complaints: complaints whose status is in `open_statuses`.
- newsletter_status: the latest newsletter_signup / newsletter_optout decides (same time: the opt-out);
  "subscribed", "unsubscribed", or null when the customer never decided.
- preferred_purchase_channel: the channel of most of the customer's orders; preferred_research_channel: the channel of
  most of their `research_events` (product views, newsletter clicks, store visits …); ties: the channel of the latest
  such event, then the first name; null without such events.
- value_segment: the first that holds of at_risk (late_payment_share, dunning_count or return_rate at or above its
  threshold), vip (revenue and orders at or above theirs), regular (orders at or above its threshold),
  occasional (at least one order), prospect.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from golden_record.lakehouse.gold_settings import Customer360Settings
from golden_record.lakehouse.tables import CUSTOMER_TIMELINE

SEGMENTS = ("at_risk", "vip", "regular", "occasional", "prospect")
"""Value segments, in the order value_segment tries them."""

NEWSLETTER_STATUSES = ("subscribed", "unsubscribed")
"""Values of newsletter_status (null: no decision known)."""


def customer_timeline(interactions: DataFrame, xref: DataFrame) -> DataFrame:
    """gold.customer_timeline: silver interactions of records in the xref, with their golden_id (orphans are left out)."""
    owners = xref.select(F.col("source_system").alias("customer_source"), F.col("source_record_id").alias("customer_record_id"), "golden_id")
    return interactions.join(owners, ["customer_source", "customer_record_id"]).select(*CUSTOMER_TIMELINE.columns)


def orphan_interactions(interactions: DataFrame, xref: DataFrame) -> DataFrame:
    """Silver interactions whose customer record is not in the xref."""
    owners = xref.select(F.col("source_system").alias("customer_source"), F.col("source_record_id").alias("customer_record_id"))
    return interactions.join(owners, ["customer_source", "customer_record_id"], "left_anti")


def as_of_date(interactions: DataFrame, settings: Customer360Settings, customers: DataFrame | None = None) -> date:
    """The date that decides "overdue": the configured one, else the date of the latest load into silver.interactions.

    Without any interaction (customers-only sources), the date of the latest load into `customers` (silver.customers),
    so that reruns on the same data give the same 360; today only when neither holds a load time.
    """
    if settings.as_of is not None:
        return settings.as_of
    for frame in (interactions, customers):
        latest = frame.agg(F.max("ingested_at")).first()[0] if frame is not None else None
        if latest is not None:
            return latest.date()
    return date.today()


def invoice_settlement(timeline: DataFrame, as_of: date) -> DataFrame:
    """One row per invoice: golden_id, event_id, invoiced_on, due_date, paid_on, days_to_pay, paid_late (null: not judged)."""
    payments = (
        timeline.where(F.col("event_type") == "payment")
        .groupBy("source_system", F.col("reference_id").alias("event_id"))
        .agg(F.min(F.to_date("occurred_at")).alias("paid_on"))
    )
    invoices = timeline.where(F.col("event_type") == "invoice").join(payments, ["source_system", "event_id"], "left")
    paid_on, due = F.col("paid_on"), F.col("due_date")
    paid_late = F.when(paid_on.isNotNull(), paid_on > due).when(due < F.lit(as_of), F.lit(True))
    return invoices.select(
        "golden_id",
        "event_id",
        F.to_date("occurred_at").alias("invoiced_on"),
        "due_date",
        "paid_on",
        F.datediff(paid_on, F.to_date("occurred_at")).alias("days_to_pay"),
        paid_late.alias("paid_late"),
    )


def revenue_amount(settings: Customer360Settings) -> Column:
    """An event's amount in the reporting currency (null when its currency has no rate)."""
    rates = F.create_map(*[item for currency, rate in settings.fx_rates.items() for item in (F.lit(currency), F.lit(Decimal(str(rate))).cast("decimal(18,6)"))])
    return F.col("amount") * rates[F.coalesce(F.col("currency"), F.lit(settings.reporting_currency))]


def is_order(settings: Customer360Settings) -> Column:
    """An event that counts as an order: type order, status not excluded (e.g. cancelled)."""
    return (F.col("event_type") == "order") & ~F.coalesce(F.lower(F.col("status")).isin(*settings.excluded_order_statuses), F.lit(False))


def preferred_channel(events: DataFrame, name: str) -> DataFrame:
    """Per golden_id: the channel of most of these events (ties: the latest event's channel, then the first name)."""
    per_channel = events.where(F.col("channel").isNotNull()).groupBy("golden_id", "channel").agg(F.count(F.lit(1)).alias("events"), F.max("occurred_at").alias("latest"))
    rank = F.row_number().over(Window.partitionBy("golden_id").orderBy(F.desc("events"), F.desc("latest"), "channel"))
    return per_channel.withColumn("rank", rank).where(F.col("rank") == 1).select("golden_id", F.col("channel").alias(name))


def contact_kpis(timeline: DataFrame, settings: Customer360Settings) -> DataFrame:
    """Per golden_id: contacts, channels, orders, revenue, returns, dunning, complaints and the latest newsletter event."""
    event = F.col("event_type")
    status = F.lower(F.col("status"))
    order = is_order(settings)
    newsletter = F.when(
        event.isin("newsletter_signup", "newsletter_optout"),
        F.struct(F.col("occurred_at"), (event == "newsletter_optout").alias("opted_out")),
    )
    return timeline.groupBy("golden_id").agg(
        F.min("occurred_at").alias("first_contact_at"),
        F.max("occurred_at").alias("last_contact_at"),
        F.array_sort(F.collect_set("channel")).alias("channels"),
        F.count(F.lit(1)).alias("interaction_count"),
        F.count_if(order).alias("order_count"),
        F.sum(F.when(order, revenue_amount(settings))).alias("revenue"),
        F.count_if(event == "return").alias("return_count"),
        F.count_if(event == "dunning_notice").alias("dunning_count"),
        F.count_if(event == "complaint").alias("complaint_count"),
        F.count_if((event == "complaint") & F.coalesce(status.isin(*settings.open_statuses), F.lit(False))).alias("open_complaints"),
        F.max(newsletter)["opted_out"].alias("newsletter_opted_out"),
    )


def payment_kpis(invoices: DataFrame) -> DataFrame:
    """Per golden_id: invoices, average days to pay, invoices paid late and their share of the judged invoices."""
    return invoices.groupBy("golden_id").agg(
        F.count(F.lit(1)).alias("invoice_count"),
        F.round(F.avg("days_to_pay"), 1).alias("avg_days_to_pay"),
        F.count_if("paid_late").alias("invoices_paid_late"),
        F.round(F.count_if("paid_late") / F.count("paid_late"), 4).alias("late_payment_share"),
    )


def value_segment(settings: Customer360Settings) -> Column:
    """The value segment from the KPI columns (rule in the module docstring, thresholds in conf/gold.yaml)."""
    s = settings.segments
    at_risk = (
        (F.col("late_payment_share") >= s.at_risk.min_late_payment_share)
        | (F.col("dunning_count") >= s.at_risk.min_dunning_count)
        | (F.col("return_rate") >= s.at_risk.min_return_rate)
    )
    vip = (F.col("revenue") >= s.vip.min_revenue) & (F.col("order_count") >= s.vip.min_orders)
    return (
        F.when(F.coalesce(at_risk, F.lit(False)), F.lit("at_risk"))
        .when(vip, F.lit("vip"))
        .when(F.col("order_count") >= s.regular.min_orders, F.lit("regular"))
        .when(F.col("order_count") >= 1, F.lit("occasional"))
        .otherwise(F.lit("prospect"))
    )


def customer_360(timeline: DataFrame, golden_ids: DataFrame, settings: Customer360Settings, as_of: date) -> DataFrame:
    """gold.customer_360: one row per golden_id in `golden_ids`, with zero counts for customers without events."""
    counts = ["interaction_count", "order_count", "return_count", "invoice_count", "invoices_paid_late", "dunning_count", "complaint_count", "open_complaints"]
    kpis = (
        golden_ids.select("golden_id")
        .join(contact_kpis(timeline, settings), "golden_id", "left")
        .join(payment_kpis(invoice_settlement(timeline, as_of)), "golden_id", "left")
        .join(preferred_channel(timeline.where(is_order(settings)), "preferred_purchase_channel"), "golden_id", "left")
        .join(preferred_channel(timeline.where(F.col("event_type").isin(*settings.research_events)), "preferred_research_channel"), "golden_id", "left")
        .fillna(0, subset=counts)
        .withColumns(
            {
                "channels": F.coalesce("channels", F.array().cast("array<string>")),
                "revenue": F.round(F.coalesce("revenue", F.lit(0)), 2).cast("decimal(18,2)"),
                "return_rate": F.when(F.col("order_count") > 0, F.round(F.col("return_count") / F.col("order_count"), 4)),
                "newsletter_status": F.when(F.col("newsletter_opted_out"), F.lit("unsubscribed")).when(~F.col("newsletter_opted_out"), F.lit("subscribed")),
            }
        )
    )
    return kpis.select(
        "golden_id",
        "first_contact_at",
        "last_contact_at",
        "channels",
        "preferred_purchase_channel",
        "preferred_research_channel",
        "interaction_count",
        "order_count",
        "revenue",
        F.lit(settings.reporting_currency).alias("revenue_currency"),
        "return_count",
        "return_rate",
        "invoice_count",
        "avg_days_to_pay",
        "invoices_paid_late",
        "late_payment_share",
        "dunning_count",
        "complaint_count",
        "open_complaints",
        "newsletter_status",
        value_segment(settings).alias("value_segment"),
        F.lit(as_of).alias("as_of"),
    )
