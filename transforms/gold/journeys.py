"""Cross-channel journeys (ROPO, showrooming, coupons) of golden customers, from the customer timeline.

Rules (settings in conf/gold.yaml `gold.journeys`):
- a purchase is an event that counts as an order in the customer 360 (type order, status not excluded); its channel
  is online or offline by `online_channels` / `offline_channels` (any other channel is neither).
- its touchpoints are the customer's events of a `touchpoint_events` type that happened before the purchase and at
  most `window_days` calendar days before its day (days_before = purchase day - touchpoint day, 0 … window_days).
- first_touch_channel / last_touch_channel: the channel of the earliest / latest touchpoint (at the same time: the
  alphabetically first / last channel).
- research is a touchpoint of a `customer_360.research_events` type; ROPO (research online, purchase offline): an
  offline purchase with online research of the same product category; showrooming: an online purchase with offline
  research of the same category. A purchase without category is neither.
- channel_insights, per purchase month, value segment, product category and channel: purchases in the channel and the
  share of them that are ROPO (offline channels) or showrooming (online channels); distinct customers with an event in
  the channel; coupons issued in the channel in the month, how many of them were redeemed (anywhere, any time: the
  redemption names the coupon in reference_id), and the coupons redeemed in the channel.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.gold_settings import Customer360Settings, JourneySettings
from golden_record.transforms.gold.customer360 import is_order

TOUCHPOINT_TYPE = "struct<occurred_at:timestamp,days_before:int,channel:string,event_type:string,product_category:string>"
"""One touchpoint of a journey, as gold.customer_journeys lists them."""


def channel_side(settings: JourneySettings, channel: str = "channel") -> Column:
    """"online", "offline" or null for a channel column."""
    column = F.col(channel)
    return F.when(column.isin(*settings.online_channels), F.lit("online")).when(column.isin(*settings.offline_channels), F.lit("offline"))


def purchases(timeline: DataFrame, settings: Customer360Settings) -> DataFrame:
    """The timeline's purchases: golden_id, source_system, event_id, purchased_at, purchase_channel, product_category, amount, currency."""
    return timeline.where(is_order(settings)).select(
        "golden_id",
        "source_system",
        "event_id",
        F.col("occurred_at").alias("purchased_at"),
        F.col("channel").alias("purchase_channel"),
        "product_category",
        "amount",
        "currency",
    )


def journey_touchpoints(timeline: DataFrame, bought: DataFrame, settings: JourneySettings) -> DataFrame:
    """Per purchase (source_system, event_id) each of its touchpoints in the window, with days_before."""
    touches = timeline.where(F.col("event_type").isin(*settings.touchpoint_events)).select(
        "golden_id",
        F.col("occurred_at").alias("touch_at"),
        F.col("channel").alias("touch_channel"),
        F.col("event_type").alias("touch_type"),
        F.col("product_category").alias("touch_category"),
    )
    days_before = F.datediff(F.to_date("purchased_at"), F.to_date("touch_at"))
    in_window = (F.col("touch_at") < F.col("purchased_at")) & (days_before <= settings.window_days)
    return bought.join(touches, "golden_id").withColumn("days_before", days_before).where(in_window)


def customer_journeys(timeline: DataFrame, segments: DataFrame, customer_360: Customer360Settings, settings: JourneySettings) -> DataFrame:
    """gold.customer_journeys: one row per purchase of a golden customer with its touchpoints, first/last touch, ROPO and showrooming."""
    bought = purchases(timeline, customer_360)
    touches = journey_touchpoints(timeline, bought, settings)
    research = F.col("touch_type").isin(*customer_360.research_events) & (F.col("touch_category") == F.col("product_category"))
    side = channel_side(settings, "touch_channel")
    touchpoint = F.struct(
        F.col("touch_at").alias("occurred_at"), "days_before", F.col("touch_channel").alias("channel"),
        F.col("touch_type").alias("event_type"), F.col("touch_category").alias("product_category"),
    )
    timed = F.struct(F.col("touch_at"), F.col("touch_channel"))
    per_purchase = touches.groupBy("source_system", "event_id").agg(
        F.slice(F.sort_array(F.collect_list(touchpoint), asc=False), 1, settings.max_touchpoints).alias("touchpoints"),
        F.count(F.lit(1)).alias("touchpoint_count"),
        F.min(timed)["touch_channel"].alias("first_touch_channel"),
        F.max(timed)["touch_channel"].alias("last_touch_channel"),
        F.max(research & (side == "online")).alias("researched_online"),
        F.max(research & (side == "offline")).alias("researched_offline"),
    )
    purchase_side = channel_side(settings, "purchase_channel")
    journeys = (
        bought.join(per_purchase, ["source_system", "event_id"], "left")
        .join(segments.select("golden_id", "value_segment"), "golden_id", "left")
        .fillna(0, subset=["touchpoint_count"])
        .withColumns(
            {
                "touchpoints": F.coalesce("touchpoints", F.array().cast(f"array<{TOUCHPOINT_TYPE}>")),
                "researched_online": F.coalesce("researched_online", F.lit(False)),
                "researched_offline": F.coalesce("researched_offline", F.lit(False)),
            }
        )
    )
    return journeys.select(
        "golden_id",
        "source_system",
        "event_id",
        "purchased_at",
        F.trunc(F.to_date("purchased_at"), "month").alias("purchase_month"),
        "purchase_channel",
        purchase_side.alias("purchase_side"),
        "product_category",
        "amount",
        "currency",
        "value_segment",
        "touchpoint_count",
        "touchpoints",
        "first_touch_channel",
        "last_touch_channel",
        "researched_online",
        "researched_offline",
        ((purchase_side == "offline") & F.col("researched_online")).alias("ropo"),
        ((purchase_side == "online") & F.col("researched_offline")).alias("showrooming"),
    )


