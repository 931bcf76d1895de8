"""Addresses: house numbers split from streets, canonical street spellings, postcodes and cities.

Order: `standardise_country` first (street spellings and postcode rules are chosen by the
row's ISO country), then `split_house_number`, `standardise_street`, `standardise_postcode`
and `standardise_city`.

- house_number: split off the end ("Hauptstr. 12a", "Storgata 5 B", "Ring 12-14") or the
  start ("12 Main St") of `street` when the source has no separate number; written compact
  and lower-case ("12 a" -> "12a", "5 B" -> "5b", "12 - 14" -> "12-14").
- street: tidy, with the street-type suffix of the row's language in one canonical spelling
  ("Bahnhofstr.", "Bahnhofstraße", "Bahnhof-Straße" -> "Bahnhofstrasse"; "Berliner Str." ->
  "Berliner Strasse"). street_norm: its matching form without spaces, with definite and
  indefinite Nordic forms equal ("Kirkeveien" ~ "Kirkevei", "Storgatan" ~ "Storgata").
- postcode: upper case, spaces and country prefixes ("D-", "CH-") removed, checked against
  the country's pattern; a mismatch becomes null with issue `postcode_invalid_for_country`.
  Rows without a country, or of a country without a rule, keep the tidied postcode unchecked.
- city: tidy; city_norm: its matching form.
"""

from __future__ import annotations

import re

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.standardisation_settings import StandardisationRules
from golden_record.transforms.silver.issues import replace_or_flag
from golden_record.transforms.silver.names import fix_case, matching_form, tidy_text

_NUMBER = r"\d+ ?[a-zA-Z]?(?: ?[-/] ?\d+ ?[a-zA-Z]?)?"
NUMBER_AT_END = rf"^(.*?[\p{{L}}.]),? ?({_NUMBER})$"
"""Street then house number: group 1 the street (ends in a letter or dot), group 2 the number."""
NUMBER_AT_START = rf"^({_NUMBER}),? (.*\p{{L}}.*)$"
"""House number then street: group 1 the number, group 2 the street."""


def split_house_number(df: DataFrame, street_column: str = "street", number_column: str = "house_number") -> DataFrame:
    """Move a leading or trailing house number from `street` into an empty `number_column`; write numbers compact."""
    if number_column not in df.columns:
        df = df.withColumn(number_column, F.lit(None).cast("string"))
    street, number = tidy_text(F.col(street_column)), tidy_text(F.col(number_column))
    at_end, at_start = street.rlike(NUMBER_AT_END), street.rlike(NUMBER_AT_START)
    split_street = F.when(at_end, F.regexp_extract(street, NUMBER_AT_END, 1)).when(at_start, F.regexp_extract(street, NUMBER_AT_START, 2))
    split_number = F.when(at_end, F.regexp_extract(street, NUMBER_AT_END, 2)).when(at_start, F.regexp_extract(street, NUMBER_AT_START, 1))
    split = number.isNull() & split_number.isNotNull()
    return df.withColumns(
        {
            street_column: F.when(split, split_street).otherwise(street),
            number_column: F.lower(F.replace(F.coalesce(number, split_number), F.lit(" "), F.lit(""))),
        }
    )


def _alternatives(words: list[str]) -> str:
    """Regex group alternating literal words, longest first, ignoring case."""
    return "(?iu:(" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + "))"


def _literal_map(mapping: dict[str, str]) -> Column:
    """A map column literal of `mapping`."""
    return F.create_map(*[F.lit(x) for pair in mapping.items() for x in pair])


def _suffix_lookup(rules: StandardisationRules, forms: str) -> dict[str, str]:
    """'language:form' -> canonical suffix, for `forms` "spellings" (with the canonical spelling itself) or "equivalents"."""
    return {
        f"{language}:{form.lower()}": suffix.canonical
        for language, suffixes in rules.streets.suffixes.items()
        for suffix in suffixes
        for form in ([suffix.canonical, *suffix.spellings] if forms == "spellings" else suffix.equivalents)
    }


