"""Marketing audience: only consenting customers with an address; no consent or unknown consent stays out."""

from __future__ import annotations

from datetime import datetime

from chispa import assert_df_equality

from golden_record.transforms.gold.audience import marketing_audience

GOLDEN = "golden_id string, email string, first_name string, last_name string, consent_email boolean, consent_updated_at timestamp, city string"


def test_only_customers_who_agreed_and_have_an_address_are_in_the_audience(spark):
    at = datetime(2024, 3, 1)
    golden = spark.createDataFrame(
        [
            ("G1", "anna@example.ch", "Anna", "Muster", True, at, "Zürich"),
            ("G2", "bob@example.de", "Bob", "Meier", False, at, "Berlin"),
            ("G3", "cem@example.at", "Cem", "Kaya", None, None, "Wien"),
            ("G4", None, "Dora", "Roth", True, at, "Bern"),
        ],
        GOLDEN,
    )
    kpis = spark.createDataFrame([("G1", "gold"), ("G2", "silver")], "golden_id string, value_segment string")
    expected = spark.createDataFrame(
        [("G1", "anna@example.ch", "Anna", "Muster", at, "gold")],
        "golden_id string, email string, first_name string, last_name string, consent_updated_at timestamp, value_segment string",
    )
    assert_df_equality(marketing_audience(golden, kpis), expected, ignore_nullable=True)
