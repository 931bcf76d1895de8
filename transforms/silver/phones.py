"""Phone numbers in E.164 form ("+491711234567") via Google's libphonenumber (`phonenumbers`).

A number written with a country code ("+41 …", "0041 …") is read as such; a national number
("030 1234567", "079 123 45 67", "22 33 44 55") is read in the row's region (an ISO country
such as the source's default region). A value with letters or other stray characters, or
one that is not a valid number (too short, too long, not an assigned range of its country)
becomes null with issue `phone_invalid`; the reason says why ("too short for NO").
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
import phonenumbers
from phonenumbers import NumberParseException
from phonenumbers.phonenumberutil import ValidationResult
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from golden_record.transforms.silver.issues import replace_or_flag
from golden_record.transforms.silver.names import tidy_text

_WRITTEN_NUMBER = re.compile(r"\+?[\d ()./-]*\d[\d ()./-]*")
_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country code, or a national number without a region",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "wrong length",
}


@lru_cache(maxsize=200_000)
def to_e164(raw: str | None, region: str | None) -> tuple[str | None, str | None]:
    """(E.164 number, None) for a valid number, else (None, reason); `region` reads national numbers."""
    if raw is None:
        return None, None
    if not _WRITTEN_NUMBER.fullmatch(raw):
        return None, "contains characters other than digits, spaces and + ( ) - / ."
    try:
        number = phonenumbers.parse(raw, region)
    except NumberParseException as error:
        return None, _PARSE_REASONS.get(error.error_type, "not a phone number")
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None
    country = phonenumbers.region_code_for_country_code(number.country_code)
    why = _LENGTH_REASONS.get(phonenumbers.is_possible_number_with_reason(number), "not a valid number")
    return None, f"{why} for {country}"


@F.pandas_udf(StructType([StructField("e164", StringType()), StructField("reason", StringType())]))
def _e164_udf(raw: pd.Series, region: pd.Series) -> pd.DataFrame:
    """Vectorised `to_e164` over a batch of (raw number, region) pairs."""
    results = [to_e164(number, area) for number, area in zip(raw, region)]
    return pd.DataFrame(results, columns=["e164", "reason"], dtype=object)


def standardise_phone(df: DataFrame, column: str = "phone", region_column: str = "default_region") -> DataFrame:
    """Rewrite `column` as E.164, reading national numbers in `region_column`; invalid -> null + `phone_invalid`."""
    parsed = f"__{column}_parsed"
    df = df.withColumn(parsed, _e164_udf(tidy_text(F.col(column)), F.upper(tidy_text(F.col(region_column)))))
    df = replace_or_flag(df, column, F.col(f"{parsed}.e164"), "phone_invalid", F.col(f"{parsed}.reason"))
    return df.drop(parsed)
