"""Survivorship: each rule, grouped attributes, consent precedence, lineage, and the gold settings."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from chispa import assert_df_equality
from pydantic import ValidationError

from golden_record.lakehouse.gold_settings import GoldSettings
from golden_record.transforms.gold.survivorship import survive

GOLD_YAML = Path(__file__).parents[3] / "conf" / "gold.yaml"
SILVER_DDL = (
    "golden_id string, source_system string, source_record_id string, title string, first_name string, last_name string, "
    "birth_date date, email string, phone string, street string, house_number string, address_line2 string, postcode string, "
    "city string, region string, country string, customer_number string, loyalty_card string, national_id string, "
    "consent_email boolean, consent_updated_at timestamp, source_updated_at timestamp, "
    "quality_issues array<struct<field:string, rule:string, value:string, reason:string>>"
)


def gold_settings(survivorship: dict[str, Any] | None = None, source_trust: list[str] | None = None) -> GoldSettings:
    """The bundled gold settings, with the survivorship groups and trust ranking replaced when given."""
    raw = yaml.safe_load(GOLD_YAML.read_text(encoding="utf-8"))["gold"]
    if survivorship is not None:
        raw["survivorship"] = survivorship
    if source_trust is not None:
        raw["source_trust"] = source_trust
    return GoldSettings.model_validate(raw)


def records(spark, rows: list[dict[str, Any]]):
    """Silver customer rows of golden customer G1 (unless given), every other column null."""
    columns = spark.createDataFrame([], SILVER_DDL).columns
    full = [{"golden_id": "G1", "quality_issues": [], **row} for row in rows]
    return spark.createDataFrame([tuple(row.get(c) for c in columns) for row in full], SILVER_DDL)


def issue(field: str) -> dict[str, str]:
    """A recorded quality issue on `field`."""
    return {"field": field, "rule": f"{field}_invalid", "value": "x", "reason": "invalid"}


def winner(spark, rows: list[dict[str, Any]], rules: list[str], columns: list[str] | None = None) -> tuple[Any, ...]:
    """(values of the group, winning source record, deciding rule) for one group over `rows`."""
    columns = columns or ["email"]
    settings = gold_settings({"group": {"columns": columns, "rules": rules}}, source_trust=["crm", "erp", "shop"])
    row = survive(records(spark, rows), settings).first()
    source = row.lineage[columns[0]]
    return (*[row[c] for c in columns], source.source_record_id, source.rule)


def test_the_bundled_gold_settings_are_valid() -> None:
    settings = gold_settings()
    assert settings.survivorship["address"].columns[:5] == ["street", "house_number", "address_line2", "postcode", "city"]
    assert settings.customer_360.fx_rates["EUR"] == 1.0


@pytest.mark.parametrize(
    "change, message",
    [
        ({"survivorship": {"a": {"columns": ["email"], "rules": ["most_recent"]}, "b": {"columns": ["email"], "rules": ["most_recent"]}}}, "groups 'a' and 'b'"),
        ({"survivorship": {"a": {"columns": ["email"], "rules": ["newest"]}}}, "rules"),
        ({"survivorship": {"a": {"columns": ["consent_email"], "rules": ["most_recent"]}}}, "cannot survive"),
        ({"survivorship": {"consent": {"columns": ["email"], "rules": ["most_recent"]}}}, "not configurable"),
    ],
)
def test_invalid_survivorship_settings_are_rejected(change: dict[str, Any], message: str) -> None:
    raw = yaml.safe_load(GOLD_YAML.read_text(encoding="utf-8"))["gold"] | change
    with pytest.raises(ValidationError, match=message):
        GoldSettings.model_validate(raw)


def test_source_trust_prefers_the_more_trusted_source(spark) -> None:
    rows = [
        {"source_system": "shop", "source_record_id": "1", "email": "new@shop.de", "source_updated_at": datetime(2024, 5, 1)},
        {"source_system": "crm", "source_record_id": "2", "email": "old@crm.de", "source_updated_at": datetime(2020, 1, 1)},
    ]
    assert winner(spark, rows, ["source_trust", "most_recent"]) == ("old@crm.de", "2", "source_trust")
    assert winner(spark, rows, ["most_recent", "source_trust"]) == ("new@shop.de", "1", "most_recent")


def test_a_source_missing_from_the_trust_ranking_ranks_last(spark) -> None:
    rows = [
        {"source_system": "pos", "source_record_id": "1", "email": "a@pos.de"},
        {"source_system": "shop", "source_record_id": "2", "email": "b@shop.de"},
    ]
    assert winner(spark, rows, ["source_trust"]) == ("b@shop.de", "2", "source_trust")


def test_most_recent_puts_records_without_a_date_last(spark) -> None:
    rows = [
        {"source_system": "crm", "source_record_id": "1", "email": "undated@x.de"},
        {"source_system": "crm", "source_record_id": "2", "email": "old@x.de", "source_updated_at": datetime(2019, 1, 1)},
        {"source_system": "crm", "source_record_id": "3", "email": "new@x.de", "source_updated_at": datetime(2023, 1, 1)},
    ]
    assert winner(spark, rows, ["most_recent"]) == ("new@x.de", "3", "most_recent")


def test_most_complete_prefers_more_filled_columns_then_longer_values(spark) -> None:
    rows = [
        {"source_system": "crm", "source_record_id": "1", "first_name": "J.", "last_name": "Müller"},
        {"source_system": "shop", "source_record_id": "2", "first_name": "Johann", "last_name": "Müller"},
        {"source_system": "erp", "source_record_id": "3", "last_name": "Müller-Lüdenscheidt"},
    ]
    columns = ["first_name", "last_name"]
    assert winner(spark, rows, ["most_complete", "source_trust"], columns) == ("Johann", "Müller", "2", "most_complete")


def test_most_frequent_prefers_the_value_most_records_share(spark) -> None:
    rows = [
        {"source_system": "crm", "source_record_id": "1", "birth_date": date(1980, 1, 2)},
        {"source_system": "shop", "source_record_id": "2", "birth_date": date(1980, 2, 1)},
        {"source_system": "erp", "source_record_id": "3", "birth_date": date(1980, 2, 1)},
    ]
    assert winner(spark, rows, ["most_frequent", "source_trust"], ["birth_date"]) == (date(1980, 2, 1), "3", "most_frequent")


def test_valid_only_prefers_a_group_without_quality_issues(spark) -> None:
    rows = [
        {"source_system": "crm", "source_record_id": "1", "street": "Ring", "city": "Bern", "quality_issues": [issue("postcode")]},
        {"source_system": "shop", "source_record_id": "2", "street": "Weg", "postcode": "8001", "city": "Zürich"},
    ]
    columns = ["street", "postcode", "city"]
    assert winner(spark, rows, ["valid_only", "source_trust"], columns) == ("Weg", "8001", "Zürich", "2", "valid_only")
    assert winner(spark, rows, ["source_trust"], columns) == ("Ring", None, "Bern", "1", "source_trust")


def test_an_issue_on_another_field_does_not_count_against_the_group(spark) -> None:
    rows = [
        {"source_system": "crm", "source_record_id": "1", "email": "a@x.de", "quality_issues": [issue("phone")]},
        {"source_system": "shop", "source_record_id": "2", "email": "b@x.de"},
    ]
    assert winner(spark, rows, ["valid_only", "source_trust"]) == ("a@x.de", "1", "source_trust")


def test_the_tie_break_is_the_smallest_source_then_record_id(spark) -> None:
    rows = [
        {"source_system": "shop", "source_record_id": "1", "email": "c@x.de"},
        {"source_system": "crm", "source_record_id": "9", "email": "b@x.de"},
        {"source_system": "crm", "source_record_id": "10", "email": "a@x.de"},
    ]
    assert winner(spark, rows, ["most_recent"]) == ("a@x.de", "10", "tie_break")


def test_a_single_candidate_wins_as_only_candidate_and_empty_records_are_no_candidates(spark) -> None:
    rows = [
        {"source_system": "crm", "source_record_id": "1", "email": None, "source_updated_at": datetime(2024, 1, 1)},
        {"source_system": "shop", "source_record_id": "2", "email": "only@x.de"},
    ]
    assert winner(spark, rows, ["most_recent"]) == ("only@x.de", "2", "only_candidate")


def test_candidates_holding_the_same_values_agree(spark) -> None:
    rows = [
        {"source_system": "shop", "source_record_id": "1", "email": "a@x.de", "source_updated_at": datetime(2024, 1, 1)},
        {"source_system": "crm", "source_record_id": "2", "email": "a@x.de"},
    ]
    assert winner(spark, rows, ["source_trust", "most_recent"]) == ("a@x.de", "2", "all_agree")


def test_an_address_survives_as_a_whole_from_one_record(spark) -> None:
    newer_partial = {"source_system": "shop", "source_record_id": "2", "city": "Basel", "source_updated_at": datetime(2024, 1, 1)}
    older_full = {
        "source_system": "crm", "source_record_id": "1", "street": "Ring", "house_number": "4", "postcode": "3011", "city": "Bern",
        "country": "CH", "source_updated_at": datetime(2020, 1, 1),
    }
    settings = gold_settings()  # address: [valid_only, most_complete, most_recent, source_trust]
    row = survive(records(spark, [newer_partial, older_full]), settings).first()
    assert (row.street, row.house_number, row.postcode, row.city, row.country) == ("Ring", "4", "3011", "Bern", "CH")
    assert {row.lineage[c].source_record_id for c in ("street", "house_number", "postcode", "city", "country", "region")} == {"1"}
    assert row.lineage["city"].rule == "most_complete"

    by_recency = gold_settings({"address": {"columns": ["street", "house_number", "postcode", "city", "country"], "rules": ["most_recent"]}})
    row = survive(records(spark, [newer_partial, older_full]), by_recency).first()
    assert (row.street, row.house_number, row.postcode, row.city, row.country) == (None, None, None, "Basel", None)


def consent(spark, decisions: list[tuple[bool, datetime | None, datetime | None]]) -> tuple[bool, str, str]:
    """(consent, winning record, deciding rule) over records (consent_email, consent_updated_at, source_updated_at)."""
    rows = [
        {"source_system": "crm", "source_record_id": str(i), "consent_email": value, "consent_updated_at": decided, "source_updated_at": updated}
        for i, (value, decided, updated) in enumerate(decisions, start=1)
    ]
    row = survive(records(spark, rows), gold_settings()).first()
    return row.consent_email, row.lineage["consent_email"].source_record_id, row.lineage["consent_email"].rule


def test_consent_the_latest_explicit_decision_wins(spark) -> None:
    assert consent(spark, [(True, datetime(2024, 3, 1), None), (False, datetime(2023, 1, 1), None)]) == (True, "1", "latest_decision")
    assert consent(spark, [(True, datetime(2022, 3, 1), None), (False, datetime(2023, 1, 1), None)]) == (False, "2", "latest_decision")


def test_consent_an_opt_out_is_never_overridden_by_an_opt_in_that_is_not_newer(spark) -> None:
    same_time = datetime(2023, 1, 1, 12)
    assert consent(spark, [(True, same_time, None), (False, same_time, None)]) == (False, "2", "opt_out_first")
    assert consent(spark, [(True, datetime(2024, 1, 1), None), (False, None, None)]) == (False, "2", "undated_opt_out")
    assert consent(spark, [(True, None, None), (None, None, None)]) == (True, "1", "only_candidate")


def test_consent_falls_back_to_the_record_date_when_the_decision_has_none(spark) -> None:
    decisions = [(True, None, datetime(2024, 6, 1)), (False, datetime(2024, 1, 1), datetime(2024, 7, 1))]
    assert consent(spark, decisions) == (True, "1", "latest_decision")


def test_golden_rows_and_lineage(spark) -> None:
    rows = [
        {"golden_id": "G1", "source_system": "crm", "source_record_id": "c1", "first_name": "Anna", "last_name": "Berg", "email": "anna@crm.ch",
         "consent_email": False, "consent_updated_at": datetime(2024, 2, 1), "source_updated_at": datetime(2021, 1, 1)},
        {"golden_id": "G1", "source_system": "newsletter", "source_record_id": "n7", "first_name": "Anna", "email": "anna@mail.ch",
         "consent_email": True, "consent_updated_at": datetime(2023, 5, 1), "source_updated_at": datetime(2023, 5, 1)},
        {"golden_id": "G2", "source_system": "pos_members", "source_record_id": "p3", "last_name": "Dahl", "loyalty_card": "L-1"},
    ]
    golden = survive(records(spark, rows), gold_settings()).select(
        "golden_id", "first_name", "last_name", "email", "loyalty_card", "consent_email", "consent_updated_at", "record_count", "source_systems", "lineage"
    )

    lineage_type = "map<string, struct<group:string, source_system:string, source_record_id:string, rule:string, value_date:timestamp>>"
    crm, news = ("crm", "c1"), ("newsletter", "n7")
    expected = spark.createDataFrame(
        [
            ("G1", "Anna", "Berg", "anna@mail.ch", None, False, datetime(2024, 2, 1), 2, ["crm", "newsletter"], {
                "title": ("name", *crm, "source_trust", datetime(2021, 1, 1)),
                "first_name": ("name", *crm, "source_trust", datetime(2021, 1, 1)),
                "last_name": ("name", *crm, "source_trust", datetime(2021, 1, 1)),
                "email": ("email", *news, "most_recent", datetime(2023, 5, 1)),
                "consent_email": ("consent", *crm, "latest_decision", datetime(2024, 2, 1)),
                "consent_updated_at": ("consent", *crm, "latest_decision", datetime(2024, 2, 1)),
            }),
            ("G2", None, "Dahl", None, "L-1", None, None, 1, ["pos_members"], {
                "title": ("name", "pos_members", "p3", "only_candidate", None),
                "first_name": ("name", "pos_members", "p3", "only_candidate", None),
                "last_name": ("name", "pos_members", "p3", "only_candidate", None),
                "loyalty_card": ("loyalty_card", "pos_members", "p3", "only_candidate", None),
            }),
        ],
        "golden_id string, first_name string, last_name string, email string, loyalty_card string, consent_email boolean, "
        f"consent_updated_at timestamp, record_count bigint, source_systems array<string>, lineage {lineage_type}",
    )
    assert_df_equality(golden.orderBy("golden_id"), expected, ignore_nullable=True)
