"""Job: what personal data each lakehouse table holds (privacy report), masked forms, Databricks column masks."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from golden_record.lakehouse.config import PipelineConfig, SourceConfig
from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import MASKED_FORMS, READER_TABLES
from golden_record.transforms.privacy.classification import ColumnClass, classify_columns
from golden_record.transforms.privacy.masking import column_mask_statements, masked

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TableClasses:
    """The classified columns of one table."""

    table: str
    columns: list[ColumnClass]

    def of_class(self, data_class: str) -> list[str]:
        """The table's columns of one class."""
        return [c.column for c in self.columns if c.data_class == data_class]

    @property
    def unclassified(self) -> list[str]:
        """Columns nobody classified (they count as personal)."""
        return [c.column for c in self.columns if c.unclassified]


def _source_of(config: PipelineConfig, table: str) -> SourceConfig | None:
    """The source a `bronze.<source>` table belongs to, else None."""
    layer, name = table.split(".", 1)
    return next((s for s in config.sources if s.name == name), None) if layer == "bronze" else None


def table_classes(config: PipelineConfig, store: TableStore, table: str) -> TableClasses:
    """The class of every column of an existing table (its schema from the store, its classes from the config)."""
    columns = store.read(table).columns
    return TableClasses(table, classify_columns(columns, config.privacy, _source_of(config, table)))


def report(config: PipelineConfig, store: TableStore) -> list[TableClasses]:
    """Every table of the lakehouse with its classified columns."""
    return [table_classes(config, store, table) for table in store.tables()]


def report_rows(tables: list[TableClasses], classes: list[str]) -> list[dict[str, str | int]]:
    """One printable row per table and class: how many and which columns."""
    rows: list[dict[str, str | int]] = []
    for table in tables:
        unclassified = set(table.unclassified)
        for data_class in classes:
            columns = table.of_class(data_class)
            if columns:
                listed = ", ".join(f"{c} (unclassified)" if c in unclassified else c for c in columns)
                rows.append({"table": table.table, "class": data_class, "count": len(columns), "columns": listed})
    return rows


def write_masked_forms(config: PipelineConfig, store: TableStore) -> list[str]:
    """Write `gold.<table>_masked` for every reader table with masked-class columns; return the tables written."""
    written: list[str] = []
    for table in READER_TABLES:
        if not store.exists(table.name):
            continue
        classes = table_classes(config, store, table.name)
        if not any(c.data_class in config.privacy.masked_classes for c in classes.columns):
            continue
        if table.name not in MASKED_FORMS:
            raise PipelineError(f"{table.name} holds {', '.join(sorted({c.data_class for c in classes.columns}))} data but has no masked form in lakehouse/tables.py MASKED_FORMS")
        target = MASKED_FORMS[table.name].name
        store.overwrite(target, masked(store.read(table.name), classes.columns, config.privacy))
        written.append(target)
    log.info("masked forms written: %s", ", ".join(written) or "none")
    return written


def column_masks(config: PipelineConfig, store: TableStore, layers: tuple[str, ...] = ("gold",)) -> list[str]:
    """Databricks SQL that sets Unity Catalog column masks on every table of the layers, from the same rules."""
    storage = config.storage
    if not storage.catalog:
        raise PipelineError("privacy-sql writes Unity Catalog column masks: set storage.catalog (e.g. the databricks environment)")
    function_schema = f"{storage.catalog}.{storage.schema_prefix}privacy"
    statements = [f"CREATE SCHEMA IF NOT EXISTS {function_schema};"]
    for table in store.tables():
        if table.split(".")[0] not in layers or table in {t.name for t in MASKED_FORMS.values()}:
            continue
        df = store.read(table)
        layer, name = table.split(".", 1)
        types = {field.name: field.dataType.simpleString() for field in df.schema.fields}
        columns = classify_columns(df.columns, config.privacy, _source_of(config, table))
        statements += column_mask_statements(f"{storage.catalog}.{storage.schema_prefix}{layer}.{name}", columns, types, config.privacy, function_schema)
    return list(dict.fromkeys(statements))
