"""Entity resolution transforms: settings from the spec, linkage input, guards, and clustering of a known set."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.linkage_settings import BUNDLED_MODEL, BUNDLED_SETTINGS, ClusterGuard, LinkageSettings, bundled_file
from golden_record.lakehouse.storage.table_store import as_nullable
from golden_record.transforms.linkage.constraints import steward_links
from golden_record.transforms.linkage.clustering import CLUSTER_SCHEMA, REVIEW_SCHEMA, average_linkage, cluster_records, conflict_condition, review_pairs
from golden_record.transforms.linkage.errors import LinkageError
from golden_record.transforms.linkage.features import prepare_for_linkage
from golden_record.transforms.linkage.models import load_model
from golden_record.transforms.linkage.prediction import PAIR_SCHEMA, match_pairs, predict, settings_for_model
from golden_record.transforms.linkage.spec import blocking_rule, gamma_labels, load_spec, splink_settings
from golden_record.transforms.linkage.splink_adapter import new_linker, to_spark
from golden_record.transforms.linkage.training import untrained_levels

SILVER_COLUMNS = (
    "source_system string, source_record_id string, first_name_norm string, last_name_norm string, birth_date date, "
    "email_norm string, phone string, street_norm string, house_number string, postcode string, city_norm string, "
    "national_id string, customer_number string, loyalty_card string"
)


def _record(
    system: str, record_id: str, first: str | None, last: str | None, birth: str | None, email: str | None, phone: str | None,
    street: str | None, number: str | None, postcode: str | None, city: str | None, national_id: str | None = None,
    customer_number: str | None = None, loyalty_card: str | None = None,
) -> tuple:
    birth_date = dt.date.fromisoformat(birth) if birth else None
    return (system, record_id, first, last, birth_date, email, phone, street, number, postcode, city, national_id, customer_number, loyalty_card)


KNOWN_SET = [
    # one person in three silos: full CRM record, web account without birth date, newsletter sign-up (e-mail + first name)
    _record("crm", "1", "anna", "mueller", "1985-03-12", "anna.mueller@web.de", "+4917012345678", "hauptstrasse", "12", "10115", "berlin"),
    _record("webshop_accounts", "w1", "anna", "mueller", None, "anna.mueller@web.de", "+4917012345678", "hauptstrasse", "12", "10115", "berlin"),
    _record("newsletter", "n1", "anna", None, None, "anna.mueller@web.de", None, None, None, None, None),
    # twins: same last name, birth date, address and household e-mail, other first names -> two persons
    _record("crm", "2", "jonas", "schmidt", "1990-07-01", "familie.schmidt@gmx.de", "+4915111111111", "lindenweg", "5", "80331", "muenchen"),
    _record("crm", "3", "lukas", "schmidt", "1990-07-01", "familie.schmidt@gmx.de", "+4915122222222", "lindenweg", "5", "80331", "muenchen"),
    _record("webshop_accounts", "w2", "jonas", "schmidt", None, "familie.schmidt@gmx.de", "+4915111111111", "lindenweg", "5", "80331", "muenchen"),
    # spouses sharing address, e-mail and landline, born years apart; a newsletter sign-up by one of them
    _record("pos_members", "p1", "peter", "weber", "1960-01-01", "weber.family@t-online.de", "+493012345678", "gartenstrasse", "3", "20095", "hamburg"),
    _record("pos_members", "p2", "maria", "weber", "1962-05-05", "weber.family@t-online.de", "+493012345678", "gartenstrasse", "3", "20095", "hamburg"),
    _record("newsletter", "n2", "maria", None, None, "weber.family@t-online.de", None, None, None, None, None),
    # a nickname in a support ticket
    _record("crm", "4", "thomas", "fischer", "1975-11-30", "thomas.fischer@gmx.de", "+4916099988877", "bahnhofstrasse", "8", "50667", "koeln"),
    _record("support_tickets", "s1", "tom", "fischer", None, "thomas.fischer@gmx.de", None, None, None, None, None),
    # father and son: same name and address, a generation apart
    _record("crm", "5", "hans", "becker", "1950-02-02", None, "+4969111222333", "schillerstrasse", "20", "60311", "frankfurt am main"),
    _record("crm", "6", "hans", "becker", "1980-06-06", None, "+4969444555666", "schillerstrasse", "20", "60311", "frankfurt am main"),
    # someone else entirely, and her support ticket with first and last name in the wrong fields
    _record("erp_debtors", "e1", "karin", "lund", None, "karin.lund@online.no", "+4791234567", "storgata", "1", "0155", "oslo"),
    _record("support_tickets", "s2", "lund", "karin", None, "karin.lund@online.no", None, None, None, None, None),
]
EXPECTED_CLUSTERS = [
    {"crm:1", "webshop_accounts:w1", "newsletter:n1"},
    {"crm:2", "webshop_accounts:w2"},
    {"crm:3"},
    {"pos_members:p1"},
    {"pos_members:p2", "newsletter:n2"},
    {"crm:4", "support_tickets:s1"},
    {"crm:5"},
    {"crm:6"},
    {"erp_debtors:e1", "support_tickets:s2"},
]


@pytest.fixture(scope="module")
def spec() -> dict:
    """The bundled settings spec."""
    return load_spec(bundled_file(BUNDLED_SETTINGS))


@pytest.fixture(scope="module")
def linkage(config: PipelineConfig) -> LinkageSettings:
    """The configured linkage settings on DuckDB (fast for tiny data), with fixed thresholds: these tests are about clustering."""
    first_name_guard = {"comparison": "first_name", "max_conflict_level": "All other comparisons"}  # twins: an opt-in guard
    fixed = {"match_threshold": 0.35, "cluster_threshold": 0.2, "review_band": {"low": 0.1, "high": 0.35}, "cluster_guards": [*config.linkage.model_dump()["cluster_guards"], first_name_guard]}
    return LinkageSettings.model_validate({**config.linkage.model_dump(), "backend": "duckdb", **fixed})


def known_set(spark: SparkSession) -> DataFrame:
    """Silver customers of six persons plus look-alikes (twins, spouses, father and son) and a swapped name."""
    return spark.createDataFrame(KNOWN_SET, SILVER_COLUMNS)


def test_spec_builds_the_same_comparisons_for_both_backends(spec: dict) -> None:
    settings = splink_settings(spec)
    spark_levels = [[lvl["label_for_charts"] for lvl in c["comparison_levels"]] for c in settings.create_settings_dict("spark")["comparisons"]]
    duckdb_levels = [[lvl["label_for_charts"] for lvl in c["comparison_levels"]] for c in settings.create_settings_dict("duckdb")["comparisons"]]
    assert spark_levels == duckdb_levels
    assert [c["output_column_name"] for c in settings.create_settings_dict("spark")["comparisons"]] == [
        "first_name", "last_name", "birth_date", "email_norm", "phone", "address", "postcode_city", "national_id", "customer_number", "loyalty_card"
    ]


def test_a_blocking_rule_is_equal_columns_or_sql() -> None:
    sql = "l.first_name_norm = r.last_name_norm and l.last_name_norm = r.first_name_norm"
    assert blocking_rule(sql) == sql
    assert blocking_rule(["email_norm"]).get_blocking_rule("duckdb").blocking_rule_sql == 'l."email_norm" = r."email_norm"'


def test_unknown_class_in_spec_is_a_linkage_error(spec: dict) -> None:
    broken = {**spec, "comparisons": [{"comparison": "NoSuchComparison", "args": {"col_name": "phone"}}]}
    with pytest.raises(LinkageError, match="NoSuchComparison"):
        splink_settings(broken)


def test_prepare_for_linkage_keys_records_nulls_blanks_and_derives_name_variants(spark: SparkSession, spec: dict) -> None:
    silver = spark.createDataFrame(
        [
            _record("crm", "7", "hans peter", "schmidt mueller", None, "  ", None, None, None, None, None),
            _record("pos_members", "8", None, "lund", None, "k@x.no", None, None, None, None, None),
        ],
        SILVER_COLUMNS,
    )
    prepared = prepare_for_linkage(silver, spec)
    assert prepared.columns == ["unique_id", "source_system", "source_record_id", *spec["input_columns"]]
    rows = {row.unique_id: row for row in prepared.collect()}
    assert set(rows) == {"crm:7", "pos_members:8"}
    assert rows["crm:7"].email_norm is None
    assert {"hans peter", "hans", "peter", "johannes", "johann"} <= set(rows["crm:7"].first_name_variants)
    assert rows["crm:7"].last_name_parts == ["schmidt", "mueller"]
    assert rows["pos_members:8"].first_name_variants is None


def test_prepare_for_linkage_names_missing_columns(spark: SparkSession, spec: dict) -> None:
    with pytest.raises(LinkageError, match="email_norm"):
        prepare_for_linkage(known_set(spark).drop("email_norm"), spec)


def test_trained_model_must_fit_the_spec(spec: dict) -> None:
    model = load_model(bundled_file(BUNDLED_MODEL))
    assert untrained_levels(model) == []
    altered = json.loads(json.dumps(model))
    altered["comparisons"][0]["comparison_levels"][1]["label_for_charts"] = "something else"
    with pytest.raises(LinkageError, match="first_name"):
        splink_settings(spec, model=altered)


def test_untrained_levels_lists_levels_without_m_or_u() -> None:
    model = {
        "comparisons": [
            {
                "output_column_name": "phone",
                "comparison_levels": [
                    {"label_for_charts": "phone is NULL", "is_null_level": True},
                    {"label_for_charts": "Exact match on phone", "m_probability": 0.9, "u_probability": 0.001},
                    {"label_for_charts": "All other comparisons", "u_probability": 0.999},
                ],
            }
        ]
    }
    assert untrained_levels(model) == ["phone: All other comparisons (m)"]


def test_conflict_condition_uses_the_gamma_of_the_named_level(spec: dict) -> None:
    guards = [ClusterGuard(comparison="birth_date", max_conflict_level="Abs date difference <= 1 year")]
    assert conflict_condition(spec, guards) == "(gamma_birth_date between 0 and 2)"
    assert conflict_condition(spec, []) == "false"
    with pytest.raises(LinkageError, match="not a level"):
        conflict_condition(spec, [ClusterGuard(comparison="birth_date", max_conflict_level="nope")])


def _pairs(probabilities: dict[str, float], conflicts: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Component pairs from {"a-b": probability}; pairs named in `conflicts` are guarded conflicts."""
    return pd.DataFrame(
        [(*pair.split("-"), probability, pair in conflicts) for pair, probability in probabilities.items()],
        columns=["unique_id_l", "unique_id_r", "match_probability", "conflict"],
    )


