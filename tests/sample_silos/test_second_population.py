"""The second, independently written population: determinism, ground truth, duplicate rates, formats, config."""

from __future__ import annotations

import codecs
import filecmp
import json
import math
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from golden_record.lakehouse.config import CUSTOMER_FIELDS, load_config
from golden_record.sample_silos.second_population import GROUND_TRUTH_FILE, SILOS, generate
from golden_record.sample_silos.second_population.__main__ import main
from golden_record.sample_silos.second_population.errors import DEFAULT_RATES
from golden_record.sample_silos.second_population.generator import records
from golden_record.sample_silos.second_population.people import persons
from golden_record.sample_silos.second_population.vocabulary import DIMINUTIVES, PLACEHOLDER_NATIONAL_IDS
from golden_record.sample_silos.vocabulary import NICKNAMES

PERSONS = 600
SEED = 11
PACKAGE = Path(__file__).resolve().parents[2] / "sample_silos" / "second_population"
NESTED_ADDRESS = ("line1", "line2", "zip", "city", "country")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("second")
    return out, generate(PERSONS, SEED, out)


@pytest.fixture(scope="module")
def big() -> dict[str, pd.DataFrame]:
    """Rows of 4,000 persons (not written), for rates and error kinds."""
    return {name: pd.DataFrame(rows) for name, rows in records(4_000, 3).items()}


def read(out: Path, name: str) -> pd.DataFrame:
    silo = next(s for s in SILOS if s.name == name)
    path = out / silo.path
    if silo.format == "csv":
        return pd.read_csv(path, sep=silo.delimiter, encoding=silo.encoding, dtype=str, keep_default_na=False)
    if silo.format == "jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_parquet(path)


def test_same_seed_same_files_other_seed_other_files(written: tuple[Path, dict], tmp_path: Path) -> None:
    out, summary = written
    again = generate(PERSONS, SEED, tmp_path / "again")
    assert again == {k: {**v, "location": v["location"].replace(str(out), str(tmp_path / "again"))} for k, v in summary.items()}
    for silo in SILOS:
        assert filecmp.cmp(out / silo.path, tmp_path / "again" / silo.path, shallow=False), silo.name
    assert filecmp.cmp(out / GROUND_TRUTH_FILE, tmp_path / "again" / GROUND_TRUTH_FILE, shallow=False)
    generate(PERSONS, SEED + 1, tmp_path / "other")
    assert not filecmp.cmp(out / "crm/klanten_export.csv", tmp_path / "other" / "crm/klanten_export.csv", shallow=False)


def test_person_k_depends_only_on_seed_and_k() -> None:
    small, large = persons(5, 200, DEFAULT_RATES), persons(5, 400, DEFAULT_RATES)
    assert [p for p, _ in small] == [p for p, _ in large[:200]]
    rows_small, rows_large = records(200, 5), records(400, 5)
    for name, rows in rows_small.items():
        assert rows == [row for row in rows_large[name] if row["_k"] < 200], name


def test_ground_truth_covers_every_record_exactly_once(written: tuple[Path, dict]) -> None:
    out, summary = written
    truth = pd.read_csv(out / GROUND_TRUTH_FILE, dtype=str)
    assert list(truth.columns) == ["source", "source_record_id", "person_id"]
    assert not truth.duplicated(["source", "source_record_id"]).any()
    assert truth["person_id"].str.fullmatch(r"P\d{8}").all()
    assert truth["person_id"].nunique() == PERSONS  # every person is in at least one silo
    for silo in SILOS:
        ids = read(out, silo.name)[silo.record_id].astype(str)
        assert ids.is_unique, silo.name
        assert sorted(ids) == sorted(truth.loc[truth["source"] == silo.name, "source_record_id"]), silo.name
        assert summary[silo.name]["rows"] == len(ids)
    assert summary["ground_truth"]["rows"] == len(truth)
    assert set(truth["source"]) == {s.name for s in SILOS}


def test_duplicates_across_and_within_silos_at_the_documented_rates(big: dict[str, pd.DataFrame]) -> None:
    r = DEFAULT_RATES
    n = 4_000
    members = {name: set(frame["_k"]) for name, frame in big.items()}
    shares = {name: len(ks) / n for name, ks in members.items()}
    expected = {"crm_export": r.in_crm, "newsletter_subscribers": r.in_newsletter, "loyalty_members": r.in_loyalty}
    for name, share in expected.items():
        assert abs(shares[name] - share) < 0.03, (name, shares[name])
    none = (1 - r.in_crm) * (1 - r.in_shop) * (1 - r.in_newsletter) * (1 - r.in_loyalty)
    assert abs(shares["webshop_customers"] - (r.in_shop + none)) < 0.03  # the webshop is the fallback silo
    silos_per_person = Counter(k for ks in members.values() for k in ks)
    p = (r.in_crm, r.in_shop, r.in_newsletter, r.in_loyalty)
    exactly_one = sum(p[i] * math.prod(1 - q for j, q in enumerate(p) if j != i) for i in range(4))
    two_or_more = 1 - none - exactly_one  # 0.616 with the default rates
    assert abs(sum(c >= 2 for c in silos_per_person.values()) / n - two_or_more) < 0.03
    within = {"crm_export": r.crm_duplicate, "webshop_customers": r.shop_second_account,
              "newsletter_subscribers": r.newsletter_second_signup, "loyalty_members": r.loyalty_second_card}
    for name, rate in within.items():
        counts = big[name]["_k"].value_counts()
        assert counts.max() == 2
        assert abs((counts == 2).mean() - rate) < 0.025, (name, (counts == 2).mean())
    records_per_person = sum(len(f) for f in big.values()) / n
    assert 1.9 < records_per_person < 2.1


