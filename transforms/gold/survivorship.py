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
from functools import reduce

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from golden_record.lakehouse.gold_settings import ALL_AGREE, CONSENT_GROUP, CONSENT_RULES, ONLY_CANDIDATE, TIE_BREAK, GoldSettings, SurvivorshipGroup

_NEVER = 2**63 - 1
"""Sort key of an unknown date under "newest first": after every known one."""

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