def _groups(clusters: pd.DataFrame) -> list[list[str]]:
    return sorted(sorted(members) for _, members in clusters.groupby("cluster_id")["unique_id"])


def test_average_linkage_keeps_a_sparse_record_from_chaining_two_namesakes() -> None:
    # a1/a2 and b1/b2 are two namesakes; the ticket t fits a (its e-mail) and b (its name): single linkage would chain
    # all five, but the namesakes' own pairs (0.01) pull the mean of {a1, a2, t} with {b1, b2} to 0.17
    pairs = {"a1-a2": 0.99, "b1-b2": 0.99, "a1-t": 0.9, "a2-t": 0.9, "b1-t": 0.5, "b2-t": 0.5}
    pairs |= {f"{a}-{b}": 0.01 for a in ("a1", "a2") for b in ("b1", "b2")}
    clusters = average_linkage(_pairs(pairs), threshold=0.2)
    assert _groups(clusters) == [["a1", "a2", "t"], ["b1", "b2"]]
    assert dict(zip(clusters["unique_id"], clusters["cluster_id"]))["t"] == "a1"
    assert _groups(average_linkage(_pairs(pairs), threshold=0.15)) == [["a1", "a2", "b1", "b2", "t"]]


def test_average_linkage_never_joins_groups_holding_a_guarded_conflict() -> None:
    # a and b conflict (twins: everything but the first name agrees); c and d link to both, yet b stays apart
    pairs = {"a-b": 0.99, "a-c": 0.99, "b-c": 0.9, "b-d": 0.8, "a-d": 0.9, "c-d": 0.9}
    clusters = average_linkage(_pairs(pairs, conflicts=frozenset({"a-b"})), threshold=0.2)
    assert _groups(clusters) == [["a", "c", "d"], ["b"]]


