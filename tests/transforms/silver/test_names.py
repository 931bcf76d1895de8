"""Person names: tidy form, titles, matching forms, invalid names; plus the bundled reference data."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from golden_record.lakehouse.standardisation_settings import StandardisationRules
from golden_record.transforms.silver.names import matching_form, split_full_name, standardise_names

RULES = StandardisationRules(
    transliterations={"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ø": "oe", "æ": "ae", "å": "aa"},
    titles=["Dr.", "Dr. med.", "Prof.", "Herr", "Frau"],
    particles=["von", "van", "de", "der", "zu"],
)
ISSUES_DDL = "array<struct<field:string, rule:string, value:string, reason:string>>"


def names(spark, rows: list[tuple]):
    return spark.createDataFrame(rows, "first_name string, last_name string")


@pytest.mark.parametrize(
    "spellings, norm",
    [
        (["Müller", "Mueller", "MÜLLER", "müller", "Mu\u0308ller"], "mueller"),
        (["Jørgensen", "Joergensen", "JØRGENSEN"], "joergensen"),
        (["Strauß", "Strauss", "STRAUSS"], "strauss"),
        (["Ærø", "Aeroe"], "aeroe"),
        (["Ångström", "Aangstroem"], "aangstroem"),
        (["Zoë", "Zoe", "ZOË"], "zoe"),
        (["Čapek", "Capek"], "capek"),
        (["Hans-Peter", "Hans Peter", "hans - peter"], "hans peter"),
        (["O'Brien", "O’Brien", "OBrien"], "obrien"),
    ],
)
def test_spellings_of_a_name_share_one_matching_form(spark, spellings, norm):
    df = spark.createDataFrame([(s,) for s in spellings], "name string")

    result = df.select(matching_form(F.col("name"), RULES).alias("norm"))

    assert_df_equality(result, spark.createDataFrame([(norm,)] * len(spellings), "norm string"), ignore_nullable=True)


def test_names_are_tidied_and_capitalised_only_when_written_in_one_case(spark):
    df = names(
        spark,
        [
            ("  hans   peter ", "MÜLLER-LÜDENSCHEIDT"),
            ("ANNA", "VON DER LEYEN"),
            ("sean", "o'brien"),
            ("Hans - Jürgen", "McDonald"),
            ("Ludwig", "van Beethoven"),
        ],
    )

    result = standardise_names(df, RULES).select("first_name", "last_name", "first_name_norm", "last_name_norm")

    expected = spark.createDataFrame(
        [
            ("Hans Peter", "Müller-Lüdenscheidt", "hans peter", "mueller luedenscheidt"),
            ("Anna", "von der Leyen", "anna", "leyen"),
            ("Sean", "O'Brien", "sean", "obrien"),
            ("Hans-Jürgen", "McDonald", "hans juergen", "mcdonald"),
            ("Ludwig", "van Beethoven", "ludwig", "beethoven"),
        ],
        "first_name string, last_name string, first_name_norm string, last_name_norm string",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_particles_are_kept_when_they_are_the_whole_last_name(spark):
    result = standardise_names(names(spark, [("Maria", "De"), ("Jan", "van der Berg")]), RULES).select("last_name_norm")

    assert_df_equality(result, spark.createDataFrame([("de",), ("berg",)], "last_name_norm string"), ignore_nullable=True)


def test_leading_titles_move_to_the_title_column(spark):
    df = spark.createDataFrame(
        [
            ("Dr. Hans", "Müller", None),
            ("Prof. Dr.med. Anna", "Schmidt", None),
            ("Eva", "Dr Weber", None),
            ("Dr.Karl", "Huber", "Herr"),
            ("DR. ERIKA", "MUSTER", None),
            ("Drake", "Fraundorfer", None),
        ],
        "first_name string, last_name string, title string",
    )

    result = standardise_names(df, RULES).select("title", "first_name", "last_name")

    expected = spark.createDataFrame(
        [
            ("Dr.", "Hans", "Müller"),
            ("Prof. Dr.med.", "Anna", "Schmidt"),
            ("Dr", "Eva", "Weber"),
            ("Herr Dr.", "Karl", "Huber"),
            ("DR.", "Erika", "Muster"),
            (None, "Drake", "Fraundorfer"),
        ],
        "title string, first_name string, last_name string",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_names_with_characters_no_name_has_become_null_with_an_issue(spark):
    df = names(spark, [("Hans2", "Müller"), ("Eva", "weber@web.de"), (" ", None)])

    result = standardise_names(df, RULES).select("first_name", "last_name", "quality_issues")

    reason = "contains characters other than letters, spaces, . ' -"
    expected = spark.createDataFrame(
        [
            (None, "Müller", [("first_name", "name_invalid_characters", "Hans2", reason)]),
            ("Eva", None, [("last_name", "name_invalid_characters", "weber@web.de", reason)]),
            (None, None, []),
        ],
        f"first_name string, last_name string, quality_issues {ISSUES_DDL}",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_full_names_fill_empty_first_and_last_names(spark):
    df = spark.createDataFrame(
        [
            ("Müller, Hans", None, None),
            ("Hans Peter von der Leyen", None, None),
            ("Dr. Eva Weber", None, None),
            ("Huber", None, None),
            ("Ignored Name", "Karl", "Kept"),
        ],
        "full_name string, first_name string, last_name string",
    )

    result = split_full_name(df, RULES).select("first_name", "last_name")

    expected = spark.createDataFrame(
        [("Hans", "Müller"), ("Hans Peter", "von der Leyen"), ("Dr. Eva", "Weber"), (None, "Huber"), ("Karl", "Kept")],
        "first_name string, last_name string",
    )
    assert_df_equality(result, expected, ignore_nullable=True)


def test_bundled_config_holds_the_reference_data(config):
    rules = config.standardisation

    assert isinstance(rules, StandardisationRules)
    assert {"Dr.", "Prof.", "Herr"} <= set(rules.titles)
    assert {"von", "van", "de", "der", "zu"} <= set(rules.particles)
    assert rules.transliterations["ß"] == "ss" and rules.transliterations["ø"] == "oe"
    assert {"DE", "AT", "CH", "NO", "SE", "DK"} <= set(rules.postcodes) & set(rules.countries)
    assert rules.streets.languages["NO"] == "norwegian"


def test_matching_text_is_matching_form_for_one_string(spark, config) -> None:
    from golden_record.transforms.silver.names import matching_form, matching_text

    names = ["Müller-Lüdenscheidt", "MUELLER", "O'Brien", "Zoë d’Arc", "Øster-Ål", "Łukasz Żółć", "Straße  ", "Ǆemal", "José\u0301", "Hans_Peter", "  ", "Nguyễn Thị", "Æbelø 3"]
    expected = {row.text: row.norm for row in spark.createDataFrame([(n,) for n in names], "text string").select("text", matching_form(F.col("text"), config.standardisation).alias("norm")).collect()}
    assert {name: matching_text(name, config.standardisation) for name in names} == expected
