"""The lookup engine: one complete run's tables (the run manifest's versions) in an in-process DuckDB, with search keys.

Every page reads here; nothing starts a Spark job. Search keys come from every source record behind a golden
customer, so a customer is found by any e-mail, phone number, customer number or loyalty card a source knows, and by
the words of any spelling of their name (silver's matching form: "Müller" and "Mueller" are both "mueller"; a typo
is found by Jaro-Winkler similarity against the distinct name words).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from golden_record.lakehouse.app_settings import AppSettings
from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.standardisation_settings import StandardisationRules
from golden_record.lakehouse.storage.arrow_tables import ArrowTables, Manifest
from golden_record.lakehouse.tables import (
    CUSTOMER_360,
    CUSTOMER_TIMELINE,
    CUSTOMER_XREF,
    GOLDEN_CUSTOMERS,
    GOLDEN_CUSTOMERS_MASKED,
    GOLDEN_ID_HISTORY,
    MATCH_REVIEW,
    SILVER_CUSTOMERS,
    SILVER_CUSTOMERS_MASKED,
    STEWARD_DECISIONS,
)
from golden_record.transforms.silver.emails import email_matching_text
from golden_record.transforms.silver.names import matching_text
from golden_record.transforms.silver.phones import to_e164

log = logging.getLogger(__name__)

LOADED = {
    "customers": GOLDEN_CUSTOMERS,
    "customers_masked": GOLDEN_CUSTOMERS_MASKED,
    "xref": CUSTOMER_XREF,
    "records": SILVER_CUSTOMERS,
    "records_masked": SILVER_CUSTOMERS_MASKED,
    "kpis": CUSTOMER_360,
    "timeline": CUSTOMER_TIMELINE,
    "review": MATCH_REVIEW,
    "history": GOLDEN_ID_HISTORY,
}
"""DuckDB table -> the lakehouse table it holds at the manifest's version."""

SORTED_BY = {"customers": "golden_id", "customers_masked": "golden_id", "kpis": "golden_id", "timeline": "golden_id"}
"""Tables held in key order: a lookup by key reads one row group (found by its min/max statistics), no index to build."""

NOT_SHOWN = {"records": ("quality_issues", "row_hash", "batch_id", "ingested_at"), "records_masked": ("quality_issues", "row_hash", "batch_id", "ingested_at"), "customers_masked": ("lineage",)}
"""Columns no page shows, left in the lakehouse (less to read and hold; lineage is read from the full golden record)."""

IDENTIFIER_KINDS = ("email", "phone", "number")
"""Search key kinds besides name words: e-mail (as written, lower case, and its matching form: no plus tag, gmail
without dots), phone (E.164), customer number or loyalty card (letters and digits only, upper case)."""

