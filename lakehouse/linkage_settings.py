"""Validate the `linkage:` section of the config (conf/linkage.yaml): model files, thresholds, training, backend."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from golden_record.lakehouse.settings_base import FileRef, Strict

BUNDLED_SETTINGS = "customer_settings.json"
"""The settings spec shipped in linkage_models/."""

BUNDLED_MODEL = "customer_model.json"
"""The trained model shipped in linkage_models/ (used when config.paths.models holds none)."""

TRAINED_MODEL_PREFIX = "customer_model"
"""Trained models under config.paths.models are named <prefix>-<UTC time>Z.json (sidecar: .meta.json)."""


IDENTIFIER_FIELDS = ("national_id", "customer_number", "loyalty_card")
"""Canonical customer fields that identify a person (or an account) and serve as matching evidence when filled."""



BlockingRule = list[str]
"""Columns (or SQL expressions) that must be equal for a pair to be compared: the arguments of splink's block_on."""


class ReviewBand(Strict):
    """Match probabilities a data steward reviews: low <= p < high."""

    low: float = Field(ge=0, le=1)
    high: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> "ReviewBand":
        if self.low >= self.high:
            raise ValueError(f"review_band.low ({self.low}) must be below review_band.high ({self.high})")
        return self


class ClusterGuard(Strict):
    """Pairs never merged into one cluster: both values present and the comparison at or below a level."""

    comparison: str = Field(description="output column name of a comparison in the settings spec, e.g. birth_date")
    max_conflict_level: str = Field(description="label_for_charts of the highest comparison level that counts as a conflict")


class IdentifierSettings(Strict):
    """How identifiers become matching keys: values that are not a person's own are ignored."""

    placeholder_patterns: list[str] = Field(
        default_factory=lambda: [r"^0+$", r"^(.)\1+$", r"^(UNKNOWN|UNBEKANNT|NONE|NULL|NA|TEST|X+)$", r"^0?1234567890?$"],
        description="regular expressions over the key (upper case, letters and digits only) of a placeholder value",
    )
    max_records_per_value: int = Field(default=5, ge=1, description="a key more records share than this is a shared or default value, not evidence")


class TrainingSettings(Strict):
    """Unsupervised training: lambda from deterministic rules, u by seeded sampling, m by EM over several blockings."""

    seed: int = 42
    deterministic_rules: list[BlockingRule | str] = Field(min_length=1, description="candidate rules with (almost) no false positives; those whose columns the data fills are used")
    deterministic_recall: float = Field(default=0.7, gt=0, le=1, description="share of true matches the deterministic rules find")
    u_max_pairs: float = Field(default=1e7, gt=0, description="random record pairs sampled to estimate u")
    em_blocking_rules: list[BlockingRule | str] = Field(
        min_length=1, description="candidate EM sessions, one per rule whose columns the data fills; a session that finds no pairs is skipped"
    )
    min_known_matches: int = Field(default=5, ge=0, description="an EM session whose block holds fewer near-certain matches (found by a deterministic rule) is skipped")
    min_filled_records: int = Field(default=2, ge=2, description="a column fewer records fill is treated as absent: its comparison and rules are left out")
    em_max_pairs: float | None = Field(default=1e6, gt=0, description="cap on the blocked pairs one EM session uses (None: all)")
    max_iterations: int = Field(default=25, gt=0)
    em_convergence: float = Field(default=1e-4, gt=0)


class SparkLinkageSettings(Strict):
    """How Splink uses Spark: lineage breaking and partitions of its intermediate tables."""

    break_lineage_method: Literal["parquet", "checkpoint"] = Field(
        default="parquet", description="how intermediate tables are materialised ('persist' is not offered: connected components never finish with it)"
    )
    num_partitions_on_repartition: int | None = Field(default=None, gt=0, description="None: half of spark.sql.shuffle.partitions")


