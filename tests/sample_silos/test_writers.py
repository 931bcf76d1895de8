"""Block writers: header once, malformed rows broken on purpose, nothing written for empty blocks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from golden_record.sample_silos.writers import CsvWriter, JsonLinesWriter


def _block(rows: list[tuple[str, str, float]], malformed: list[bool]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["Name", "Ort", "Betrag"])
    return frame.assign(_k=range(len(frame)), _malformed=malformed)


def test_csv_writer_writes_one_header_decimal_commas_and_breaks_flagged_rows(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    writer = CsvWriter(path, delimiter=";", encoding="latin-1", decimal=",")
    writer.write(_block([("Müller", "Köln", 12.5), ("Weiß", "Wien", 3.0)], [False, True]))
    writer.write(_block([], []))
    writer.write(_block([("Øberg", "Oslo", 1.25)], [False]))
    writer.close()
    assert path.read_bytes().decode("latin-1") == "Name;Ort;Betrag\nMüller;Köln;12,50\nWeiß\nØberg;Oslo;1,25\n"


def test_json_lines_writer_cuts_flagged_objects(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    writer = JsonLinesWriter(path)
    writer.write(_block([("Müller", "Köln", 12.5), ("Weiß", "Wien", 3.0)], [False, True]))
    writer.close()
    good, broken = path.read_text(encoding="utf-8").splitlines()
    assert good == '{"Name":"Müller","Ort":"Köln","Betrag":12.5}'
    full = '{"Name":"Weiß","Ort":"Wien","Betrag":3.0}'
    assert broken == full[: int(len(full) * 0.6)]
