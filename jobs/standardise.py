"""Job: bronze -> silver. Standardise every source onto the canonical model, quarantine bad rows, gate, promote."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from golden_record.lakehouse import quality
from golden_record.lakehouse.config import PipelineConfig, SourceConfig
from golden_record.lakehouse.errors import PipelineError
from golden_record.lakehouse.session import materialise
from golden_record.lakehouse.standardisation_settings import StandardisationRules
from golden_record.lakehouse.storage import TableStore
from golden_record.lakehouse.tables import SILVER_CUSTOMERS, SILVER_INTERACTIONS, SILVER_QUARANTINE, Table, bronze_table
from golden_record.transforms.silver import customers, interactions
from golden_record.transforms.silver.quarantine import accepted_rows, is_rejected, quarantine_rows
from golden_record.transforms.silver.versions import latest_versions

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class SourceCounts:
    """What standardising one source did: bronze rows = older versions superseded + deleted at the source + in silver + rejected."""

    source: str
    table: str
    bronze_rows: int
    superseded: int
    silver_rows: int
    rejected: int
    values_nulled: int
    deleted: int = 0


@dataclass(frozen=True)
class StandardiseResult:
    """Counts per source and table, the gate results and where Data Docs are."""

    counts: list[SourceCounts]
    gates: list[quality.GateResult]
    seconds: float

    @property
    def docs_index(self) -> str | None:
        """Data Docs index page of this run's gates."""
        return next((g.docs_index for g in self.gates if g.docs_index), None)


@dataclass
class _Candidate:
    table: Table
    key: list[str]
    rejecting_rules: tuple[str, ...]
    sources: list[SourceConfig]
    selected: list[DataFrame]  # per source: its mapped fields, before standardisation

    def standardised(self, rules: StandardisationRules) -> DataFrame:
        """Every source's rows standardised in one plan, newest version of each record."""
        selected = _union(self.selected)
        newest_load = [F.col("ingested_at").desc(), F.col("row_hash")]
        if self.table == SILVER_CUSTOMERS:
            return latest_versions(customers.standardise_customers(selected, self.sources, rules), self.key, [F.col("source_updated_at").desc_nulls_last(), *newest_load])
        return latest_versions(interactions.standardise_interactions(selected, self.sources), self.key, newest_load)

    def bronze_rows(self) -> dict[str, int]:
        """Bronze rows per source (one Spark job for all sources)."""
        if not self.selected:
            return {}
        counted = {row.source_system: row["count"] for row in _union(self.selected).groupBy("source_system").count().collect()}
        return {source.name: counted.get(source.name, 0) for source in self.sources}


_Staged = tuple[_Candidate, DataFrame, DataFrame, DataFrame]
"""A table ready to promote: candidate, the newest version of every record (deleted ones included), accepted rows, quarantine rows."""


def _counts(candidate: _Candidate, newest: DataFrame) -> list[SourceCounts]:
    """Per source: the newest versions split into deleted at the source, rejected and promoted (one Spark job)."""
    deleted = F.col(customers.DELETED_AT_SOURCE) if customers.DELETED_AT_SOURCE in newest.columns else F.lit(False)
    rejected = ~deleted & F.coalesce(is_rejected(candidate.rejecting_rules), F.lit(False))
    nulled = F.size(F.filter("quality_issues", lambda issue: ~issue["rule"].isin(*candidate.rejecting_rules)))
    per_source = {
        row.source_system: row
        for row in newest.groupBy("source_system")
        .agg(
            F.count(F.lit(1)).alias("rows"),
            F.sum(deleted.cast("int")).alias("deleted"),
            F.sum(rejected.cast("int")).alias("rejected"),
            F.sum(F.when(~rejected & ~deleted, nulled).otherwise(0)).alias("nulled"),
        )
        .collect()
    }
    results = []
    for source, bronze_rows in candidate.bronze_rows().items():
        row = per_source.get(source)
        rows, deleted_rows, rejected_rows, nulled_values = (row.rows, row.deleted or 0, row.rejected or 0, row.nulled or 0) if row else (0, 0, 0, 0)
        results.append(
            SourceCounts(source, candidate.table.name, bronze_rows, bronze_rows - rows, rows - deleted_rows - rejected_rows, rejected_rows, nulled_values, deleted_rows)
        )
    return results


