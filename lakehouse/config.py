"""Load and validate the pipeline configuration (`conf/<environment>.yaml` plus its sources file)."""

from __future__ import annotations

import codecs
import os
import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from golden_record.lakehouse.app_settings import AppSettings
from golden_record.lakehouse.gold_settings import GoldSettings
from golden_record.lakehouse.linkage_settings import LinkageSettings
from golden_record.lakehouse.privacy_settings import PrivacySettings
from golden_record.lakehouse.settings_base import ConfigError, FileRef, Strict
from golden_record.lakehouse.standardisation_settings import StandardisationRules
from golden_record.lakehouse.tables import CUSTOMER_FIELDS, INTERACTION_FIELDS, RESERVED_SOURCE_NAMES

CONF_ENV_VAR = "GOLDEN_RECORD_CONF"
"""Environment variable naming a config file (used when --conf-file is not given)."""


class SparkSettings(Strict):
    """How to get a SparkSession in this environment."""

    mode: Literal["local", "cluster", "databricks"] = "local"
    master: str | None = None
    app_name: str = "golden-record"
    conf: dict[str, str] = Field(default_factory=dict)
    extra_jars: list[str] = Field(default_factory=list)
    log_level: str = "WARN"

    @field_validator("conf", mode="before")
    @classmethod
    def _stringify(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in value.items()}
        return value


class StorageSettings(Strict):
    """Which Delta backend writes the tables and where table names resolve."""

    backend: Literal["auto", "delta-spark", "delta-rs"] = "auto"
    catalog: str | None = None
    schema_prefix: str = ""


class PathSettings(Strict):
    """Where data lives; relative paths resolve against the working directory of the run."""

    root: str = "golden-record-data"
    samples: str = "{root}/samples"
    lakehouse: str = "{root}/lakehouse"
    checkpoints: str = "{root}/checkpoints"
    reports: str = "{root}/reports"
    models: str = "{root}/models"

    def resolved(self, base: Path | None = None) -> "PathSettings":
        """Return absolute paths with `{root}` substituted (URIs such as s3:// or dbfs:/ kept as they are)."""
        base = base or Path.cwd()
        root = _absolute(self.root, base)
        values = {name: _absolute(getattr(self, name).format(root=root), base) for name in ("samples", "lakehouse", "checkpoints", "reports", "models")}
        return PathSettings(root=root, **values)


def local_folder(path: str) -> Path | None:
    """The local folder of a configured path (`dbfs:/…` as its `/dbfs/…` mount), or None for an object-store URI."""
    if path.startswith("dbfs:"):
        return Path("/dbfs" + path.removeprefix("dbfs:"))
    return None if "://" in path else Path(path)


def _absolute(path: str, base: Path) -> str:
    if "://" in path or path.startswith("dbfs:"):
        return path
    return str((base / path).resolve()) if not os.path.isabs(path) else path


class IngestSettings(Strict):
    """How bronze ingestion runs."""

    parallel_sources: int = Field(default=4, ge=1, description="sources ingested side by side on one SparkSession; 1 = one after the other")


class RunSettings(Strict):
    """How writing commands share a lakehouse (lakehouse/run_lock.py)."""

    lock_wait_seconds: float = Field(default=0, ge=0, description="how long a writing command waits for another run on the same lakehouse before it stops; 0 = stop at once")


class QualitySettings(Strict):
    """Where the Great Expectations suites come from and which engine computes them."""

    suites_dir: str | None = Field(default=None, description="folder of suite JSON files; default: the bundled expectations/")
    engine: Literal["auto", "spark", "pandas"] = Field(
        default="auto",
        description="GX execution engine of a gate: auto = pandas up to pandas_max_rows rows (the suite's columns collected to the driver), Spark above",
    )
    pandas_max_rows: int = Field(default=500_000, ge=0, description="largest table auto validates on pandas")