@pytest.fixture(scope="module")
def matched(spark: SparkSession, spec: dict, linkage: LinkageSettings) -> tuple[DataFrame, DataFrame, DataFrame]:
    """Scored pairs and clusters of the known set with the bundled model."""
    records = prepare_for_linkage(known_set(spark), spec).cache()
    linker = new_linker(records, splink_settings(spec, model=load_model(bundled_file(BUNDLED_MODEL))), linkage)
    predictions = predict(linker, linkage.pair_floor)
    clusters = cluster_records(linker, predictions, records, spec, linkage).cache()
    return records, to_spark(predictions, spark).cache(), clusters


def test_known_duplicates_and_look_alikes_cluster_correctly(matched: tuple[DataFrame, DataFrame, DataFrame]) -> None:
    _, _, clusters = matched
    found = clusters.groupBy("cluster_id").agg(F.collect_set("unique_id").alias("members")).collect()
    assert sorted(map(sorted, (set(row.members) for row in found))) == sorted(map(sorted, EXPECTED_CLUSTERS))
    for row in found:
        assert row.cluster_id == min(row.members)


def test_clusters_and_pairs_have_the_documented_schema(matched: tuple[DataFrame, DataFrame, DataFrame], spec: dict, linkage: LinkageSettings) -> None:
    records, scored, clusters = matched
    assert as_nullable(clusters.schema) == as_nullable(CLUSTER_SCHEMA)
    assert clusters.count() == records.count()
    sizes = clusters.groupBy("cluster_id").count().withColumnRenamed("count", "cluster_size")
    assert_df_equality(clusters.select("cluster_id", "cluster_size").distinct(), sizes.select("cluster_id", F.col("cluster_size").cast("long")), ignore_row_order=True, ignore_nullable=True)
    pairs = match_pairs(scored)
    assert as_nullable(pairs.schema) == as_nullable(PAIR_SCHEMA)
    assert pairs.where(F.col("match_probability") < linkage.pair_floor).count() == 0
    review = review_pairs(scored, clusters, spec, linkage)
    assert as_nullable(review.schema) == as_nullable(REVIEW_SCHEMA)


