"""The web app: customer lookup for everyone who deals with customers, and the data steward's workbench.

`create_app(config)` builds a FastAPI application over the lakehouse of a config: pages are rendered on the server
(Jinja2 templates in webapp/templates, one stylesheet, no script), data comes from the lookup engine (DuckDB over
the run manifest's table versions, reloaded in the background when a newer run or an erasure completes), and
decisions are appended to gold.steward_decisions. Every request needs a user (HTTP basic, users from the
environment): 401 without one, 403 when the role lacks the right; views of full personal data and every decision
land in privacy.access_log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from golden_record.lakehouse.config import PipelineConfig
from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.storage.arrow_tables import ArrowTables
from golden_record.lakehouse.tables import ACCESS_LOG, STEWARD_DECISIONS
from golden_record.webapp.access_log import AccessLog
from golden_record.webapp.auth import Authenticator, User, users_from_environment
from golden_record.webapp.decisions import access_row, decision_rows, merge_links, pair_links, split_links
from golden_record.webapp.lookup import CustomerIndex

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
REALM = 'Basic realm="golden-record", charset="UTF-8"'


class Lakehouse:
    """The index of the newest complete run, swapped for a newer one in the background (readers never wait for a load)."""

    def __init__(self, config: PipelineConfig, storage_options: dict[str, str] | None = None) -> None:
        self.config = config
        self.tables = ArrowTables(config.paths.lakehouse, storage_options)
        self.index = self._load()
        self._checked = time.monotonic()
        self._loading = threading.Lock()

    def _load(self) -> CustomerIndex:
        manifest = self.tables.manifest()
        if manifest is None:
            raise PipelineError(f"no complete run in {self.config.paths.lakehouse}: run `golden-record run` (or build-gold) first")
        index = CustomerIndex(self.tables, manifest, self.config.app, self.config.standardisation)
        log.info("serving %s %s (%s golden customers, loaded in %.1fs)", manifest.kind, manifest.run_id, f"{index.count('customers'):,}", index.load_seconds)
        return index

    def current(self) -> CustomerIndex:
        """The index to answer from; now and then checks the run manifest and loads a newer run beside it."""
        if time.monotonic() - self._checked >= self.config.app.reload_seconds and self._loading.acquire(blocking=False):
            self._checked = time.monotonic()
            threading.Thread(target=self._reload, daemon=True).start()
        return self.index

    def _reload(self) -> None:
        try:
            manifest = self.tables.manifest()
            if manifest is not None and (manifest.run_id, manifest.completed_at) != (self.index.manifest.run_id, self.index.manifest.completed_at):
                self.index = self._load()
        except Exception:  # keep serving the run we have; the next check tries again
            log.exception("could not load the newest run; still serving %s", self.index.manifest.run_id)
        finally:
            self._loading.release()

    def reload_now(self) -> None:
        """Load the newest complete run before answering again (tests, and after a decision's own write)."""
        with self._loading:
            manifest = self.tables.manifest()
            if manifest is not None and (manifest.run_id, manifest.completed_at) != (self.index.manifest.run_id, self.index.manifest.completed_at):
                self.index = self._load()


def waterfall(pair: dict[str, Any]) -> list[dict[str, Any]]:
    """The match weight of a pair built up step by step: the prior, then each comparison (with its term-frequency part)."""
    comparisons = pair["comparisons"] or []
    parts = [(c["comparison"], c["level"], (c["match_weight"] or 0.0) + (c["tf_adjustment"] or 0.0)) for c in comparisons]
    prior = (pair["match_weight"] or 0.0) - sum(weight for _, _, weight in parts)
    steps, total = [], 0.0
    for name, level, weight in [("prior", "how likely any two records match", prior), *parts]:
        steps.append({"name": name, "level": level, "weight": weight, "start": total, "end": total + weight})
        total += weight
    steps.append({"name": "total", "level": f"match probability {pair['match_probability']:.3f}", "weight": total, "start": 0.0, "end": total})
    return steps


def create_app(config: PipelineConfig, users: dict[str, tuple[str, str]] | None = None, storage_options: dict[str, str] | None = None) -> FastAPI:
    """The web app over the config's lakehouse; `users` default to the environment (`app.users_env`)."""
    settings = config.app
    auth = Authenticator(users if users is not None else users_from_environment(settings), settings)
    lakehouse = Lakehouse(config, storage_options)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    access_log = AccessLog(lakehouse.tables)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        access_log.close()

    app = FastAPI(title="Customer Golden Record", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.lakehouse = lakehouse
    app.state.access_log = access_log
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def user(request: Request) -> User:
        found = auth.user(request.headers.get("authorization"))
        if found is None:
            raise HTTPException(401, "sign in with your user name and password", headers={"WWW-Authenticate": REALM})
        return found

    def steward(who: User = Depends(user)) -> User:
        if not who.may.decide:
            raise HTTPException(403, f"role {who.role!r} may not use the steward workbench")
        return who

    def auditor(who: User = Depends(user)) -> User:
        if not who.may.audit:
            raise HTTPException(403, f"role {who.role!r} may not read the access log")
        return who

    def audit(who: User, action: str, golden_id: str | None, detail: str) -> None:
        access_log.record(access_row(who.name, who.role, action, golden_id, detail))

    def page(request: Request, template: str, who: User, **context: Any) -> HTMLResponse:
        index = lakehouse.current()
        return templates.TemplateResponse(
            request, template, {"user": who, "csrf": auth.csrf_token(who), "run": index.manifest, **context}
        )

    def checked_form(who: User, csrf: str | None) -> None:
        if not auth.csrf_ok(who, csrf):
            raise HTTPException(403, "this form did not come from a page of this app (missing or wrong token); reload the page")

    def decide(who: User, action: str, links: list[tuple[str, str, bool]], golden_id: str | None, other_id: str | None, note: str | None, detail: str) -> None:
        rows = decision_rows(action, who.name, links, golden_id, other_id, note)
        lakehouse.tables.append(STEWARD_DECISIONS.name, rows)
        lakehouse.current().add_decided(rows.select(["unique_id_l", "unique_id_r"]).to_pylist())
        audit(who, action, golden_id, detail)
        log.info("%s decided %s (%d link(s)): %s", who.name, action, len(links), detail)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> HTMLResponse:
        body = templates.get_template("error.html").render(status=error.status_code, message=error.detail)
        return HTMLResponse(body, status_code=error.status_code, headers=error.headers)

    @app.get("/health")
    def health() -> JSONResponse:
        index = lakehouse.current()
        manifest = index.manifest
        return JSONResponse({"run_id": manifest.run_id, "kind": manifest.kind, "completed_at": manifest.completed_at.isoformat(), "golden_customers": index.count("customers"), "load_seconds": round(index.load_seconds, 2)})

    @app.get("/", response_class=HTMLResponse)
    def search(request: Request, q: str = "", who: User = Depends(user)) -> HTMLResponse:
        results = lakehouse.current().search(q, masked=not who.may.full_personal_data) if q.strip() else None
        if results and who.may.full_personal_data:
            audit(who, "search", None, f"search: {len(results)} result(s) in full")
        return page(request, "search.html", who, q=q, results=results)

    @app.get("/customers/{golden_id}", response_class=HTMLResponse)
    def customer(request: Request, golden_id: str, who: User = Depends(user)) -> HTMLResponse:
        found = lakehouse.current().customer(golden_id, masked=not who.may.full_personal_data)
        if found is None:
            raise HTTPException(404, f"no golden customer {golden_id} in run {lakehouse.current().manifest.run_id} (merged or erased? see the id history)")
        if who.may.full_personal_data:
            audit(who, "view_customer", golden_id, f"customer page {golden_id}")
        return page(request, "customer.html", who, customer=found, golden_id=golden_id, masked=not who.may.full_personal_data)

    @app.post("/customers/{golden_id}/split")
    def split(golden_id: str, unique_id: str = Form(...), note: str = Form(""), csrf: str = Form(None), who: User = Depends(steward)) -> RedirectResponse:
        checked_form(who, csrf)
        try:
            links = split_links(unique_id, lakehouse.current().members(golden_id))
        except ValueError as error:
            raise HTTPException(400, str(error)) from None
        decide(who, "split_record", links, golden_id, None, note, f"split {unique_id} out of {golden_id}")
        return RedirectResponse(f"/customers/{golden_id}?decided=split_record", status_code=303)

    @app.post("/customers/{golden_id}/merge")
    def merge(golden_id: str, other_id: str = Form(...), note: str = Form(""), csrf: str = Form(None), who: User = Depends(steward)) -> RedirectResponse:
        checked_form(who, csrf)
        index = lakehouse.current()
        try:
            links = merge_links(index.members(golden_id), index.members(other_id.strip()))
        except ValueError as error:
            raise HTTPException(400, str(error)) from None
        decide(who, "merge_customers", links, golden_id, other_id.strip(), note, f"merge {other_id.strip()} into {golden_id}")
        return RedirectResponse(f"/customers/{golden_id}?decided=merge_customers", status_code=303)

    @app.get("/review", response_class=HTMLResponse)
    def review(request: Request, page_number: int = 0, who: User = Depends(steward)) -> HTMLResponse:
        pairs, total = lakehouse.current().review_queue(max(page_number, 0))
        return page(request, "review.html", who, pairs=pairs, total=total, page_number=page_number, page_size=settings.review_page)

    @app.get("/review/pair", response_class=HTMLResponse)
    def review_pair(request: Request, l: str, r: str, who: User = Depends(steward)) -> HTMLResponse:  # noqa: E741
        found = lakehouse.current().pair(l, r)
        if found is None:
            raise HTTPException(404, f"{l} / {r} is not a review pair of run {lakehouse.current().manifest.run_id}")
        audit(who, "view_pair", found["left"]["golden_id"] if found["left"] else None, f"review pair {l} / {r}")
        return page(request, "pair.html", who, pair=found, steps=waterfall(found))

    @app.post("/review/pair")
    def decide_pair(l: str = Form(...), r: str = Form(...), action: str = Form(...), note: str = Form(""), csrf: str = Form(None), who: User = Depends(steward)) -> RedirectResponse:  # noqa: E741
        checked_form(who, csrf)
        found = lakehouse.current().pair(l, r)
        if found is None:
            raise HTTPException(404, f"{l} / {r} is not a review pair of this run")
        try:
            links = pair_links(action, l, r)
        except ValueError as error:
            raise HTTPException(400, str(error)) from None
        golden = [side["golden_id"] if side else None for side in (found["left"], found["right"])]
        decide(who, action, links, golden[0], golden[1], note, f"review pair {l} / {r}: {action}")
        return RedirectResponse("/review?" + urlencode({"decided": action}), status_code=303)

    @app.get("/access-log", response_class=HTMLResponse)
    def access_log_page(request: Request, who: User = Depends(auditor)) -> HTMLResponse:
        access_log.flush()
        rows = lakehouse.tables.read(ACCESS_LOG.name).sort_by([("logged_at", "descending")]).slice(0, 500).to_pylist() if lakehouse.tables.exists(ACCESS_LOG.name) else []
        return page(request, "access_log.html", who, rows=rows)

    return app
