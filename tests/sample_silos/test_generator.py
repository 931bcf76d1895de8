"""The sample generator: config agreement, determinism, growth, ground truth, variation and dirt."""

from __future__ import annotations

import codecs
import csv
import filecmp
import fnmatch
import io
import json
import re
from pathlib import Path

import pandas as pd
import phonenumbers
import pyarrow.parquet as pq
import pytest

from golden_record.lakehouse.config import PipelineConfig, load_config
from golden_record.sample_silos.generator import GROUND_TRUTH_FILE, SILOS, Silo, delivery_file, generate, ground_truth, write_sample
from golden_record.sample_silos.noise import ascii_fold
from golden_record.sample_silos.persons import person_block
from golden_record.sample_silos.rates import DEFAULT_RATES
from golden_record.sample_silos.vocabulary import COUNTRIES, SUPPORT_CATEGORIES, SUPPORT_LABELS, UNMAPPED_SUPPORT_LABEL
from golden_record.sample_silos.writers import CRM_COLUMNS

PERSONS = 300
SEED = 7
FILE_SILOS = [s for s in SILOS if s.path]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """One small sample without PostgreSQL (the CRM silo is covered by the postgres-marked test)."""
    out = tmp_path_factory.mktemp("sample")
    return out, write_sample(out, PERSONS, SEED, crm=None)


def read_silo(out: Path, silo: Silo) -> pd.DataFrame:
    """A silo's well-formed rows as text columns (malformed CSV and JSON lines skipped)."""
    path = out / silo.path
    if silo.format == "csv":
        return pd.read_csv(path, sep=silo.delimiter, encoding=silo.encoding, dtype=str, keep_default_na=False, on_bad_lines="skip")
    if silo.format == "jsonl":
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return pd.DataFrame(rows).astype(str)
    return pq.read_table(path).to_pandas().astype(str)


def truth(out: Path) -> pd.DataFrame:
    """The ground truth file of a sample."""
    return pd.read_csv(out / GROUND_TRUTH_FILE, dtype=str)


def test_sources_yaml_validates_and_matches_the_generated_silos() -> None:
    config = load_config(environment="test")
    for silo in SILOS:
        source = config.source(silo.name)
        assert (source.customers is not None) == silo.customers
        if silo.format == "postgres":
            assert source.format == "jdbc" and source.location.table == "crm.customers"
            assert source.customers.record_id in CRM_COLUMNS
            continue
        assert source.format == silo.format
        assert fnmatch.fnmatch("{samples}/" + silo.path, source.location), "the first load's file"
        assert fnmatch.fnmatch("{samples}/" + delivery_file(silo, 1), source.location), "and every later delivery"
        if silo.format == "csv":
            assert source.csv.delimiter == silo.delimiter
            assert codecs.lookup(source.csv.encoding).name == codecs.lookup(silo.encoding).name
            assert source.decimal_separator == silo.decimal
        if silo.customers:
            assert source.customers.record_id == silo.record_id


def test_every_support_category_but_the_catch_all_maps_to_an_event_type() -> None:
    labels = load_config(environment="test").source("support_tickets").interactions.labels
    assert labels == SUPPORT_LABELS
    assert set(labels) == set(SUPPORT_CATEGORIES) and UNMAPPED_SUPPORT_LABEL not in labels


def test_every_mapped_column_exists_in_what_the_generator_writes(sample: tuple[Path, dict]) -> None:
    out, _ = sample
    config = load_config(environment="test")
    assert config.source("crm").mapped_columns() <= set(CRM_COLUMNS)
    for silo in FILE_SILOS:
        columns = set(pq.read_schema(out / silo.path).names) if silo.format == "parquet" else set(read_silo(out, silo).columns)
        missing = config.source(silo.name).mapped_columns() - columns
        assert not missing, f"{silo.name}: mapped columns {missing} not in {sorted(columns)}"


def test_ground_truth_is_not_a_source_location(sample: tuple[Path, dict]) -> None:
    config = load_config(environment="test")
    locations = [s.location for s in config.sources if isinstance(s.location, str)]
    assert all(GROUND_TRUTH_FILE not in location and location != "{samples}" for location in locations)
    assert all(location.startswith("{samples}/") and location.count("/") >= 2 for location in locations)


