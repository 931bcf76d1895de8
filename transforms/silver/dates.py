"""Dates and timestamps parsed from the formats a source declares (Spark datetime patterns).

Each declared format is tried in order with `try_to_date` / `try_to_timestamp` (the session
runs with spark.sql.legacy.timeParserPolicy=CORRECTED, so impossible dates such as
31.02.1980 do not parse); the first that parses wins, so put the most specific format first
when two could both read a value (dd/MM/yyyy and MM/dd/yyyy). A value no format reads becomes
null with issue `date_unparseable` / `timestamp_unparseable`; a date outside
[min_date, max_date] (a birth date in the future or before 1900) becomes null with issue
`date_out_of_range`; a declared placeholder (a CRM's 1900-01-01 for "unknown") becomes null with issue
`date_placeholder`. Ages and other numbers are not dates and are never turned into one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from golden_record.transforms.silver.issues import flag_issue, has_text, replace_or_flag
from golden_record.transforms.silver.names import tidy_text
from golden_record.transforms.silver.per_source import per_source

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
"""Default lower bound of `parse_date`."""


Formats = Sequence[str] | Mapping[str, Sequence[str]]
"""Formats to try in order: the same for every row, or per source system (keyed by the rows' `source_system`)."""


def _by_source(formats: Formats) -> Mapping[str, Sequence[str]]:
    """`formats` keyed by source system (one entry for every row when they are the same for all)."""
    by_source = formats if isinstance(formats, Mapping) else {"*": formats}
    if not all(by_source.values()):
        raise ValueError("at least one date/timestamp format is needed")
    return by_source


def _first_parsed(parser: Callable[[Column, str], Column], value: Column, formats: Formats) -> Column:
    """The value parsed with the first of its source's `formats` that reads it (null when none does)."""
    return per_source(_by_source(formats), lambda source_formats: F.coalesce(*[parser(value, fmt) for fmt in source_formats]))


def _unparseable(formats: Formats) -> Column:
    """The reason recorded for a value none of its source's formats reads."""
    return per_source(_by_source(formats), lambda source_formats: F.lit(f"matches none of the formats {', '.join(source_formats)}"))


def parse_date(
    df: DataFrame,
    column: str,
    formats: Formats,
    min_date: dt.date = EARLIEST_BIRTH_DATE,
    max_date: dt.date | None = None,
    placeholders: tuple[dt.date, ...] = (),
) -> DataFrame:
    """Parse `column` into a DateType with the first matching format; unparseable, a placeholder or outside [min_date, max_date (default today)] -> null + issue."""
    raw = F.col(column)
    parsed_column = f"__{column}_parsed"
    df = df.withColumn(parsed_column, _first_parsed(F.try_to_date, tidy_text(raw), formats))
    parsed = F.col(parsed_column)
    latest = F.lit(max_date) if max_date else F.current_date()
    outside = (parsed < F.lit(min_date)) | (parsed > latest)
    placeholder = parsed.isin(*placeholders) if placeholders else F.lit(False)
    df = flag_issue(df, column, "date_unparseable", _unparseable(formats), has_text(raw) & parsed.isNull(), raw)
    df = flag_issue(df, column, "date_out_of_range", f"before {min_date} or after {max_date or 'today'}", outside, raw)
    df = flag_issue(df, column, "date_placeholder", "a placeholder systems write for an unknown date, not a real one", placeholder, raw)
    return df.withColumn(column, F.when(~outside & ~placeholder, parsed)).drop(parsed_column)


def parse_timestamp(df: DataFrame, column: str, formats: Formats) -> DataFrame:
    """Parse `column` into a TimestampType (session time zone) with the first matching format; unparseable -> null + issue."""
    parsed = _first_parsed(lambda value, fmt: F.try_to_timestamp(value, F.lit(fmt)), tidy_text(F.col(column)), formats)
    return replace_or_flag(df, column, parsed, "timestamp_unparseable", _unparseable(formats))
