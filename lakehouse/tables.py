"""The one declaration of every table the pipeline writes and of the canonical fields: name, grain, key, gate, columns.

Jobs take table names from here, quality gates take their suites (`expectations/<layer>_<name>.json`), and
tests check the README's table lists against it. A new column or table is declared here once.
"""

from __future__ import annotations

from dataclasses import dataclass

CUSTOMER_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "full_name",
    "birth_date",
    "email",
    "phone",
    "street",
    "house_number",
    "address_line2",
    "postcode",
    "city",
    "region",
    "country",
    "customer_number",
    "loyalty_card",
    "national_id",
    "consent_email",
    "consent_updated_at",
    "updated_at",
)
"""Canonical customer fields a source may map its columns onto."""

INTERACTION_FIELDS = (
    "event_id",
    "customer_record_id",
    "event_label",
    "occurred_at",
    "channel",
    "amount",
    "currency",
    "reference_id",
    "due_date",
    "status",
    "product_category",
)
"""Canonical interaction fields a source may map its columns onto."""

LOAD_COLUMNS = ("batch_id", "ingested_at", "row_hash")
"""Load metadata every silver row carries from its bronze row."""

MATCHING_FORMS = {"first_name": "first_name_norm", "last_name": "last_name_norm", "email": "email_norm", "street": "street_norm", "city": "city_norm"}
"""Silver customer fields with a matching form beside them (lower case, transliterated: what linkage compares)."""

SILVER_CUSTOMER_COLUMNS = (
    "source_system",
    "source_record_id",
    *[column for field in CUSTOMER_FIELDS if field not in ("full_name", "updated_at") for column in (field, MATCHING_FORMS.get(field)) if column],
    "source_updated_at",
    *LOAD_COLUMNS,
    "quality_issues",
)
"""Columns of `silver.customers`, in order: source key, each canonical field (a full name is split into first and last
name) with its matching form, the source's own updated-at, load metadata, quality issues."""


@dataclass(frozen=True)
class Table:
    """A table of the lakehouse: `<layer>.<name>`, what one row is, its key, whether a quality gate checks it."""

    name: str
    grain: str
    key: tuple[str, ...] = ()
    gated: bool = False
    columns: tuple[str, ...] = ()

    @property
    def layer(self) -> str:
        """bronze, silver or gold."""
        return self.name.split(".")[0]

    @property
    def suite(self) -> str:
        """The Great Expectations suite that gates this table (`expectations/<suite>.json`)."""
        return self.name.replace(".", "_")


