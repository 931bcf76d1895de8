"""Stage progress: steps logged with time so far and an estimate from the last run, scaled by records."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import pytest

from golden_record.lakehouse import progress as progress_module
from golden_record.lakehouse.progress import HISTORY_FILE, StageProgress, StepTimes, estimate_left, read_history


def test_estimate_scales_the_last_runs_remaining_steps_by_records() -> None:
    last = StepTimes(records=1_000, seconds={"score": 4.0, "cluster": 6.0})
    assert estimate_left(last, ["score", "cluster"], 2_000) == pytest.approx(20.0)
    assert estimate_left(last, ["cluster"], 500) == pytest.approx(3.0)
    assert estimate_left(None, ["cluster"], 500) is None
    assert estimate_left(last, ["new step"], 500) is None  # the last run did not have it
    assert estimate_left(last, ["cluster"], 0) is None  # records not counted yet


def test_a_second_run_is_told_how_long_the_rest_takes_and_a_failed_run_keeps_the_old_times(tmp_path: Path, monkeypatch, caplog) -> None:
    ticks = itertools.count(step=10.0)  # every clock reading is 10 s after the previous one
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(ticks))
    caplog.set_level(logging.INFO, logger=progress_module.__name__)

    first = StageProgress("match", ["score", "cluster"], tmp_path)
    first.records = 100
    first.step("score")
    first.step("cluster")
    first.finish()
    assert caplog.messages[0].startswith("match 1/2 score: ") and caplog.messages[0].endswith(" s so far, no estimate yet")
    history = read_history(tmp_path / HISTORY_FILE)
    assert history["match"].records == 100 and set(history["match"].seconds) == {"score", "cluster"}

    caplog.clear()
    second = StageProgress("match", ["score", "cluster"], tmp_path)
    second.records = 200
    second.step("score")
    second.step("cluster")
    second.finish()
    expected = 2 * sum(history["match"].seconds.values())
    assert caplog.messages[0].startswith("match 1/2 score: ") and caplog.messages[0].endswith(f" s so far, about {expected:.0f} s left")

    caplog.clear()
    unknown = StageProgress("match", ["score", "cluster"], tmp_path)
    unknown.step("score")  # records not counted yet: assumed as many as last time
    assert caplog.messages[0].endswith(" s left") and "no estimate" not in caplog.messages[0]

    kept = (tmp_path / HISTORY_FILE).read_text(encoding="utf-8")
    failed = StageProgress("match", ["score", "cluster"], tmp_path)  # the stage fails in its first step: finish is never called
    failed.records = 5
    failed.step("score")
    assert (tmp_path / HISTORY_FILE).read_text(encoding="utf-8") == kept


def test_an_unknown_step_or_a_damaged_times_file_is_named(tmp_path: Path, caplog) -> None:
    (tmp_path / HISTORY_FILE).write_text("{not json", encoding="utf-8")
    progress = StageProgress("train", ["prepare input"], tmp_path)
    assert progress.previous is None
    assert any("ignoring unreadable step times" in message for message in caplog.messages)
    with pytest.raises(ValueError, match="unknown step 'typo'"):
        progress.step("typo")
    progress.step("prepare input")
    assert (tmp_path / HISTORY_FILE).read_text(encoding="utf-8") == "{not json"  # nothing written before finish
    progress.finish()
    assert set(read_history(tmp_path / HISTORY_FILE)) == {"train"}