def test_review_lists_guarded_pairs_with_the_evidence(matched: tuple[DataFrame, DataFrame, DataFrame], spec: dict, linkage: LinkageSettings) -> None:
    _, scored, clusters = matched
    review = {(row.unique_id_l, row.unique_id_r): row for row in review_pairs(scored, clusters, spec, linkage).collect()}
    # twins and spouses share so much that Splink scores them far above the threshold; the guards keep them apart,
    # also the wife's newsletter sign-up (household e-mail) from her husband
    assert set(review) == {("crm:2", "crm:3"), ("crm:3", "webshop_accounts:w2"), ("pos_members:p1", "pos_members:p2"), ("newsletter:n2", "pos_members:p1")}
    assert {row.review_reason for row in review.values()} == {"above the match threshold but kept apart by a cluster guard"}
    twins = {c.comparison: c for c in review[("crm:2", "crm:3")].comparisons}
    assert (twins["first_name"].level, twins["first_name"].value_l, twins["first_name"].value_r) == ("All other comparisons", "jonas", "lukas")
    assert twins["first_name"].match_weight < 0 < twins["email_norm"].match_weight
    assert (twins["address"].value_l, twins["address"].level) == ("lindenweg 5", "Exact match on street and house number")


def test_review_band_is_capped_at_the_match_threshold(config: PipelineConfig, matched: tuple[DataFrame, DataFrame, DataFrame], spec: dict) -> None:
    settings = LinkageSettings.model_validate({**config.linkage.model_dump(), "backend": "duckdb", "match_threshold": 0.3, "review_band": {"low": 0.1, "high": 0.5}})
    records = matched[0]
    linker = new_linker(records, splink_settings(spec, model=load_model(bundled_file(BUNDLED_MODEL))), settings)
    resolved = settings_for_model(settings, spec, linker, predict(linker, settings.pair_floor))
    assert (resolved.match_threshold, resolved.review_band.low, resolved.review_band.high) == (0.3, 0.1, 0.3)
    assert resolved.cluster_threshold == pytest.approx(0.15)  # auto: half the match threshold in use
    automatic = settings_for_model(settings.model_copy(update={"match_threshold": "auto"}), spec, linker, predict(linker, settings.pair_floor))
    assert settings.review_band.low <= automatic.match_threshold <= 0.99
    assert automatic.cluster_threshold == pytest.approx(automatic.match_threshold / 2)
    assert automatic.review_band.high == min(0.5, automatic.match_threshold)


