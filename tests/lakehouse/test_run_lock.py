"""One writing run per lakehouse: a second one stops (or waits) with a message naming the first; a killed run holds nothing."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from golden_record.jobs.cli import main
from golden_record.lakehouse.run_lock import LOCK_FILE, LakehouseBusy, run_lock

HOLD = """
import sys, time
from golden_record.lakehouse.run_lock import run_lock
with run_lock(sys.argv[1], "run"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    open(sys.argv[1] + "/released", "w").close()  # the last thing it does holding the lock
"""


def holding(lakehouse: Path, seconds: float) -> subprocess.Popen:
    """Another process that holds the lakehouse's lock for `seconds`, started and holding when this returns."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(lakehouse), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_run_stops_naming_the_first_and_a_killed_run_holds_nothing(tmp_path: Path) -> None:
    holder = holding(tmp_path, 120)
    try:
        with pytest.raises(LakehouseBusy, match=rf"in use by `run` \(process {holder.pid} on .*`ingest` did not start"), run_lock(str(tmp_path), "ingest"):
            pytest.fail("entered a lakehouse another run holds")
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    entered = []
    with run_lock(str(tmp_path), "ingest"):  # the crashed run's lock went with its process
        entered.append(True)
        assert '"command": "ingest"' in (tmp_path / LOCK_FILE).read_text()
    assert entered and (tmp_path / LOCK_FILE).read_text() == ""


def test_a_run_told_to_wait_starts_when_the_first_has_finished(tmp_path: Path) -> None:
    holder = holding(tmp_path, 1.0)
    with run_lock(str(tmp_path), "match", wait_seconds=60):
        assert (tmp_path / "released").exists(), "entered while the first run still held the lock"
    holder.wait()


def test_the_same_process_may_lock_again_after_releasing(tmp_path: Path) -> None:
    for command in ("ingest", "standardise"):
        with run_lock(str(tmp_path / "lakehouse"), command):
            pass
    assert (tmp_path / "lakehouse" / LOCK_FILE).exists()


def test_object_storage_has_no_file_lock() -> None:
    with run_lock("s3://bucket/lakehouse", "run"), run_lock("s3://bucket/lakehouse", "run"):
        pass


def test_the_cli_refuses_a_writing_command_while_another_runs_but_others_go_on(tmp_path: Path, capsys, monkeypatch) -> None:
    lakehouse = tmp_path / "data" / "lakehouse"
    holder = holding(lakehouse, 120)
    try:
        started = time.monotonic()
        assert main(["build-gold", "--env", "test", "--root", str(tmp_path / "data")]) == 1
        error = capsys.readouterr().err
        assert error.startswith(f"error: the lakehouse {lakehouse} is in use by `run` (process {holder.pid}")
        assert time.monotonic() - started < 30, "stopped at once, before any Spark work"
        monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
        assert main(["hash-password", "--env", "test", "--root", str(tmp_path / "data")]) == 0  # writes nothing: not refused
        assert capsys.readouterr().out.startswith("scrypt")
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
