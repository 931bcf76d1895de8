"""The run report page: every section rendered from hand-made figures, values escaped, no script or style from the network."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from golden_record.lakehouse.quality import ExpectationOutcome, GateResult
from golden_record.transforms.report.run_report import LayerRow, LineageRow, RunReport, cluster_size_chart, render_run_report, source_rows_chart, stage_chart, weight_bins

GOLD = {"run_id": "gold-1", "golden_customers": 3, "records": 5, "duplicates_merged": 2, "ids_created": 3, "id_merges": 0, "id_splits": 0, "ids_retired": 0, "customers_updated": 0}
MATCHING = {"model": "models/m.json", "match_threshold": 0.5, "cluster_threshold": 0.25, "comparisons": 40, "pairs": 12, "pairs_above_threshold": 2, "review_pairs": 1, "largest_cluster": 3}


def a_report() -> RunReport:
    layers = [
        LayerRow("crm", "bronze", "bronze.crm", 10, 9, 1, [("field count differs", 1)]),
        LayerRow("crm", "silver", "silver.customers", 9, 8, 1, [("email_invalid (row rejected)", 1)]),
    ]
    gates = [
        GateResult("silver.customers", "silver_customers", [
            ExpectationOutcome("expect_column_values_to_not_be_null", "source_record_id", "critical", True, None, ""),
            ExpectationOutcome("expect_column_values_to_match_regex", "email", "warning", False, "2 unexpected (1.00%)", "expected regex"),
        ], docs_pages=("file:///r/validations/silver_customers/x.html",)),
    ]
    stages = {"ingest": 10.0, "standardise": 5.0}
    return RunReport(
        run_id="gold-1", completed_at=datetime(2026, 12, 3, 10, 0), lakehouse="/data/lakehouse", stage_seconds=stages, layers=layers, gates=gates,
        gold=GOLD, matching=MATCHING,
        charts={"stages": ("Time per stage", stage_chart(stages)), "sources": ("Rows", source_rows_chart(layers)), "clusters": ("Sizes", cluster_size_chart({1: 2, 2: 1}))},
        golden_id="GR-1", golden_record=[LineageRow("last_name", "<script>alert(1)</script>", "crm", "7", "source_trust")],
    )


def test_the_page_shows_every_section_and_escapes_values() -> None:
    page = render_run_report(a_report())
    for text in ("Pipeline run gold-1", "field count differs", "email_invalid (row rejected)", "expect_column_values_to_match_regex",
                 "2 unexpected (1.00%)", "file:///r/validations/silver_customers/x.html", "One golden record: GR-1", "source_trust"):
        assert text in page, text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count('class="vega-chart"') == 3 and page.count("vegaEmbed(") == 3


def test_the_page_loads_nothing_from_the_network() -> None:
    page = render_run_report(a_report())
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", page)
    assert "vegaEmbed" in page and len(page) > 500_000  # Vega, Vega-Lite and Vega-Embed are inside the page


def test_weight_bins_follow_splinks_bin_rule(spark) -> None:
    pairs = spark.createDataFrame([(-3.2,), (-1.0,), (0.4,), (0.45,), (5.9,)], "match_weight double")
    bins = weight_bins(pairs, target_bins=10)  # range 9.1 over 10 bins: width 1 (nearest of Splink's widths)
    assert [(b["splink_score_bin_low"], b["splink_score_bin_high"], b["count_rows"]) for b in bins] == [(-4, -3, 1), (-1, 0, 1), (0, 1, 2), (5, 6, 1)]
    assert {b["binwidth"] for b in bins} == {1}
    assert weight_bins(pairs.limit(0)) == []


@pytest.mark.parametrize("chart", [stage_chart({"ingest": 1.0}), cluster_size_chart({1: 5, 3: 1})])
def test_charts_are_vega_lite_specs_with_their_data_inline(chart: dict) -> None:
    assert chart["$schema"].startswith("https://vega.github.io/schema/vega-lite/") and chart["data"]["values"]
