"""Great Expectations quality gates: validate a table against its suite in expectations/, build Data Docs."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame

from golden_record.lakehouse.config import QualitySettings
from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.tables import Table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result, in words a data steward can act on."""

    expectation: str
    column: str | None
    severity: str
    success: bool
    observed: Any
    details: str


@dataclass(frozen=True)
class GateResult:
    """The outcome of validating one table against its suite."""

    table: str
    suite: str
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    docs_index: str | None = None
    docs_pages: tuple[str, ...] = ()  # the Data Docs page of each validation
    validation_ids: tuple[Any, ...] = ()  # GX's ids of the stored validation results, for the Data Docs pages

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        """Failed expectations of GX severity "critical" (they stop promotion; "warning"/"info" only report)."""
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def success(self) -> bool:
        """True when no critical expectation failed (warnings do not block)."""
        return not self.blocking_failures

    def summary(self) -> str:
        """One line: table, suite, passed/failed counts."""
        failed = [o for o in self.outcomes if not o.success]
        return f"{self.table}: {len(self.outcomes) - len(failed)}/{len(self.outcomes)} expectations of suite '{self.suite}' passed" + (
            f", {len(self.blocking_failures)} blocking" if self.blocking_failures else ""
        )


class GateFailed(PipelineError):
    """A table-level expectation failed: the data is not promoted."""

    def __init__(self, result: GateResult):
        lines = [f"quality gate failed for {result.table} (suite '{result.suite}'); nothing was promoted:"]
        for outcome in result.blocking_failures:
            where = f" on column '{outcome.column}'" if outcome.column else ""
            lines.append(f"  - {outcome.expectation}{where}: observed {outcome.observed!r} ({outcome.details})")
        if result.docs_index:
            lines.append(f"  Data Docs: {result.docs_index}")
        super().__init__("\n".join(lines))
        self.result = result


def load_suite(name: str, suites_dir: str | None = None) -> dict[str, Any]:
    """Read a suite JSON (`expectations/<name>.json` by default) as a dict."""
    path = Path(suites_dir) / f"{name}.json" if suites_dir else resources.files("golden_record.expectations") / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, KeyError):  # KeyError: not inside a zipped wheel
        raise PipelineError(f"expectation suite '{name}' not found at {path}") from None


@functools.cache
def _context(reports_dir: str):
    """The file-backed GX context of a reports folder, built once per process (suites, checkpoints, Data Docs live there)."""
    import great_expectations as gx

    context = gx.get_context(mode="file", project_root_dir=reports_dir)
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return context