class IncrementalSettings(Strict):
    """When a match scores only the records that changed, and when the model is trained again."""

    max_changed_share: float = Field(
        default=0.3, gt=0, le=1, description="a match with more new, changed or removed records than this share of silver rematches everything (cheaper then)"
    )
    rescore_margin: float = Field(
        default=0.25, ge=0, description="stored pairs within this many bits of match weight of the match threshold are scored again (their clusters rebuilt): term frequencies drift as silver grows; 0 = never"
    )
    retrain_growth: float | None = Field(
        default=1.0, gt=0, description="`run` trains a new model (and rematches fully) once silver holds this share more records than the model was trained on; None: only with --retrain"
    )


class LinkageSettings(Strict):
    """The `linkage:` section: which model, which thresholds, how to train, which engine runs Splink."""

    backend: Literal["spark", "duckdb"] = "spark"
    settings_file: str | None = Field(default=None, description="settings spec JSON; None: the bundled linkage_models/customer_settings.json")
    model: str | None = Field(default=None, description="trained model JSON to match with; None: the newest trained under paths.models")
    prior_model: str | None = Field(default=None, description="model whose m/u fill levels the data never shows; None: the bundled one")
    pair_floor: float = Field(default=0.1, ge=0, le=1, description="pairs below this match probability are not kept")
    match_threshold: Annotated[float, Field(gt=0, le=1)] | Literal["auto"] = Field(
        default="auto", description="pairs at or above it link their records into one candidate cluster; auto: chosen from the trained model's scores"
    )
    cluster_threshold: Annotated[float, Field(gt=0, le=1)] | Literal["auto"] = Field(
        default="auto",
        description="inside a candidate cluster, two groups merge while the mean match probability over all their record pairs is at least this; auto: half the match threshold",
    )
    review_band: ReviewBand = Field(default_factory=lambda: ReviewBand(low=0.1, high=1.0))
    cluster_guards: list[ClusterGuard] = Field(
        default_factory=lambda: [
            ClusterGuard(comparison="birth_date", max_conflict_level="Abs date difference <= 1 year"),
            ClusterGuard(comparison="national_id", max_conflict_level="All other comparisons"),
        ],
        description="pairs never merged: birth dates more than a year apart, different national ids (guards on comparisons the model lacks are dropped)",
    )
    identifiers: IdentifierSettings = Field(default_factory=IdentifierSettings)
    training: TrainingSettings
    spark: SparkLinkageSettings = Field(default_factory=SparkLinkageSettings)
    incremental: IncrementalSettings = Field(default_factory=IncrementalSettings)
    waterfall_samples: int = Field(default=10, ge=0, description="merged pairs shown in the evaluation report's waterfall chart")

    @model_validator(mode="after")
    def _thresholds(self) -> "LinkageSettings":
        if self.pair_floor > self.review_band.low:
            raise ValueError(f"pair_floor ({self.pair_floor}) must not exceed review_band.low ({self.review_band.low}): reviewed pairs must be kept")
        return self


    def settings_path(self) -> FileRef:
        """The settings spec file to use."""
        return Path(self.settings_file) if self.settings_file else bundled_file(BUNDLED_SETTINGS)

    def model_path(self, models_dir: str) -> Path | None:
        """The model to match with: the configured one, else the newest trained in `models_dir`, else None (train first)."""
        if self.model:
            return Path(self.model)
        trained = sorted(Path(models_dir).glob(f"{TRAINED_MODEL_PREFIX}-*.json"))
        trained = [path for path in trained if not path.name.endswith(".meta.json")]
        return trained[-1] if trained else None

    def prior_model_path(self) -> FileRef:
        """The model whose values fill the levels training data never shows."""
        return Path(self.prior_model) if self.prior_model else bundled_file(BUNDLED_MODEL)


def bundled_file(name: str) -> FileRef:
    """A file shipped in the linkage_models package (readable also from a zipped wheel)."""
    return resources.files("golden_record.linkage_models") / name