def test_review_lists_pairs_above_the_threshold_left_in_two_clusters(matched: tuple[DataFrame, DataFrame, DataFrame], spec: dict, linkage: LinkageSettings) -> None:
    _, scored, clusters = matched
    # as if average linkage had kept the nickname ticket apart from its CRM record
    apart = clusters.withColumn("cluster_id", F.when(F.col("unique_id") == "support_tickets:s1", F.col("unique_id")).otherwise(F.col("cluster_id")))
    review = {(row.unique_id_l, row.unique_id_r): row.review_reason for row in review_pairs(scored, apart, spec, linkage).collect()}
    assert review[("crm:4", "support_tickets:s1")] == "above the match threshold but its records' groups match too weakly on average"
    assert ("crm:4", "support_tickets:s1") not in {(row.unique_id_l, row.unique_id_r) for row in review_pairs(scored, clusters, spec, linkage).collect()}


def test_email_local_key_is_the_handle_in_letters_and_digits(spark: SparkSession, spec: dict) -> None:
    silver = spark.createDataFrame(
        [
            _record("shop", "1", "jan", "vries", None, "jan.de-vries@x.nl", None, None, None, None, None),
            _record("shop", "2", "jo", "vries", None, "jo@x.nl", None, None, None, None, None),
            *[_record("news", str(i), None, None, None, f"info@shop{i}.nl", None, None, None, None, None) for i in range(7)],
        ],
        SILVER_COLUMNS,
    )
    keys = {row.unique_id: row.email_local_key for row in prepare_for_linkage(silver, spec).collect()}
    assert keys["shop:1"] == "jandevries"
    assert keys["shop:2"] is None  # too short to tell people apart
    assert {keys[f"news:{i}"] for i in range(7)} == {None}  # shared by more records than a person has: not evidence


def _levels(spark: SparkSession, spec: dict, linkage: LinkageSettings, records: list[tuple]) -> dict[str, str]:
    """Level label of each comparison for the one pair of two silver records, scored with the bundled model."""
    prepared = prepare_for_linkage(spark.createDataFrame(records, SILVER_COLUMNS), spec)
    linker = new_linker(prepared, splink_settings(spec, model=load_model(bundled_file(BUNDLED_MODEL))), linkage)
    pair = predict(linker, pair_floor=0.0).as_pandas_dataframe()
    assert len(pair) == 1, "the blocking rules should compare the two records"
    return {name: labels[int(pair[f"gamma_{name}"][0])] for name, labels in gamma_labels(spec).items()}


