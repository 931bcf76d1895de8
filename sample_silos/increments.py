"""The next delivery of the sample silos: what a day brings to every silo after the first load.

Delivery K (K >= 1) of a sample of n persons holds, for d = ceil(n * share):
- the complete records and events of d new persons, n + (K-1)d … n + Kd - 1, exactly as a bigger sample holds them;
- moves: d known, well-formed records of each of crm, webshop_accounts and erp_debtors delivered again with the address
  of another moved record of the same silo and a newer update time (a person tells one system, not all of them);
- in the CRM: d/2 consent changes (marketing_consent flipped), a duplicate for every other moved record (the person
  created again at the new address under a new customer id), and d/4 records flagged deleted (deleted_at).
A record is moved, changed or deleted in one delivery at most. File silos get a new file beside the first
(`accounts.jsonl` -> `accounts.delivery-0001.jsonl`, which the sources' `accounts*.jsonl` locations pick up); the
CRM table is changed in place in one transaction. The ground truth gains the new records and loses the deleted ones.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from golden_record.sample_silos.generator import GROUND_TRUTH_FILE, JOURNEY_TRUTH_FILE, SILOS, delivery_file, generate, ground_truth, journey_shares, writer_for
from golden_record.sample_silos.noise import german_dates, iso_timestamps
from golden_record.sample_silos.persons import AS_OF_DAY
from golden_record.sample_silos.rates import DEFAULT_RATES, Rates
from golden_record.sample_silos.silos import SECONDS_PER_DAY, record_number
from golden_record.sample_silos.touchpoints import journey_truth
from golden_record.sample_silos.writers import CrmDelivery, PostgresTarget, apply_crm_delivery

log = logging.getLogger(__name__)

MAX_INCREMENTS = 99
"""Deliveries a sample can have (duplicate CRM ids are numbered by delivery)."""

ADDRESS_COLUMNS = {
    "crm": ("street", "house_number", "postcode", "city", "country"),
    "webshop_accounts": ("street", "zip", "city", "country_code"),
    "erp_debtors": ("Strasse", "PLZ", "Ort", "Land"),
}
"""The address columns a move changes, per silo that keeps customer addresses up to date."""


@dataclass(frozen=True)
class Changes:
    """Row positions (into the silo's known, well-formed records) that one delivery changes."""

    moved: np.ndarray
    consent: np.ndarray
    deleted: np.ndarray


def delivery_persons(persons: int, increment: int, share: float) -> range:
    """The new persons of delivery `increment` of a sample of `persons` persons."""
    per_delivery = math.ceil(persons * share)
    return range(persons + (increment - 1) * per_delivery, persons + increment * per_delivery)


def delivery_time(increment: int) -> tuple[int, int]:
    """Day and second (since 1970) at which delivery `increment` was made: one day after the other, after the first load."""
    day = AS_OF_DAY + increment - 1
    return day, day * SECONDS_PER_DAY + 12 * 3600


def _changes(eligible: np.ndarray, earlier: np.ndarray, rng: np.random.Generator, per_delivery: int, crm: bool) -> Changes:
    """Disjoint picks among the eligible rows for moves (and in the CRM consent changes and deletions), none changed before."""
    free = np.setdiff1d(eligible, earlier)
    wanted = [per_delivery, per_delivery // 2 if crm else 0, per_delivery // 4 if crm else 0]
    picked = rng.permutation(free)[: sum(wanted)]
    moved, consent, deleted = np.split(picked, np.cumsum(wanted)[:2])
    if len(moved) < 2:  # a move takes another moved record's address: one alone cannot move
        moved = moved[:0]
    return Changes(np.sort(moved), np.sort(consent), np.sort(deleted))


def moved_rows(rows: pd.DataFrame, silo: str, increment: int) -> pd.DataFrame:
    """The records delivered again at another's address (each takes the next one's) with the delivery's update time."""
    day, second = delivery_time(increment)
    columns = list(ADDRESS_COLUMNS[silo])
    moved = rows.copy()
    moved[columns] = np.roll(rows[columns].to_numpy(), -1, axis=0)
    if silo == "crm":
        moved["updated_at"] = iso_timestamps(np.full(len(rows), second), separator=" ").to_numpy()
    elif silo == "webshop_accounts":
        moved["updated_at"] = iso_timestamps(np.full(len(rows), second), suffix="Z").to_numpy()
    elif silo == "erp_debtors":
        moved["Geaendert"] = german_dates(np.full(len(rows), day)).to_numpy()
    return moved


def crm_duplicates(moved: pd.DataFrame, increment: int) -> pd.DataFrame:
    """Every other moved CRM record created again at its new address: a new customer id and number, no email."""
    twice = moved.iloc[::2].copy()
    k = twice["_k"].to_numpy()
    slot = np.full(len(twice), increment - 1)
    twice["customer_id"] = record_number(k, slot, MAX_INCREMENTS, 10, 4_711)  # 10 digits: first-load ids have 8
    twice["customer_no"] = [f"K{x}" for x in record_number(k, slot, MAX_INCREMENTS, 9, 8_888)]
    twice["email"] = None
    twice["created_at"] = twice["updated_at"]
    return twice


def _known_and_new(persons: int, increment: int, seed: int, rates: Rates, share: float) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Per silo: records of persons known before this delivery (customer silos only) and the new persons' records."""
    new = delivery_persons(persons, increment, share)
    known: dict[str, list[pd.DataFrame]] = {name: [] for name in ADDRESS_COLUMNS}
    fresh: dict[str, list[pd.DataFrame]] = {silo.name: [] for silo in SILOS}
    for frames in generate(new.stop, seed, rates):
        for silo in SILOS:
            frame = frames[silo.name]
            if silo.name in known:
                known[silo.name].append(frame[(frame["_k"] < new.start) & ~frame["_malformed"]])
            fresh[silo.name].append(frame[frame["_k"] >= new.start])
    return (
        {name: pd.concat(parts, ignore_index=True) for name, parts in known.items()},
        {name: pd.concat(parts, ignore_index=True) for name, parts in fresh.items()},
    )


def delivery_changes(known: dict[str, pd.DataFrame], persons: int, increment: int, seed: int, share: float) -> dict[str, Changes]:
    """What delivery `increment` changes in each silo, given every earlier delivery's changes (none twice)."""
    per_delivery = math.ceil(persons * share)
    changes: dict[str, Changes] = {}
    for number, name in enumerate(ADDRESS_COLUMNS):
        earlier = np.array([], dtype=np.int64)
        for k in range(1, increment + 1):
            rows = known[name]
            eligible = np.flatnonzero(rows["_k"].to_numpy() < delivery_persons(persons, k, share).start)  # known at delivery k
            rng = np.random.default_rng([seed, k, 7_000 + number])
            picked = _changes(eligible, earlier, rng, per_delivery, crm=name == "crm")
            earlier = np.concatenate([earlier, picked.moved, picked.consent, picked.deleted])
        changes[name] = picked
    return changes


def write_increment(
    out_dir: str | Path, persons: int, seed: int, increment: int, crm: PostgresTarget | None, rates: Rates = DEFAULT_RATES, share: float = 0.01
) -> dict[str, dict[str, object]]:
    """Write delivery `increment` of the sample of `persons` persons under `out_dir` (and into the CRM); per silo what it holds."""
    out_dir = Path(out_dir)
    truth_path = out_dir / GROUND_TRUTH_FILE
    if not truth_path.is_file():
        raise FileNotFoundError(f"no sample under {out_dir}: generate the first delivery with `golden-record generate-sample` first")
    if not 1 <= increment <= MAX_INCREMENTS:
        raise ValueError(f"increment must be between 1 and {MAX_INCREMENTS}")
    marker = next(s for s in SILOS if s.path)  # every delivery writes a file for every file silo
    if (out_dir / delivery_file(marker, increment)).exists():
        raise FileExistsError(f"delivery {increment} of the sample under {out_dir} was written already; `golden-record generate-sample` starts afresh")
    if increment > 1 and not (out_dir / delivery_file(marker, increment - 1)).exists():
        raise FileNotFoundError(f"delivery {increment - 1} of the sample under {out_dir} is missing: deliveries are written in order")
    known, fresh = _known_and_new(persons, increment, seed, rates, share)
    changes = delivery_changes(known, persons, increment, seed, share)
    silos = tuple(s for s in SILOS if s.format != "postgres" or crm is not None)

    delivered = dict(fresh)
    for name in ("webshop_accounts", "erp_debtors"):
        moved = moved_rows(known[name].iloc[changes[name].moved], name, increment)
        delivered[name] = pd.concat([fresh[name], moved], ignore_index=True)
    summary: dict[str, dict[str, object]] = {}
    deleted_truth: set[tuple[str, str]] = set()
    for silo in silos:
        frame = delivered[silo.name]
        if silo.format == "postgres":
            assert crm is not None
            rows = known["crm"]
            moved = moved_rows(rows.iloc[changes["crm"].moved], "crm", increment)
            duplicates = crm_duplicates(moved, increment)
            _, second = delivery_time(increment)
            when = pd.Timestamp(second, unit="s")
            consent = [int(x) for x in rows.iloc[changes["crm"].consent]["customer_id"]]
            deleted = [int(x) for x in rows.iloc[changes["crm"].deleted]["customer_id"]]
            delivered["crm"] = pd.concat([fresh["crm"], duplicates], ignore_index=True)
            apply_crm_delivery(crm, CrmDelivery(delivered["crm"], moved, consent, deleted, when))
            deleted_truth = {("crm", str(x)) for x in deleted}
            summary[silo.name] = {"rows": len(fresh["crm"]) + len(duplicates), "moved": len(moved), "consent_changed": len(consent), "deleted": len(deleted), "location": f"postgresql table {crm.table}"}
            continue
        path = out_dir / delivery_file(silo, increment)
        writer = writer_for(silo, path, None)
        complete = False
        try:
            writer.write(frame)
            complete = True
        finally:
            writer.close(complete)
        moves = len(changes[silo.name].moved) if silo.name in changes else 0
        summary[silo.name] = {"rows": len(frame), "moved": moves, "malformed_rows": int(frame["_malformed"].sum()), "location": str(path)}
        log.info("%s: delivery %d: %d rows (%d moved records) -> %s", silo.name, increment, len(frame), moves, path)

    truth = pd.read_csv(truth_path, dtype=str)
    keep = [(s, r) not in deleted_truth for s, r in zip(truth["source"], truth["source_record_id"])]
    added = ground_truth({**fresh, "crm": delivered["crm"]}, silos)  # new records only: moved ones are known
    pd.concat([truth[keep], added], ignore_index=True).to_csv(truth_path, index=False, lineterminator="\n")
    summary["ground_truth"] = {"rows": int(sum(keep)) + len(added), "added": len(added), "removed": len(keep) - int(sum(keep)), "location": str(truth_path)}
    _add_journeys(out_dir / JOURNEY_TRUTH_FILE, journey_truth(fresh))
    return summary


def _add_journeys(path: Path, counts: dict[str, int]) -> None:
    """Add a delivery's true journey counts (its new persons' journeys) to the sample's journey truth."""
    truth = json.loads(path.read_text()) if path.is_file() else {}
    totals = {name: truth.get(name, 0) + count for name, count in counts.items()}
    path.write_text(json.dumps({**truth, **totals, **journey_shares(totals)}, indent=2))