BRONZE_QUARANTINE = Table("bronze.quarantine", "row that could not be read")
INGEST_LOG = Table("bronze.ingest_log", "batch written", key=("source", "batch_id"))
SILVER_CUSTOMERS = Table(
    "silver.customers",
    "source customer record (newest version by the source's updated-at, then ingest time)",
    key=("source_system", "source_record_id"),
    gated=True,
    columns=SILVER_CUSTOMER_COLUMNS,
)
SILVER_INTERACTIONS = Table("silver.interactions", "source event", key=("source_system", "event_id"), gated=True)
SILVER_QUARANTINE = Table("silver.quarantine", "issue found on a row")
MATCH_PAIRS = Table("gold.match_pairs", "scored candidate pair above the floor", key=("unique_id_l", "unique_id_r"))
MATCH_CLUSTERS = Table("gold.match_clusters", "silver customer record", key=("unique_id",))
MATCH_REVIEW = Table(
    "gold.match_review",
    "pair in the review band, or above the match threshold but left in two clusters (by a guard, or by average linkage)",
    key=("unique_id_l", "unique_id_r"),
)
MATCH_EDGES = Table(
    "gold.match_edges",
    "pair at or above the match threshold that no cluster guard vetoes (the model's edges; steward decisions apply on top)",
    key=("unique_id_l", "unique_id_r"),
    columns=("unique_id_l", "unique_id_r", "match_probability"),
)
MATCH_RECORDS = Table(
    "gold.match_records",
    "silver customer record as the last match saw it: a hash of its linkage fields and its candidate cluster",
    key=("unique_id",),
    columns=("unique_id", "record_hash", "component_id"),
)
MATCH_RUNS = Table(
    "gold.match_runs",
    "match run, full or incremental: model, thresholds and what it touched (append-only)",
    key=("matched_at",),
    columns=(
        "matched_at", "mode", "reason", "model", "model_trained_at", "settings_hash", "match_threshold", "cluster_threshold",
        "review_low", "review_high", "records", "changed", "removed", "reclustered", "pairs_scored", "seconds",
    ),
)
STEWARD_DECISIONS = Table(
    "gold.steward_decisions",
    "record pair a data steward's decision settles (append-only; the newest decision about a pair counts)",
    key=("decision_id", "unique_id_l", "unique_id_r"),
    columns=("decision_id", "decided_at", "steward", "action", "unique_id_l", "unique_id_r", "same_person", "golden_id", "other_id", "note"),
)
GOLDEN_CUSTOMERS = Table("gold.customers", "golden customer", key=("golden_id",), gated=True)
CUSTOMER_XREF = Table("gold.customer_xref", "silver customer record", key=("source_system", "source_record_id"), gated=True)
GOLDEN_ID_HISTORY = Table("gold.golden_id_history", "id event (append-only)")
GOLDEN_CHANGES = Table(
    "gold.golden_changes",
    "golden id a run changed, and how (append-only; the feed downstream systems read)",
    key=("run_id", "golden_id", "change"),
    columns=("golden_id", "change", "other_id", "fields", "run_id", "changed_at"),
)
CUSTOMER_360 = Table("gold.customer_360", "golden customer", key=("golden_id",), gated=True)
CUSTOMER_TIMELINE = Table(
    "gold.customer_timeline",
    "interaction",
    columns=(
        "golden_id",
        "occurred_at",
        "event_type",
        "event_label",
        "channel",
        "amount",
        "currency",
        "status",
        "reference_id",
        "due_date",
        "product_category",
        "source_system",
        "event_id",
        "customer_source",
        "customer_record_id",
    ),
)
CUSTOMER_JOURNEYS = Table(
    "gold.customer_journeys",
    "purchase of a golden customer, with the touchpoints of the days before it (rules: transforms/gold/journeys.py)",
    key=("source_system", "event_id"),
    columns=(
        "golden_id", "source_system", "event_id", "purchased_at", "purchase_month", "purchase_channel", "purchase_side", "product_category",
        "amount", "currency", "value_segment", "touchpoint_count", "touchpoints", "first_touch_channel", "last_touch_channel",
        "researched_online", "researched_offline", "ropo", "showrooming",
    ),
)
CHANNEL_INSIGHTS = Table(
    "gold.channel_insights",
    "month, value segment, product category and channel: purchases, ROPO and showrooming shares, coupons, customers",
    key=("month", "value_segment", "product_category", "channel"),
    columns=(
        "month", "value_segment", "product_category", "channel", "channel_side", "customers", "purchases", "ropo_purchases", "ropo_share",
        "showrooming_purchases", "showrooming_share", "coupons_issued", "coupons_converted", "coupon_conversion", "coupons_redeemed",
    ),
)
MARKETING_AUDIENCE = Table(
    "gold.marketing_audience",
    "golden customer who agreed to e-mail marketing and has an e-mail address",
    key=("golden_id",),
    columns=("golden_id", "email", "first_name", "last_name", "consent_updated_at", "value_segment"),
)
GOLDEN_CUSTOMERS_MASKED = Table(
    "gold.customers_masked",
    "golden customer as a reader without full access sees it (columns of a masked class masked by conf/privacy.yaml)",
    key=("golden_id",),
)
SILVER_CUSTOMERS_MASKED = Table(
    "silver.customers_masked",
    "source customer record as a reader without full access sees it (the web app's source records for agents)",
    key=("source_system", "source_record_id"),
)
READER_TABLES = (GOLDEN_CUSTOMERS, CUSTOMER_XREF, CUSTOMER_360, CUSTOMER_TIMELINE, SILVER_CUSTOMERS)
"""Tables for everyone who deals with customers (gold, and the source records behind a golden customer); each one
with columns of a masked class has a masked form."""
MASKED_FORMS = {GOLDEN_CUSTOMERS.name: GOLDEN_CUSTOMERS_MASKED, SILVER_CUSTOMERS.name: SILVER_CUSTOMERS_MASKED}
"""Reader table -> its masked form, written by build-gold after the gates."""