def coupon_facts(timeline: DataFrame) -> DataFrame:
    """Coupon events with `converted` (an issued coupon some redemption names in reference_id) and `redeemed`."""
    issued = timeline.where(F.col("event_type") == "coupon_issued")
    redemptions = timeline.where((F.col("event_type") == "coupon_redeemed") & F.col("reference_id").isNotNull())
    used = redemptions.select(F.col("reference_id").alias("coupon")).distinct().withColumn("converted", F.lit(True))
    issued = issued.join(used, issued["reference_id"] == used["coupon"], "left").drop("coupon")
    return issued.withColumn("redeemed", F.lit(False)).unionByName(
        redemptions.withColumns({"converted": F.lit(False), "redeemed": F.lit(True)})
    ).withColumn("converted", F.coalesce("converted", F.lit(False)))


def channel_insights(journeys: DataFrame, timeline: DataFrame, segments: DataFrame, settings: JourneySettings) -> DataFrame:
    """gold.channel_insights: per purchase month, value segment, product category and channel, ROPO, showrooming, coupons and channel use."""
    keys = ["month", "value_segment", "product_category", "channel"]
    bought = journeys.select(
        F.col("purchase_month").alias("month"), "value_segment", "product_category", F.col("purchase_channel").alias("channel"), "golden_id",
        F.lit(1).alias("purchase"), F.col("ropo").cast("int").alias("ropo"), F.col("showrooming").cast("int").alias("showrooming"),
        F.lit(0).alias("issued"), F.lit(0).alias("converted"), F.lit(0).alias("redeemed"),
    )
    coupons = coupon_facts(timeline).join(segments.select("golden_id", "value_segment"), "golden_id", "left").select(
        F.trunc(F.to_date("occurred_at"), "month").alias("month"), "value_segment", "product_category", "channel", "golden_id",
        *[F.lit(0).alias(c) for c in ("purchase", "ropo", "showrooming")],
        (~F.col("redeemed")).cast("int").alias("issued"), F.col("converted").cast("int").alias("converted"), F.col("redeemed").cast("int").alias("redeemed"),
    )
    touched = timeline.where(F.col("event_type").isin(*settings.touchpoint_events) & ~F.col("event_type").isin("coupon_issued", "coupon_redeemed"))
    touched = touched.join(segments.select("golden_id", "value_segment"), "golden_id", "left").select(
        F.trunc(F.to_date("occurred_at"), "month").alias("month"), "value_segment", "product_category", "channel", "golden_id",
        *[F.lit(0).alias(c) for c in ("purchase", "ropo", "showrooming", "issued", "converted", "redeemed")],
    )
    side = channel_side(settings)
    summed = bought.unionByName(coupons).unionByName(touched).groupBy(*keys).agg(
        F.count_distinct("golden_id").alias("customers"),
        F.sum("purchase").alias("purchases"),
        F.sum("ropo").alias("ropo_purchases"),
        F.sum("showrooming").alias("showrooming_purchases"),
        F.sum("issued").alias("coupons_issued"),
        F.sum("converted").alias("coupons_converted"),
        F.sum("redeemed").alias("coupons_redeemed"),
    )
    share = lambda part: F.when(F.col("purchases") > 0, F.round(F.col(part) / F.col("purchases"), 4))  # noqa: E731
    return summed.select(
        *keys,
        side.alias("channel_side"),
        "customers",
        "purchases",
        "ropo_purchases",
        F.when(side == "offline", share("ropo_purchases")).alias("ropo_share"),
        "showrooming_purchases",
        F.when(side == "online", share("showrooming_purchases")).alias("showrooming_share"),
        "coupons_issued",
        "coupons_converted",
        F.when(F.col("coupons_issued") > 0, F.round(F.col("coupons_converted") / F.col("coupons_issued"), 4)).alias("coupon_conversion"),
        "coupons_redeemed",
    )
