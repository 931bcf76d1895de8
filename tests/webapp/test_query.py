"""How the lookup reads a search: e-mail, phone in any format, customer number or loyalty card, name words."""

from __future__ import annotations

from golden_record.lakehouse.config import PipelineConfig
from golden_record.webapp.lookup import read_query


def test_a_phone_number_is_read_in_any_format(config: PipelineConfig) -> None:
    rules = config.standardisation
    for written in ("0041 79 123 45 67", "+41 79 123 45 67", "+41 (0)79 123 45 67", "0041-79-1234567"):
        assert read_query(written, rules, "DE").identifiers["phone"] == ["+41791234567"], written
    assert read_query("0171 2345678", rules, "DE").identifiers["phone"] == ["+491712345678"]
    assert read_query("079 123 45 67", rules, "CH").identifiers["phone"] == ["+41791234567"]


def test_e_mails_numbers_and_names_search_their_own_keys(config: PipelineConfig) -> None:
    rules = config.standardisation
    assert read_query(" Anna.Mueller@Web.DE ", rules, "DE").identifiers == {"email": ["anna.mueller@web.de"]}
    assert read_query("Max.Muster+Shop@GoogleMail.com", rules, "DE").identifiers == {"email": ["max.muster+shop@googlemail.com", "maxmuster@gmail.com"]}
    assert read_query("k-684 4645", rules, "DE").identifiers == {"number": ["K6844645"]}
    assert read_query("Müller-Lüdenscheidt, Hans", rules, "DE").name_words == ["mueller", "luedenscheidt", "hans"]
    assert read_query("O'Brien  Zoë", rules, "DE").name_words == ["obrien", "zoe"]
    assert read_query("   ", rules, "DE").name_words == []