RUN_MANIFEST = Table(
    "gold.run_manifest",
    "table version of a completed run, erasure or retention (append-only; readers use the newest entry's versions)",
    key=("run_id", "table_name"),
    columns=("run_id", "kind", "completed_at", "table_name", "version"),
)
MANIFEST_TABLES = (
    SILVER_CUSTOMERS,
    SILVER_CUSTOMERS_MASKED,
    MATCH_REVIEW,
    GOLDEN_CUSTOMERS,
    GOLDEN_CUSTOMERS_MASKED,
    CUSTOMER_XREF,
    GOLDEN_ID_HISTORY,
    GOLDEN_CHANGES,
    CUSTOMER_360,
    CUSTOMER_TIMELINE,
)
"""The tables a run manifest pins: what readers (the web app) show of one complete run."""

RUN_INPUTS = (INGEST_LOG, SILVER_INTERACTIONS, MATCH_CLUSTERS, STEWARD_DECISIONS)
"""Tables a run manifest also records though readers do not pin them: a later run compares their versions to tell that
no batch, match or steward decision arrived since (lakehouse/manifest.py unchanged_since_last_run)."""

SUPPRESSION_LIST = Table(
    "privacy.suppression_list",
    "salted SHA-256 of one identifying value of an erased person (no value itself)",
    key=("value_hash",),
    columns=("value_hash", "kind", "request_id", "added_at"),
)
ERASURE_AUDIT = Table(
    "privacy.erasure_audit",
    "erasure or retention request (no personal data)",
    key=("request_id",),
    columns=("request_id", "requested_at", "kind", "selector", "subject_hashes", "golden_customers", "source_records", "tables", "files_vacuumed", "reports_scrubbed"),
)

ACCESS_LOG = Table(
    "privacy.access_log",
    "view of full personal data or steward decision in the web app (append-only)",
    columns=("logged_at", "user", "role", "action", "golden_id", "detail"),
)

TABLES = (
    BRONZE_QUARANTINE,
    INGEST_LOG,
    SILVER_CUSTOMERS,
    SILVER_INTERACTIONS,
    SILVER_QUARANTINE,
    MATCH_PAIRS,
    MATCH_CLUSTERS,
    MATCH_REVIEW,
    MATCH_EDGES,
    MATCH_RECORDS,
    MATCH_RUNS,
    STEWARD_DECISIONS,
    GOLDEN_CUSTOMERS,
    CUSTOMER_XREF,
    GOLDEN_ID_HISTORY,
    GOLDEN_CHANGES,
    CUSTOMER_360,
    CUSTOMER_TIMELINE,
    CUSTOMER_JOURNEYS,
    CHANNEL_INSIGHTS,
    MARKETING_AUDIENCE,
    GOLDEN_CUSTOMERS_MASKED,
    SILVER_CUSTOMERS_MASKED,
    RUN_MANIFEST,
    SUPPRESSION_LIST,
    ERASURE_AUDIT,
    ACCESS_LOG,
)
"""Every fixed table, in pipeline order (plus one `bronze.<source>` per source, see `bronze_table`)."""

BRONZE_SOURCE_GRAIN = "source row as delivered, every batch"


def bronze_table(source: str) -> Table:
    """The bronze table a source lands in: `bronze.<source>`."""
    return Table(f"bronze.{source}", BRONZE_SOURCE_GRAIN)


RESERVED_SOURCE_NAMES = frozenset(t.name.split(".")[1] for t in TABLES if t.layer == "bronze")
"""Bronze table names the pipeline uses itself, so no source may be called that."""
