"""The web app through HTTP: who may see and do what, lookups, decisions landing in their tables."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.manifest import record_run
from golden_record.lakehouse.storage import open_store
from golden_record.lakehouse.storage.arrow_tables import ArrowTables
from golden_record.lakehouse.tables import ACCESS_LOG, GOLDEN_CUSTOMERS, STEWARD_DECISIONS
from golden_record.webapp.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture
def client(app_config: PipelineConfig, users) -> TestClient:
    return TestClient(create_app(app_config, users=users))


@pytest.fixture
def login(passwords: dict[str, str]):
    """name -> the (user, password) pair to authenticate as."""
    return lambda name: (name, passwords[name])


def a_customer(config: PipelineConfig, *required: str) -> dict:
    """A golden customer of several records that has every required field."""
    rows = ArrowTables(config.paths.lakehouse).read(GOLDEN_CUSTOMERS.name).to_pylist()
    return next(r for r in sorted(rows, key=lambda r: r["golden_id"]) if r["record_count"] > 1 and all(r[f] for f in required))


def test_every_page_needs_a_user(client: TestClient) -> None:
    for path in ("/", "/?q=anna", "/customers/GR-0000000000000000", "/review", "/access-log"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith("Basic")
    assert client.get("/", auth=("sam", "wrong password")).status_code == 401
    assert client.post("/review/pair", data={"l": "a", "r": "b", "action": "same_person"}).status_code == 401


def test_an_agent_finds_customers_but_sees_masked_values_and_cannot_decide(client: TestClient, app_config: PipelineConfig, login) -> None:
    customer = a_customer(app_config, "email", "phone", "last_name")
    found = client.get("/", params={"q": customer["email"].upper()}, auth=login("alex"))
    assert found.status_code == 200 and f"/customers/{customer['golden_id']}" in found.text
    page = client.get(f"/customers/{customer['golden_id']}", auth=login("alex")).text
    for raw in (customer["email"], customer["phone"], customer["last_name"], customer["loyalty_card"], customer["customer_number"]):
        assert raw is None or raw not in page
    assert "***@" in page and "masked for your role" in page
    assert client.get("/review", auth=login("alex")).status_code == 403
    assert client.get("/review/pair", params={"l": "a", "r": "b"}, auth=login("alex")).status_code == 403
    assert client.post(f"/customers/{customer['golden_id']}/split", data={"unique_id": "x"}, auth=login("alex")).status_code == 403
    assert client.get("/access-log", auth=login("alex")).status_code == 403
    client.app.state.access_log.flush()
    assert not ArrowTables(app_config.paths.lakehouse).exists(ACCESS_LOG.name)  # masked views are not logged


def test_a_steward_decides_a_pair_with_the_pages_token_and_it_leaves_the_queue(client: TestClient, app_config: PipelineConfig, login) -> None:
    queue = client.get("/review", auth=login("sam")).text
    total = int(re.search(r"(\d+) undecided pair", queue).group(1))
    l, r = re.search(r'href="/review/pair\?l=([^&]+)&amp;r=([^"]+)"', queue).groups()
    l, r = (value.replace("%3A", ":") for value in (l, r))
    pair_page = client.get("/review/pair", params={"l": l, "r": r}, auth=login("sam")).text
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', pair_page).group(1)
    forged = client.post("/review/pair", data={"l": l, "r": r, "action": "same_person"}, auth=login("sam"))
    assert forged.status_code == 403
    done = client.post("/review/pair", data={"l": l, "r": r, "action": "different_persons", "note": "other birth date on the phone", "csrf": token}, auth=login("sam"), follow_redirects=False)
    assert done.status_code == 303
    tables = ArrowTables(app_config.paths.lakehouse)
    decisions = tables.read(STEWARD_DECISIONS.name).to_pylist()
    assert [(d["action"], d["unique_id_l"], d["unique_id_r"], d["same_person"], d["steward"], d["note"]) for d in decisions] == [
        ("different_persons", l, r, False, "sam", "other birth date on the phone")
    ]
    after = client.get("/review", auth=login("sam")).text
    assert f"{total - 1} undecided pair" in after
    client.app.state.access_log.flush()
    log = tables.read(ACCESS_LOG.name).to_pylist()
    assert {(e["user"], e["action"]) for e in log} >= {("sam", "view_pair"), ("sam", "different_persons")}
    assert client.get("/access-log", auth=login("sam")).status_code == 403
    assert "different_persons" in client.get("/access-log", auth=login("ada")).text


def test_the_app_moves_to_a_newer_complete_run(client: TestClient, app_config: PipelineConfig, spark) -> None:
    before = client.get("/health").json()
    record_run(open_store(spark, app_config), "gold-later-run", "run")
    client.app.state.lakehouse.reload_now()
    assert client.get("/health").json()["run_id"] == "gold-later-run" != before["run_id"]
