"""privacy.access_log written in the background: a request queues its row, a thread appends the queue once a second.

A Delta commit costs tens of milliseconds; logging every view of full personal data in the request itself would make
each lookup that much slower. Rows are appended in order, at least once a second and when the app stops (`close`).
"""

from __future__ import annotations

import logging
import queue
import threading

import pyarrow as pa

from golden_record.lakehouse.storage.arrow_tables import ArrowTables
from golden_record.lakehouse.tables import ACCESS_LOG

log = logging.getLogger(__name__)


class AccessLog:
    """Queued access log rows, appended to privacy.access_log by one writer thread."""

    def __init__(self, tables: ArrowTables, flush_seconds: float = 1.0) -> None:
        self.tables = tables
        self.flush_seconds = flush_seconds
        self._rows: queue.Queue[pa.Table] = queue.Queue()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="access-log", daemon=True)
        self._thread.start()

    def record(self, row: pa.Table) -> None:
        """Queue a row (written within `flush_seconds`)."""
        self._rows.put(row)

    def flush(self) -> int:
        """Append every queued row now, in one commit; return how many."""
        with self._lock:
            rows = []
            while not self._rows.empty():
                rows.append(self._rows.get_nowait())
            if rows:
                self.tables.append(ACCESS_LOG.name, pa.concat_tables(rows))
            return sum(r.num_rows for r in rows)

    def _run(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            try:
                self.flush()
            except Exception:  # keep the rows for the next try
                log.exception("could not write privacy.access_log; retrying")

    def close(self) -> None:
        """Stop the writer and append what is left."""
        self._stop.set()
        self._thread.join(5)
        self.flush()