class JdbcLocation(Strict):
    """A table or query in a database reached over JDBC."""

    url: str
    table: str | None = None
    query: str | None = None
    driver: str = "org.postgresql.Driver"
    user: str | None = None
    password: str | None = Field(default=None, description="only for throw-away sample databases; use password_env otherwise")
    password_env: str | None = Field(default=None, description="environment variable holding the password")
    fetchsize: int = 10_000

    @model_validator(mode="after")
    def _table_or_query(self) -> "JdbcLocation":
        if bool(self.table) == bool(self.query):
            raise ValueError("give exactly one of 'table' or 'query'")
        return self


class CsvOptions(Strict):
    """How a text file (csv, json lines) is written by its source system."""

    delimiter: str = ","
    encoding: str = "UTF-8"
    header: bool = True
    quote: str = '"'
    escape: str = '"'
    multiline: bool = Field(
        default=True,
        description="RFC 4180: a quoted field may hold line breaks; each file is then parsed by one task (false: lines split, large files parse in parallel)",
    )

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding '{value}' (e.g. UTF-8, latin-1, windows-1252)") from None
        return value

    @property
    def java_charset(self) -> str:
        """The encoding under the name Spark's (Java) readers know, e.g. latin-1 -> ISO-8859-1."""
        name = codecs.lookup(self.encoding).name  # Python's canonical name: utf-8, iso8859-1, cp1252 ...
        if name.startswith("iso8859-"):
            return "ISO-8859-" + name.removeprefix("iso8859-")
        if name.startswith("cp125"):
            return "windows-" + name.removeprefix("cp")
        return name.upper()


class ColumnRef(NamedTuple):
    """A mapped source column: the top-level column and the keys/indexes into its nested value (empty when flat)."""

    column: str
    path: tuple[str | int, ...] = ()

    def json_path(self) -> str:
        """The path as a JSON path for `get_json_object`, e.g. ('line1',) -> "$['line1']", (0, 'sku') -> "$[0]['sku']"."""
        return "$" + "".join(f"[{key}]" if isinstance(key, int) else f"['{key}']" for key in self.path)


_PATH_SEGMENT = re.compile(r"(?:`(?P<quoted>[^`]+)`|(?P<plain>[^.`\[\]]+))(?P<indexes>(?:\[\d+\])*)(?:\.|$)")


def parse_column_ref(reference: str, nested: bool) -> ColumnRef:
    """Parse a mapping's source column: `a.b[0].c` is key path b, 0, c inside column a; `` `a.b` `` is one name.

    In flat formats (`nested=False`, CSV) the whole reference is one column name (a literal dot stays a dot,
    surrounding backticks are dropped); in nested formats a dot separates keys, `[N]` indexes an array and
    backticks quote a name that itself holds dots or brackets.
    """
    if not nested:
        return ColumnRef(reference[1:-1] if len(reference) > 2 and reference[0] == reference[-1] == "`" else reference)
    parts: list[str | int] = []
    position = 0
    while position < len(reference):
        match = _PATH_SEGMENT.match(reference, position)
        if match is None or (match.end() == len(reference) and reference.endswith(".")):
            raise ValueError(f"invalid column path {reference!r}: expected names separated by '.', optional [N] indexes, `quoted` names")
        name = match.group("quoted") or match.group("plain")
        if "']" in name:
            raise ValueError(f"invalid column path {reference!r}: a name may not contain \"']\"")
        parts.extend([name, *(int(i) for i in re.findall(r"\d+", match.group("indexes")))])
        position = match.end()
    if not parts:
        raise ValueError("empty column reference")
    return ColumnRef(str(parts[0]), tuple(parts[1:]))


class CustomerMapping(Strict):
    """Source column per canonical customer field."""

    record_id: str
    fields: dict[str, str]
    deleted: str | None = Field(
        default=None,
        description="column that marks a record deleted at the source (a deletion time or a yes/true flag): the newest version "
        "of a record with a value there other than no/false/0 leaves silver, and its golden customer loses the record",
    )

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(CUSTOMER_FIELDS))
        if unknown:
            raise ValueError(f"unknown canonical customer field(s) {unknown}; allowed: {list(CUSTOMER_FIELDS)}")
        return value


