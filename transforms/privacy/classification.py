"""The data class of every column of a pipeline table, from the config alone: canonical defaults, mappings, source entries."""

from __future__ import annotations

from dataclasses import dataclass

from golden_record.lakehouse.config import SourceConfig
from golden_record.lakehouse.privacy_settings import UNCLASSIFIED_CLASS, PrivacySettings


@dataclass(frozen=True)
class ColumnClass:
    """One column's data class and where it came from: `config`, `source`, `mapped to <field>` or `unclassified`."""

    column: str
    data_class: str
    basis: str

    @property
    def unclassified(self) -> bool:
        """True when nobody classified the column (it counts as personal)."""
        return self.basis == "unclassified"


def most_protective(classes: list[str], privacy: PrivacySettings) -> str:
    """The first of the classes in the config's order (from most to least protective)."""
    order = list(privacy.classes)
    return min(classes, key=order.index)


def source_column_classes(source: SourceConfig, privacy: PrivacySettings) -> dict[str, ColumnClass]:
    """Raw column -> class for the columns a source's mappings or its own `privacy:` entry classify."""
    mapped: dict[str, list[tuple[str, str]]] = {}
    mappings: list[dict[str, str]] = []
    if source.customers:
        mappings.append({"source_record_id": source.customers.record_id, **source.customers.fields})
    if source.interactions:
        mappings.append(source.interactions.fields)
    for fields in mappings:
        for field, reference in fields.items():
            data_class = privacy.class_of(field) or UNCLASSIFIED_CLASS
            mapped.setdefault(source.column_ref(reference).column, []).append((field, data_class))
    classes = {
        column: ColumnClass(column, most_protective([c for _, c in pairs], privacy), "mapped to " + ", ".join(sorted({f for f, _ in pairs})))
        for column, pairs in mapped.items()
    }
    if source.customers and source.customers.deleted:  # a deletion time or flag says nothing about the person
        deletion = source.column_ref(source.customers.deleted).column
        classes.setdefault(deletion, ColumnClass(deletion, "neutral", "deletion mark"))
    classes.update({column: ColumnClass(column, data_class, "source") for column, data_class in source.privacy.items()})
    return classes


def classify_columns(columns: list[str], privacy: PrivacySettings, source: SourceConfig | None = None) -> list[ColumnClass]:
    """The class of each column of a table; `source` for a bronze source table (its raw columns)."""
    by_source = source_column_classes(source, privacy) if source else {}
    classified = []
    for column in columns:
        if column in by_source:
            classified.append(by_source[column])
        elif privacy.class_of(column):
            classified.append(ColumnClass(column, privacy.columns[column], "config"))
        else:
            classified.append(ColumnClass(column, UNCLASSIFIED_CLASS, "unclassified"))
    return classified