def _outcome(result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    details = {k: result.result.get(k) for k in ("unexpected_count", "unexpected_percent", "partial_unexpected_list") if result.result.get(k) not in (None, [])}
    observed = result.result.get("observed_value")
    if observed is None and "unexpected_count" in details:
        observed = f"{details['unexpected_count']} unexpected ({details.get('unexpected_percent', 0):.2f}%)"
    expected = ", ".join(f"{k}={v}" for k, v in kwargs.items() if k != "column")
    sample = details.get("partial_unexpected_list")
    text = f"expected {expected or 'the expectation to hold'}" + (f"; e.g. {sample[:5]}" if sample else "")
    return ExpectationOutcome(
        expectation=config.type,
        column=kwargs.get("column"),
        severity=str(getattr(config.severity, "value", config.severity)),
        success=bool(result.success),
        observed=observed,
        details=text,
    )


WHOLE_TABLE_EXPECTATIONS = ("expect_table_column",)
"""Prefixes of expectation types that look at the table's column list, so the whole table is validated."""


def suite_columns(expectations: list[dict[str, Any]], columns: list[str]) -> list[str]:
    """The columns of `columns` that `expectations` read (all of them when one checks the column list; one for row counts)."""
    if any(e["type"].startswith(WHOLE_TABLE_EXPECTATIONS) for e in expectations):
        return list(columns)
    named = set()
    for expectation in expectations:
        kwargs = expectation.get("kwargs", {})
        named |= {kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs} | set(kwargs.get("column_list", []))
    return [c for c in columns if c in named] or columns[:1]


def engine_for(df: DataFrame, settings: QualitySettings) -> str:
    """The GX engine for `df`: as configured, or with `auto` pandas up to `pandas_max_rows` rows, else Spark."""
    if settings.engine != "auto":
        return settings.engine
    return "pandas" if df.limit(settings.pandas_max_rows + 1).count() <= settings.pandas_max_rows else "spark"


def validate(
    df: DataFrame, table: Table, reports_dir: str, parameters: dict[str, Any] | None = None, settings: QualitySettings | None = None
) -> GateResult:
    """Validate `df` (the data about to be promoted to `table`) against the table's suite (its Data Docs page: `build_docs`).

    `parameters` fill the suite's `{"$PARAMETER": name}` values (e.g. the taxonomy from conf/). On the pandas engine
    only the columns the suite reads are collected to the driver.
    """
    import great_expectations as gx

    settings = settings or QualitySettings()
    suite_name = table.suite
    spec = load_suite(suite_name, settings.suites_dir)
    spec.pop("id", None)
    expectations = [{k: v for k, v in e.items() if k != "id"} for e in spec.get("expectations", [])]
    engine = engine_for(df, settings)
    context = _context(reports_dir)
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=spec["name"], expectations=expectations, meta=spec.get("meta", {})))
    if engine == "pandas":
        source = context.data_sources.add_or_update_pandas(name="pipeline-pandas")
        data = df.select(*suite_columns(expectations, df.columns)).toPandas()
    else:
        source = context.data_sources.add_or_update_spark(name="pipeline")
        data = df
    asset_name = table.suite
    asset = next((a for a in source.assets if a.name == asset_name), None) or source.add_dataframe_asset(name=asset_name)
    batch = next((b for b in asset.batch_definitions if b.name == "whole"), None) or asset.add_batch_definition_whole_dataframe("whole")
    definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(name=f"{asset_name}-{suite_name}-{engine}", data=batch, suite=suite))
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"gate-{asset_name}-{engine}",
            validation_definitions=[definition],
            result_format={"result_format": "SUMMARY"},
        )
    )
    run = checkpoint.run(batch_parameters={"dataframe": data}, expectation_parameters=parameters or {})
    outcomes = [_outcome(r) for vr in run.run_results.values() for r in vr.results]
    result = GateResult(table.name, suite_name, outcomes, validation_ids=tuple(run.run_results))
    log.info("gate %s (%s engine)", result.summary(), engine)
    return result


def build_docs(reports_dir: str, gates: list[GateResult]) -> list[GateResult]:
    """Add the pages of these gates' validations to the Data Docs and rebuild their index once; the gates with its URL."""
    ids = [validation for gate in gates for validation in gate.validation_ids]
    if not ids:
        return gates
    context = _context(reports_dir)
    context.build_data_docs(resource_identifiers=ids)
    sites = context.get_docs_sites_urls()
    index = sites[0]["site_url"] if sites else None
    return [dataclasses.replace(gate, docs_index=index, docs_pages=_pages(context, gate.validation_ids)) for gate in gates]


def _pages(context: Any, validation_ids: tuple[Any, ...]) -> tuple[str, ...]:
    """The Data Docs page URL of each validation result."""
    return tuple(site["site_url"] for validation in validation_ids for site in context.get_docs_sites_urls(resource_identifier=validation)[:1] if site.get("site_url"))


def enforce(result: GateResult) -> GateResult:
    """Raise GateFailed when a critical expectation failed; otherwise return the result."""
    if not result.success:
        raise GateFailed(result)
    for warning in (o for o in result.outcomes if not o.success):
        log.warning("gate %s: %s on %s observed %r (warning only)", result.table, warning.expectation, warning.column, warning.observed)
    return result
