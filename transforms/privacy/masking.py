"""Masked forms of personal data for readers without full access: one SQL expression per column, from the config's rules."""

from __future__ import annotations

import hashlib

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from golden_record.lakehouse.privacy_settings import PrivacySettings
from golden_record.transforms.privacy.classification import ColumnClass
from golden_record.transforms.privacy.erasure import quoted


def mask_sql(column: ColumnClass, privacy: PrivacySettings, type_sql: str, value: str | None = None) -> str | None:
    """The SQL that masks the column (its rule, else a typed NULL), or None when its class is not masked.

    `value` is the SQL the rule applies to (default: the quoted column), e.g. a mask function's parameter.
    """
    if column.data_class not in privacy.masked_classes:
        return None
    rule = privacy.masking.columns.get(column.column)
    if rule is None:
        return f"CAST(NULL AS {type_sql})"
    return f"CAST({privacy.masking.rules[rule].format(column=value or quoted(column.column))} AS {type_sql})"


def masked(df: DataFrame, columns: list[ColumnClass], privacy: PrivacySettings) -> DataFrame:
    """The frame with every column of a masked class masked (same names, order and types)."""
    by_name = {c.column: c for c in columns}
    selected: list[Column] = []
    for field in df.schema.fields:
        sql = mask_sql(by_name[field.name], privacy, field.dataType.simpleString())
        selected.append(F.col(quoted(field.name)) if sql is None else F.expr(sql).alias(field.name))
    return df.select(*selected)


def column_mask_statements(table: str, columns: list[ColumnClass], types: dict[str, str], privacy: PrivacySettings, function_schema: str) -> list[str]:
    """Databricks SQL: one mask function per rule and type (full values for `full_access_group`), one SET MASK per masked column."""
    statements: list[str] = []
    group = privacy.masking.full_access_group.replace("'", "''")
    for column in columns:
        type_sql = types[column.column]
        masked_value = mask_sql(column, privacy, type_sql, value="value")
        if masked_value is None:
            continue
        rule = privacy.masking.columns.get(column.column, "null")
        function = f"{function_schema}.golden_record_mask_{rule}_{_identifier(type_sql)}"
        statements.append(
            f"CREATE OR REPLACE FUNCTION {function}(value {type_sql}) RETURNS {type_sql}\n"
            f"  RETURN CASE WHEN is_account_group_member('{group}') THEN value ELSE {masked_value} END;"
        )
        statements.append(f"ALTER TABLE {table} ALTER COLUMN {quoted(column.column)} SET MASK {function};")
    return list(dict.fromkeys(statements))


def _identifier(type_sql: str) -> str:
    """A type written as part of a function name: `date` -> `date`, a nested type -> its kind and a short digest."""
    if type_sql.isalnum():
        return type_sql
    kind = "".join(c for c in type_sql.split("<")[0].split("(")[0] if c.isalnum())
    return f"{kind}_{hashlib.sha256(type_sql.encode()).hexdigest()[:8]}"
