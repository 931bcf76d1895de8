"""Validate the `gold:` section of the config (conf/gold.yaml): golden ids, survivorship groups and rules, customer 360, gates."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from golden_record.lakehouse.settings_base import Strict
from golden_record.lakehouse.tables import CUSTOMER_FIELDS

Rule = Literal["valid_only", "source_trust", "most_recent", "most_complete", "most_frequent"]
"""A survivorship rule (see conf/gold.yaml for what each one prefers)."""

SURVIVABLE_COLUMNS = tuple(f for f in CUSTOMER_FIELDS if f not in ("full_name", "consent_email", "consent_updated_at", "updated_at"))
"""Silver customer columns a survivorship group may hold, in the order gold.customers shows them."""

CONSENT_GROUP = "consent"
"""Name of the fixed consent group (consent_email, consent_updated_at) in the lineage."""

CONSENT_RULES = ("undated_opt_out", "latest_decision", "opt_out_first")
"""How consent combines across sources, in order: an opt-out without a date wins (it may be the latest decision);
otherwise the latest decision wins (consent_updated_at, else the record's source_updated_at); at the same time an
opt-out beats an opt-in. So an opt-out is never overridden by an opt-in that is not provably newer."""

TIE_BREAK = "tie_break"
"""Lineage rule when every configured rule tied: the smallest source_system, then source_record_id won."""
ONLY_CANDIDATE = "only_candidate"
"""Lineage rule when a single record of the golden customer held the group."""
ALL_AGREE = "all_agree"
"""Lineage rule when several records held the group, all with the same values."""



class SurvivorshipGroup(Strict):
    """Columns that survive together (from one source record) and the ordered rules that choose that record."""

    columns: list[str] = Field(min_length=1)
    rules: list[Rule] = Field(min_length=1)

    @field_validator("columns")
    @classmethod
    def _survivable(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(SURVIVABLE_COLUMNS))
        if unknown:
            raise ValueError(f"columns {unknown} cannot survive; allowed: {list(SURVIVABLE_COLUMNS)} (consent has a fixed rule)")
        return value

    @field_validator("rules")
    @classmethod
    def _once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(f"a rule is listed twice in {value}")
        return value


class AtRiskSegment(Strict):
    """Thresholds of the at_risk segment: any one of them reached puts a customer there."""

    min_late_payment_share: float = Field(gt=0, le=1)
    min_dunning_count: int = Field(gt=0)
    min_return_rate: float = Field(gt=0)


class VipSegment(Strict):
    """Thresholds of the vip segment: both must be reached."""

    min_revenue: float = Field(gt=0)
    min_orders: int = Field(gt=0)


class RegularSegment(Strict):
    """Threshold of the regular segment."""

    min_orders: int = Field(gt=1)


class Segments(Strict):
    """Value segment thresholds (the rule is in transforms/customer360.py value_segment)."""

    at_risk: AtRiskSegment
    vip: VipSegment
    regular: RegularSegment


class Customer360Settings(Strict):
    """How the customer 360 KPIs are computed: currency conversion, statuses, as-of date, segments."""

    reporting_currency: str = Field(pattern=r"^[A-Z]{3}$")
    fx_rates: dict[str, float] = Field(description="value of one unit of the currency in the reporting currency")
    excluded_order_statuses: list[str] = Field(default_factory=lambda: ["cancelled"])
    open_statuses: list[str] = Field(default_factory=lambda: ["open"])
    research_events: list[str] = Field(
        default_factory=lambda: ["product_view", "newsletter_click", "store_visit"], description="event types where a customer informs themselves (preferred_research_channel)"
    )
    as_of: date | None = None
    segments: Segments

    @model_validator(mode="after")
    def _reporting_rate(self) -> "Customer360Settings":
        if self.fx_rates.get(self.reporting_currency) != 1.0:
            raise ValueError(f"fx_rates must give the reporting currency {self.reporting_currency} the rate 1.0")
        return self


class JourneySettings(Strict):
    """Rules of the cross-channel tables (gold.customer_journeys, gold.channel_insights; see transforms/gold/journeys.py)."""

    window_days: int = Field(default=14, ge=0, le=366, description="a touchpoint belongs to a purchase when at most this many calendar days before it")
    touchpoint_events: list[str] = Field(
        default_factory=lambda: ["product_view", "web_session", "newsletter_click", "store_visit", "coupon_issued", "coupon_redeemed"],
        description="event types that are touchpoints of a journey",
    )
    online_channels: list[str] = Field(default_factory=lambda: ["webshop", "web", "app", "newsletter", "email", "click_and_collect"])
    offline_channels: list[str] = Field(default_factory=lambda: ["store", "street"])
    max_touchpoints: int = Field(default=50, ge=1, description="a journey lists at most the latest this many touchpoints (its counts and flags use all)")

    @model_validator(mode="after")
    def _disjoint_channels(self) -> "JourneySettings":
        both = sorted(set(self.online_channels) & set(self.offline_channels))
        if both:
            raise ValueError(f"channel(s) {both} are both online and offline")
        return self


class GateSettings(Strict):
    """Tolerances of the gold quality gates."""

    min_linked_customer_share: float = Field(default=1.0, ge=0, le=1, description="share of customer keys that must be in the xref")


class GoldSettings(Strict):
    """The `gold:` section (conf/gold.yaml): golden ids, survivorship, customer 360, gates."""

    id_prefix: str = Field(default="GR-", pattern=r"^[A-Z]+-$")
    source_trust: list[str] = Field(min_length=1)
    survivorship: dict[str, SurvivorshipGroup] = Field(min_length=1)
    customer_360: Customer360Settings
    journeys: JourneySettings = Field(default_factory=JourneySettings)
    gate: GateSettings = Field(default_factory=GateSettings)

    @model_validator(mode="after")
    def _groups(self) -> "GoldSettings":
        if CONSENT_GROUP in self.survivorship:
            raise ValueError(f"'{CONSENT_GROUP}' is not configurable: it follows the fixed rules {list(CONSENT_RULES)}")
        seen: dict[str, str] = {}
        for name, group in self.survivorship.items():
            for column in group.columns:
                if column in seen:
                    raise ValueError(f"column '{column}' is in survivorship groups '{seen[column]}' and '{name}'; it may survive in one only")
                seen[column] = name
        return self


    def surviving_columns(self) -> list[str]:
        """The configured columns in the order of SURVIVABLE_COLUMNS."""
        configured = {column for group in self.survivorship.values() for column in group.columns}
        return [column for column in SURVIVABLE_COLUMNS if column in configured]