def test_same_seed_writes_byte_identical_files(sample: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = sample
    write_sample(tmp_path, PERSONS, SEED, crm=None)
    for relative in [s.path for s in FILE_SILOS] + [GROUND_TRUTH_FILE]:
        assert filecmp.cmp(out / relative, tmp_path / relative, shallow=False), relative


def test_another_seed_writes_other_data(sample: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = sample
    write_sample(tmp_path, PERSONS, SEED + 1, crm=None)
    assert not filecmp.cmp(out / "erp/debtors.csv", tmp_path / "erp/debtors.csv", shallow=False)


def test_a_new_run_replaces_the_previous_sample(tmp_path: Path) -> None:
    write_sample(tmp_path, PERSONS, SEED, crm=None)
    first = truth(tmp_path)
    write_sample(tmp_path, 50, SEED, crm=None)
    second = truth(tmp_path)
    assert second["person_id"].max() <= "P00000049" < first["person_id"].max()
    assert len(second) < len(first)


def test_growing_keeps_every_record_of_the_existing_persons() -> None:
    """Person k depends only on (seed, k): with blocks of 100, 150 and 320 persons span different blocks."""

    def records(persons: int) -> dict[str, pd.DataFrame]:
        blocks = list(generate(persons, SEED, block_size=100))
        return {s.name: pd.concat([b[s.name] for b in blocks], ignore_index=True) for s in SILOS}

    small, large = records(150), records(320)
    for silo in SILOS:
        kept = large[silo.name][large[silo.name]["_k"] < 150].sort_values(silo.record_id, ignore_index=True)
        expected = small[silo.name].sort_values(silo.record_id, ignore_index=True)
        assert len(expected) > 0, silo.name
        pd.testing.assert_frame_equal(kept, expected, obj=silo.name)


def test_ground_truth_covers_exactly_the_well_formed_customer_records(sample: tuple[Path, dict]) -> None:
    out, summary = sample
    gt = truth(out)
    assert not gt.duplicated(["source", "source_record_id"]).any()
    assert gt["person_id"].str.fullmatch(r"P\d{8}").all()
    with_crm = pd.concat(ground_truth(frames) for frames in generate(PERSONS, SEED))
    assert with_crm["person_id"].nunique() >= 0.99 * PERSONS  # every person is a customer somewhere (bar a malformed row)
    assert set(gt["person_id"]) <= set(with_crm["person_id"])
    for silo in FILE_SILOS:
        ids = set(gt.loc[gt["source"] == silo.name, "source_record_id"])
        if not silo.customers:
            assert not ids
            continue
        written = set(read_silo(out, silo)[silo.record_id])
        assert ids == written, silo.name
        assert len(ids) == summary[silo.name]["rows"] - summary[silo.name]["malformed_rows"]
    assert summary["ground_truth"]["rows"] == len(gt)


def _customers(out: Path) -> pd.DataFrame:
    """first/last name, email and person of every well-formed customer record that has them."""
    gt = truth(out).set_index(["source", "source_record_id"])["person_id"]
    columns = {
        "webshop_accounts": ("first_name", "last_name", "email", "phone"),
        "erp_debtors": ("Vorname", "Name", "EMail", "Telefon"),
        "pos_members": ("first_name", "last_name", "email", "phone"),
        "newsletter": ("first_name", None, "email", None),
        "support_tickets": (None, None, "requester_email", "requester_phone"),
    }
    parts = []
    for silo in FILE_SILOS:
        if silo.name not in columns:
            continue
        frame = read_silo(out, silo)
        picked = pd.DataFrame({name: frame[col] if col else None for name, col in zip(("first", "last", "email", "phone"), columns[silo.name])})
        picked["person"] = [gt[(silo.name, rid)] for rid in frame[silo.record_id]]
        picked["source"] = silo.name
        parts.append(picked)
    return pd.concat(parts, ignore_index=True).replace({"None": None, "nan": None, "": None})


def test_the_same_person_varies_across_records(sample: tuple[Path, dict]) -> None:
    records = _customers(sample[0])
    names = records.dropna(subset=["last"])
    by_person = names.groupby("person")["last"].agg(set)
    umlaut_pairs = [p for p, values in by_person.items() if any(re.search("[äöüøåæ]", v) and ascii_fold(pd.Series([v]))[0] in values for v in values)]
    assert umlaut_pairs, "no person written once with umlauts and once in ASCII"
    assert records["email"].str.contains(r"\+\w+@", na=False).any(), "no plus-tagged email"
    phones = records["phone"].dropna()
    assert phones.str.startswith("+41").any() and phones.str.startswith("0041").any()
    assert phones.str.match(r"0[1-9]").any(), "no national phone format"
    emails = records.dropna(subset=["email"]).assign(email=lambda f: f["email"].str.lower())
    assert (emails.groupby("email")["person"].nunique() > 1).any(), "no email shared by two persons (household)"
    assert records.dropna(subset=["email"]).groupby("person")["email"].nunique().max() > 1
    first_names = names.dropna(subset=["first"]).groupby("person")["first"].agg(set)
    assert any(len(v) > 1 for v in first_names), "no first-name variation (nickname, typo, title)"


def test_different_people_share_names(sample: tuple[Path, dict]) -> None:
    people = person_block(SEED, 0, DEFAULT_RATES).head(PERSONS)
    same_name = people.groupby(["first_name", "last_name"])["person_id"].nunique()
    assert (same_name > 1).any(), "no two persons with the same first and last name"
    assert people.groupby("last_name")["person_id"].nunique().max() >= 5, "no common last name"
    assert set(people["relation"]) >= {"spouse", "namesake"}


def malformed_lines(path: Path, silo: Silo) -> int:
    """Lines of a text silo that a reader must reject: wrong CSV field count, or not a JSON object."""
    text = path.read_bytes().decode(silo.encoding)
    if silo.format == "jsonl":
        bad = 0
        for line in text.splitlines():
            try:
                json.loads(line)
            except json.JSONDecodeError:
                bad += 1
        return bad
    rows = list(csv.reader(io.StringIO(text), delimiter=silo.delimiter))
    return sum(len(row) != len(rows[0]) for row in rows[1:])


def test_malformed_rows_are_really_malformed_and_counted(sample: tuple[Path, dict]) -> None:
    out, summary = sample
    for silo in FILE_SILOS:
        if silo.format != "parquet":
            assert malformed_lines(out / silo.path, silo) == summary[silo.name]["malformed_rows"], silo.name
    assert sum(summary[s.name]["malformed_rows"] for s in FILE_SILOS) > 0


def test_silos_contain_invalid_values_for_the_silver_stage(sample: tuple[Path, dict]) -> None:
    out, _ = sample
    records = _customers(out)
    emails = records["email"].dropna()
    assert (~emails.str.fullmatch(r"[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}")).any(), "no invalid email"
    phones = records["phone"].dropna()
    assert (~phones.str.fullmatch(r"[+0-9 ()\-]{7,}")).any(), "no invalid phone"
    birth_dates = read_silo(out, next(s for s in SILOS if s.name == "erp_debtors"))["Geburtsdatum"]
    assert birth_dates.str.contains(r"^3[01]\.02\.|\.13\.", regex=True).any(), "no impossible date"


def test_erp_files_are_latin1_and_use_german_formats(sample: tuple[Path, dict]) -> None:
    out, _ = sample
    with pytest.raises(UnicodeDecodeError):
        (out / "erp/debtors.csv").read_bytes().decode("utf-8")
    documents = pd.read_csv(out / "erp/documents.csv", sep=";", encoding="latin-1", dtype=str, on_bad_lines="skip")
    assert set(documents["Belegart"]) == {"RE", "ZA", "MA"}
    assert documents["Belegdatum"].str.fullmatch(r"\d{2}\.\d{2}\.\d{4}").all()
    assert documents["Betrag"].str.fullmatch(r"\d+,\d{2}").all()
    invoices = set(documents.loc[documents["Belegart"] == "RE", "Belegnr"])
    references = set(documents.loc[documents["Belegart"] != "RE", "Bezug"])
    assert len(references - invoices) <= malformed_lines(out / "erp/documents.csv", next(s for s in SILOS if s.name == "erp_documents"))  # only invoices lost to malformed rows


def test_generated_mobile_numbers_are_valid_for_their_country() -> None:
    people = person_block(SEED, 0, DEFAULT_RATES)
    for code, country in COUNTRIES.items():
        numbers = people.loc[people["country"] == code, "phone"].head(50)
        assert len(numbers) > 0
        for number in numbers:
            parsed = phonenumbers.parse(f"+{country.calling_code}{number}")
            assert phonenumbers.is_valid_number(parsed), f"{code}: {number}"
            assert phonenumbers.region_code_for_number(parsed) == code


def test_every_text_in_the_vocabulary_fits_latin1() -> None:
    for country in COUNTRIES.values():
        for text in (*country.male, *country.female, *country.last, *country.streets, *(c.name for c in country.cities)):
            text.encode("latin-1")


@pytest.mark.postgres
def test_crm_table_is_written_to_postgres_with_identical_rows(config: PipelineConfig, tmp_path: Path) -> None:
    from golden_record.jobs.generate_sample import crm_target, run
    from golden_record.sample_silos.writers import crm_rows

    assert crm_target(config).conninfo == "postgresql://127.0.0.1:5432/crm"
    crm = config.source("crm")
    test_source = crm.model_copy(update={"location": crm.location.model_copy(update={"table": "crm_test.customers"})})
    test_config = config.model_copy(
        update={
            "sources": [test_source if s.name == "crm" else s for s in config.sources],
            "paths": config.paths.model_copy(update={"samples": str(tmp_path)}),
        }
    )
    summary = run(test_config, persons=200, seed=SEED)
    first = crm_rows(crm_target(test_config))
    assert len(first) == summary["crm"]["rows"] > 100
    gt = truth(tmp_path)
    assert set(gt.loc[gt["source"] == "crm", "source_record_id"]) == {str(row[0]) for row in first}
    run(test_config, persons=200, seed=SEED)
    assert crm_rows(crm_target(test_config)) == first


def test_nicknames_come_from_the_generators_own_table() -> None:
    """noise.nickname draws only from sample_silos.vocabulary.NICKNAMES (written for the generator, not the matcher's)."""
    import numpy as np

    from golden_record.sample_silos.noise import nickname
    from golden_record.sample_silos.vocabulary import NICKNAMES

    names = pd.Series(["Matthias"] * 50 + ["Nobody"] * 5, dtype=object)
    used = nickname(names, np.random.default_rng(1))
    assert set(used[:50]) == set(NICKNAMES["Matthias"]) and set(used[50:]) == {"Nobody"}
    every_name = {n for c in COUNTRIES.values() for n in (*c.male, *c.female)}
    assert set(NICKNAMES) <= every_name, "a nickname entry for a first name the generator never draws"
