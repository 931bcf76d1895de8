"""The report of a whole pipeline run, opened in headless Chromium with no network: every chart draws, every gate shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.storage.arrow_tables import ArrowTables
from golden_record.lakehouse.tables import GOLDEN_CUSTOMERS

pytestmark = pytest.mark.slow


def test_the_run_report_opens_offline_with_its_charts_drawn(sample_run: PipelineConfig, browser, tmp_path: Path) -> None:
    pages = sorted(Path(sample_run.paths.reports).glob("run-gold-*/index.html"))
    assert len(pages) == 1, "one report per run"
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(pages[0].as_uri())
    page.wait_for_function("document.querySelectorAll('.vega-chart svg').length === document.querySelectorAll('.vega-chart').length", timeout=30_000)

    assert [url for url in requested if not url.startswith(("file:", "data:", "blob:"))] == []
    charts = page.locator(".vega-chart")
    assert charts.count() == 7, "stages, sources, model, pairs, clusters, ROPO and showrooming, channels per segment"
    assert page.get_by_text("Research online, purchase offline (ROPO) and showrooming, by segment").count() == 1
    for i in range(charts.count()):
        bars = [box for box in (mark.bounding_box() for mark in charts.nth(i).locator("svg .mark-rect path").all()) if box]
        assert any(box["width"] * box["height"] > 4 for box in bars), f"chart {i} drew no bars"
    gates = page.locator("#gates summary").all_inner_texts()
    assert any(g.startswith("silver.customers passed") for g in gates) and any(g.startswith("gold.customers passed") for g in gates)
    golden = {r["golden_id"] for r in ArrowTables(sample_run.paths.lakehouse).read(GOLDEN_CUSTOMERS.name, columns=["golden_id"]).to_pylist()}
    shown = page.locator("#golden-record h2").inner_text().removeprefix("One golden record: ")
    assert shown in golden
    page.screenshot(path=str(tmp_path / "run-report.png"), full_page=True)
    assert (tmp_path / "run-report.png").stat().st_size > 20_000
    context.close()
