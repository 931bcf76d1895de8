"""Addresses: house-number splits, street suffix spellings per language, postcodes per country, cities."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality

from golden_record.lakehouse.standardisation_settings import PostcodeRule, StandardisationRules, StreetRules, StreetSuffix
from golden_record.transforms.silver.addresses import split_house_number, standardise_city, standardise_postcode, standardise_street

RULES = StandardisationRules(
    transliterations={"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ø": "oe", "æ": "ae", "å": "aa"},
    particles=["der", "des"],
    streets=StreetRules(
        languages={"DE": "german", "AT": "german", "CH": "german", "NO": "norwegian", "SE": "swedish", "DK": "danish"},
        suffixes={
            "german": [StreetSuffix(canonical="strasse", spellings=["straße", "str.", "str"]), StreetSuffix(canonical="gasse")],
            "norwegian": [StreetSuffix(canonical="vei", spellings=["v."], equivalents=["veien"])],
            "swedish": [StreetSuffix(canonical="gata", equivalents=["gatan"])],
            "danish": [StreetSuffix(canonical="vej", equivalents=["vejen"])],
        },
    ),
    postcodes={
        "DE": PostcodeRule(pattern="[0-9]{5}", prefixes=["D", "DE"]),
        "AT": PostcodeRule(pattern="[0-9]{4}", prefixes=["A", "AT"]),
        "CH": PostcodeRule(pattern="[0-9]{4}", prefixes=["CH"]),
        "NO": PostcodeRule(pattern="[0-9]{4}", prefixes=["N", "NO"]),
        "SE": PostcodeRule(pattern="[0-9]{5}", prefixes=["S", "SE"]),
        "DK": PostcodeRule(pattern="[0-9]{4}", prefixes=["DK"]),
    },
)
ISSUES_DDL = "array<struct<field:string, rule:string, value:string, reason:string>>"


def test_house_numbers_are_split_from_the_street_when_the_source_has_none(spark):
    df = spark.createDataFrame(
        [
            ("Hauptstr. 12a", None),
            ("Hauptstr. 12 a", None),
            ("Hauptstr.12", None),
            ("Ring 12-14", None),
            ("Ring 12 - 14", None),
            ("Storgata 5 B", None),
            ("Am Markt 3/1", None),
            ("Straße des 17. Juni 100", None),
            ("12 Main St", None),
            ("Straße des 17. Juni", None),
            ("Lindenweg 4", "7 B"),
            (None, "3"),
        ],
        "street string, house_number string",
    )

    result = split_house_number(df)

    expected = spark.createDataFrame(
        [
            ("Hauptstr.", "12a"),
            ("Hauptstr.", "12a"),
            ("Hauptstr.", "12"),
            ("Ring", "12-14"),
            ("Ring", "12-14"),
            ("Storgata", "5b"),
            ("Am Markt", "3/1"),
            ("Straße des 17. Juni", "100"),
            ("Main St", "12"),
            ("Straße des 17. Juni", None),
            ("Lindenweg 4", "7b"),
            (None, "3"),
        ],
        "street string, house_number string",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_german_street_suffix_spellings_become_one_readable_form(spark):
    df = spark.createDataFrame(
        [
            ("Bahnhofstr.", "DE"),
            ("Bahnhofstrasse", "CH"),
            ("Bahnhofstraße", "DE"),
            ("Bahnhof-Straße", "DE"),
            ("BAHNHOFSTR", "DE"),
            ("Berliner Str.", "DE"),
            ("Karl-Marx-Str.", "DE"),
            ("Herrengasse", "AT"),
            ("Herren-Gasse", "AT"),
            ("Platz  der Republik", "DE"),
            ("Bahnhofstr.", None),
        ],
        "street string, country string",
    )

    result = standardise_street(df, RULES).select("street", "street_norm")

    expected = spark.createDataFrame(
        [
            ("Bahnhofstrasse", "bahnhofstrasse"),
            ("Bahnhofstrasse", "bahnhofstrasse"),
            ("Bahnhofstrasse", "bahnhofstrasse"),
            ("Bahnhofstrasse", "bahnhofstrasse"),
            ("Bahnhofstrasse", "bahnhofstrasse"),
            ("Berliner Strasse", "berlinerstrasse"),
            ("Karl-Marx-Strasse", "karlmarxstrasse"),
            ("Herrengasse", "herrengasse"),
            ("Herrengasse", "herrengasse"),
            ("Platz der Republik", "platzderrepublik"),
            ("Bahnhofstr.", "bahnhofstr"),
        ],
        "street string, street_norm string",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


@pytest.mark.parametrize(
    "country, spellings, norm",
    [
        ("DE", ["Hauptstraße", "Hauptstrasse", "Hauptstr.", "Haupt Str", "HAUPTSTRASSE"], "hauptstrasse"),
        ("AT", ["Schulgasse", "Schul-Gasse", "Schul Gasse"], "schulgasse"),
        ("NO", ["Kirkevei", "Kirkeveien", "Kirkev.", "KIRKEVEIEN"], "kirkevei"),
        ("SE", ["Storgata", "Storgatan", "Stor gatan"], "storgata"),
        ("DK", ["Søndervej", "Søndervejen", "Soendervej"], "soendervej"),
    ],
)
def test_street_suffix_variants_share_one_matching_form(spark, country, spellings, norm):
    df = spark.createDataFrame([(s, country) for s in spellings], "street string, country string")

    result = standardise_street(df, RULES).select("street_norm")

    assert_df_equality(result, spark.createDataFrame([(norm,)] * len(spellings), "street_norm string"), ignore_nullable=True)


def test_postcodes_are_normalised_per_country(spark):
    df = spark.createDataFrame(
        [
            ("D-12345", "DE"),
            ("de 01067", "DE"),
            ("123 45", "SE"),
            ("S-123 45", "SE"),
            ("CH-8001", "CH"),
            ("A-1010", "AT"),
            ("0150", "NO"),
            ("DK-2100", "DK"),
            ("sw1a 1aa", "GB"),
            ("12 34", None),
        ],
        "postcode string, country string",
    )

    result = standardise_postcode(df, RULES).select("postcode", "quality_issues")

    expected = spark.createDataFrame(
        [(p, []) for p in ["12345", "01067", "12345", "12345", "8001", "1010", "0150", "2100", "SW1A 1AA", "12 34"]],
        f"postcode string, quality_issues {ISSUES_DDL}",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_postcodes_invalid_for_their_country_become_null_with_an_issue(spark):
    df = spark.createDataFrame(
        [("1234", "DE"), ("12345", "AT"), ("CH-8001", "DE"), ("80O1", "CH"), ("123456", "SE"), ("", "DE")], "postcode string, country string"
    )

    result = standardise_postcode(df, RULES).select("postcode", "quality_issues")

    expected = spark.createDataFrame(
        [
            (None, [("postcode", "postcode_invalid_for_country", "1234", "does not match the postcode pattern of DE")]),
            (None, [("postcode", "postcode_invalid_for_country", "12345", "does not match the postcode pattern of AT")]),
            (None, [("postcode", "postcode_invalid_for_country", "CH-8001", "does not match the postcode pattern of DE")]),
            (None, [("postcode", "postcode_invalid_for_country", "80O1", "does not match the postcode pattern of CH")]),
            (None, [("postcode", "postcode_invalid_for_country", "123456", "does not match the postcode pattern of SE")]),
            (None, []),
        ],
        f"postcode string, quality_issues {ISSUES_DDL}",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_cities_are_tidied_and_share_a_matching_form(spark):
    df = spark.createDataFrame([("  ZÜRICH ",), ("Zuerich",), ("zürich",), ("Frankfurt   (Oder)",)], "city string")

    result = standardise_city(df, RULES)

    expected = spark.createDataFrame(
        [("Zürich", "zuerich"), ("Zuerich", "zuerich"), ("Zürich", "zuerich"), ("Frankfurt (Oder)", "frankfurt oder")],
        "city string, city_norm string",
    )
    assert_df_equality(result, expected, ignore_nullable=True)
