"""The pages in a real headless browser (Debian's Chromium driven by Playwright), then a pipeline run that keeps the decisions."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.storage.arrow_tables import ArrowTables
from golden_record.lakehouse.tables import CUSTOMER_XREF, GOLDEN_CUSTOMERS, GOLDEN_ID_HISTORY, MATCH_REVIEW, STEWARD_DECISIONS
from golden_record.webapp.app import create_app

pytestmark = pytest.mark.slow

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(app_config: PipelineConfig, users) -> Iterator[str]:
    """The app served by uvicorn on a free local port, for the length of a test."""
    port = free_port()
    instance = uvicorn.Server(uvicorn.Config(create_app(app_config, users=users), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not instance.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)



def written_otherwise(e164: str) -> str:
    """+41791234567 as a person might type it: 0041 79 123 45 67."""
    digits = e164[1:]
    return f"00{digits[:2]} {digits[2:4]} {digits[4:7]} {digits[7:9]} {digits[9:]}"


def misspelt(name: str) -> str:
    """A typo: two letters in the middle swapped."""
    i = len(name) // 2
    return name[: i - 1] + name[i] + name[i - 1] + name[i + 1 :]


def test_lookup_review_and_a_run_that_keeps_the_decisions(server: str, browser, passwords: dict[str, str], app_config: PipelineConfig, spark, tmp_path: Path) -> None:
    tables = ArrowTables(app_config.paths.lakehouse)
    customers = sorted(tables.read(GOLDEN_CUSTOMERS.name).to_pylist(), key=lambda r: r["golden_id"])
    by_phone = next(c for c in customers if c["phone"] and c["phone"].startswith("+4") and len(c["phone"]) >= 12)
    by_name = next(c for c in customers if c["last_name"] and len(c["last_name"]) >= 6 and c["first_name"])
    xref = tables.read(CUSTOMER_XREF.name).to_pylist()
    golden_of = {r["unique_id"]: r["golden_id"] for r in xref}
    review = tables.read(MATCH_REVIEW.name).to_pylist()
    apart = next(p for p in sorted(review, key=lambda p: -p["match_probability"]) if golden_of[p["unique_id_l"]] != golden_of[p["unique_id_r"]])
    members: dict[str, list[str]] = {}
    for r in xref:
        members.setdefault(r["golden_id"], []).append(r["unique_id"])
    involved = {golden_of[apart["unique_id_l"]], golden_of[apart["unique_id_r"]]}
    to_split = next(g for g, ids in sorted(members.items()) if len(ids) >= 2 and g not in involved)
    split_record = max(members[to_split])

    page = browser.new_page(http_credentials={"username": "sam", "password": passwords["sam"]}, viewport={"width": 1280, "height": 900})
    # look a customer up by a differently written phone number
    page.goto(server + "/")
    page.fill("input[name=q]", written_otherwise(by_phone["phone"]))
    page.click("button[type=submit]")
    assert page.locator(f"a[href='/customers/{by_phone['golden_id']}']").count() == 1
    # by a misspelt name, then open the golden record
    page.fill("input[name=q]", f"{by_name['first_name']} {misspelt(by_name['last_name'])}")
    page.click("button[type=submit]")
    page.screenshot(path=str(tmp_path / "lookup.png"), full_page=True)
    page.click(f"a[href='/customers/{by_name['golden_id']}']")
    assert page.locator("h1.golden-name").inner_text().strip().endswith(by_name["last_name"])
    assert page.locator("td.value[data-field=last_name]").inner_text() == by_name["last_name"]
    assert page.locator("tr.source-record").count() == by_name["record_count"]
    page.screenshot(path=str(tmp_path / "customer.png"), full_page=True)

    # decide a review pair: the two records are one person
    page.goto(server + f"/review/pair?l={apart['unique_id_l']}&r={apart['unique_id_r']}")
    assert page.locator("svg.waterfall rect").count() == len(apart["comparisons"]) + 2  # prior, each comparison, total
    page.screenshot(path=str(tmp_path / "workbench.png"), full_page=True)
    page.fill("form.decide input[name=note]", "same customer, confirmed on the phone")
    page.click("button.same")
    assert "Decision saved: same person" in page.locator("p.notice").inner_text()
    # split a record out of another golden customer
    page.goto(server + f"/customers/{to_split}")
    row = page.locator("tr.source-record", has_text=split_record.split(":", 1)[1])
    row.locator("input[name=note]").fill("a different person")
    row.locator("button.split").click()
    assert "Decision saved: split record" in page.locator("p.notice").inner_text()
    assert (tmp_path / "workbench.png").stat().st_size > 10_000

    decisions = {d["action"]: d["decision_id"] for d in tables.read(STEWARD_DECISIONS.name).to_pylist()}
    assert set(decisions) == {"same_person", "split_record"}

    # the next pipeline run honours both decisions
    from golden_record.jobs import build_gold, match
    from golden_record.lakehouse.storage import open_store

    store = open_store(spark, app_config)
    match.run(app_config, spark, store)
    build_gold.run(app_config, spark, store)
    after = {r["unique_id"]: r["golden_id"] for r in tables.read(CUSTOMER_XREF.name).to_pylist()}
    assert after[apart["unique_id_l"]] == after[apart["unique_id_r"]]
    assert all(after[split_record] != after[other] for other in members[to_split] if other != split_record)
    history = tables.read(GOLDEN_ID_HISTORY.name).to_pylist()
    caused = {(e["event"], e["decision_id"]) for e in history if e["decision_id"]}
    assert ("split", decisions["split_record"]) in caused
    assert any(event in ("merged", "split") and decision == decisions["same_person"] for event, decision in caused)
    remaining = {(p["unique_id_l"], p["unique_id_r"]) for p in tables.read(MATCH_REVIEW.name).to_pylist()}
    assert (apart["unique_id_l"], apart["unique_id_r"]) not in remaining
