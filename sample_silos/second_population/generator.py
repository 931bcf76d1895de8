"""Write the second population's silos and their ground truth (files only, no database)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from golden_record.sample_silos.second_population import silos
from golden_record.sample_silos.second_population.errors import DEFAULT_RATES, Rates
from golden_record.sample_silos.second_population.people import persons as make_persons

log = logging.getLogger(__name__)

GROUND_TRUTH_FILE = "ground_truth.csv"
"""source,source_record_id,person_id for every record, directly in the output folder (same format as the main generator's)."""


@dataclass(frozen=True)
class Silo:
    """One silo: its source name in sources.yaml, format, file and record id column."""

    name: str
    format: Literal["csv", "jsonl", "parquet"]
    path: str
    record_id: str
    delimiter: str = ","
    encoding: str = "utf-8"


SILOS: tuple[Silo, ...] = (
    Silo("crm_export", "csv", "crm/klanten_export.csv", "KlantNr", delimiter=";", encoding="windows-1252"),
    Silo("webshop_customers", "jsonl", "shop/customers.jsonl", "customerId"),
    Silo("newsletter_subscribers", "csv", "newsletter/subscribers.csv", "subscriber_id"),
    Silo("loyalty_members", "parquet", "loyalty/members.parquet", "card_number"),
)
"""Every silo of the second population, in writing order."""

LOYALTY_SCHEMA = pa.schema(
    [("card_number", pa.string()), ("given_name", pa.string()), ("family_name", pa.string()), ("birth_date", pa.date32()),
     ("postcode", pa.string()), ("country", pa.string()), ("enrolled_at", pa.timestamp("us", tz="UTC"))]
)


def records(persons: int, seed: int, rates: Rates = DEFAULT_RATES) -> dict[str, list[dict]]:
    """Every silo's rows (dicts with `_k` = the true person), in person order."""
    if persons < 1:
        raise ValueError("persons must be at least 1")
    out: dict[str, list[dict]] = {s.name: [] for s in SILOS}
    for p, r in make_persons(seed, persons, rates):
        in_crm, in_shop = r.random() < rates.in_crm, r.random() < rates.in_shop
        in_news, in_loyalty = r.random() < rates.in_newsletter, r.random() < rates.in_loyalty
        if not (in_crm or in_shop or in_news or in_loyalty):
            in_shop = True
        card = silos.card_number(seed, p.k, 0) if in_loyalty else None
        crm = silos.crm_rows(p, r, rates, seed, card) if in_crm else []
        out["crm_export"] += crm
        if in_shop:
            out["webshop_customers"] += silos.shop_rows(p, r, rates, seed, crm[0]["KlantNr"] if crm else None)
        if in_news:
            out["newsletter_subscribers"] += silos.newsletter_rows(p, r, rates, seed)
        if in_loyalty:
            out["loyalty_members"] += silos.loyalty_rows(p, r, rates, seed)
    return out


def generate(persons: int, seed: int, out_dir: Path, rates: Rates = DEFAULT_RATES) -> dict:
    """Write the four silos and ground_truth.csv under `out_dir`; return {source: {rows, location}} (plus ground_truth)."""
    out_dir = Path(out_dir)
    rows = records(persons, seed, rates)
    summary: dict[str, dict] = {}
    truth = []
    for silo in SILOS:
        data = sorted(rows[silo.name], key=lambda row: row[silo.record_id])
        path = out_dir / silo.path
        path.parent.mkdir(parents=True, exist_ok=True)
        truth += [(silo.name, row[silo.record_id], f"P{row['_k']:08d}") for row in data]
        data = [{k: v for k, v in row.items() if k != "_k"} for row in data]
        if silo.format == "csv":
            frame = pd.DataFrame(data)
            frame.to_csv(path, sep=silo.delimiter, encoding=silo.encoding, index=False, lineterminator="\r\n" if silo.encoding == "windows-1252" else "\n")
        elif silo.format == "jsonl":
            with path.open("w", encoding="utf-8", newline="\n") as f:
                for row in data:
                    f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        else:
            pq.write_table(pa.Table.from_pylist(data, schema=LOYALTY_SCHEMA), path)
        summary[silo.name] = {"rows": len(data), "location": str(path)}
        log.info("%s: wrote %d rows to %s", silo.name, len(data), path)
    truth_path = out_dir / GROUND_TRUTH_FILE
    pd.DataFrame(truth, columns=["source", "source_record_id", "person_id"]).to_csv(truth_path, index=False, lineterminator="\n")
    summary["ground_truth"] = {"rows": len(truth), "location": str(truth_path)}
    return summary
