"""Job: erase a person (right to be forgotten) from every layer, vacuum old file versions, scrub reports, keep them suppressed."""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from golden_record.lakehouse.config import PipelineConfig, local_folder
from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.manifest import record_run
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.suppression import salt_file, suppression_salt
from golden_record.lakehouse.tables import (
    BRONZE_QUARANTINE,
    CUSTOMER_XREF,
    ERASURE_AUDIT,
    GOLDEN_CHANGES,
    GOLDEN_ID_HISTORY,
    INGEST_LOG,
    SILVER_CUSTOMERS,
    SILVER_INTERACTIONS,
    SILVER_QUARANTINE,
    SUPPRESSION_LIST,
    bronze_table,
)
from golden_record.transforms.gold.changes import CHANGES_SCHEMA
from golden_record.transforms.gold.golden_ids import HISTORY_SCHEMA
from golden_record.transforms.privacy.erasure import ErasureSubject, erasure_predicate, in_list, mentions_subject, pairs_predicate, scrub_text
from golden_record.transforms.privacy.suppression import customer_reference, salted_hash, salted_hash_of, suppression_keys
from golden_record.transforms.silver.customers import select_customer_fields
from golden_record.transforms.silver.emails import standardise_email
from golden_record.transforms.silver.issues import with_issues_column

log = logging.getLogger(__name__)

KEPT_TABLES = frozenset({INGEST_LOG.name, GOLDEN_ID_HISTORY.name, GOLDEN_CHANGES.name, SUPPRESSION_LIST.name, ERASURE_AUDIT.name})
"""Tables that hold no personal data and stay as they are (the id history and the change feed get an `erased` row)."""

TEXT_SUFFIXES = frozenset({".html", ".htm", ".json", ".csv", ".txt", ".log", ".md", ".yaml", ".yml", ".xml", ".js"})
"""Report files whose text is scrubbed."""

IDENTIFYING_COLUMNS = ("email", "email_norm", "phone", "national_id", "customer_number", "loyalty_card")
PERSONAL_COLUMNS = ("first_name", "last_name", "birth_date", "street")

AUDIT_SCHEMA = T.StructType([
    T.StructField("request_id", T.StringType()),
    T.StructField("requested_at", T.TimestampType()),
    T.StructField("kind", T.StringType()),
    T.StructField("selector", T.StringType()),
    T.StructField("subject_hashes", T.ArrayType(T.StringType())),
    T.StructField("golden_customers", T.LongType()),
    T.StructField("source_records", T.LongType()),
    T.StructField("tables", T.ArrayType(T.StructType([T.StructField("table", T.StringType()), T.StructField("rows_removed", T.LongType()), T.StructField("files_vacuumed", T.LongType())]))),
    T.StructField("files_vacuumed", T.LongType()),
    T.StructField("reports_scrubbed", T.LongType()),
])
"""Schema of `privacy.erasure_audit` (no personal data: golden ids only as salted hashes)."""


@dataclass(frozen=True)
class ErasureResult:
    """What one erasure request removed, in numbers."""

    request_id: str
    golden_customers: int
    source_records: int
    rows_removed: dict[str, int]
    files_vacuumed: int
    reports_scrubbed: int
    suppressed_values: int
    seconds: float
    tables: list[str] = field(default_factory=list)


def parse_source_record(value: str) -> tuple[str, str]:
    """`source:record_id` -> (source, record id); a PipelineError explains the form otherwise."""
    source, sep, record = value.partition(":")
    if not sep or not source or not record:
        raise PipelineError(f"--source-record {value!r}: expected SOURCE:RECORD_ID, e.g. crm:10042")
    return source, record


def _normalised_emails(spark: SparkSession, config: PipelineConfig, emails: Sequence[str]) -> list[str]:
    """The e-mails in their matching form (as silver's email_norm)."""
    if not emails:
        return []
    df = with_issues_column(spark.createDataFrame([(e,) for e in emails], "email string"))
    return [row.email_norm for row in standardise_email(df, config.standardisation).collect() if row.email_norm]


