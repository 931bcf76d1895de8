"""The data-quality issue convention of the silver stage: invalid values become null plus a recorded issue.

Every row carries `quality_issues`, an array of structs (field, rule, value, reason):
`field` is the canonical column, `rule` a stable snake_case id (e.g. `phone_invalid`,
`email_syntax`, `date_unparseable`), `value` the original raw value and `reason` a short
human-readable explanation. Standardisers never guess: a value they cannot standardise is
set to null and its issue appended here, so the silver stage can route rows to quarantine.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType, StructField, StructType

ISSUES_COLUMN = "quality_issues"
"""Name of the per-row array of issues."""

ISSUE_TYPE = StructType(
    [
        StructField("field", StringType(), False),
        StructField("rule", StringType(), False),
        StructField("value", StringType(), True),
        StructField("reason", StringType(), False),
    ]
)
"""One recorded issue: which field broke which rule, with the raw value and why."""

ISSUES_TYPE = ArrayType(ISSUE_TYPE, containsNull=False)
"""Type of the `quality_issues` column."""


def with_issues_column(df: DataFrame) -> DataFrame:
    """Add an empty `quality_issues` array when the DataFrame has none yet."""
    if ISSUES_COLUMN in df.columns:
        return df
    return df.withColumn(ISSUES_COLUMN, F.array().cast(ISSUES_TYPE))


def flag_issue(df: DataFrame, field: str, rule: str, reason: str | Column, failed: Column, value: Column) -> DataFrame:
    """Append an issue (field, rule, raw value, reason) to `quality_issues` on the rows where `failed` is true."""
    df = with_issues_column(df)
    issue = F.struct(
        F.lit(field).alias("field"),
        F.lit(rule).alias("rule"),
        value.cast("string").alias("value"),
        (F.lit(reason) if isinstance(reason, str) else reason).alias("reason"),
    )
    return df.withColumn(ISSUES_COLUMN, F.when(failed, F.array_append(ISSUES_COLUMN, issue)).otherwise(F.col(ISSUES_COLUMN)))


def has_text(column: Column) -> Column:
    """True where a string holds at least one non-whitespace character (false for null)."""
    return F.coalesce(column.rlike(r"(?U)\S"), F.lit(False))


def replace_or_flag(df: DataFrame, column: str, standardised: Column, rule: str, reason: str | Column) -> DataFrame:
    """Replace `column` by `standardised`; where a non-blank raw value gives null, record issue `rule` with the raw value."""
    df = df.withColumn(column, F.col(column).cast("string"))
    candidate = f"__{column}_standardised"
    df = df.withColumn(candidate, standardised)
    failed = has_text(F.col(column)) & F.col(candidate).isNull()
    df = flag_issue(df, column, rule, reason, failed, F.col(column))
    return df.withColumn(column, F.col(candidate)).drop(candidate)
