"""Validate the `standardisation:` section of the config (conf/standardisation.yaml): reference data of the silver standardisers."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import Field, field_validator

from golden_record.lakehouse.settings_base import Strict


class EmailRules(Strict):
    """How e-mail addresses are reduced to their matching form."""

    domain_aliases: dict[str, str] = Field(default_factory=dict, description="domain -> the domain it is an alias of")
    dotless_domains: list[str] = Field(default_factory=list, description="domains whose mailboxes ignore dots in the local part")


class StreetSuffix(Strict):
    """A street-type suffix of one language, its spellings and its matching equivalents."""

    canonical: str
    spellings: list[str] = Field(default_factory=list)
    equivalents: list[str] = Field(default_factory=list)


class StreetRules(Strict):
    """Street spelling rules per language and which countries use which language."""

    languages: dict[str, str] = Field(default_factory=dict, description="ISO country -> language key of `suffixes`")
    suffixes: dict[str, list[StreetSuffix]] = Field(default_factory=dict)


class PostcodeRule(Strict):
    """The valid shape of a country's postcodes and the country prefixes written in front of them."""

    pattern: str
    prefixes: list[str] = Field(default_factory=list)


class Country(Strict):
    """An ISO 3166-1 country (keyed by its alpha-2 code): alpha-3 code and names."""

    iso3: str = Field(pattern=r"^[A-Z]{3}$")
    names: list[str] = Field(default_factory=list)


class StandardisationRules(Strict):
    """The `standardisation:` section (conf/standardisation.yaml): all reference data of the silver standardisers; tests build small ones."""

    transliterations: dict[str, str] = Field(default_factory=dict)
    titles: list[str] = Field(default_factory=list)
    particles: list[str] = Field(default_factory=list)
    email: EmailRules = Field(default_factory=EmailRules)
    streets: StreetRules = Field(default_factory=StreetRules)
    postcodes: dict[str, PostcodeRule] = Field(default_factory=dict)
    countries: dict[str, Country] = Field(default_factory=dict)
    placeholder_birth_dates: tuple[dt.date, ...] = ()

    @field_validator("postcodes", "countries")
    @classmethod
    def _iso_keys(cls, value: dict[str, object]) -> dict[str, object]:
        """Country keys must be ISO alpha-2 codes."""
        bad = [key for key in value if not re.fullmatch(r"[A-Z]{2}", str(key))]
        if bad:
            raise ValueError(f"keys must be ISO 3166-1 alpha-2 codes (quote NO in YAML), got {bad}")
        return value
