"""Countries as ISO 3166-1 alpha-2 codes, from codes or names in many languages.

Accepted: alpha-2 and alpha-3 codes ("de", "DEU"), names in English, German, French,
Italian, Norwegian, Swedish and Danish ("Germany", "Deutschland", "Schweiz", "Suisse",
"Österreich", "Norge", "Sverige", "Danmark" …), native and everyday names and international
vehicle codes ("D", "A", "CH") from conf/standardisation.yaml. Case, diacritics, spaces and
punctuation are ignored, and umlauts may be written as ae/oe/ue or without dots
("oesterreich", "Osterreich", "U.S.A."). Anything else becomes null with issue
`country_unknown`.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from golden_record.lakehouse.standardisation_settings import StandardisationRules
from golden_record.transforms.silver.issues import replace_or_flag
from golden_record.transforms.silver.names import matching_form


def country_key(column: Column, rules: StandardisationRules) -> Column:
    """The form codes and names are compared in: the matching form without spaces ("Côte d'Ivoire" -> "cotedivoire")."""
    return F.replace(matching_form(column, rules), F.lit(" "), F.lit(""))


def country_aliases(spark: SparkSession, rules: StandardisationRules) -> DataFrame:
    """Distinct (__country_key, __iso2) pairs for every code and name of every country in `rules`.

    Each name is keyed twice: transliterated ("Österreich" -> "oesterreich") and with its
    diacritics only stripped ("osterreich"), so inputs written without umlauts match too."""
    rows = [(alias, iso2) for iso2, country in rules.countries.items() for alias in (iso2, country.iso3, *country.names)]
    aliases = spark.createDataFrame(rows, "alias string, __iso2 string")
    stripped = rules.model_copy(update={"transliterations": {}})
    keys = [country_key(F.col("alias"), rules), country_key(F.col("alias"), stripped)]
    return aliases.select(F.explode(F.array(*keys)).alias("__country_key"), "__iso2").distinct()


def standardise_country(df: DataFrame, rules: StandardisationRules, column: str = "country") -> DataFrame:
    """Rewrite `column` as an ISO 3166-1 alpha-2 code; unknown codes or names -> null + `country_unknown`."""
    keyed = df.withColumn("__country_key", country_key(F.col(column), rules))
    joined = keyed.join(F.broadcast(country_aliases(df.sparkSession, rules)), on="__country_key", how="left").drop("__country_key")
    standardised = replace_or_flag(joined, column, F.col("__iso2"), "country_unknown", "not an ISO 3166-1 code or a known country name").drop("__iso2")
    return standardised.select(*df.columns, *[c for c in standardised.columns if c not in df.columns])