def test_short_forms_handles_and_a_postcode_without_city_are_evidence(spark: SparkSession, spec: dict, linkage: LinkageSettings) -> None:
    # a loyalty card holder (short first name, postcode but no city) and the same person's shop account
    levels = _levels(spark, spec, linkage, [
        _record("loyalty", "1", "jantje", "hoekstra", None, None, None, None, None, "1077HA", None),
        _record("shop", "2", "jan", "hoekstra", None, "hoekstrajan@gmail.com", None, "beatrixlaan", "7", "1077HA", "amsterdam"),
    ])
    assert levels["first_name"] == "One begins or ends the other (short form)"
    assert levels["postcode_city"] == "Exact match on postcode"
    # two newsletter sign-ups with the same handle at two providers, no names: found by blocking on the handle
    levels = _levels(spark, spec, linkage, [
        _record("news", "1", None, None, None, "hoekstra.jan@outlook.com", None, None, None, None, None),
        _record("news", "2", None, None, None, "hoekstrajan@gmail.com", None, None, None, None, None),
    ])
    assert levels["email_norm"] == "All other comparisons"  # the handle finds the pair; names, not the handle, must decide
    assert levels["postcode_city"] == "Neither postcode nor city on both records"


def test_steward_decisions_override_the_model_in_clustering_and_leave_the_review_queue(
    spark: SparkSession, matched: tuple[DataFrame, DataFrame, DataFrame], spec: dict, linkage: LinkageSettings
) -> None:
    records, scored, _ = matched
    linker = new_linker(records, splink_settings(spec, model=load_model(bundled_file(BUNDLED_MODEL))), linkage)
    predictions = predict(linker, linkage.pair_floor)
    decided = [
        ("d1", dt.datetime(2026, 1, 1), "crm:3", "crm:2", True),  # the "twins" are one person after all (a guard conflict)
        ("d2", dt.datetime(2026, 1, 1), "crm:5", "crm:6", True),  # father and son: one person (no edge of the model)
        ("d3", dt.datetime(2026, 1, 1), "crm:1", "webshop_accounts:w1", True),
        ("d4", dt.datetime(2026, 2, 1), "webshop_accounts:w1", "crm:1", False),  # a later decision about the same pair wins
    ]
    decisions = spark.createDataFrame(decided, "decision_id string, decided_at timestamp, unique_id_l string, unique_id_r string, same_person boolean")
    links = steward_links(decisions)
    assert {(r.unique_id_l, r.unique_id_r, r.same_person, r.decision_id) for r in links.collect()} == {
        ("crm:2", "crm:3", True, "d1"), ("crm:5", "crm:6", True, "d2"), ("crm:1", "webshop_accounts:w1", False, "d4")
    }
    clusters = cluster_records(linker, predictions, records, spec, linkage, links)
    cluster_of = {row.unique_id: row.cluster_id for row in clusters.collect()}
    assert cluster_of["crm:2"] == cluster_of["crm:3"]
    # the guard still keeps jonas' web account from lukas: a steward decision settles the pair it names, no other
    assert cluster_of["webshop_accounts:w2"] != cluster_of["crm:3"]
    assert cluster_of["crm:5"] == cluster_of["crm:6"]
    assert cluster_of["crm:1"] != cluster_of["webshop_accounts:w1"]
    assert cluster_of["newsletter:n1"] in (cluster_of["crm:1"], cluster_of["webshop_accounts:w1"])
    assert cluster_of["crm:4"] == cluster_of["support_tickets:s1"]  # undecided pairs cluster as before
    review = {(row.unique_id_l, row.unique_id_r) for row in review_pairs(scored, clusters, spec, linkage, links).collect()}
    assert ("crm:2", "crm:3") not in review and ("pos_members:p1", "pos_members:p2") in review


def test_average_linkage_joins_must_links_first_unless_a_cannot_link_lies_between() -> None:
    pairs = _pairs({"a-b": 0.01, "b-c": 0.01, "a-c": 0.01, "c-d": 0.99}, conflicts=frozenset({"a-c"}))
    pairs["must_link"] = pairs["unique_id_l"].eq("a") & pairs["unique_id_r"].isin(["b", "c"])  # a=b, a=c, but a≠c
    pairs.loc[pairs["must_link"] & pairs["unique_id_r"].eq("b"), "match_probability"] = 1.0
    assert _groups(average_linkage(pairs, threshold=0.5)) == [["a", "b"], ["c", "d"]]
