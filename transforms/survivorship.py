"""Survivorship: the records of one golden customer -> one golden row, each attribute group from one winning record.

Rules are configuration (conf/gold.yaml `gold.survivorship`). For every attribute group, the candidates are the
golden customer's records holding any of the group's columns; they are sorted by one ascending key per rule and then by
the tie-break (source_system, source_record_id), and the first one wins the whole group. The lineage of an attribute
names the winning record, its date and the rule that decided: the first rule on which the winner beats the best
candidate holding other values ("only_candidate": a single candidate record; "all_agree": every candidate holds the
same values; "tie_break": every rule tied).
"""

from __future__ import annotations

import operator
from datetime import date
from functools import reduce
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

Rule = Literal["valid_only", "source_trust", "most_recent", "most_complete", "most_frequent"]
"""A survivorship rule (see conf/gold.yaml for what each one prefers)."""

SURVIVABLE_COLUMNS = (
    "title",
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "phone",
    "street",
    "house_number",
    "address_line2",
    "postcode",
    "city",
    "region",
    "country",
    "customer_number",
    "loyalty_card",
    "national_id",
)
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
_NEVER = 2**63 - 1
"""Sort key of an unknown date under "newest first": after every known one."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SurvivorshipGroup(_Strict):
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


class AtRiskSegment(_Strict):
    """Thresholds of the at_risk segment: any one of them reached puts a customer there."""

    min_late_payment_share: float = Field(gt=0, le=1)
    min_dunning_count: int = Field(gt=0)
    min_return_rate: float = Field(gt=0)


class VipSegment(_Strict):
    """Thresholds of the vip segment: both must be reached."""

    min_revenue: float = Field(gt=0)
    min_orders: int = Field(gt=0)


class RegularSegment(_Strict):
    """Threshold of the regular segment."""

    min_orders: int = Field(gt=1)


class Segments(_Strict):
    """Value segment thresholds (the rule is in transforms/customer360.py value_segment)."""

    at_risk: AtRiskSegment
    vip: VipSegment
    regular: RegularSegment


class Customer360Settings(_Strict):
    """How the customer 360 KPIs are computed: currency conversion, statuses, as-of date, segments."""

    reporting_currency: str = Field(pattern=r"^[A-Z]{3}$")
    fx_rates: dict[str, float] = Field(description="value of one unit of the currency in the reporting currency")
    excluded_order_statuses: list[str] = Field(default_factory=lambda: ["cancelled"])
    open_statuses: list[str] = Field(default_factory=lambda: ["open"])
    as_of: date | None = None
    segments: Segments

    @model_validator(mode="after")
    def _reporting_rate(self) -> "Customer360Settings":
        if self.fx_rates.get(self.reporting_currency) != 1.0:
            raise ValueError(f"fx_rates must give the reporting currency {self.reporting_currency} the rate 1.0")
        return self


class GateSettings(_Strict):
    """Tolerances of the gold quality gates."""

    min_linked_customer_share: float = Field(default=1.0, ge=0, le=1, description="share of customer keys that must be in the xref")


class GoldSettings(_Strict):
    """The `gold:` section (conf/gold.yaml): golden ids, survivorship, customer 360, gates."""

    id_prefix: str = Field(default="GR-", pattern=r"^[A-Z]+-$")
    source_trust: list[str] = Field(min_length=1)
    survivorship: dict[str, SurvivorshipGroup] = Field(min_length=1)
    customer_360: Customer360Settings
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

    @classmethod
    def from_config(cls, gold: dict[str, Any]) -> "GoldSettings":
        """Validate the raw `config.gold` dict."""
        return cls.model_validate(gold)

    def surviving_columns(self) -> list[str]:
        """The configured columns in the order of SURVIVABLE_COLUMNS."""
        configured = {column for group in self.survivorship.values() for column in group.columns}
        return [column for column in SURVIVABLE_COLUMNS if column in configured]


def newest_first(timestamp: Column) -> Column:
    """An ascending sort key that puts later times first and unknown times last."""
    return F.coalesce(-F.unix_micros(timestamp.cast("timestamp")), F.lit(_NEVER))


def rule_key(rule: str, columns: list[str], source_trust: list[str]) -> Column:
    """The ascending sort key of one survivorship rule for a group's candidate records."""
    if rule == "valid_only":
        return F.exists("quality_issues", lambda issue: issue["field"].isin(*columns)).cast("int")
    if rule == "source_trust":
        ranks = F.create_map(*[item for rank, source in enumerate(source_trust) for item in (F.lit(source), F.lit(rank))])
        return F.coalesce(ranks[F.col("source_system")], F.lit(len(source_trust)))
    if rule == "most_recent":
        return newest_first(F.col("source_updated_at"))
    if rule == "most_complete":
        filled = sum(F.col(c).isNotNull().cast("int") for c in columns)
        length = sum(F.coalesce(F.length(F.col(c).cast("string")), F.lit(0)) for c in columns)
        return F.struct((-filled).alias("filled"), (-length).alias("length"))
    if rule == "most_frequent":
        return -F.col(frequency_column(columns))
    raise ValueError(f"unknown survivorship rule '{rule}'")


