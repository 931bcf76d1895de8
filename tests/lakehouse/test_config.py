"""Config loading: bundled environments validate; mistakes give an error naming the source and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from golden_record.lakehouse.config import ConfigError, bundled_config_path, load_config


def _source(**changes) -> dict:
    source = {
        "name": "shop",
        "system": "webshop",
        "format": "csv",
        "location": "{samples}/shop.csv",
        "customers": {"record_id": "id", "fields": {"first_name": "vorname", "email": "mail"}},
    }
    source.update(changes)
    return source


def _load_with_sources(tmp_path: Path, sources: list[dict]):
    """Load a config that extends the bundled base but has exactly these sources."""
    path = tmp_path / "unit.yaml"
    path.write_text(yaml.safe_dump({"extends": str(bundled_config_path("base")), "environment": "unit", "sources": sources}), encoding="utf-8")
    return load_config(path, base_dir=tmp_path)


@pytest.mark.parametrize("environment", ["local", "test"])
def test_bundled_environments_validate(environment: str) -> None:
    config = load_config(environment=environment)
    assert config.environment == environment
    assert config.sources, "the bundled config onboards the sample sources"
    assert {"order", "complaint", "newsletter_optout"} <= set(config.taxonomy)


def test_relative_paths_resolve_against_the_working_directory(tmp_path: Path) -> None:
    config = load_config(environment="test", overrides={"paths": {"root": "run-a"}}, base_dir=tmp_path)
    assert config.paths.root == str(tmp_path / "run-a")
    assert config.paths.lakehouse == str(tmp_path / "run-a" / "lakehouse")
    assert config.source(config.sources[0].name).resolved_location(config.paths) is not None


def test_valid_source_loads(tmp_path: Path) -> None:
    config = _load_with_sources(tmp_path, [_source()])
    shop = config.source("shop")
    assert shop.kinds == ("customers",)
    assert shop.resolved_location(config.paths) == str(tmp_path / "golden-record-data" / "samples" / "shop.csv")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"format": "xls"}, ["source 'shop'", "field 'format'", "csv"]),
        ({"customers": {"record_id": "id", "fields": {"surname": "nachname"}}}, ["source 'shop'", "field 'customers.fields'", "surname"]),
        ({"customers": None}, ["source 'shop'", "needs a 'customers' or an 'interactions' mapping"]),
        ({"default_region": "Switzerland"}, ["source 'shop'", "field 'default_region'"]),
        ({"format": "jdbc"}, ["source 'shop'", "jdbc"]),
        ({"name": "Shop Data"}, ["field 'name'"]),
        ({"colour": "blue"}, ["source 'shop'", "field 'colour'", "Extra inputs"]),
        ({"csv": {"encoding": "klingon-8"}}, ["source 'shop'", "field 'csv.encoding'", "klingon-8"]),
    ],
)
def test_invalid_source_names_source_and_field(tmp_path: Path, change: dict, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as error:
        _load_with_sources(tmp_path, [_source(**change)])
    for text in expected:
        assert text in str(error.value)


def test_interaction_labels_must_be_in_the_taxonomy(tmp_path: Path) -> None:
    tickets = _source(
        name="tickets",
        customers=None,
        interactions={
            "customer_source": "shop",
            "fields": {"event_id": "id", "customer_record_id": "kunde", "occurred_at": "am", "event_label": "art"},
            "labels": {"Beschwerde": "complaint", "Lob": "praise"},
        },
    )
    with pytest.raises(ConfigError, match=r"source 'tickets'.*Lob.*praise.*not in the taxonomy"):
        _load_with_sources(tmp_path, [_source(), tickets])


def test_interactions_must_refer_to_a_customer_source(tmp_path: Path) -> None:
    orders = _source(
        name="orders",
        customers=None,
        interactions={
            "customer_source": "nowhere",
            "fields": {"event_id": "id", "customer_record_id": "kunde", "occurred_at": "am"},
            "event_label": "Bestellung",
            "labels": {"Bestellung": "order"},
        },
    )
    with pytest.raises(ConfigError, match="source 'orders'.*'nowhere' is not a source with a customers mapping"):
        _load_with_sources(tmp_path, [_source(), orders])


def test_duplicate_and_reserved_source_names(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="repeated: \\['shop'\\]"):
        _load_with_sources(tmp_path, [_source(), _source()])
    with pytest.raises(ConfigError, match="reserved"):
        _load_with_sources(tmp_path, [_source(name="quarantine")])


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("environment: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"sources": [_source(format="xls")]}, "source 'shop', field 'format'"),
        ({"linkage": {"match_threshold": "high"}}, "section 'linkage', field 'match_threshold'"),
        ({"linkage": {"training": {"em_blocking_rulez": []}}}, "section 'linkage', field 'training.em_blocking_rulez'"),
        ({"gold": {"survivorship": {"name": {"rulez": ["source_trust"]}}}}, "section 'gold', field 'survivorship.name.rulez'"),
        ({"gold": {"customer_360": {"reporting_currency": "euro"}}}, "section 'gold', field 'customer_360.reporting_currency'"),
        ({"standardisation": {"postcodes": {"Germany": {"pattern": "^[0-9]{5}$"}}}}, "section 'standardisation', field 'postcodes'"),
        ({"standardisation": {"titlez": ["Dr."]}}, "section 'standardisation', field 'titlez'"),
        ({"quality": {"suite_dir": "x"}}, "section 'quality', field 'suite_dir'"),
        ({"storage": {"backend": "parquet"}}, "section 'storage', field 'backend'"),
        ({"silver": {"anything": 1}}, "field 'silver'"),
    ],
)
def test_a_mistake_in_any_section_stops_at_load_naming_file_section_and_field(tmp_path: Path, override: dict, field: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"extends": str(bundled_config_path("local")), **override}), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{path}: {field}" in str(error.value)


def test_a_mistake_in_an_included_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"standardisation": {"particles": "von"}}), encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"extends": str(bundled_config_path("local")), "include": ["rules.yaml"]}), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{tmp_path / 'rules.yaml'}: section 'standardisation', field 'particles'" in str(error.value)
    assert f"loaded from {path}" in str(error.value)


def test_a_config_file_replaces_any_bundled_section(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    replaced = {"titles": ["Sir"], "particles": ["af"], "transliterations": {"ä": "a"}}  # lists replace, mappings merge key by key
    path.write_text(yaml.safe_dump({"extends": str(bundled_config_path("local")), "standardisation": replaced, "quality": {"suites_dir": str(tmp_path)}}), encoding="utf-8")
    config = load_config(path)
    assert (config.standardisation.titles, config.standardisation.particles) == (["Sir"], ["af"])
    assert config.standardisation.transliterations["ä"] == "a" and config.standardisation.transliterations["ß"] == "ss"
    assert config.standardisation.countries, "keys the file does not name keep the bundled reference data"
    assert config.quality.suites_dir == str(tmp_path)


def test_defaults_in_code_and_in_the_bundled_files_agree() -> None:
    """A value the bundled conf/ files set to what the code would default to anyway is one default said twice, fine;
    a different value means two defaults: the code's default must then be what conf/ says."""
    from pydantic import BaseModel

    config = load_config(bundled_config_path("base"), overrides={"environment": "base"})  # environments override on purpose
    conflicts = []

    def walk(model: BaseModel, where: str) -> None:
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(value, BaseModel):
                walk(value, f"{where}.{name}")
            elif not field.is_required() and name in model.model_fields_set and field.get_default(call_default_factory=True) != value:
                conflicts.append(f"{where}.{name}: code {field.get_default(call_default_factory=True)!r}, conf {value!r}")

    for section in ("linkage", "gold", "quality", "storage"):
        walk(getattr(config, section), section)
    assert conflicts == []


def test_merged_validates_the_overrides() -> None:
    config = load_config(environment="test")
    assert config.merged({"linkage": {"backend": "duckdb"}}).linkage.backend == "duckdb"
    with pytest.raises(ConfigError, match="section 'linkage', field 'backend'"):
        config.merged({"linkage": {"backend": "postgres"}})