def find_subject(
    config: PipelineConfig, spark: SparkSession, store: TableStore, golden_ids: Iterable[str] = (), records: Iterable[tuple[str, str]] = (), emails: Sequence[str] = ()
) -> ErasureSubject:
    """Everything that belongs to the selected persons: their golden ids, every source record and event, their values."""
    golden, direct = set(golden_ids), set(records)
    silver = store.read(SILVER_CUSTOMERS.name) if store.exists(SILVER_CUSTOMERS.name) else None
    normalised = _normalised_emails(spark, config, emails)
    if silver is not None and normalised:
        direct |= {(r.source_system, r.source_record_id) for r in silver.where(F.col("email_norm").isin(normalised)).select("source_system", "source_record_id").collect()}
    xref_rows = []
    if store.exists(CUSTOMER_XREF.name):
        xref = store.read(CUSTOMER_XREF.name)
        by_record = pairs_predicate("source_system", "source_record_id", direct)
        if by_record:
            golden |= {r.golden_id for r in xref.where(by_record).select("golden_id").collect()}
        if golden:
            xref_rows = xref.where(F.col("golden_id").isin(sorted(golden))).select("source_system", "source_record_id", "unique_id").collect()
    all_records = direct | {(r.source_system, r.source_record_id) for r in xref_rows}
    identifying: set[str] = set()
    personal: set[str] = set()
    if silver is not None and all_records:
        for row in silver.where(pairs_predicate("source_system", "source_record_id", all_records)).select(*IDENTIFYING_COLUMNS, *PERSONAL_COLUMNS).collect():
            identifying |= {str(row[c]) for c in IDENTIFYING_COLUMNS if row[c]}
            personal |= {str(row[c]) for c in PERSONAL_COLUMNS if row[c]}
            if row.first_name and row.last_name:
                personal.add(f"{row.first_name} {row.last_name}")
    events: set[tuple[str, str]] = set()
    if store.exists(SILVER_INTERACTIONS.name) and all_records:
        found = store.read(SILVER_INTERACTIONS.name).where(pairs_predicate("customer_source", "customer_record_id", all_records))
        events = {(r.source_system, r.event_id) for r in found.select("source_system", "event_id").collect()}
    return ErasureSubject(frozenset(golden), frozenset(all_records), frozenset(r.unique_id for r in xref_rows), frozenset(events), frozenset(identifying), frozenset(personal))


def _suppress(config: PipelineConfig, spark: SparkSession, store: TableStore, subject: ErasureSubject, request_id: str, now: datetime) -> int:
    """Add the salted hashes of the subject's identifying values and record keys to the suppression list; return how many."""
    salt = suppression_salt(config, create=True)
    assert salt is not None
    silver = store.read(SILVER_CUSTOMERS.name).where(pairs_predicate("source_system", "source_record_id", subject.records)) if store.exists(SILVER_CUSTOMERS.name) else None
    keys = suppression_keys(silver, config.linkage.identifiers.placeholder_patterns, salt).select("kind", "value_hash") if silver is not None else None
    records = spark.createDataFrame([(f"{s}:{r}",) for s, r in sorted(subject.records)], "record string").select(
        F.lit("record").alias("kind"), salted_hash("record", F.col("record"), salt).alias("value_hash")
    )
    keys = records if keys is None else keys.unionByName(records)
    keys = keys.dropDuplicates(["value_hash"])
    if store.exists(SUPPRESSION_LIST.name):
        keys = keys.join(store.read(SUPPRESSION_LIST.name).select("value_hash"), "value_hash", "left_anti")
    rows = keys.select("value_hash", "kind", F.lit(request_id).alias("request_id"), F.lit(now.replace(tzinfo=None)).cast("timestamp").alias("added_at")).collect()
    if rows:
        store.append(SUPPRESSION_LIST.name, spark.createDataFrame(rows, "value_hash string, kind string, request_id string, added_at timestamp"))
    return len(rows)


