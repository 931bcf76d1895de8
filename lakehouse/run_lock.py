"""One writing run at a time per lakehouse: an OS file lock that a crashed or killed run cannot keep.

The lock is `{lakehouse}/.golden-record.lock`, held with `flock` for the length of a writing command. The kernel
releases it when the holding process ends in any way (exit, crash, `kill -9`), so there is no stale lock to clean up.
The file also names the holder (command, process, host, start) for the message the next run prints. On object
storage (`s3://`, `abfss://` …) and on mounts without file locks there is no such lock: run one job at a time through
the scheduler (the Databricks job of `databricks.yml` has `max_concurrent_runs: 1`).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from golden_record.lakehouse.config import local_folder
from golden_record.lakehouse.errors import PipelineError

log = logging.getLogger(__name__)

LOCK_FILE = ".golden-record.lock"
POLL_SECONDS = 0.5


class LakehouseBusy(PipelineError):
    """Another run holds the lakehouse's lock."""


def holder_of(lock: Path) -> str:
    """Who holds the lock, in words (from the file the holder wrote)."""
    try:
        holder = json.loads(lock.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    if not holder:
        return "another run (starting)"
    return f"`{holder.get('command')}` (process {holder.get('pid')} on {holder.get('host')}, since {holder.get('started_at')})"


def _acquire(fd: int, lock: Path, lakehouse: str, command: str, wait_seconds: float) -> bool:
    """Take the lock on `fd`, waiting up to `wait_seconds`; False on a mount without file locks, LakehouseBusy when held."""
    deadline, announced = time.monotonic() + wait_seconds, False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LakehouseBusy(
                    f"the lakehouse {lakehouse} is in use by {holder_of(lock)}; `{command}` did not start. "
                    "Run it when that run has finished, or set run.lock_wait_seconds to wait for it."
                ) from None
            if not announced:
                log.info("waiting up to %.0fs for %s to finish", wait_seconds, holder_of(lock))
                announced = True
            time.sleep(POLL_SECONDS)
        except OSError as error:  # a mount without file locks (some FUSE file systems)
            log.warning("no run lock on %s (%s): let the scheduler start one run at a time", lakehouse, error)
            return False


@contextmanager
def run_lock(lakehouse: str, command: str, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the lakehouse's run lock while the block runs; wait up to `wait_seconds` for another holder, then stop."""
    folder = local_folder(lakehouse)
    if folder is None:
        log.info("no run lock on %s: let the scheduler start one run at a time", lakehouse)
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / LOCK_FILE
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _acquire(fd, lock, lakehouse, command, wait_seconds):
            yield
            return
        holder = {"command": command, "pid": os.getpid(), "host": socket.gethostname(), "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode("utf-8"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
