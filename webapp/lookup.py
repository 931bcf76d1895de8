"""The lookup engine: one complete run's tables (the run manifest's versions) in an in-process DuckDB, with search keys.

Every page reads here; nothing starts a Spark job. Search keys come from every source record behind a golden
customer, so a customer is found by any e-mail, phone number, customer number or loyalty card a source knows, and by
the words of any spelling of their name (silver's matching form: "Müller" and "Mueller" are both "mueller"; a typo
is found by Jaro-Winkler similarity against the distinct name words).
"""

from __future__ import annotations

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
from golden_record.transforms.silver.names import matching_text
from golden_record.transforms.silver.phones import to_e164

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

IDENTIFIER_KINDS = ("email", "phone", "number")
"""Search key kinds besides name words: e-mail (matching form), phone (E.164), customer number or loyalty card (letters and digits)."""

SEARCH_KEYS_SQL = """
create table search_keys as
select * from (
    select x.golden_id, 'email' as kind, r.email_norm as key from records r join xref x using (source_system, source_record_id) where r.email_norm is not null
    union all select x.golden_id, 'phone', r.phone from records r join xref x using (source_system, source_record_id) where r.phone is not null
    union all select x.golden_id, 'number', upper(regexp_replace(r.customer_number, '[^0-9A-Za-z]', '', 'g')) from records r join xref x using (source_system, source_record_id) where r.customer_number is not null
    union all select x.golden_id, 'number', upper(regexp_replace(r.loyalty_card, '[^0-9A-Za-z]', '', 'g')) from records r join xref x using (source_system, source_record_id) where r.loyalty_card is not null
) group by all order by kind, key;
create table name_words as
select distinct x.golden_id, w.word
from records r join xref x using (source_system, source_record_id),
     unnest(string_split(concat_ws(' ', r.first_name_norm, r.last_name_norm), ' ')) as w(word)
where length(w.word) > 0
order by w.word;
create table words as select word, count(*) as customers from name_words group by word order by word;
"""
"""Search keys of every golden customer, from all its source records."""

RESULT_COLUMNS = "c.golden_id, c.first_name, c.last_name, c.birth_date, c.email, c.phone, c.postcode, c.city, c.country, c.record_count, k.value_segment"
"""What a search result shows of a golden customer."""


@dataclass(frozen=True)
class Query:
    """A search as the engine reads it: which keys to look in, with what."""

    text: str
    identifiers: dict[str, str]
    name_words: list[str]