class InteractionMapping(Strict):
    """Source columns and labels that become events of the interaction taxonomy."""

    customer_source: str | None = Field(default=None, description="source whose record the customer key refers to; default: this source")
    fields: dict[str, str]
    event_label: str | None = Field(default=None, description="constant source label when the source has no label column")
    channel: str | None = Field(default=None, description="constant channel when the source has no channel column")
    channels: dict[str, str] = Field(
        default_factory=dict, description="source channel value -> channel name (case-insensitive), for a mapped channel column; other values are kept in lower case"
    )
    labels: dict[str, str] = Field(default_factory=dict, description="source label -> taxonomy event type")
    link_by: str | None = Field(
        default=None,
        description="column that ties anonymous events to a customer (e.g. a web cookie id): an event without customer key takes the key of "
        "the next event with the same value that has one (a later login), else of the last one before",
    )

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(INTERACTION_FIELDS))
        if unknown:
            raise ValueError(f"unknown canonical interaction field(s) {unknown}; allowed: {list(INTERACTION_FIELDS)}")
        for required in ("event_id", "customer_record_id", "occurred_at"):
            if required not in value:
                raise ValueError(f"'{required}' must be mapped")
        return value

    @model_validator(mode="after")
    def _label_source(self) -> "InteractionMapping":
        if ("event_label" in self.fields) == (self.event_label is not None):
            raise ValueError("map exactly one of fields.event_label (a column) or event_label (a constant)")
        if self.channels and "channel" not in self.fields:
            raise ValueError("'channels' maps the values of a channel column: map fields.channel too")
        if "channel" in self.fields and self.channel is not None:
            raise ValueError("map at most one of fields.channel (a column) or channel (a constant)")
        return self


class SourceConfig(Strict):
    """One silo: where it is, how it is written, and how its columns map onto the canonical model."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    system: str = Field(description="the business system, e.g. crm, webshop, erp")
    description: str = ""
    format: Literal["csv", "jsonl", "parquet", "jdbc"]
    location: str | JdbcLocation
    csv: CsvOptions = Field(default_factory=CsvOptions)
    date_formats: list[str] = Field(default_factory=lambda: ["yyyy-MM-dd"])
    timestamp_formats: list[str] = Field(default_factory=lambda: ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss"])
    decimal_separator: Literal[".", ","] = "."
    default_region: str = Field(default="DE", pattern=r"^[A-Z]{2}$", description="ISO country for phones and addresses without one")
    customers: CustomerMapping | None = None
    interactions: InteractionMapping | None = None
    privacy: dict[str, str] = Field(default_factory=dict, description="data class of a source column the mappings do not map (raw name -> class)")

    @model_validator(mode="after")
    def _shape(self) -> "SourceConfig":
        if self.customers is None and self.interactions is None:
            raise ValueError("a source needs a 'customers' or an 'interactions' mapping (or both)")
        if (self.format == "jdbc") != isinstance(self.location, JdbcLocation):
            raise ValueError("format 'jdbc' needs a location with url and table/query; file formats need a path")
        return self

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of data this source delivers: customers, interactions or both."""
        return tuple(k for k in ("customers", "interactions") if getattr(self, k) is not None)

    @model_validator(mode="after")
    def _column_paths(self) -> "SourceConfig":
        for reference in self.mapped_references():
            self.column_ref(reference)
        return self

    def mapped_references(self) -> set[str]:
        """Every source column reference the mappings hold, as written (dotted paths included)."""
        references: set[str] = set()
        if self.customers:
            references |= {self.customers.record_id, *self.customers.fields.values()}
            if self.customers.deleted:
                references.add(self.customers.deleted)
        if self.interactions:
            references |= set(self.interactions.fields.values())
            if self.interactions.link_by:
                references.add(self.interactions.link_by)
        return references

    def column_ref(self, reference: str) -> ColumnRef:
        """A mapping reference parsed for this source's format (dots are nesting except in CSV, see `parse_column_ref`)."""
        return parse_column_ref(reference, nested=self.format != "csv")

    def mapped_columns(self) -> set[str]:
        """The top-level source columns the mappings refer to (they must exist; a missing nested key is just null)."""
        return {self.column_ref(reference).column for reference in self.mapped_references()}

    def resolved_location(self, paths: PathSettings) -> str | JdbcLocation:
        """The location with `{samples}`, `{root}` … placeholders filled in."""
        if isinstance(self.location, JdbcLocation):
            return self.location
        return self.location.format(**paths.model_dump())


