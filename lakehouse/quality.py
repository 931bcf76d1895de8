"""Great Expectations quality gates: validate a table against its suite in expectations/, build Data Docs."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame

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


def _context(reports_dir: str):
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


def validate(df: DataFrame, table: Table, reports_dir: str, parameters: dict[str, Any] | None = None, suites_dir: str | None = None) -> GateResult:
    """Validate `df` (the data about to be promoted to `table`) against the table's suite and rebuild Data Docs.

    `parameters` fill the suite's `{"$PARAMETER": name}` values (e.g. the taxonomy from conf/).
    """
    import great_expectations as gx

    suite_name = table.suite
    spec = load_suite(suite_name, suites_dir)
    spec.pop("id", None)
    expectations = [{k: v for k, v in e.items() if k != "id"} for e in spec.get("expectations", [])]
    context = _context(reports_dir)
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=spec["name"], expectations=expectations, meta=spec.get("meta", {})))
    asset_name = table.suite
    source = context.data_sources.add_or_update_spark(name="pipeline")
    asset = next((a for a in source.assets if a.name == asset_name), None) or source.add_dataframe_asset(name=asset_name)
    batch = next((b for b in asset.batch_definitions if b.name == "whole"), None) or asset.add_batch_definition_whole_dataframe("whole")
    definition = context.validation_definitions.add_or_update(gx.ValidationDefinition(name=f"{asset_name}-{suite_name}", data=batch, suite=suite))
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"gate-{asset_name}",
            validation_definitions=[definition],
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")],
            result_format={"result_format": "SUMMARY"},
        )
    )
    run = checkpoint.run(batch_parameters={"dataframe": df}, expectation_parameters=parameters or {})
    outcomes = [_outcome(r) for vr in run.run_results.values() for r in vr.results]
    docs = context.get_docs_sites_urls()
    result = GateResult(table=table.name, suite=suite_name, outcomes=outcomes, docs_index=docs[0]["site_url"] if docs else None)
    log.info("gate %s", result.summary())
    return result


def enforce(result: GateResult) -> GateResult:
    """Raise GateFailed when a critical expectation failed; otherwise return the result."""
    if not result.success:
        raise GateFailed(result)
    for warning in (o for o in result.outcomes if not o.success):
        log.warning("gate %s: %s on %s observed %r (warning only)", result.table, warning.expectation, warning.column, warning.observed)
    return result
