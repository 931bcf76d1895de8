"""Config loading: bundled environments validate; mistakes give an error naming the source and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lakehouse.config import ConfigError, bundled_config_path, load_config


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
    ("section", "override", "message"),
    [
        ("gold", {"survivorship": {"name": {"rulez": ["source_trust"]}}}, "gold.survivorship.name.rulez"),
        ("gold", {"customer_360": {"reporting_currency": "euro"}}, "gold.customer_360.reporting_currency"),
        ("linkage", {"match_threshold": "high"}, "linkage.match_threshold"),
        ("linkage", {"training": {"em_blocking_rulez": []}}, "linkage.training.em_blocking_rulez"),
    ],
)
def test_a_typo_in_a_stage_section_stops_at_load_naming_the_field(section: str, override: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as error:
        load_config(environment="test", overrides={section: override})
    assert "test.yaml" in str(error.value)
