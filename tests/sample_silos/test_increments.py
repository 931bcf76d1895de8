"""Later deliveries of the sample: new persons, moved records, a growing ground truth, in order and once."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from golden_record.sample_silos.generator import GROUND_TRUTH_FILE, SILOS, delivery_file, write_sample
from golden_record.sample_silos.increments import write_increment

PERSONS, SEED, SHARE = 300, 7, 0.05


def accounts(path: Path) -> pd.DataFrame:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return pd.DataFrame(rows)


def test_a_delivery_brings_new_persons_and_moved_records_and_grows_the_truth(tmp_path: Path) -> None:
    write_sample(tmp_path, PERSONS, SEED, crm=None)
    before = pd.read_csv(tmp_path / GROUND_TRUTH_FILE, dtype=str)
    summary = write_increment(tmp_path, PERSONS, SEED, 1, crm=None, share=SHARE)
    for silo in SILOS:
        if silo.path:
            assert (tmp_path / delivery_file(silo, 1)).is_file(), silo.name

    first, delivered = accounts(tmp_path / "webshop/accounts.jsonl"), accounts(tmp_path / delivery_file(SILOS[1], 1))
    moved = delivered[delivered["account_id"].isin(first["account_id"])]
    assert len(moved) == summary["webshop_accounts"]["moved"] == PERSONS * SHARE
    old = first.set_index("account_id").loc[moved["account_id"]]
    assert (moved["updated_at"].to_numpy() > first["updated_at"].max()).all(), "a move is newer than every first-load version"
    assert (moved[["street", "zip", "city"]].to_numpy() != old[["street", "zip", "city"]].to_numpy()).any(axis=1).mean() > 0.9

    after = pd.read_csv(tmp_path / GROUND_TRUTH_FILE, dtype=str)
    assert not after.duplicated(["source", "source_record_id"]).any()
    added = after.merge(before, how="left", indicator=True).query("_merge == 'left_only'")
    assert len(added) == summary["ground_truth"]["added"] > 0
    assert set(added["person_id"]) <= {f"P{k:08d}" for k in range(PERSONS, PERSONS + int(PERSONS * SHARE))}, "only the new persons' records"


def test_deliveries_are_deterministic_written_in_order_and_once(tmp_path: Path) -> None:
    for out in (tmp_path / "a", tmp_path / "b"):
        write_sample(out, PERSONS, SEED, crm=None)
        write_increment(out, PERSONS, SEED, 1, crm=None, share=SHARE)
    for silo in SILOS:
        if silo.path:
            assert (tmp_path / "a" / delivery_file(silo, 1)).read_bytes() == (tmp_path / "b" / delivery_file(silo, 1)).read_bytes()
    with pytest.raises(FileExistsError, match="written already"):
        write_increment(tmp_path / "a", PERSONS, SEED, 1, crm=None, share=SHARE)
    with pytest.raises(FileNotFoundError, match="in order"):
        write_increment(tmp_path / "a", PERSONS, SEED, 3, crm=None, share=SHARE)
    write_sample(tmp_path / "a", PERSONS, SEED, crm=None)  # a fresh sample removes every later delivery
    assert not list((tmp_path / "a").glob(delivery_file(SILOS[1], None)))