def read_query(text: str, rules: StandardisationRules, phone_region: str) -> Query:
    """How to search for what someone typed: e-mail, phone number, customer number / loyalty card, or name words."""
    text = " ".join(text.split())
    identifiers: dict[str, str] = {}
    if "@" in text:
        identifiers["email"] = text.lower()
        return Query(text, identifiers, [])
    phone, _ = to_e164(text, phone_region) if re.fullmatch(r"\+?[\d ()./-]{5,}", text) else (None, None)
    if phone:
        identifiers["phone"] = phone
    compact = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if compact and any(c.isdigit() for c in compact):
        identifiers["number"] = compact
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
        for name, table in LOADED.items():
            arrow = tables.read(table.name, manifest.versions[table.name])
            self.db.register("incoming", arrow)
            self.db.execute(f"create table {name} as select * from incoming")
            self.db.unregister("incoming")
        self.db.execute(SEARCH_KEYS_SQL)
        decided = tables.read(STEWARD_DECISIONS.name, columns=["unique_id_l", "unique_id_r"]) if tables.exists(STEWARD_DECISIONS.name) else None
        self.db.execute("create table decided (unique_id_l varchar, unique_id_r varchar)")
        if decided is not None:
            self.add_decided(decided.to_pylist())
        self.load_seconds = time.monotonic() - started

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
        customers = "customers_masked" if masked else "customers"
        limit = self.settings.results
        if query.identifiers:
            found = " or ".join("(kind = ? and key = ?)" for _ in query.identifiers)
            parameters = [v for kind, key in query.identifiers.items() for v in (kind, key)]
            return self._rows(
                f"select {RESULT_COLUMNS}, 1.0 as score from (select distinct golden_id from search_keys where {found}) s "
                f"join {customers} c using (golden_id) left join kpis k using (golden_id) order by c.last_name, c.first_name, c.golden_id limit {limit}",
                parameters,
            )
        if not query.name_words:
            return []
        words = ", ".join(f"({i}, ?)" for i in range(len(query.name_words)))
        return self._rows(
            f"""
            with q(qi, w) as (values {words}),
            matched as (
                select q.qi, words.word, jaro_winkler_similarity(words.word, q.w) as s
                from q, words where words.word = q.w or jaro_winkler_similarity(words.word, q.w) >= ?
            ),
            hits as (
                select n.golden_id, m.qi, max(m.s) as s from name_words n join matched m using (word) group by n.golden_id, m.qi
            ),
            found as (select golden_id, sum(s) as score from hits group by golden_id having count(*) = ?)
            select {RESULT_COLUMNS}, f.score from found f join {customers} c using (golden_id) left join kpis k using (golden_id)
            order by f.score desc, c.record_count desc, c.golden_id limit {limit}
            """,
            [*query.name_words, self.settings.name_similarity, len(query.name_words)],
        )

    def customer(self, golden_id: str, masked: bool) -> dict[str, Any] | None:
        """Everything a customer page shows: golden record with lineage, source records, 360, timeline, id history."""
        rows = self._rows(f"select * from {'customers_masked' if masked else 'customers'} where golden_id = ?", [golden_id])
        if not rows:
            return None
        record = rows[0]
        lineage = self._rows("select unnest(map_keys(lineage)) as field, unnest(map_values(lineage)) as source from customers where golden_id = ?", [golden_id])
        records = "records_masked" if masked else "records"
        sources = self._rows(
            f"select x.unique_id, x.match_probability, x.assigned_at, r.* exclude (row_hash, batch_id) from xref x join {records} r using (source_system, source_record_id) "
            "where x.golden_id = ? order by r.source_system, r.source_record_id",
            [golden_id],
        )
        kpis = self._rows("select * from kpis where golden_id = ?", [golden_id])
        timeline = self._rows(
            f"select * exclude (golden_id) from timeline where golden_id = ? order by occurred_at desc, event_id limit {self.settings.timeline_events}", [golden_id]
        )
        history = self._rows("select * from history where golden_id = ? or other_id = ? order by event_at, event", [golden_id, golden_id])
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
        return [row["unique_id"] for row in self._rows("select unique_id from xref where golden_id = ? order by unique_id", [golden_id])]

    def golden_id_of(self, unique_id: str) -> str | None:
        """The golden customer a source record belongs to."""
        rows = self._rows("select golden_id from xref where unique_id = ?", [unique_id])
        return rows[0]["golden_id"] if rows else None

    def review_queue(self, page: int = 0) -> tuple[list[dict[str, Any]], int]:
        """Undecided review pairs, those of the most valuable customers first, then the most uncertain; and how many there are."""
        undecided = "from review r anti join decided d using (unique_id_l, unique_id_r)"
        size = self.settings.review_page
        rows = self._rows(
            f"""
            select r.unique_id_l, r.unique_id_r, r.match_probability, r.match_weight, r.review_reason,
                   xl.golden_id as golden_l, xr.golden_id as golden_r,
                   greatest(coalesce(kl.revenue, 0), coalesce(kr.revenue, 0)) as value,
                   concat_ws(' ', cl.first_name, cl.last_name) as name_l, concat_ws(' ', cr.first_name, cr.last_name) as name_r
            {undecided}
            left join xref xl on xl.unique_id = r.unique_id_l left join xref xr on xr.unique_id = r.unique_id_r
            left join kpis kl on kl.golden_id = xl.golden_id left join kpis kr on kr.golden_id = xr.golden_id
            left join records cl on cl.source_system = r.source_system_l and cl.source_record_id = r.source_record_id_l
            left join records cr on cr.source_system = r.source_system_r and cr.source_record_id = r.source_record_id_r
            order by value desc, abs(r.match_probability - 0.5), r.unique_id_l, r.unique_id_r
            limit {size} offset {page * size}
            """
        )
        return rows, self._rows(f"select count(*) as n {undecided}")[0]["n"]

    def pair(self, unique_id_l: str, unique_id_r: str) -> dict[str, Any] | None:
        """A review pair: its scores, the evidence per comparison, both source records in full."""
        rows = self._rows("select * from review where unique_id_l = ? and unique_id_r = ?", [unique_id_l, unique_id_r])
        if not rows:
            return None
        pair = rows[0]
        records = self._rows(
            "select x.unique_id, x.golden_id, r.* exclude (row_hash, batch_id) from xref x join records r using (source_system, source_record_id) where x.unique_id in (?, ?)",
            [unique_id_l, unique_id_r],
        )
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
