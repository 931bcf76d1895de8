"""Training set-up fitted to the data: comparisons and rules on filled columns, priors for unseen levels, thresholds."""

from __future__ import annotations

import pytest
from pyspark.sql import SparkSession

from golden_record.lakehouse.linkage_settings import BUNDLED_SETTINGS, IdentifierSettings, bundled_file
from golden_record.transforms.linkage import features
from golden_record.transforms.linkage.features import identifier_key, without_shared_values
from golden_record.transforms.linkage.prediction import expected_f1_threshold
from golden_record.transforms.linkage.spec import comparison_columns, load_spec
from golden_record.transforms.linkage.training import with_priors
from golden_record.transforms.linkage.training_plan import filled_columns, filled_counts, fit_spec, plan_training, rule_columns


@pytest.fixture(scope="module")
def spec() -> dict:
    """The bundled settings spec."""
    return load_spec(bundled_file(BUNDLED_SETTINGS))


def test_rule_columns_reads_lists_and_sql() -> None:
    assert rule_columns(["email_norm", "phone"]) == {"email_norm", "phone"}
    assert rule_columns("l.first_name_norm = r.last_name_norm and l.last_name_norm = r.first_name_norm") == {"first_name_norm", "last_name_norm"}


def test_filled_columns_counts_values_once(spark: SparkSession) -> None:
    df = spark.createDataFrame([("a", None, "x"), ("b", None, None), (None, "e@x", None)], "first string, email string, phone string")
    counts = filled_counts(df, ["first", "email", "phone"])
    assert counts == {"first": 2, "email": 1, "phone": 1}
    assert filled_columns(counts, min_records=2) == {"first"}


def test_data_without_email_and_birth_date_drops_those_comparisons_and_rules(spec: dict) -> None:
    filled = {"first_name_norm", "last_name_norm", "phone", "street_norm", "house_number", "postcode", "city_norm"}
    columns = comparison_columns(spec, include_derived=True)
    plan = plan_training(
        spec, columns, [["first_name_norm", "last_name_norm", "birth_date"], ["email_norm", "first_name_norm"], ["phone", "first_name_norm"]],
        [["first_name_norm", "last_name_norm"], ["birth_date"], ["email_norm"], ["phone"]], filled,
    )
    kept = list(comparison_columns(plan.spec))
    assert "birth_date" not in kept and "email_norm" not in kept and "national_id" not in kept
    assert {"first_name", "last_name", "phone", "address", "postcode_city"} <= set(kept)
    assert set(plan.left_out) == {"birth_date", "email_norm", "national_id", "customer_number", "loyalty_card"}
    assert plan.deterministic_rules == [["phone", "first_name_norm"]]
    assert plan.em_rules == [["first_name_norm", "last_name_norm"], ["phone"]]
    assert ["email_norm"] not in plan.spec["blocking_rules"] and ["phone"] in plan.spec["blocking_rules"]
    # the names session estimates every kept comparison but the names; the phone session adds the names
    assert plan.estimates[str(["phone"])] == set(kept) - {"phone"}


def test_fit_spec_keeps_a_comparison_whose_null_level_column_is_filled(spec: dict) -> None:
    fitted, left_out = fit_spec(spec, comparison_columns(spec, include_derived=True), {"street_norm", "last_name_norm"})
    assert "address" in comparison_columns(fitted)  # street filled, house number not: still compared
    assert "postcode_city" in left_out


def test_no_comparable_column_is_a_clear_error(spec: dict) -> None:
    with pytest.raises(ValueError, match="no comparison"):
        plan_training(spec, comparison_columns(spec, include_derived=True), [], [], set())


def test_identifier_keys_drop_formatting_and_placeholders(spark: SparkSession) -> None:
    ids = IdentifierSettings()
    df = spark.createDataFrame([("756.1234.5678.97",), ("000000",), ("unknown",), ("  ",), ("ab-12 c",), ("1111",)], "v string")
    keys = [row.k for row in df.select(identifier_key(df.v, ids.placeholder_patterns).alias("k")).collect()]
    assert keys == ["7561234567897", None, None, None, "AB12C", None]


def test_values_shared_by_many_records_are_not_evidence(spark: SparkSession) -> None:
    df = spark.createDataFrame([(str(i), "K1" if i < 4 else f"K{i}") for i in range(8)], "unique_id string, customer_number_key string")
    cleaned, shared = without_shared_values(df, ["customer_number_key"], max_records=3)
    assert shared == {"customer_number_key": 1}
    assert sorted(row.customer_number_key for row in cleaned.where("customer_number_key is not null").collect()) == ["K4", "K5", "K6", "K7"]


def test_many_shared_values_are_removed_by_a_join(spark: SparkSession, monkeypatch) -> None:
    monkeypatch.setattr(features, "MAX_INLINE_VALUES", 1)
    df = spark.createDataFrame([(str(i), f"K{i % 3}" if i < 8 else "K9", "L1") for i in range(9)], "unique_id string, customer_number_key string, loyalty_card_key string")
    cleaned, shared = without_shared_values(df, ["customer_number_key", "loyalty_card_key"], max_records=2)
    assert shared == {"customer_number_key": 2, "loyalty_card_key": 1}, "K0 and K1 (three records each) and L1 (nine)"
    rows = {(row.unique_id, row.customer_number_key, row.loyalty_card_key) for row in cleaned.collect()}
    assert rows == {(str(i), "K2" if i % 3 == 2 and i < 8 else ("K9" if i == 8 else None), None) for i in range(9)}


def _model(levels: list[dict]) -> dict:
    return {"comparisons": [{"output_column_name": "phone", "comparison_levels": [{"label_for_charts": "phone is NULL", "is_null_level": True}, *levels]}]}


def test_levels_the_data_never_shows_take_the_prior_or_the_documented_default() -> None:
    trained = _model([{"label_for_charts": "Exact", "m_probability": 0.9}, {"label_for_charts": "Typo"}, {"label_for_charts": "Else", "m_probability": 0.1, "u_probability": 0.99}])
    prior = _model([{"label_for_charts": "Exact", "m_probability": 0.5, "u_probability": 1e-5}])
    model, filled = with_priors(trained, prior, pairs_sampled=1e6)
    exact, typo, other = model["comparisons"][0]["comparison_levels"][1:]
    assert (exact["m_probability"], exact["u_probability"]) == (0.9, 1e-5)  # estimated m kept, u from the prior
    assert typo["u_probability"] == pytest.approx(1e-6) and typo["m_probability"] == typo["u_probability"]  # no evidence either way
    assert (other["m_probability"], other["u_probability"]) == (0.1, 0.99)
    assert len(filled) == 3 and any("prior model" in line for line in filled)


def test_expected_f1_threshold_sits_between_the_two_modes() -> None:
    # 100 near-certain pairs, 100 hopeless ones, a few in between: the threshold separates the modes
    histogram = [(0.99, 100, 99.5), (0.6, 5, 3.0), (0.3, 5, 1.5), (0.05, 100, 2.0)]
    threshold, f1 = expected_f1_threshold(histogram, floor=0.0)
    assert threshold in (0.3, 0.6)
    assert 0.9 < f1 <= 1.0
    # a floor above the best edge is respected
    assert expected_f1_threshold(histogram, floor=0.7)[0] == 0.99
