"""Countries: ISO alpha-2 from codes and names in many languages; unknown ones flagged."""

from __future__ import annotations

from chispa import assert_df_equality
from pyspark.sql import functions as F

from golden_record.lakehouse.standardisation_settings import Country, StandardisationRules
from golden_record.transforms.silver.countries import country_aliases, standardise_country

RULES = StandardisationRules(
    transliterations={"ö": "oe"},
    countries={"AT": Country(iso3="AUT", names=["Austria", "Österreich", "A"]), "CI": Country(iso3="CIV", names=["Côte d'Ivoire"])},
)
ISSUES_DDL = "array<struct<field:string, rule:string, value:string, reason:string>>"


def test_codes_and_names_match_ignoring_case_diacritics_spaces_and_punctuation(spark):
    values = ["AT", "at", "AUT", "Austria", "ÖSTERREICH", "Oesterreich", "Osterreich", " a ", "Côte d'Ivoire", "COTE D IVOIRE", "Cote-d'Ivoire"]
    df = spark.createDataFrame([(i, v) for i, v in enumerate(values)], "id int, country string")

    result = standardise_country(df, RULES).orderBy("id").select("country", "quality_issues")

    expected = spark.createDataFrame([("AT" if i < 8 else "CI", []) for i in range(len(values))], f"country string, quality_issues {ISSUES_DDL}")
    assert_df_equality(result, expected, ignore_nullable=True)


def test_unknown_countries_become_null_with_a_country_unknown_issue(spark):
    df = spark.createDataFrame([(1, "Atlantis"), (2, "XX"), (3, ""), (4, None)], "id int, country string")

    result = standardise_country(df, RULES).orderBy("id")

    reason = "not an ISO 3166-1 code or a known country name"
    expected = spark.createDataFrame(
        [
            (1, None, [("country", "country_unknown", "Atlantis", reason)]),
            (2, None, [("country", "country_unknown", "XX", reason)]),
            (3, None, []),
            (4, None, []),
        ],
        f"id int, country string, quality_issues {ISSUES_DDL}",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_bundled_rules_know_codes_and_names_in_english_german_and_native_languages(spark, config):
    cases = {
        "DE": ["DE", "DEU", "Germany", "Deutschland", "D", "BRD"],
        "CH": ["CHE", "Switzerland", "Schweiz", "Suisse", "Svizzera"],
        "AT": ["Austria", "Österreich", "A"],
        "NO": ["NO", "Norway", "Norwegen", "Norge", "N"],
        "SE": ["Sweden", "Schweden", "Sverige"],
        "DK": ["Denmark", "Dänemark", "Danmark"],
        "FR": ["Frankreich", "France"],
        "NL": ["Niederlande", "Nederland", "Holland"],
        "GB": ["United Kingdom", "UK", "Grossbritannien"],
        "US": ["USA", "Vereinigte Staaten"],
    }
    rows = [(i, value, iso2) for i, (iso2, value) in enumerate((iso2, v) for iso2, vs in cases.items() for v in vs)]
    df = spark.createDataFrame(rows, "id int, country string, expected string")

    result = standardise_country(df, config.standardisation).orderBy("id").select("country", "expected")

    assert_df_equality(result.select("country"), result.select(F.col("expected").alias("country")), ignore_nullable=True)


def test_bundled_names_never_point_to_two_countries(spark, config):
    aliases = country_aliases(spark, config.standardisation)

    conflicts = aliases.groupBy("__country_key").agg(F.collect_set("__iso2").alias("codes")).where(F.size("codes") > 1)

    assert conflicts.collect() == []
    assert aliases.select("__iso2").distinct().count() == 249