def _bronze_hashes(config: PipelineConfig, store: TableStore, subject: ErasureSubject) -> dict[str, list[str]]:
    """Per bronze source table, the row hashes of the subject's rows (their customer records and the events about them)."""
    found: dict[str, list[str]] = {}
    for source in config.sources:
        table = bronze_table(source.name).name
        if not store.exists(table):
            continue
        bronze = store.read(table)
        frames: list[DataFrame] = []
        if source.customers:
            keys = [record for system, record in subject.records if system == source.name]
            if keys:
                frames.append(select_customer_fields(bronze, source).where(F.col("source_record_id").isin(keys)).select("row_hash"))
        if source.interactions:
            target = source.interactions.customer_source or source.name
            keys = [record for system, record in subject.records if system == target]
            if keys:
                frames.append(customer_reference(bronze, source).where(F.col("customer_record_id").isin(keys)).select("row_hash"))
                if source.interactions.link_by:  # anonymous rows of the subject's cookies (silver linked them to the subject)
                    references = customer_reference(bronze, source)
                    links = [r.link_key for r in references.where(F.col("customer_record_id").isin(keys) & F.col("link_key").isNotNull()).select("link_key").distinct().collect()]
                    if links:
                        frames.append(references.where(F.col("customer_record_id").isNull() & F.col("link_key").isin(links)).select("row_hash"))
        hashes = sorted({row.row_hash for frame in frames for row in frame.distinct().collect()})
        if hashes:
            found[table] = hashes
    return found


def _predicates(config: PipelineConfig, store: TableStore, subject: ErasureSubject) -> dict[str, str]:
    """The delete predicate of every table holding rows about the subject (gold.customer_xref last: it finds the records on a rerun)."""
    bronze = _bronze_hashes(config, store, subject)
    predicates = {table: in_list("_row_hash", hashes) for table, hashes in bronze.items()}
    bronze_hashes = sorted({h for hashes in bronze.values() for h in hashes})
    source_tables = {bronze_table(s.name).name for s in config.sources}
    for table in store.tables():
        if table in KEPT_TABLES or table in source_tables:
            continue
        rows = store.read(table)
        if table in (BRONZE_QUARANTINE.name, SILVER_QUARANTINE.name):
            text, source = ("raw_record", "source") if table == BRONZE_QUARANTINE.name else ("value", "source_system")
            mentioned = sorted({r.row_hash for r in rows.where(mentions_subject(F.col(text), F.col(source), subject)).select("row_hash").distinct().collect()})
            parts = [in_list("row_hash", [*mentioned, *bronze_hashes]), erasure_predicate(rows.columns, subject, quarantine=table == SILVER_QUARANTINE.name)]
            predicate = " OR ".join(f"({p})" for p in parts if p) or None
        else:
            predicate = erasure_predicate(rows.columns, subject)
        if predicate:
            predicates[table] = predicate
    if CUSTOMER_XREF.name in predicates:
        predicates[CUSTOMER_XREF.name] = predicates.pop(CUSTOMER_XREF.name)
    return predicates


def scrub_reports(config: PipelineConfig, subject: ErasureSubject) -> int:
    """Replace the subject's values in every text file under the reports, models and checkpoints folders; return files changed."""
    changed = 0
    for configured in (config.paths.reports, config.paths.models, config.paths.checkpoints):
        folder = local_folder(configured)
        if folder is None:
            log.warning("reports under %s are not on a local path and were not scrubbed", configured)
            continue
        for path in (p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES) if folder.exists() else ():
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            scrubbed, replaced = scrub_text(text, subject)
            if replaced:
                path.write_text(scrubbed, encoding="utf-8")
                changed += 1
    return changed


