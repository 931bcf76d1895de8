"""Column classes from the config: canonical defaults, what a source column is mapped to, a source's own entries, unclassified."""

from __future__ import annotations

from golden_record.lakehouse.config import PipelineConfig, SourceConfig
from golden_record.transforms.privacy.classification import ColumnClass, classify_columns, most_protective, source_column_classes


def _source(**extra) -> SourceConfig:
    return SourceConfig(
        name="shop",
        system="webshop",
        format="jsonl",
        location="/data/shop",
        customers={"record_id": "id", "fields": {"email": "contact.mail", "street": "address.line1", "postcode": "address.zip", "national_id": "address.ssn"}},
        **extra,
    )


def test_the_config_order_decides_between_classes(config: PipelineConfig):
    assert most_protective(["neutral", "personal", "identifying"], config.privacy) == "identifying"
    assert most_protective(["personal", "sensitive"], config.privacy) == "sensitive"


def test_a_source_column_takes_the_most_protective_class_of_the_fields_mapped_from_it(config: PipelineConfig):
    classes = source_column_classes(_source(), config.privacy)
    assert classes["contact"] == ColumnClass("contact", "identifying", "mapped to email")
    assert classes["address"] == ColumnClass("address", "identifying", "mapped to national_id, postcode, street")
    assert classes["id"] == ColumnClass("id", "pseudonymous", "mapped to source_record_id")


def test_a_source_entry_classifies_its_other_columns_and_the_rest_counts_as_personal(config: PipelineConfig):
    source = _source(privacy={"diagnosis": "sensitive", "shop_id": "neutral"})
    got = classify_columns(["id", "diagnosis", "shop_id", "_batch_id", "hobby"], config.privacy, source)
    assert [(c.column, c.data_class, c.basis) for c in got] == [
        ("id", "pseudonymous", "mapped to source_record_id"),
        ("diagnosis", "sensitive", "source"),
        ("shop_id", "neutral", "source"),
        ("_batch_id", "neutral", "config"),
        ("hobby", "personal", "unclassified"),
    ]
    assert [c.unclassified for c in got] == [False, False, False, False, True]


def test_pipeline_tables_are_classified_by_column_name(config: PipelineConfig):
    got = {c.column: c.data_class for c in classify_columns(["golden_id", "email", "birth_date", "revenue"], config.privacy)}
    assert got == {"golden_id": "pseudonymous", "email": "identifying", "birth_date": "personal", "revenue": "neutral"}