SEARCH_KEYS_SQL = """
create table sources as
select x.golden_id, x.unique_id, x.match_probability, x.assigned_at, r.*
from xref x join records r using (source_system, source_record_id) order by x.golden_id;
create table sources_masked as
select x.golden_id, x.unique_id, x.match_probability, x.assigned_at, r.*
from xref x join records_masked r using (source_system, source_record_id) order by x.golden_id;
drop table records; drop table records_masked; drop table xref;
create table search_keys as
select * from (
    select golden_id, 'email' as kind, email_norm as key from sources where email_norm is not null
    union all select golden_id, 'email', email from sources where email is not null
    union all select golden_id, 'phone', phone from sources where phone is not null
    union all select golden_id, 'number', upper(regexp_replace(customer_number, '[^0-9A-Za-z]', '', 'g')) from sources where customer_number is not null
    union all select golden_id, 'number', upper(regexp_replace(loyalty_card, '[^0-9A-Za-z]', '', 'g')) from sources where loyalty_card is not null
) group by all order by kind, key;
create table word_customers as
select w.word, list(distinct s.golden_id order by s.golden_id) as golden_ids
from sources s, unnest(string_split(concat_ws(' ', s.first_name_norm, s.last_name_norm), ' ')) as w(word)
where length(w.word) > 0 group by w.word order by w.word;
create table queue as
select r.unique_id_l, r.unique_id_r, r.match_probability, r.match_weight, r.review_reason,
       sl.golden_id as golden_l, sr.golden_id as golden_r,
       greatest(coalesce(kl.revenue, 0), coalesce(kr.revenue, 0)) as value,
       concat_ws(' ', sl.first_name, sl.last_name) as name_l, concat_ws(' ', sr.first_name, sr.last_name) as name_r
from review r
left join sources sl on sl.unique_id = r.unique_id_l left join sources sr on sr.unique_id = r.unique_id_r
left join kpis kl on kl.golden_id = sl.golden_id left join kpis kr on kr.golden_id = sr.golden_id
order by value desc, abs(r.match_probability - 0.5), r.unique_id_l, r.unique_id_r;
create index history_golden on history (golden_id);
create index history_other on history (other_id);
create index review_left on review (unique_id_l);
"""
"""Source records with their golden id (full and masked), search keys of every golden customer from all its source
records, the customers behind each name word, the review queue in priority order, and ART indexes for the point
lookups of a page."""

RESULT_COLUMNS = "c.golden_id, c.first_name, c.last_name, c.birth_date, c.email, c.phone, c.postcode, c.city, c.country, c.record_count, k.value_segment"
"""What a search result shows of a golden customer."""


@dataclass(frozen=True)
class Query:
    """A search as the engine reads it: which keys to look in, with what."""

    text: str
    identifiers: dict[str, list[str]]  # kind -> the keys to look up (an e-mail: as written and its matching form)
    name_words: list[str]


def read_query(text: str, rules: StandardisationRules, phone_region: str) -> Query:
    """How to search for what someone typed: e-mail, phone number, customer number / loyalty card, or name words."""
    text = " ".join(text.split())
    identifiers: dict[str, list[str]] = {}
    if "@" in text:
        identifiers["email"] = sorted({text.lower(), email_matching_text(text, rules)})
        return Query(text, identifiers, [])
    phone, _ = to_e164(text, phone_region) if re.fullmatch(r"\+?[\d ()./-]{5,}", text) else (None, None)
    if phone:
        identifiers["phone"] = [phone]
    compact = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if compact and any(c.isdigit() for c in compact):
        identifiers["number"] = [compact]
    words = [] if identifiers else (matching_text(text, rules) or "").split()
    return Query(text, identifiers, words)