def delete_rows(store: TableStore, predicates: dict[str, str]) -> dict[str, int]:
    """Delete the matching rows of each existing table, in order; return rows removed per table that changed."""
    removed: dict[str, int] = {}
    for position, (table, predicate) in enumerate(predicates.items(), start=1):
        if not store.exists(table):
            continue
        before = store.version(table)
        if store.delete_where(table, predicate) != before:
            removed[table] = int(store.history(table)[0]["metrics"].get("numDeletedRows") or 0)
            log.info("[%d/%d] %s: %d row(s) removed", position, len(predicates), table, removed[table])
    return removed


def new_request_id(kind: str, now: datetime) -> str:
    """A readable, unique request id: <kind>-<UTC time>-<random hex>."""
    return f"{kind}-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def record_request(
    config: PipelineConfig, spark: SparkSession, store: TableStore, request_id: str, now: datetime, kind: str, selector: str,
    subject: ErasureSubject, removed: dict[str, int], vacuumed: dict[str, int], scrubbed: int,
) -> None:
    """Append the request to privacy.erasure_audit: counts per table, golden ids only as salted hashes."""
    salt = suppression_salt(config, create=True) or ""
    hashes = [salted_hash_of("golden_id", golden_id, salt) for golden_id in sorted(subject.golden_ids)]
    audit = [(
        request_id, now.replace(tzinfo=None), kind, selector, hashes, len(subject.golden_ids), len(subject.records),
        [(table, removed[table], vacuumed.get(table, 0)) for table in removed], sum(vacuumed.values()), scrubbed,
    )]
    store.append(ERASURE_AUDIT.name, spark.createDataFrame(audit, AUDIT_SCHEMA))


@dataclass(frozen=True)
class PendingRequest:
    """An erasure or retention request that has started: what a rerun needs to finish it."""

    request_id: str
    requested_at: datetime
    kind: str
    selector: str
    suppress: bool
    subject: ErasureSubject
    path: Path = Path()


def _journal_folder(config: PipelineConfig) -> Path:
    """{root}/privacy/pending: journals of requests not finished yet (beside the salt)."""
    return salt_file(config).parent / "pending"


def write_journal(config: PipelineConfig, request: PendingRequest) -> Path:
    """Keep the request (with the values to scrub: the person's own data, mode 600) until it is finished."""
    folder = _journal_folder(config)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{request.request_id}.json"
    subject = {name: sorted(list(v) if isinstance(v, tuple) else v for v in getattr(request.subject, name)) for name in ErasureSubject.__dataclass_fields__}
    body = {"request_id": request.request_id, "requested_at": request.requested_at.isoformat(), "kind": request.kind, "selector": request.selector, "suppress": request.suppress, "subject": subject}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(body, file)
    return path


def pending_requests(config: PipelineConfig) -> list[PendingRequest]:
    """Requests a crash interrupted, oldest first."""
    folder = _journal_folder(config)
    pending = []
    for path in sorted(folder.glob("*.json")) if folder.exists() else ():
        body = json.loads(path.read_text(encoding="utf-8"))
        raw = body["subject"]
        subject = ErasureSubject(
            **{name: frozenset(tuple(v) if isinstance(v, list) else v for v in raw[name]) for name in ErasureSubject.__dataclass_fields__}
        )
        pending.append(PendingRequest(body["request_id"], datetime.fromisoformat(body["requested_at"]), body["kind"], body["selector"], body["suppress"], subject, path))
    return sorted(pending, key=lambda p: p.requested_at)


def _tombstone(store: TableStore, table: str, request_id: str, rows: DataFrame, resumed: bool) -> None:
    """Append the request's `erased` rows to an id table that exists (once: a resumed request checks for them first)."""
    if not store.exists(table):
        return
    if resumed and not store.read(table).where(F.col("run_id") == request_id).isEmpty():
        return
    store.append(table, rows)