class PipelineConfig(Strict):
    """Everything a run needs, validated once when loaded: environment, Spark, storage, paths, sources and every stage's settings."""

    environment: str
    spark: SparkSettings = Field(default_factory=SparkSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    paths: PathSettings = Field(default_factory=PathSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    run: RunSettings = Field(default_factory=RunSettings)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    sources: list[SourceConfig] = Field(default_factory=list)
    taxonomy: dict[str, str] = Field(default_factory=dict, description="event type -> description")
    standardisation: StandardisationRules = Field(description="reference data of the silver standardisers (conf/standardisation.yaml)")
    linkage: LinkageSettings = Field(description="entity resolution (conf/linkage.yaml)")
    gold: GoldSettings = Field(description="golden records, ids, customer 360 (conf/gold.yaml)")
    privacy: PrivacySettings = Field(description="data classes, masking, suppression, retention (conf/privacy.yaml)")
    app: AppSettings = Field(default_factory=AppSettings, description="the web app: lookup, steward workbench, roles (conf/app.yaml)")

    @model_validator(mode="after")
    def _cross_checks(self) -> "PipelineConfig":
        names = [s.name for s in self.sources]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique, repeated: {duplicates}")
        reserved = sorted(set(names) & RESERVED_SOURCE_NAMES)
        if reserved:
            raise ValueError(f"source names {reserved} are reserved for pipeline tables {sorted(RESERVED_SOURCE_NAMES)}")
        for source in self.sources:
            unknown_classes = sorted(set(source.privacy.values()) - set(self.privacy.classes))
            if unknown_classes:
                raise ValueError(f"source '{source.name}': privacy classes {unknown_classes} are not defined; defined: {sorted(self.privacy.classes)}")
            mapping = source.interactions
            if mapping is None:
                continue
            target = mapping.customer_source or source.name
            target_cfg = next((s for s in self.sources if s.name == target), None)
            if target_cfg is None or target_cfg.customers is None:
                raise ValueError(f"source '{source.name}': interactions.customer_source '{target}' is not a source with a customers mapping")
            if not mapping.labels:
                raise ValueError(f"source '{source.name}': interactions.labels must map each source label to a taxonomy event type")
            unknown = {label: t for label, t in mapping.labels.items() if self.taxonomy and t not in self.taxonomy}
            if unknown:
                raise ValueError(f"source '{source.name}': interactions.labels {unknown} map to event types not in the taxonomy {sorted(self.taxonomy)}")
        touchpoints = sorted(set(self.gold.journeys.touchpoint_events) - set(self.taxonomy)) if self.taxonomy else []
        if touchpoints:
            raise ValueError(f"gold.journeys.touchpoint_events {touchpoints} are not event types of the taxonomy {sorted(self.taxonomy)}")
        research = sorted(set(self.gold.customer_360.research_events) - set(self.taxonomy)) if self.taxonomy else []
        if research:
            raise ValueError(f"gold.customer_360.research_events {research} are not event types of the taxonomy {sorted(self.taxonomy)}")
        return self

    def source(self, name: str) -> SourceConfig:
        """The source called `name`, or a ConfigError listing the known ones."""
        for source in self.sources:
            if source.name == name:
                return source
        raise ConfigError(f"unknown source '{name}'; configured: {[s.name for s in self.sources]}")

    def merged(self, overrides: dict[str, Any]) -> "PipelineConfig":
        """This config with `overrides` deep-merged over it (nested dicts merge, other values replace), validated again."""
        try:
            return PipelineConfig.model_validate(_deep_merge(self.model_dump(), overrides))
        except ValidationError as exc:
            raise ConfigError(_describe(exc, overrides, {}, "overrides")) from None


def _read_yaml(path: FileRef) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (FileNotFoundError, KeyError) as exc:  # KeyError: a name missing inside a zipped wheel
        raise ConfigError(f"config file not found: {path}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _deep_merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


Origins = dict[tuple[str, ...], str]
"""Which file set each key (by its path of dict keys) of a merged config, for error messages."""


def _record_origins(data: dict[str, Any], file: str, origins: Origins, prefix: tuple[str, ...] = ()) -> None:
    for key, value in data.items():
        origins[(*prefix, str(key))] = file
        if isinstance(value, dict):
            _record_origins(value, file, origins, (*prefix, str(key)))


def _expand(path: FileRef, origins: Origins) -> dict[str, Any]:
    """Read a config file, following `extends:` and `include:` (paths relative to the file); note where each key came from."""
    data = _read_yaml(path)
    parent = data.pop("extends", None)
    includes = data.pop("include", []) or []
    merged: dict[str, Any] = _expand(path.parent / parent, origins) if parent else {}
    for name in includes:
        included = _read_yaml(path.parent / name)
        _record_origins(included, str(path.parent / name), origins)
        merged = _deep_merge(merged, included)
    _record_origins(data, str(path), origins)
    return _deep_merge(merged, data)


def bundled_config_path(environment: str) -> FileRef:
    """The config shipped with the package for an environment (local, test, cluster, databricks); also inside a zipped wheel."""
    return resources.files("golden_record.conf") / f"{environment}.yaml"


def _is_type_tag(part: str) -> bool:
    """Whether a pydantic error location part names a union member's type (`literal['auto']`, `constrained-float`), not a key."""
    return "[" in part or part.startswith(("constrained-", "function-")) or part in {"str", "int", "float", "bool", "JdbcLocation"}


def _describe(error: ValidationError, data: dict[str, Any], origins: Origins, origin: FileRef) -> str:
    """One line per problem: the file that set the value, the source or section, the field and what is wrong."""
    lines = [f"invalid configuration (loaded from {origin}):"]
    messages: dict[str, list[str]] = {}
    for item in error.errors():
        loc = list(item["loc"])
        keys = tuple(str(part) for part in loc if isinstance(part, str))
        file = next((origins[keys[:n]] for n in range(len(keys), 0, -1) if keys[:n] in origins), str(origin))
        where = []
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
            sources = data.get("sources") or []
            name = sources[loc[1]].get("name", f"#{loc[1]}") if loc[1] < len(sources) and isinstance(sources[loc[1]], dict) else f"#{loc[1]}"
            where.append(f"source '{name}'")
            loc = loc[2:]
        elif loc and loc[0] in PipelineConfig.model_fields and len(loc) > 1:
            where.append(f"section '{loc[0]}'")
            loc = loc[1:]
        loc = [str(part) for part in loc if not _is_type_tag(str(part))]
        if loc:
            where.append(f"field '{'.'.join(loc)}'")
        line = f"  - {file}: {', '.join(where) or 'top level'}"
        messages.setdefault(line, []).append(item["msg"])
    return "\n".join([lines[0], *(f"{line}: {' or '.join(dict.fromkeys(found))}" for line, found in messages.items())])


def load_config(
    conf_file: str | os.PathLike[str] | Traversable | None = None,
    *,
    environment: str | None = None,
    overrides: dict[str, Any] | None = None,
    base_dir: Path | None = None,
) -> PipelineConfig:
    """Load a config file (or the bundled one for `environment`), apply overrides, validate, resolve paths."""
    if conf_file is None:
        conf_file = os.environ.get(CONF_ENV_VAR) or bundled_config_path(environment or "local")
    origin = conf_file if isinstance(conf_file, Traversable) else Path(conf_file)
    origins: Origins = {}
    data = _expand(origin, origins)
    if overrides:
        _record_origins(overrides, "command-line options", origins)
        data = _deep_merge(data, overrides)
    try:
        config = PipelineConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, data, origins, origin)) from None
    return config.model_copy(update={"paths": config.paths.resolved(base_dir)})
