"""The plain Splink baseline (bench/plain_splink.py) on a tiny hand-made population: cleaning and clusters, no Spark."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import plain_splink

from golden_record.lakehouse.config import load_config

PEOPLE = [
    ("Anna", "Müller", "12.03.1980", "anna.mueller@example.com", "0041 79 123 45 67", "8001"),
    ("Jörg", "Schmidt", "01.07.1975", "joerg.schmidt@example.de", "+49 170 1234567", "10115"),
    ("Sofie", "Jansen", "23.11.1990", "sofie.jansen@example.nl", "06 12345678", "1012 AB"),
    ("Lars", "Nilsson", "05.05.1965", "lars.nilsson@example.se", "+46 70 123 45 67", "11455"),
    ("Maria", "Rossi", "30.09.1985", "maria.rossi@example.it", "+39 333 1234567", "20121"),
    ("Piet", "de Vries", "14.02.1950", "piet.devries@example.nl", "06 87654321", "3011 CD"),
]


def _sample(tmp_path: Path) -> Path:
    """Two CSV silos: a CRM with every person, a shop export with the same persons written differently."""
    (tmp_path / "samples").mkdir()
    crm = pd.DataFrame(PEOPLE, columns=["Vorname", "Name", "Geburtsdatum", "EMail", "Telefon", "PLZ"])
    crm.insert(0, "Nr", [f"C{i}" for i in range(len(PEOPLE))])
    crm.to_csv(tmp_path / "samples" / "crm.csv", sep=";", index=False, encoding="latin-1")
    shop = pd.DataFrame(
        {
            "id": [f"S{i}" for i in range(len(PEOPLE))],
            "name": [f"{first.upper()}  {last.lower()}" for first, last, *_ in PEOPLE],
            "email": [email.upper() for *_, email, _, _ in PEOPLE],
            "birthday": [pd.to_datetime(b, format="%d.%m.%Y").strftime("%Y-%m-%d") for *_, b, _, _, _ in PEOPLE],
        }
    )
    shop.to_csv(tmp_path / "samples" / "shop.csv", index=False)
    conf = tmp_path / "conf.yaml"
    conf.write_text(
        f"""extends: {Path(plain_splink.__file__).resolve().parents[1] / "conf" / "local.yaml"}
sources:
  - {{name: crm, system: crm, format: csv, location: "{{samples}}/crm.csv", csv: {{delimiter: ";", encoding: latin-1}},
     date_formats: ["dd.MM.yyyy"],
     customers: {{record_id: Nr, fields: {{first_name: Vorname, last_name: Name, birth_date: Geburtsdatum, email: EMail, phone: Telefon, postcode: PLZ}}}}}}
  - {{name: shop, system: webshop, format: csv, location: "{{samples}}/shop.csv",
     customers: {{record_id: id, fields: {{full_name: name, email: email, birth_date: birthday}}}}}}
""",
        encoding="utf-8",
    )
    return conf


@pytest.fixture
def config(tmp_path: Path):
    """The tiny population's config with its data under tmp_path."""
    return load_config(_sample(tmp_path), overrides={"paths": {"root": str(tmp_path), "samples": "{root}/samples"}})


def test_strptime_format() -> None:
    assert plain_splink.strptime_format("dd.MM.yyyy") == "%d.%m.%Y"
    assert plain_splink.strptime_format("yyyy-MM-dd'T'HH:mm:ss") == "%Y-%m-%dT%H:%M:%S"


def test_cleaning(config) -> None:
    records = plain_splink.clean(plain_splink.load(config), config).set_index("unique_id")
    assert records.loc["crm:C0", ["first_name", "last_name", "birth_date", "phone", "postcode"]].tolist() == ["anna", "muller", "1980-03-12", "+41791234567", "8001"]
    assert records.loc["crm:C1", "first_name"] == "jorg"
    assert records.loc["crm:C2", ["phone", "postcode"]].tolist() == ["0612345678", "1012AB"]
    assert records.loc["shop:S5", ["first_name", "last_name", "email", "birth_date"]].tolist() == ["piet", "vries", "piet.devries@example.nl", "1950-02-14"]


def test_run_plain_clusters_each_person(config) -> None:
    result = plain_splink.run_plain(config, threshold=0.5, u_max_pairs=1e4)
    clusters = result["clusters"]
    assert len(clusters) == 2 * len(PEOPLE)
    assert set(result["seconds"]) == {*plain_splink.STEPS, "total"}
    sizes = clusters.assign(person=clusters["source_record_id"].str[1:]).groupby("person")["cluster_id"].nunique()
    assert (sizes == 1).all(), "each person's two records share one cluster"
    assert clusters["cluster_id"].nunique() == len(PEOPLE)