def erase(
    config: PipelineConfig, spark: SparkSession, store: TableStore, subject: ErasureSubject, kind: str, selector: str, suppress: bool = True,
    pending: PendingRequest | None = None,
) -> ErasureResult:
    """Suppress (when asked), delete the subject's rows from every table, tombstone their ids, vacuum, scrub reports, audit.

    The request is journalled first (`{root}/privacy/pending/`, mode 600) and the journal removed last, so a request a
    crash interrupted is finished by the next `erase` (`pending`: that journal; then every table but the kept ones is vacuumed)."""
    started = time.monotonic()
    now = pending.requested_at if pending else datetime.now(timezone.utc)
    request_id = pending.request_id if pending else new_request_id(kind, now)
    journal = pending.path if pending else write_journal(config, PendingRequest(request_id, now, kind, selector, suppress, subject))
    suppressed = _suppress(config, spark, store, subject, request_id, now) if suppress else 0  # first: a crash after this never lets them back in
    predicates = _predicates(config, store, subject)
    removed = delete_rows(store, predicates)
    ids, at = sorted(subject.golden_ids), now.replace(tzinfo=None)
    if ids:
        _tombstone(store, GOLDEN_ID_HISTORY.name, request_id, spark.createDataFrame([("erased", g, None, 0, request_id, at, None) for g in ids], HISTORY_SCHEMA), pending is not None)
        _tombstone(store, GOLDEN_CHANGES.name, request_id, spark.createDataFrame([(g, "erased", None, None, request_id, at) for g in ids], CHANGES_SCHEMA), pending is not None)
    record_run(store, request_id, kind)  # before vacuuming: readers move to versions without the person
    # a resumed request cannot tell which deletes it made before the crash: every table that may have held the person
    touched = [table for table in store.tables() if table not in KEPT_TABLES] if pending else list(removed)
    vacuumed = {table: len(store.vacuum(table, retention_hours=0)) for table in touched}
    scrubbed = scrub_reports(config, subject)
    record_request(config, spark, store, request_id, now, kind, selector, subject, removed, vacuumed, scrubbed)
    journal.unlink(missing_ok=True)
    result = ErasureResult(request_id, len(subject.golden_ids), len(subject.records), removed, sum(vacuumed.values()), scrubbed, suppressed, time.monotonic() - started, sorted(removed))
    log.info(
        "%s %s: %d golden customer(s), %d source record(s); %d row(s) removed from %d table(s), %d old file(s) vacuumed, %d report file(s) scrubbed, %d value(s) suppressed (%.1fs)",
        kind, request_id, result.golden_customers, result.source_records, sum(removed.values()), len(removed), result.files_vacuumed, scrubbed, suppressed, result.seconds,
    )
    return result


def run(
    config: PipelineConfig, spark: SparkSession, store: TableStore, golden_ids: Sequence[str] = (), source_records: Sequence[str] = (), emails: Sequence[str] = ()
) -> list[ErasureResult]:
    """Finish requests a crash interrupted, then erase the persons selected by golden id, `source:record_id` or e-mail.

    Returns one result per request (the resumed ones first); a PipelineError when nothing matches."""
    resumed = [erase(config, spark, store, p.subject, p.kind, p.selector, p.suppress, pending=p) for p in pending_requests(config)]
    for result in resumed:
        log.warning("finished interrupted request %s", result.request_id)
    if not (golden_ids or source_records or emails):
        if resumed:
            return resumed
        raise PipelineError("say whom to erase: --golden-id, --source-record or --email")
    records = [parse_source_record(value) for value in source_records]
    subject = find_subject(config, spark, store, golden_ids, records, emails)
    if subject.empty:
        raise PipelineError("no golden customer or source record matches the request; nothing was erased")
    selector = ",".join(name for name, given in (("golden_id", golden_ids), ("source_record", source_records), ("email", emails)) if given)
    return [*resumed, erase(config, spark, store, subject, "erasure", selector)]