def test_shop_export_nests_the_address(written: tuple[Path, dict]) -> None:
    lines = (written[0] / "shop/customers.jsonl").read_text(encoding="utf-8").splitlines()
    objects = [json.loads(line) for line in lines]  # every line is valid JSON
    assert all(isinstance(o["address"], dict) and tuple(o["address"]) == NESTED_ADDRESS for o in objects)
    assert all(o["address"]["line1"] and o["address"]["country"] for o in objects)
    assert not any(key.startswith("address_") for o in objects for key in o)


def test_files_read_with_pandas_in_their_formats(written: tuple[Path, dict]) -> None:
    out, _ = written
    raw = (out / "crm/klanten_export.csv").read_bytes()
    raw.decode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really windows-1252, not UTF-8
    crm = read(out, "crm_export")
    assert crm.columns[0] == "KlantNr" and crm["Geboortedatum"].str.match(r"^(\d\d[-/]\d\d[-/]\d{4}|\d{4}-\d\d-\d\d)?$").all()
    news = read(out, "newsletter_subscribers")
    assert list(news.columns) == ["subscriber_id", "email", "name", "consent", "consent_date"]
    assert set(news["consent"]) <= {"0", "1"} and (news["email"] != "").all()
    shop = read(out, "webshop_customers")
    assert shop["address"].map(type).eq(dict).all()
    schema = pq.read_schema(out / "loyalty/members.parquet")
    assert schema.field("birth_date").type == pa.date32() and schema.field("enrolled_at").type == pa.timestamp("us", tz="UTC")
    loyalty = read(out, "loyalty_members")
    assert loyalty["card_number"].str.fullmatch(r"26\d{11}").all()


def test_config_loads_and_its_mappings_match_the_files(written: tuple[Path, dict]) -> None:
    """Every mapped column (a dotted path into the shop's address object) exists in the generated files."""
    config = load_config(PACKAGE / "pipeline.yaml")
    out = written[0]
    assert [s.name for s in config.sources] == [s.name for s in SILOS]
    assert config.gold.source_trust[0] == "crm_export"
    for silo in SILOS:
        source = config.source(silo.name)
        assert source.interactions is None and source.customers is not None
        assert source.format == silo.format and source.location == "{samples}/" + silo.path
        assert source.customers.record_id == silo.record_id
        assert set(source.customers.fields) <= set(CUSTOMER_FIELDS)
        if silo.format == "csv":
            assert source.csv.delimiter == silo.delimiter
            assert codecs.lookup(source.csv.encoding).name == codecs.lookup(silo.encoding).name
        if silo.format == "jsonl":
            assert any("." in reference for reference in source.mapped_references())
            for row in map(json.loads, (out / silo.path).read_text(encoding="utf-8").splitlines()):
                for reference in source.mapped_references():
                    value = row
                    for part in reference.split("."):
                        assert part in value, reference
                        value = value[part]
        else:
            assert source.mapped_columns() <= set(read(out, silo.name).columns), silo.name


def test_error_kinds_and_relations_are_present(big: dict[str, pd.DataFrame]) -> None:
    crm, shop, news, loyalty = (big[s.name] for s in SILOS)
    first_names = pd.concat([crm["Voornaam"], shop["firstName"], loyalty["given_name"]]).dropna()
    diminutives = {v for values in DIMINUTIVES.values() for v in values}
    assert first_names.isin(diminutives).mean() > 0.03
    last = pd.concat([crm["Achternaam"], shop["lastName"]])
    assert last.str.contains(r", van|, de", regex=True).any(), "no particle moved behind the name"
    assert last.str.contains("?", regex=False).any(), "no letter lost to windows-1252"
    assert crm["Identiteitsnr"].isin(PLACEHOLDER_NATIONAL_IDS).any()
    ids = crm.dropna(subset=["Identiteitsnr"]).query("Identiteitsnr not in @PLACEHOLDER_NATIONAL_IDS")
    assert ids.groupby("Identiteitsnr")["_k"].nunique().max() == 1, "a real national id shared by two persons"
    assert shop["address"].map(lambda a: a["city"]).isin(["Bruxelles", "Brussels", "Milan", "Warsaw", "Prague", "The Hague"]).any()
    truth_people = persons(3, 4_000, DEFAULT_RATES)
    relations = Counter(p.relation for p, _ in truth_people)
    assert relations["partner"] > 100 and relations["twin"] > 10 and relations["namesake"] > 50
    assert any(p.old_surname for p, _ in truth_people) and any(p.old_address for p, _ in truth_people)
    emails = pd.concat([shop[["email", "_k"]], news[["email", "_k"]]]).assign(email=lambda f: f["email"].str.lower())
    assert (emails.groupby("email")["_k"].nunique() > 1).any(), "no household e-mail"
    births = pd.to_datetime(shop["birthDate"]).dt.date
    by_person = pd.DataFrame({"k": shop["_k"], "b": births}).dropna().groupby("k")["b"].agg(set)
    people = {p.k: p for p, _ in truth_people}
    swapped = [k for k, bs in by_person.items() for b in bs if b != people[k].birth and (b.month, b.day) == (people[k].birth.day, people[k].birth.month)]
    assert swapped, "no day/month swap"


def test_vocabulary_is_not_shared_with_the_main_generator() -> None:
    ours = {(name, v) for name, values in DIMINUTIVES.items() for v in values}
    main_generator = {(name, v) for name, values in NICKNAMES.items() for v in values}
    assert not ours & main_generator


def test_cli_writes_the_silos_and_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--persons", "50", "--seed", "2", "--out", str(tmp_path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary) == {*(s.name for s in SILOS), "ground_truth"}
    assert all(Path(v["location"]).is_file() and v["rows"] > 0 for v in summary.values())
