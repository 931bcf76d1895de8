"""Interactions: every source label maps onto the one taxonomy; amounts and times are typed; bad events are flagged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from pyspark.sql import functions as F

from golden_record.lakehouse.config import SourceConfig
from golden_record.transforms.silver.interactions import INTERACTION_COLUMNS, flag_unknown_customers, map_event_type, parse_amount, select_interaction_fields, standardise_interactions
from golden_record.transforms.silver.issues import with_issues_column

ERP = SourceConfig.model_validate(
    {
        "name": "erp_documents",
        "system": "erp",
        "format": "csv",
        "location": "x.csv",
        "date_formats": ["dd.MM.yyyy"],
        "timestamp_formats": ["dd.MM.yyyy"],
        "decimal_separator": ",",
        "interactions": {
            "customer_source": "erp_debtors",
            "fields": {"event_id": "Belegnr", "customer_record_id": "Debitor", "event_label": "Belegart", "occurred_at": "Datum",
                       "amount": "Betrag", "currency": "Whg", "due_date": "Faellig", "reference_id": "Bezug"},
            "channel": "billing",
            "labels": {"RE": "invoice", "ZA": "payment", "MA": "dunning_notice"},
        },
    }
)


def _bronze(spark, rows):
    columns = "Belegnr string, Debitor string, Belegart string, Datum string, Betrag string, Whg string, Faellig string, Bezug string"
    df = spark.createDataFrame(rows, columns)
    return df.withColumns({"_batch_id": F.lit("b1"), "_ingested_at": F.lit(dt.datetime(2025, 1, 1)), "_row_hash": F.sha2("Belegnr", 256)})


def _rules(df):
    return {r.event_id: sorted(i.rule for i in r.quality_issues) for r in df.collect()}


def test_erp_documents_map_onto_the_taxonomy(spark) -> None:
    bronze = _bronze(
        spark,
        [
            ("R1", "D7", "RE", "31.01.2025", "1.234,50", "eur", "28.02.2025", None),
            ("Z1", "D7", " za ", "05.03.2025", "1.234,50", "EUR", None, "R1"),
        ],
    )
    result = standardise_interactions(select_interaction_fields(bronze, ERP), [ERP])
    assert tuple(result.columns) == INTERACTION_COLUMNS
    rows = {r.event_id: r for r in result.collect()}
    invoice, payment = rows["R1"], rows["Z1"]
    assert (invoice.event_type, invoice.event_label, invoice.channel, invoice.customer_source) == ("invoice", "RE", "billing", "erp_debtors")
    assert (invoice.amount, invoice.currency, invoice.due_date) == (Decimal("1234.50"), "EUR", dt.date(2025, 2, 28))
    assert invoice.occurred_at == dt.datetime(2025, 1, 31)
    assert (payment.event_type, payment.reference_id) == ("payment", "R1"), "labels match case- and space-insensitively"
    assert _rules(result) == {"R1": [], "Z1": []}


def test_bad_events_carry_their_issue(spark) -> None:
    bronze = _bronze(
        spark,
        [
            ("X1", "D7", "GS", "31.01.2025", "10,00", "EUR", None, None),  # credit note: not in the label map
            ("X2", None, "RE", "31.01.2025", "10,00", "EUR", None, None),
            ("X3", "D7", "RE", "31.02.2025", "10,00", "EUR", None, None),
            ("X4", "D7", "RE", None, "zehn", "EUR", None, None),
        ],
    )
    assert _rules(standardise_interactions(select_interaction_fields(bronze, ERP), [ERP])) == {
        "X1": ["label_unmapped"],
        "X2": ["customer_key_missing"],
        "X3": ["timestamp_unparseable"],
        "X4": ["amount_unparseable", "timestamp_missing"],
    }


def test_map_event_type_keeps_the_original_label(spark) -> None:
    df = spark.createDataFrame([("support", "Reklamation"), ("support", "Lob"), ("shop", "Reklamation")], "source_system string, event_label string")
    result = map_event_type(df, {"support": {"Reklamation": "complaint"}, "shop": {"Reklamation": "return"}}).select("event_label", "event_type", F.size("quality_issues").alias("issues"))
    expected = spark.createDataFrame([("Reklamation", "complaint", 0), ("Lob", None, 1), ("Reklamation", "return", 0)], "event_label string, event_type string, issues int")
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)


def test_parse_amount_with_decimal_comma_and_point(spark) -> None:
    df = with_issues_column(spark.createDataFrame([("1.234,50",), ("CHF 12,00",), ("-3,5",), ("12.3.4",), (None,)], "amount string"))
    parsed = [r.amount for r in parse_amount(df, "amount", ",").collect()]
    assert parsed == [Decimal("1234.50"), Decimal("12.00"), Decimal("-3.50"), None, None]
    point = with_issues_column(spark.createDataFrame([("1,234.50",), ("€ 9.99",)], "amount string"))
    assert [r.amount for r in parse_amount(point, "amount", ".").collect()] == [Decimal("1234.50"), Decimal("9.99")]
    both = with_issues_column(spark.createDataFrame([("erp", "1.234,50"), ("shop", "1,234.50"), ("shop", "1.234,50")], "source_system string, amount string"))
    rows = parse_amount(both, "amount", {"erp": ",", "shop": "."}).collect()
    assert [r.amount for r in rows] == [Decimal("1234.50"), Decimal("1234.50"), None], "each row read with its own source's separator"
    assert rows[2].quality_issues[0].reason == "not a number with decimal separator '.'"


def test_events_of_customer_records_silver_does_not_hold_are_flagged(spark) -> None:
    events = spark.createDataFrame(
        [("E1", "erp_debtors", "D1"), ("E2", "erp_debtors", "D9"), ("E3", "crm", "D1"), ("E4", "erp_debtors", None)],
        "event_id string, customer_source string, customer_record_id string",
    )
    customers = spark.createDataFrame([("erp_debtors", "D1"), ("erp_debtors", "D1"), ("crm", "C1")], "source_system string, source_record_id string")

    flagged = flag_unknown_customers(events, customers)

    assert flagged.columns == [*events.columns, "quality_issues"]
    rules = {row.event_id: [(i.rule, i.value) for i in row.quality_issues] for row in flagged.collect()}
    assert rules == {"E1": [], "E2": [("customer_unknown", "D9")], "E3": [("customer_unknown", "D1")], "E4": []}
    reason = flagged.where("event_id = 'E2'").first().quality_issues[0].reason
    assert reason.startswith("no customer record erp_debtors:D9 in silver")


WEB = SourceConfig.model_validate(
    {
        "name": "web_analytics",
        "system": "web",
        "format": "jsonl",
        "location": "x.jsonl",
        "timestamp_formats": ["yyyy-MM-dd HH:mm"],
        "interactions": {
            "customer_source": "webshop_accounts",
            "fields": {"event_id": "id", "customer_record_id": "account", "event_label": "kind", "occurred_at": "at",
                       "channel": "device", "product_category": "page.category"},
            "channels": {"Desktop": "web", "iOS App": "app"},
            "link_by": "cookie",
            "labels": {"view": "product_view", "login": "web_session"},
        },
    }
)


def _web(spark, rows):
    df = spark.createDataFrame(rows, "id string, cookie string, account string, kind string, at string, device string, page string")
    return df.withColumns({"_batch_id": F.lit("b1"), "_ingested_at": F.lit(dt.datetime(2025, 1, 1)), "_row_hash": F.sha2("id", 256)})


def test_anonymous_views_belong_to_the_account_that_logs_in_on_the_cookie_later(spark) -> None:
    bronze = _web(
        spark,
        [
            ("e1", "c1", None, "view", "2025-03-01 10:00", "Desktop", '{"category": "Outdoor"}'),
            ("e2", "c1", "A1", "login", "2025-03-01 10:05", "DESKTOP", None),
            ("e3", "c1", None, "view", "2025-03-01 10:06", "desktop", '{"category": "Shoes"}'),
            ("e4", "c1", "A2", "login", "2025-03-09 09:00", "iOS App", None),  # another member of the household
            ("e5", "c1", None, "view", "2025-03-09 09:01", "Smart TV", None),
            ("e6", "c9", None, "view", "2025-03-02 12:00", "desktop", None),  # a cookie that never logs in
            ("e7", None, None, "view", "2025-03-02 12:00", "desktop", None),
        ],
    )
    result = standardise_interactions(select_interaction_fields(bronze, WEB), [WEB])
    assert tuple(result.columns) == INTERACTION_COLUMNS, "the link key is not kept in silver"
    rows = {r.event_id: r for r in result.collect()}
    assert {e: rows[e].customer_record_id for e in rows} == {"e1": "A1", "e2": "A1", "e3": "A2", "e4": "A2", "e5": "A2", "e6": None, "e7": None}
    assert {e: rows[e].channel for e in ("e1", "e2", "e4", "e5")} == {"e1": "web", "e2": "web", "e4": "app", "e5": "smart tv"}, "mapped case-insensitively, else lower case"
    assert (rows["e1"].product_category, rows["e3"].product_category, rows["e2"].product_category) == ("Outdoor", "Shoes", None)
    reasons = {r.event_id: [i.reason for i in r.quality_issues if i.rule == "customer_key_missing"] for r in result.collect()}
    assert reasons["e6"] == ["an anonymous event: no event with the same link key names a customer record"]
    assert reasons["e7"] == ["the event names no customer record"] and reasons["e1"] == []


def test_a_channel_map_needs_a_channel_column() -> None:
    import pytest

    spec = WEB.model_dump()
    spec["interactions"]["fields"].pop("channel")
    with pytest.raises(ValueError, match="map fields.channel too"):
        SourceConfig.model_validate(spec)