class CustomerIndex:
    """One complete run in DuckDB: search, golden records with lineage, source records, timeline, 360, review queue."""

    def __init__(self, tables: ArrowTables, manifest: Manifest, settings: AppSettings, rules: StandardisationRules) -> None:
        started = time.monotonic()
        self.manifest = manifest
        self.settings = settings
        self.rules = rules
        self.db = duckdb.connect()
        self.db.execute("set threads = 2")
        self._lock = threading.Lock()
        missing = [t.name for t in LOADED.values() if t.name not in manifest.versions]
        if missing:
            raise PipelineError(f"run {manifest.run_id} pins no version of {', '.join(missing)}; run `golden-record build-gold` to complete a run")
        steps: dict[str, float] = {}
        for name, table in LOADED.items():
            step = time.monotonic()
            version = manifest.versions[table.name]
            columns = [c for c in tables.columns(table.name, version) if c not in NOT_SHOWN.get(name, ())]
            arrow = tables.read(table.name, version, columns)
            self.db.register("incoming", arrow)
            order = f" order by {SORTED_BY[name]}" if name in SORTED_BY else ""
            self.db.execute(f"create table {name} as select * from incoming{order}")
            self.db.unregister("incoming")
            steps[f"load {name}"] = time.monotonic() - step
        for statement in filter(str.strip, SEARCH_KEYS_SQL.split(";")):
            step = time.monotonic()
            self.db.execute(statement)
            steps[" ".join(statement.split()[:3])] = time.monotonic() - step
        decided = tables.read(STEWARD_DECISIONS.name, columns=["unique_id_l", "unique_id_r"]) if tables.exists(STEWARD_DECISIONS.name) else None
        self.db.execute("create table decided (unique_id_l varchar, unique_id_r varchar)")
        if decided is not None:
            self.add_decided(decided.to_pylist())
        self.load_seconds = time.monotonic() - started
        log.info("loaded run %s in %.1fs: %s", manifest.run_id, self.load_seconds, ", ".join(f"{k} {v:.1f}s" for k, v in sorted(steps.items(), key=lambda kv: -kv[1])[:8]))

    def _rows(self, sql: str, parameters: list[Any] | None = None) -> list[dict[str, Any]]:
        """The query's rows as dicts (one query at a time: DuckDB connections are not shared across threads)."""
        with self._lock:
            result = self.db.execute(sql, parameters or [])
            names = [d[0] for d in result.description]
            return [dict(zip(names, row)) for row in result.fetchall()]

    def count(self, table: str) -> int:
        """Rows of a loaded table."""
        return self._rows(f"select count(*) as n from {table}")[0]["n"]

    def search(self, text: str, masked: bool) -> list[dict[str, Any]]:
        """Golden customers for a search (best first), in their masked form when `masked`."""
        query = read_query(text, self.rules, self.settings.phone_region)
        if query.identifiers:
            found = set()
            for kind, keys in query.identifiers.items():
                listed = ", ".join("?" for _ in keys)
                found |= {row["golden_id"] for row in self._rows(f"select golden_id from search_keys where kind = ? and key in ({listed})", [kind, *keys])}
            scores = dict.fromkeys(found, 1.0)
        elif query.name_words:
            scores = self._name_scores(query.name_words)
        else:
            return []
        best = sorted(scores, key=lambda g: (-scores[g], g))[: self.settings.results * 4]  # a name search returns these already
        if not best:
            return []
        listed = ", ".join("?" for _ in best)
        rows = self._rows(
            f"select {RESULT_COLUMNS} from {'customers_masked' if masked else 'customers'} c left join kpis k on k.golden_id = c.golden_id where c.golden_id in ({listed})",
            best,
        )
        for row in rows:
            row["score"] = scores[row["golden_id"]]
        rows.sort(key=lambda r: (-r["score"], -(r["record_count"] or 0), r["last_name"] or "", r["first_name"] or "", r["golden_id"]))
        return rows[: self.settings.results]

    def _name_scores(self, words: list[str]) -> dict[str, float]:
        """golden_id -> summed similarity of its best name word to each searched word, for customers matching all of them.

        A searched word is compared (Jaro-Winkler) with the stored name words of its first letter and a length at most two
        apart: a typo anywhere but in the first letter is found ("Mueler", "Webr"), a longer name that merely starts
        alike is not ("Maria" does not find "Mariansen"), and a search scans one letter's words, not every customer."""
        parts, parameters = [], []
        for i, word in enumerate(words):
            parts.append(
                f"w{i} as (select g as golden_id, max(s) as s from (select unnest(golden_ids) as g, jaro_winkler_similarity(word, ?) as s from word_customers "
                f"where word >= ? and word < ? and (word = ? or (abs(length(word) - ?) <= 2 and jaro_winkler_similarity(word, ?) >= ?))) group by g)"
            )
            parameters += [word, word[0], chr(ord(word[0]) + 1), word, len(word), word, self.settings.name_similarity]
        joined = " ".join(f"join w{i} using (golden_id)" for i in range(1, len(words)))
        total = " + ".join(f"w{i}.s" for i in range(len(words)))
        rows = self._rows(
            f"with {', '.join(parts)} select golden_id, {total} as score from w0 {joined} order by score desc, golden_id limit {self.settings.results * 4}", parameters
        )
        return {row["golden_id"]: row["score"] for row in rows}

    def customer(self, golden_id: str, masked: bool) -> dict[str, Any] | None:
        """Everything a customer page shows: golden record with lineage, source records, 360, timeline, id history."""
        rows = self._rows(f"select * from {'customers_masked' if masked else 'customers'} where golden_id = ?", [golden_id])
        if not rows:
            return None
        record = rows[0]
        lineage = self._rows("select unnest(map_keys(lineage)) as field, unnest(map_values(lineage)) as source from customers where golden_id = ?", [golden_id])
        sources = self._rows(f"select * from {'sources_masked' if masked else 'sources'} where golden_id = ? order by source_system, source_record_id", [golden_id])
        kpis = self._rows("select * from kpis where golden_id = ?", [golden_id])
        timeline = self._rows(
            f"select * exclude (golden_id) from timeline where golden_id = ? order by occurred_at desc, event_id limit {self.settings.timeline_events}", [golden_id]
        )
        history = self._rows(
            "select * from (select * from history where golden_id = ? union all select * from history where other_id = ? and golden_id <> ?) order by event_at, event",
            [golden_id, golden_id, golden_id],
        )
        return {
            "record": record,
            "lineage": {row["field"]: row["source"] for row in lineage},
            "sources": sources,
            "kpis": kpis[0] if kpis else None,
            "timeline": timeline,
            "interactions": self._rows("select count(*) as n from timeline where golden_id = ?", [golden_id])[0]["n"],
            "history": history,
        }

    def members(self, golden_id: str) -> list[str]:
        """The unique ids of a golden customer's source records."""
        return [row["unique_id"] for row in self._rows("select unique_id from sources where golden_id = ? order by unique_id", [golden_id])]

    def review_queue(self, page: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Undecided review pairs, those of the most valuable customers first, then the most uncertain; and how many there are."""
        undecided = "from queue q anti join decided d using (unique_id_l, unique_id_r)"
        size = self.settings.review_page
        rows = self._rows(f"select q.* {undecided} order by q.value desc, abs(q.match_probability - 0.5), q.unique_id_l, q.unique_id_r limit {size} offset {page * size}")
        return rows, self._rows(f"select count(*) as n {undecided}")[0]["n"]

    def pair(self, unique_id_l: str, unique_id_r: str) -> dict[str, Any] | None:
        """A review pair: its scores, the evidence per comparison, both source records in full."""
        rows = self._rows("select * from review where unique_id_l = ? and unique_id_r = ?", [unique_id_l, unique_id_r])
        if not rows:
            return None
        pair = rows[0]
        golden = self._rows("select golden_l, golden_r from queue where unique_id_l = ? and unique_id_r = ?", [unique_id_l, unique_id_r])[0]
        records = self._rows("select * from sources where golden_id in (?, ?) and unique_id in (?, ?)", [golden["golden_l"], golden["golden_r"], unique_id_l, unique_id_r])
        by_id = {row["unique_id"]: row for row in records}
        pair["left"], pair["right"] = by_id.get(unique_id_l), by_id.get(unique_id_r)
        pair["decided"] = bool(self._rows("select 1 from decided where unique_id_l = ? and unique_id_r = ?", [unique_id_l, unique_id_r]))
        return pair

    def add_decided(self, pairs: list[dict[str, Any]]) -> None:
        """Remember decided pairs (ordered as the review table orders them) so the queue leaves them out."""
        if not pairs:
            return
        ordered = pa.table(
            {
                "unique_id_l": [min(p["unique_id_l"], p["unique_id_r"]) for p in pairs],
                "unique_id_r": [max(p["unique_id_l"], p["unique_id_r"]) for p in pairs],
            }
        )
        with self._lock:
            self.db.register("incoming_decided", ordered)
            self.db.execute("insert into decided select * from incoming_decided")
            self.db.unregister("incoming_decided")