def _canonical_suffix(street: Column, language: Column, rules: StandardisationRules) -> Column:
    """Rewrite the street-type suffix at the end of a street in its language's canonical spelling: attached to a letter
    ("Bahnhofstr." -> "Bahnhofstrasse") or to a single hyphenated word ("Bahnhof-Str." -> "Bahnhofstrasse"), else a
    capitalised word ("Berliner Str." -> "Berliner Strasse", "Karl-Marx-Str." -> "Karl-Marx-Strasse")."""
    lookup = _suffix_lookup(rules, "spellings")
    if not lookup:
        return street
    pattern = rf"^(.*?)(-?){_alternatives([key.split(':', 1)[1] for key in lookup])}$"
    stem, hyphen, suffix = (F.regexp_extract(street, pattern, group) for group in (1, 2, 3))
    canonical = F.try_element_at(_literal_map(lookup), F.concat(language, F.lit(":"), F.lower(suffix)))
    attached = ((hyphen == "") & stem.rlike(r"\p{L}$")) | ((hyphen == "-") & stem.rlike(r"(?:^| )\p{L}+$"))
    capitalised = F.concat(F.upper(F.substring(canonical, 1, 1)), F.substring(canonical, 2, 1_000))
    return F.when(canonical.isNull(), street).when(attached, F.concat(stem, canonical)).otherwise(F.concat(stem, hyphen, capitalised))


def _equal_suffix(street: Column, language: Column, rules: StandardisationRules) -> Column:
    """Replace an equivalent form of a suffix at the end of a lower-case street by its canonical form ("kirkeveien" -> "kirkevei")."""
    lookup = _suffix_lookup(rules, "equivalents")
    if not lookup:
        return street
    pattern = rf"^(.*?){_alternatives([key.split(':', 1)[1] for key in lookup])}$"
    stem, suffix = F.regexp_extract(street, pattern, 1), F.regexp_extract(street, pattern, 2)
    canonical = F.try_element_at(_literal_map(lookup), F.concat(language, F.lit(":"), suffix))
    return F.when(canonical.isNull(), street).otherwise(F.concat(stem, canonical))


def standardise_street(
    df: DataFrame,
    rules: StandardisationRules,
    column: str = "street",
    norm_column: str = "street_norm",
    country_column: str = "country",
) -> DataFrame:
    """Tidy `column` with a canonical street-type suffix for the row's country; add its matching form `norm_column`."""
    language = F.try_element_at(_literal_map(rules.streets.languages), F.upper(F.col(country_column))) if rules.streets.languages else F.lit(None)
    df = df.withColumn(column, fix_case(F.regexp_replace(tidy_text(F.col(column)), r" ?- ?", "-"), rules.particles))
    df = df.withColumn(column, _canonical_suffix(F.col(column), language, rules))
    norm = matching_form(_equal_suffix(F.lower(F.col(column)), language, rules), rules)
    return df.withColumn(norm_column, F.replace(norm, F.lit(" "), F.lit("")))


def standardise_postcode(df: DataFrame, rules: StandardisationRules, column: str = "postcode", country_column: str = "country") -> DataFrame:
    """Normalise `column` (no spaces, no country prefix) and check it against its country's pattern; invalid -> null + issue."""
    postcode = F.upper(tidy_text(F.col(column)))
    country = F.upper(F.col(country_column))
    if not rules.postcodes:
        return df.withColumn(column, postcode)
    prefixes = rf"^{_alternatives([p for rule in rules.postcodes.values() for p in rule.prefixes])} ?-? ?(?=\d)"
    prefix = F.regexp_extract(postcode, prefixes, 1)
    number = F.replace(F.regexp_replace(postcode, prefixes, ""), F.lit(" "), F.lit(""))
    # one regex for every country: "DE:D:12345" must match "DE:(?:D|DE)?:(?:[0-9]{5})"
    shapes = "|".join(
        f"{iso2}:(?:{'|'.join(map(re.escape, rule.prefixes))})?:(?:{rule.pattern})" for iso2, rule in rules.postcodes.items()
    )
    valid = F.upper(F.concat_ws(":", country, prefix, number)).rlike(f"^(?:{shapes})$")
    unchecked = country.isNull() | ~country.isin(list(rules.postcodes))
    standardised = F.when(unchecked, postcode).when(valid, number)
    reason = F.concat(F.lit("does not match the postcode pattern of "), country)
    return replace_or_flag(df, column, standardised, "postcode_invalid_for_country", reason)


def standardise_city(df: DataFrame, rules: StandardisationRules, column: str = "city", norm_column: str = "city_norm") -> DataFrame:
    """Tidy `column` (whitespace, case of ALL-CAPS input) and add its matching form `norm_column`."""
    df = df.withColumn(column, fix_case(tidy_text(F.col(column)), rules.particles))
    return df.withColumn(norm_column, matching_form(F.col(column), rules))
