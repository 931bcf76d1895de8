"""Generate a complete, seeded sample of every silo plus the ground truth of who is who.

Persons are made in blocks of BLOCK_SIZE from their own random stream (seed, block); a run for n persons
makes whole blocks and keeps persons 0 … n-1. So person k's records depend only on (seed, k): a bigger
sample with the same seed contains every record of a smaller one, unchanged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from golden_record.sample_silos.persons import BLOCK_SIZE, make_emails_unique, person_block
from golden_record.sample_silos.rates import DEFAULT_RATES, Rates
from golden_record.sample_silos.silos import silos_for
from golden_record.sample_silos.touchpoints import JOURNEY_WINDOW_DAYS, journey_truth
from golden_record.sample_silos.writers import BlockWriter, CsvWriter, JsonLinesWriter, ParquetWriter, PostgresTarget, PostgresWriter

log = logging.getLogger(__name__)

GROUND_TRUTH_FILE = "ground_truth.csv"
"""Ground truth file name, directly in the samples folder (the silos live in sub-folders)."""

JOURNEY_TRUTH_FILE = "journey_truth.json"
"""True ROPO, showrooming and coupon figures of the sample (sample_silos/touchpoints.py journey_truth), beside the ground truth."""


@dataclass(frozen=True)
class Silo:
    """One generated source: its name in conf/sources.yaml, native format and file, and its record id column."""

    name: str
    format: Literal["csv", "jsonl", "parquet", "postgres"]
    path: str | None
    record_id: str
    customers: bool
    delimiter: str = ","
    encoding: str = "utf-8"
    decimal: str = "."
    schema: pa.Schema | None = None


_TS = pa.timestamp("us", tz="UTC")
SILOS: tuple[Silo, ...] = (
    Silo("crm", "postgres", None, "customer_id", customers=True),
    Silo("webshop_accounts", "jsonl", "webshop/accounts.jsonl", "account_id", customers=True),
    Silo("webshop_orders", "jsonl", "webshop/orders.jsonl", "order_id", customers=False),
    Silo("erp_debtors", "csv", "erp/debtors.csv", "Debitor", customers=True, delimiter=";", encoding="latin-1", decimal=","),
    Silo("erp_documents", "csv", "erp/documents.csv", "Belegnr", customers=False, delimiter=";", encoding="latin-1", decimal=","),
    Silo("support_tickets", "jsonl", "support/tickets.jsonl", "ticket_id", customers=True),
    Silo("newsletter", "csv", "newsletter/signups.csv", "entry_id", customers=True),
    Silo(
        "pos_members",
        "parquet",
        "pos/members.parquet",
        "card_no",
        customers=True,
        schema=pa.schema(
            [("card_no", pa.string()), ("first_name", pa.string()), ("last_name", pa.string()), ("birth_date", pa.date32()),
             ("street", pa.string()), ("postcode", pa.string()), ("city", pa.string()), ("country", pa.string()),
             ("email", pa.string()), ("phone", pa.string()), ("home_store", pa.string()), ("tier", pa.string()),
             ("enrolled_at", _TS)]
        ),
    ),
    Silo(
        "pos_receipts",
        "parquet",
        "pos/receipts.parquet",
        "receipt_id",
        customers=False,
        schema=pa.schema(
            [("receipt_id", pa.string()), ("card_no", pa.string()), ("store_id", pa.string()), ("store_name", pa.string()),
             ("kind", pa.string()), ("amount", pa.float64()), ("currency", pa.string()), ("purchased_at", _TS),
             ("department", pa.string())]
        ),
    ),
    Silo("returns", "csv", "logistics/returns.csv", "return_id", customers=True, delimiter=";"),
    Silo(
        "web_analytics",
        "parquet",
        "web/events.parquet",
        "event_id",
        customers=False,
        schema=pa.schema(
            [("event_id", pa.string()), ("session_id", pa.string()), ("cookie_id", pa.string()), ("account_id", pa.string()),
             ("event", pa.string()), ("device", pa.string()), ("page", pa.struct([("category", pa.string()), ("sku", pa.string())])),
             ("ts", _TS)]
        ),
    ),
    Silo("newsletter_clicks", "csv", "newsletter/clicks.csv", "click_id", customers=False),
    Silo("coupons", "csv", "marketing/coupons.csv", "coupon_event_id", customers=False, delimiter=";"),
)
"""Every silo the generator writes, in writing order."""


def generate(persons: int, seed: int, rates: Rates = DEFAULT_RATES, block_size: int = BLOCK_SIZE) -> Iterator[dict[str, pd.DataFrame]]:
    """Per block of persons: every silo's records (sorted by record id), `_k` = person and `_malformed` flags."""
    if persons < 1:
        raise ValueError("persons must be at least 1")
    taken_emails: set[str] = set()
    for block in range((persons + block_size - 1) // block_size):
        people = person_block(seed, block, rates, block_size)
        make_emails_unique(people, taken_emails)
        frames = silos_for(people, seed, block, rates)
        for number, silo in enumerate(SILOS):
            frame = frames[silo.name]
            broken = np.random.default_rng([seed, block, 1000 + number]).random(len(frame)) < rates.malformed_row
            frame = frame.assign(_malformed=broken & (silo.format in ("csv", "jsonl")))
            frame = frame[frame["_k"] < persons].sort_values(silo.record_id, kind="stable", ignore_index=True)
            frames[silo.name] = frame
        yield frames


def ground_truth(frames: dict[str, pd.DataFrame], silos: tuple[Silo, ...] = SILOS) -> pd.DataFrame:
    """source, source_record_id, person_id for every well-formed customer record in `frames`."""
    parts = []
    for silo in silos:
        frame = frames[silo.name]
        if not silo.customers:
            continue
        good = frame[~frame["_malformed"]]
        parts.append(
            pd.DataFrame(
                {
                    "source": silo.name,
                    "source_record_id": good[silo.record_id].astype(str).to_numpy(),
                    "person_id": [f"P{k:08d}" for k in good["_k"]],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def journey_shares(counts: dict[str, int]) -> dict[str, float]:
    """ropo_share, showrooming_share and coupon_conversion from journey_truth counts (0 without purchases or coupons)."""
    share = lambda part, whole: round(counts.get(part, 0) / counts[whole], 4) if counts.get(whole) else 0.0  # noqa: E731
    return {
        "ropo_share": share("store_purchases_after_online_research", "store_purchases"),
        "showrooming_share": share("online_purchases_after_store_visit", "online_purchases"),
        "coupon_conversion": share("coupons_redeemed", "coupons_issued"),
    }


def delivery_file(silo: Silo, increment: int | None) -> str:
    """The file of delivery `increment` of a file silo, beside its first file (`erp/debtors.delivery-0002.csv`); None: a glob of all."""
    assert silo.path is not None
    stem, _, extension = silo.path.rpartition(".")
    return f"{stem}.delivery-{'*' if increment is None else f'{increment:04d}'}.{extension}"


def writer_for(silo: Silo, path: Path | None, crm: PostgresTarget | None) -> BlockWriter:
    """The writer of a silo's native format: to the file at `path`, or (re)creating the CRM table."""
    if silo.format == "postgres":
        assert crm is not None
        return PostgresWriter(crm)
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    if silo.format == "csv":
        return CsvWriter(path, silo.delimiter, silo.encoding, silo.decimal)
    if silo.format == "jsonl":
        return JsonLinesWriter(path)
    return ParquetWriter(path, silo.schema)


def write_sample(
    out_dir: str | Path,
    persons: int,
    seed: int,
    crm: PostgresTarget | None,
    rates: Rates = DEFAULT_RATES,
) -> dict[str, dict[str, object]]:
    """Replace the sample under `out_dir` (and the CRM table) with a fresh one; per silo: rows, malformed rows, location.

    The summary has one entry per silo plus "ground_truth". With `crm=None` the CRM silo is skipped (and
    left out of the ground truth), for runs without PostgreSQL.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    silos = tuple(s for s in SILOS if s.format != "postgres" or crm is not None)
    for silo in SILOS:
        if silo.path:
            (out_dir / silo.path).unlink(missing_ok=True)
            for delivery in out_dir.glob(delivery_file(silo, None)):  # later deliveries of an earlier sample
                delivery.unlink()
    truth_path = out_dir / GROUND_TRUTH_FILE
    truth_path.unlink(missing_ok=True)
    journeys_path = out_dir / JOURNEY_TRUTH_FILE
    journeys_path.unlink(missing_ok=True)
    journeys: dict[str, int] = {}

    writers = {silo.name: writer_for(silo, out_dir / silo.path if silo.path else None, crm) for silo in silos}
    rows = dict.fromkeys(writers, 0)
    malformed = dict.fromkeys(writers, 0)
    truth_rows = 0
    complete = False
    try:
        with truth_path.open("w", encoding="utf-8", newline="\n") as truth:
            truth.write("source,source_record_id,person_id\n")
            for frames in generate(persons, seed, rates):
                for silo in silos:
                    writers[silo.name].write(frames[silo.name])
                    rows[silo.name] += len(frames[silo.name])
                    malformed[silo.name] += int(frames[silo.name]["_malformed"].sum())
                truth_block = ground_truth(frames, silos)
                truth.write(truth_block.to_csv(index=False, header=False, lineterminator="\n"))
                truth_rows += len(truth_block)
                for name, count in journey_truth(frames).items():
                    journeys[name] = journeys.get(name, 0) + count
        complete = True
    finally:
        for writer in writers.values():
            writer.close(complete)

    summary: dict[str, dict[str, object]] = {}
    for silo in silos:
        location = f"postgresql table {crm.table}" if silo.format == "postgres" else str(out_dir / silo.path)
        summary[silo.name] = {"rows": rows[silo.name], "malformed_rows": malformed[silo.name], "location": location}
        log.info("%s: wrote %d rows (%d malformed) to %s", silo.name, rows[silo.name], malformed[silo.name], location)
    summary["ground_truth"] = {"rows": truth_rows, "malformed_rows": 0, "location": str(truth_path)}
    log.info("ground truth: wrote %d rows to %s", truth_rows, truth_path)
    shares = journey_shares(journeys)
    journeys_path.write_text(json.dumps({"window_days": JOURNEY_WINDOW_DAYS, "rates": {"ropo": rates.ropo, "showrooming": rates.showrooming}, **journeys, **shares}, indent=2))
    log.info("journey truth: ROPO %.1f%% of store purchases, showrooming %.1f%% of online purchases -> %s", 100 * shares["ropo_share"], 100 * shares["showrooming_share"], journeys_path)
    return summary