def _selected_sources(store: TableStore, sources: list[SourceConfig]) -> tuple[_Candidate, _Candidate]:
    """Each source's bronze rows under the canonical field names of the tables it feeds."""
    people = _Candidate(SILVER_CUSTOMERS, ["source_system", "source_record_id"], customers.REJECTING_RULES, [], [])
    events = _Candidate(SILVER_INTERACTIONS, ["source_system", "event_id"], interactions.REJECTING_RULES, [], [])
    for position, source in enumerate(sources, start=1):
        table = bronze_table(source.name).name
        if not store.exists(table):
            raise PipelineError(f"source '{source.name}': {table} does not exist yet; run `golden-record ingest` first")
        bronze = store.read(table)
        log.info("[%d/%d] mapping %s (%s)", position, len(sources), source.name, table)
        if source.customers:
            people.sources.append(source)
            people.selected.append(customers.select_customer_fields(bronze, source))
        if source.interactions:
            events.sources.append(source)
            events.selected.append(interactions.select_interaction_fields(bronze, source))
    return people, events


def empty_interactions(spark: SparkSession) -> DataFrame:
    """silver.interactions without any event: no rows, the canonical schema (transforms/silver/interactions.py)."""
    return spark.createDataFrame([], interactions.INTERACTION_SCHEMA)


def _union(frames: list[DataFrame]) -> DataFrame:
    union = frames[0]
    for frame in frames[1:]:
        union = union.unionByName(frame)
    return union


def _known_customers(store: TableStore, staged: list[_Staged], replace: str | None) -> DataFrame:
    """Customer keys events may refer to: the customers being promoted now plus, on a partial run, silver's other sources."""
    promoted = [accepted.select("source_system", "source_record_id") for candidate, _, accepted, _ in staged if candidate.table == SILVER_CUSTOMERS]
    if replace is not None and store.exists(SILVER_CUSTOMERS.name):
        promoted.append(store.read(SILVER_CUSTOMERS.name).where(f"NOT ({replace})").select("source_system", "source_record_id"))
    if not promoted:
        raise PipelineError(f"events can only be checked against customer records: {SILVER_CUSTOMERS.name} does not exist yet; standardise every source once")
    return _union(promoted)


def run(config: PipelineConfig, spark: SparkSession, store: TableStore, only: list[str] | None = None) -> StandardiseResult:
    """Standardise bronze into silver for every source (or `only` these); gates must pass before anything is written."""
    started = time.monotonic()
    sources = [config.source(name) for name in only] if only else list(config.sources)
    people, events = _selected_sources(store, sources)
    replace = f"source_system IN ({', '.join(repr(s.name) for s in sources)})" if only else None
    parameters = {"sources": [s.name for s in config.sources], "event_types": sorted(config.taxonomy)}

    # the gate's row-count floor: events of sources must not all vanish; without an event source the table is empty by design
    parameters["min_interactions"] = 1 if events.sources else 0

    staged: list[_Staged] = []
    for candidate in (people, events):
        if candidate.sources:
            log.info("standardising %s from %d source(s)", candidate.table.name, len(candidate.sources))
            standardised = candidate.standardised(config.standardisation)
            if candidate is events:
                standardised = interactions.flag_unknown_customers(standardised, _known_customers(store, staged, replace))
        elif candidate is events and (replace is None or not store.exists(SILVER_INTERACTIONS.name)):
            # no source maps interactions (customers-only onboarding): silver.interactions becomes an empty table of the
            # canonical schema, so build-gold and every reader find it; its gate runs as for any other promotion
            standardised = empty_interactions(spark)
        else:
            continue  # a partial run leaves a table that none of its sources feeds as other sources wrote it
        standardised = materialise(standardised)
        present = customers.without_deleted(standardised) if customers.DELETED_AT_SOURCE in standardised.columns else standardised
        accepted = accepted_rows(present, candidate.rejecting_rules)
        quarantined = quarantine_rows(present, candidate.table.name, candidate.key[-1], candidate.rejecting_rules)
        staged.append((candidate, standardised, accepted, quarantined))

    gates = [
        quality.validate(accepted, c.table, config.paths.reports, parameters, config.quality)
        for c, _, accepted, _ in staged
    ]
    gates = quality.build_docs(config.paths.reports, gates)
    for gate in gates:
        quality.enforce(gate)  # raises before anything is written: the previous silver stays in place

    counts: list[SourceCounts] = []
    for candidate, standardised, accepted, _ in staged:
        counts += _counts(candidate, standardised)
        store.overwrite(candidate.table.name, accepted, replace_where=replace)
    store.overwrite(SILVER_QUARANTINE.name, _union([quarantined for *_, quarantined in staged]), replace_where=replace)
    for count in counts:
        log.info(
            "%s -> %s: %d bronze rows = %d older versions superseded + %d deleted at the source + %d in silver + %d rejected to quarantine (%d values nulled)",
            count.source, count.table, count.bronze_rows, count.superseded, count.deleted, count.silver_rows, count.rejected, count.values_nulled,
        )
    return StandardiseResult(counts, gates, time.monotonic() - started)
