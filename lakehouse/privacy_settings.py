"""Validate the `privacy:` section of the config (conf/privacy.yaml): data classes, masking, suppression, retention, audience."""

from __future__ import annotations

from pydantic import Field, model_validator

from golden_record.lakehouse.settings_base import Strict

UNCLASSIFIED_CLASS = "personal"
"""The class of a column nobody classified: personal, until someone says otherwise."""


class MaskingSettings(Strict):
    """How a reader without full access sees the columns of the masked classes (`gold.<table>_masked`, Databricks column masks)."""

    rules: dict[str, str] = Field(description="rule name -> Spark SQL expression over {column}; it keeps the column's type")
    columns: dict[str, str] = Field(default_factory=dict, description="column -> rule name; a masked-class column without a rule is null")
    full_access_group: str = Field(default="golden_record_stewards", description="Databricks account group that sees unmasked values")

    @model_validator(mode="after")
    def _known_rules(self) -> "MaskingSettings":
        unknown = {column: rule for column, rule in self.columns.items() if rule not in self.rules}
        if unknown:
            raise ValueError(f"masking.columns {unknown} name rules not in masking.rules {sorted(self.rules)}")
        for name, expression in self.rules.items():
            if "{column}" not in expression:
                raise ValueError(f"masking rule '{name}' must use {{column}}: {expression!r}")
        return self


class SuppressionSettings(Strict):
    """The suppression list of erased persons: salted SHA-256 of their identifying values, checked at every ingest."""

    salt_env: str = Field(default="GOLDEN_RECORD_SUPPRESSION_SALT", description="environment variable with the salt; unset: a random salt kept in {root}/privacy/salt")


class RetentionSettings(Strict):
    """What `golden-record retention` removes (null = keep for ever)."""

    interaction_years: int | None = Field(default=None, gt=0, description="interactions that occurred longer ago are removed")
    inactive_customer_years: int | None = Field(default=None, gt=0, description="golden customers without contact or record update for this long are erased")
    keep_open_statuses: list[str] = Field(default_factory=lambda: ["open"], description="a customer with an interaction in one of these statuses (an open contract, invoice, complaint) is kept")


class PrivacySettings(Strict):
    """The `privacy:` section (conf/privacy.yaml)."""

    classes: dict[str, str] = Field(min_length=1, description="data class -> what it means")
    masked_classes: list[str] = Field(description="classes a reader without full access sees masked")
    columns: dict[str, str] = Field(description="column name -> class, for every column a pipeline table holds (bronze source columns: see sources)")
    masking: MaskingSettings
    suppression: SuppressionSettings = Field(default_factory=SuppressionSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    @model_validator(mode="after")
    def _known_classes(self) -> "PrivacySettings":
        if UNCLASSIFIED_CLASS not in self.classes or "neutral" not in self.classes:
            raise ValueError(f"classes must include '{UNCLASSIFIED_CLASS}' (the class of unclassified columns) and 'neutral'")
        unknown = sorted({c for c in [*self.masked_classes, *self.columns.values()] if c not in self.classes})
        if unknown:
            raise ValueError(f"unknown data class(es) {unknown}; defined: {sorted(self.classes)}")
        return self

    def class_of(self, column: str) -> str | None:
        """The configured class of a pipeline column, or None when nobody classified it."""
        return self.columns.get(column)