def any_filled(columns: list[str]) -> Column:
    """True where at least one of the columns holds a value."""
    return reduce(operator.or_, [F.col(c).isNotNull() for c in columns])


def frequency_column(columns: list[str]) -> str:
    """Name of the helper column counting a golden customer's records with the same values in `columns`."""
    return "__frequency_" + "_".join(columns)


def with_frequencies(records: DataFrame, groups: list[SurvivorshipGroup]) -> DataFrame:
    """Add, for every group using most_frequent, how many records of the golden customer share the row's values."""
    needed = {frequency_column(g.columns): g.columns for g in groups if "most_frequent" in g.rules}
    return records.withColumns({name: F.count(F.lit(1)).over(Window.partitionBy("golden_id", *columns)) for name, columns in needed.items()})


def ranked_candidates(columns: list[str], rule_keys: dict[str, Column], value_date: Column, is_candidate: Column) -> Column:
    """Aggregate: the golden customer's candidate records for a group, best first (rule keys, then the tie-break)."""
    candidate = F.struct(
        F.struct(*[key.alias(rule) for rule, key in rule_keys.items()]).alias("keys"),
        F.col("source_system").alias("source_system"),
        F.col("source_record_id").alias("source_record_id"),
        F.struct(*[F.col(c).alias(c) for c in columns]).alias("values"),
        value_date.cast("timestamp").alias("value_date"),
    )
    return F.array_sort(F.collect_list(F.when(is_candidate, candidate)))


def winning_rule(candidates: Column, rules: list[str]) -> Column:
    """The first rule on which the best candidate beats the best one holding other values (see the module docstring)."""
    best = F.get(candidates, 0)
    runner_up = F.get(F.filter(candidates, lambda c: ~c["values"].eqNullSafe(best["values"])), 0)
    decided = F.when(F.size(candidates) == 1, F.lit(ONLY_CANDIDATE)).when(runner_up.isNull(), F.lit(ALL_AGREE))
    for rule in rules:
        decided = decided.when(~best["keys"][rule].eqNullSafe(runner_up["keys"][rule]), F.lit(rule))
    return decided.otherwise(F.lit(TIE_BREAK))


def lineage(group: str, candidates: Column, rules: list[str]) -> Column:
    """Where a group's surviving values come from: group, source record, deciding rule, the value's date."""
    best = F.get(candidates, 0)
    return F.when(
        best.isNotNull(),
        F.struct(
            F.lit(group).alias("group"),
            best["source_system"].alias("source_system"),
            best["source_record_id"].alias("source_record_id"),
            winning_rule(candidates, rules).alias("rule"),
            best["value_date"].alias("value_date"),
        ),
    )


def consent_candidates() -> Column:
    """Aggregate: the golden customer's explicit consent decisions, the one that counts first (CONSENT_RULES)."""
    decided_at = F.coalesce(F.col("consent_updated_at"), F.col("source_updated_at"))
    opted_out = ~F.col("consent_email")
    keys = {
        "undated_opt_out": F.when(opted_out & decided_at.isNull(), 0).otherwise(1),
        "latest_decision": newest_first(decided_at),
        "opt_out_first": F.when(opted_out, 0).otherwise(1),
    }
    candidates = ranked_candidates(["consent_email"], keys, decided_at, F.col("consent_email").isNotNull())
    return F.transform(candidates, lambda c: c.withField("values.consent_updated_at", c["value_date"]))


def survive(records: DataFrame, settings: GoldSettings) -> DataFrame:
    """gold.customers: one row per golden_id from silver customer rows carrying their golden_id."""
    groups = dict(settings.survivorship)
    records = with_frequencies(records.repartition("golden_id"), list(groups.values()))
    aggregations = [
        ranked_candidates(
            group.columns,
            {rule: rule_key(rule, group.columns, settings.source_trust) for rule in group.rules},
            F.col("source_updated_at"),
            any_filled(group.columns),
        ).alias(f"__{name}")
        for name, group in groups.items()
    ]
    aggregated = records.groupBy("golden_id").agg(
        *aggregations,
        consent_candidates().alias(f"__{CONSENT_GROUP}"),
        F.count(F.lit(1)).alias("record_count"),
        F.array_sort(F.collect_set("source_system")).alias("source_systems"),
    )
    rules = {name: list(group.rules) for name, group in groups.items()} | {CONSENT_GROUP: list(CONSENT_RULES)}
    columns = {column: name for name, group in groups.items() for column in group.columns}
    columns |= {"consent_email": CONSENT_GROUP, "consent_updated_at": CONSENT_GROUP}
    values = {column: F.get(F.col(f"__{name}"), 0)["values"][column] for column, name in columns.items()}
    lineage_by_column = F.create_map(
        *[item for column, name in columns.items() for item in (F.lit(column), lineage(name, F.col(f"__{name}"), rules[name]))]
    )
    return aggregated.select(
        "golden_id",
        *[values[column].alias(column) for column in [*settings.surviving_columns(), "consent_email", "consent_updated_at"]],
        "record_count",
        "source_systems",
        F.map_filter(lineage_by_column, lambda _, source: source.isNotNull()).alias("lineage"),
    )
