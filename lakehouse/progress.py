"""Progress of a long stage: each step is logged with the time so far and an estimate of the rest, from the last run.

The last successful run's step times (and its record count) are kept in `{paths.reports}/stage_steps.json`; the
estimate scales them linearly by the records at hand. The first run of a stage on a lakehouse has no estimate yet.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

HISTORY_FILE = "stage_steps.json"
"""Under paths.reports: per stage, the record count and step seconds of its last successful run."""


@dataclass(frozen=True)
class StepTimes:
    """How long each step of one run of a stage took, and on how many records."""

    records: int
    seconds: dict[str, float] = field(default_factory=dict)


def estimate_left(previous: StepTimes | None, remaining: list[str], records: int) -> float | None:
    """Seconds the remaining steps took last time, scaled by records; None without a comparable previous run."""
    if previous is None or previous.records <= 0 or records <= 0 or any(step not in previous.seconds for step in remaining):
        return None
    return sum(previous.seconds[step] for step in remaining) * records / previous.records


def read_history(path: Path) -> dict[str, StepTimes]:
    """The step times per stage; empty when the file is missing or unreadable (an estimate is never worth a failed run)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {stage: StepTimes(int(entry["records"]), {k: float(v) for k, v in entry["seconds"].items()}) for stage, entry in raw.items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("ignoring unreadable step times %s: %s", path, exc)
        return {}


def write_history(path: Path, history: dict[str, StepTimes]) -> None:
    """Replace the step times file in one rename (a crash leaves the old file, never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps({stage: {"records": t.records, "seconds": t.seconds} for stage, t in history.items()}, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)


class StageProgress:
    """Log each step of a stage as it starts ("match 3/6 score pairs: 4.1 s so far, about 12 s left"); keep the times on success."""

    def __init__(self, stage: str, steps: list[str], reports_dir: str | Path) -> None:
        self.stage, self.steps = stage, steps
        self.path = Path(reports_dir) / HISTORY_FILE
        self._history = read_history(self.path)
        self.previous = self._history.get(stage)
        self.records = 0
        self.seconds: dict[str, float] = {}
        self._current: str | None = None
        self._started = self._step_started = time.monotonic()

    def step(self, name: str) -> None:
        """End the current step and start `name` (one of the declared steps)."""
        if name not in self.steps:
            raise ValueError(f"{self.stage}: unknown step {name!r}; declared: {self.steps}")
        self._close_step()
        self._current = name
        position = self.steps.index(name)
        remaining = self.steps[position:]
        records = self.records or (self.previous.records if self.previous else 0)  # not counted yet: as many as last time
        left = estimate_left(self.previous, remaining, records)
        estimate = f"about {left:.0f} s left" if left is not None else "no estimate yet"
        log.info("%s %d/%d %s: %.1f s so far, %s", self.stage, position + 1, len(self.steps), name, time.monotonic() - self._started, estimate)

    def finish(self) -> None:
        """End the last step and keep this run's step times for the next estimate (a stage that fails never gets here)."""
        self._close_step()
        self._history[self.stage] = StepTimes(self.records, dict(self.seconds))
        try:
            write_history(self.path, self._history)
        except OSError as exc:
            log.warning("cannot keep the step times in %s: %s", self.path, exc)

    def _close_step(self) -> None:
        now = time.monotonic()
        if self._current is not None:
            self.seconds[self._current] = round(self.seconds.get(self._current, 0.0) + now - self._step_started, 3)
        self._current, self._step_started = None, now
