"""The true persons behind the silos, drawn block by block so that person k depends only on (seed, k)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from golden_record.sample_silos.noise import ascii_fold
from golden_record.sample_silos.rates import Rates
from golden_record.sample_silos.vocabulary import COUNTRIES, COUNTRY_SHARES

BLOCK_SIZE = 5_000
"""Persons per random stream. Part of the seed contract: changing it changes every generated sample."""

AS_OF = np.datetime64("2025-06-30", "D")
"""The day the sample is taken: no record happens after it."""



def day(text: str) -> int:
    """An ISO date as days since 1970-01-01."""
    return int((np.datetime64(text, "D") - np.datetime64("1970-01-01", "D")).astype(int))


AS_OF_DAY = day(str(AS_OF))

RELATIONS = ("none", "spouse", "twin", "sibling", "junior", "namesake")
"""How person k relates to person k-1 (see Rates)."""

CODES = tuple(COUNTRY_SHARES)


def zipf_weights(size: int, exponent: float) -> np.ndarray:
    """Probabilities 1/rank^exponent for a list ordered from common to rare."""
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    return weights / weights.sum()


def _choose(rng: np.random.Generator, options: tuple[str, ...], size: int, exponent: float) -> np.ndarray:
    return rng.choice(len(options), size=size, p=zipf_weights(len(options), exponent))


def _per_country(rng: np.random.Generator, country: np.ndarray, draw) -> np.ndarray:
    """Call `draw(rng, country_code, count)` for each country's rows; returns one object array in row order."""
    out = np.empty(len(country), dtype=object)
    for code in CODES:
        rows = np.flatnonzero(country == code)
        if rows.size:
            out[rows] = draw(rng, COUNTRIES[code], rows.size)
    return out


def _names(rng: np.random.Generator, name_country: np.ndarray, female: np.ndarray, kind: str) -> np.ndarray:
    out = np.empty(len(name_country), dtype=object)
    for code in CODES:
        c = COUNTRIES[code]
        for sex in (False, True):
            rows = np.flatnonzero((name_country == code) & (female == sex))
            if not rows.size:
                continue
            options = c.last if kind == "last" else (c.female if sex else c.male)
            out[rows] = np.asarray(options, dtype=object)[_choose(rng, options, rows.size, 0.75 if kind == "last" else 0.7)]
    return out


def _city_index(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    index = np.zeros(len(country), dtype=np.int64)
    for code in CODES:
        rows = np.flatnonzero(country == code)
        if rows.size:
            index[rows] = _choose(rng, tuple(c.name for c in COUNTRIES[code].cities), rows.size, 1.0)
    return index


def _house_numbers(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    n = len(country)
    number = (1 + rng.exponential(18, n)).astype(int).astype(str).astype(object)
    letter = rng.random(n) < 0.08
    letters = np.asarray(["a", "b", "c"], dtype=object)[rng.integers(0, 3, n)]
    nordic = np.isin(country, ["NO", "SE", "DK"])
    number = np.where(letter & ~nordic, number + letters, number)
    number = np.where(letter & nordic, number + np.char.upper(letters.astype(str)).astype(object), number)
    floors = np.asarray(["st.", "1.", "2.", "3.", "4.", "5."], dtype=object)[rng.integers(0, 6, n)]
    sides = np.asarray(["th.", "tv.", "mf."], dtype=object)[rng.integers(0, 3, n)]
    number = np.where((country == "DK") & (rng.random(n) < 0.45), number + ", " + floors + " " + sides, number)
    doors = rng.integers(1, 40, n).astype(str).astype(object)
    number = np.where((country == "AT") & (rng.random(n) < 0.3), number + "/" + doors, number)
    return number


def _address(rng: np.random.Generator, country: np.ndarray, city_index: np.ndarray) -> dict[str, np.ndarray]:
    n = len(country)
    city = np.empty(n, dtype=object)
    postcode = np.empty(n, dtype=object)
    street = np.empty(n, dtype=object)
    for code in CODES:
        rows = np.flatnonzero(country == code)
        if not rows.size:
            continue
        c = COUNTRIES[code]
        cities = [c.cities[i] for i in city_index[rows]]
        city[rows] = [x.name for x in cities]
        low = np.array([x.postcode_from for x in cities])
        steps = np.array([x.step for x in cities])
        spans = np.array([(x.postcode_to - x.postcode_from) // x.step + 1 for x in cities])
        numbers = low + steps * (rng.random(rows.size) * spans).astype(int)
        codes = [f"{p:0{c.postcode_digits}d}" for p in numbers]
        postcode[rows] = [f"{p[:3]} {p[3:]}" for p in codes] if code == "SE" else codes
        street[rows] = np.asarray(c.streets, dtype=object)[_choose(rng, c.streets, rows.size, 0.5)]
    return {"street": street, "house_number": _house_numbers(rng, country), "postcode": postcode, "city": city}


def _phones(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    def draw(r: np.random.Generator, c, count: int) -> list[str]:
        prefixes = np.asarray(c.mobile_prefixes)[r.integers(0, len(c.mobile_prefixes), count)]
        rest = c.phone_digits - len(c.mobile_prefixes[0])
        numbers = r.integers(0, 10**rest, count)
        return [f"{p}{x:0{rest}d}" for p, x in zip(prefixes, numbers)]

    return _per_country(rng, country, draw)


def _email_local(first: np.ndarray, last: np.ndarray, birth_year: np.ndarray, pattern: np.ndarray, number: np.ndarray) -> list[str]:
    def clean(values: np.ndarray) -> list[str]:
        folded = ascii_fold(pd.Series(values, dtype=object)).str.lower()
        return folded.str.replace(r"[^a-z\-]", "", regex=True).tolist()

    firsts, lasts = clean(first), clean(last)
    out = []
    for f, l, y, p, x in zip(firsts, lasts, birth_year, pattern, number):
        out.append(
            (
                f"{f}.{l}",
                f"{f[:1]}{l}",
                f"{f}{l}{y % 100:02d}",
                f"{f}_{l}",
                f"{l}.{f}",
                f"{f}{x}",
                f"{f}.{l}{x}",
                f"{f[:1]}.{l}",
            )[p]
        )
    return out


def _emails(rng: np.random.Generator, first: np.ndarray, last: np.ndarray, birth_year: np.ndarray, country: np.ndarray) -> np.ndarray:
    n = len(first)
    pattern = rng.choice(8, n, p=[0.2, 0.12, 0.16, 0.06, 0.06, 0.12, 0.16, 0.12])
    number = rng.integers(1, 999, n)
    local = _email_local(first, last, birth_year, pattern, number)
    domain = _per_country(rng, country, lambda r, c, count: np.asarray(c.email_domains, dtype=object)[_choose(r, c.email_domains, count, 0.9)])
    return np.asarray([f"{a}@{d}" for a, d in zip(local, domain)], dtype=object)


def person_block(seed: int, block: int, rates: Rates, block_size: int = BLOCK_SIZE) -> pd.DataFrame:
    """The true persons k = block*block_size … of a seed, from their own random stream (seed, block)."""
    rng = np.random.default_rng([seed, block, 0])
    n = block_size
    k = block * block_size + np.arange(n, dtype=np.int64)
    prev = np.maximum(np.arange(n) - 1, 0)

    # How person k relates to person k-1; a person related to its predecessor is never the anchor of another relation.
    p = [rates.spouse, rates.twin, rates.sibling, rates.junior, rates.namesake]
    drawn = rng.choice(len(RELATIONS), n, p=[1 - sum(p), *p])
    relation = drawn.copy()
    relation[0] = 0
    relation[1:][drawn[:-1] != 0] = 0
    rel = np.asarray(RELATIONS, dtype=object)[relation]
    related = relation != 0

    country = np.asarray(CODES, dtype=object)[rng.choice(len(CODES), n, p=list(COUNTRY_SHARES.values()))]
    country[related] = country[prev[related]]

    female = rng.random(n) < 0.5
    female[rel == "spouse"] = ~female[prev[rel == "spouse"]]
    same_sex = np.isin(rel, ["junior", "namesake"])
    female[same_sex] = female[prev[same_sex]]

    foreign = rng.random(n) < rates.foreign_name
    name_country = np.where(foreign, np.asarray(CODES, dtype=object)[rng.integers(0, len(CODES), n)], country)
    first = _names(rng, name_country, female, "first")
    second_first = _names(rng, name_country, female, "first")
    hyphenated = np.array([COUNTRIES[c].hyphenated_first_names for c in name_country]) & (rng.random(n) < rates.compound_first_name)
    hyphenated &= second_first != first
    first = np.where(hyphenated, first + "-" + second_first, first)
    twin_clash = (rel == "twin") & (first == first[prev])
    first = np.where(twin_clash, second_first, first)
    first[same_sex] = first[prev[same_sex]]
    last = _names(rng, name_country, female, "last")
    other_last = _names(rng, name_country, female, "last")

    birth_day = rng.integers(day("1940-01-01"), day("2006-12-31"), n)
    years = 365.25
    spouse_gap = (rng.normal(0, 3, n) * years).astype(int)
    sibling_gap = (rng.choice([-1, 1], n) * rng.uniform(1, 8, n) * years).astype(int)
    generation = (rng.uniform(24, 36, n) * years).astype(int)
    prev_birth = birth_day[prev]
    birth_day = np.where(rel == "spouse", np.clip(prev_birth + spouse_gap, day("1940-01-01"), day("2006-12-31")), birth_day)
    birth_day = np.where(rel == "twin", prev_birth, birth_day)
    birth_day = np.where(rel == "sibling", np.clip(prev_birth + sibling_gap, day("1940-01-01"), day("2006-12-31")), birth_day)
    junior_day = np.where(prev_birth + generation <= day("2006-12-31"), prev_birth + generation, prev_birth - generation)
    birth_day = np.where(rel == "junior", junior_day, birth_day)
    birth_year = (np.datetime64("1970-01-01", "D") + birth_day.astype("timedelta64[D]")).astype("datetime64[Y]").astype(int) + 1970

    titled = np.isin(country, ["DE", "CH", "AT"]) & (rng.random(n) < rates.title) & (birth_year < 1997)
    title = _per_country(rng, country, lambda r, c, count: np.asarray(c.titles or ("",), dtype=object)[r.integers(0, max(len(c.titles), 1), count)])
    title = np.where(titled, title, None)

    # Names at marriage: women (and a few men) change their last name; spouses may take their partner's.
    spouse_takes = (rel == "spouse") & (rng.random(n) < rates.spouse_takes_name)
    changes = np.where(female, rates.name_change, rates.name_change / 10)
    name_changed = (rng.random(n) < changes) & ~related
    double = rng.random(n) < rates.double_name
    maiden = np.where(name_changed, other_last, None)
    last = np.where(name_changed & double & (last != other_last), last + "-" + other_last, last)
    maiden = np.where(spouse_takes, last, maiden)
    last = np.where(spouse_takes | np.isin(rel, ["twin", "sibling", "junior", "namesake"]), last[prev], last)
    name_changed = name_changed | spouse_takes

    # Addresses: households share their predecessor's current address; namesakes often live in the same city.
    city_now = _city_index(rng, country)
    namesake_city = (rel == "namesake") & (rng.random(n) < rates.namesake_same_city)
    city_now[namesake_city] = city_now[prev[namesake_city]]
    moved = rng.random(n) < rates.move
    city_before = np.where(rng.random(n) < rates.move_same_city, city_now, _city_index(rng, country))
    now = _address(rng, country, city_now)
    before = _address(rng, country, city_before)
    household = np.isin(rel, ["spouse", "twin", "sibling", "junior"])
    for key in now:
        now[key][household] = now[key][prev[household]]
        before[key] = np.where(moved, before[key], now[key])

    phone = _phones(rng, country)
    phone_changed = rng.random(n) < rates.phone_change
    old_phone = np.where(phone_changed, _phones(rng, country), phone)

    # A person keeps the address made with their maiden name unless they changed it.
    old_email = _emails(rng, first, np.where(name_changed, maiden, last), birth_year, country)
    email_changed = (rng.random(n) < rates.email_change) | (name_changed & (rng.random(n) < rates.email_change_at_name_change))
    email = np.where(email_changed, _emails(rng, first, last, birth_year, country), old_email)
    shares_email = (rel == "spouse") & (rng.random(n) < rates.shared_household_email)
    email_changed |= shares_email

    first_seen = rng.integers(day("2012-01-01"), day("2024-06-30"), n)
    has_event = name_changed | moved | email_changed | phone_changed
    event_day = first_seen + (rng.random(n) * (AS_OF_DAY - 30 - first_seen)).astype(int)

    return pd.DataFrame(
        {
            "k": k,
            "person_id": [f"P{x:08d}" for x in k],
            "relation": rel,
            "country": country,
            "female": female,
            "title": title,
            "first_name": first,
            "last_name": last,
            "maiden_name": maiden,
            "birth_day": birth_day,
            "street": now["street"],
            "house_number": now["house_number"],
            "postcode": now["postcode"],
            "city": now["city"],
            "old_street": before["street"],
            "old_house_number": before["house_number"],
            "old_postcode": before["postcode"],
            "old_city": before["city"],
            "phone": phone,
            "old_phone": old_phone,
            "email": email,
            "old_email": old_email,
            "shares_email_with_previous": shares_email,
            "first_seen": first_seen,
            "has_event": has_event,
            "event_day": event_day,
        }
    )


def make_emails_unique(persons: pd.DataFrame, taken: set[str]) -> None:
    """Give each person addresses nobody before them has (persons in k order; `taken` carries over between blocks).

    Real providers never hand out one address twice, so two different Hans Müller must not both be
    hans.mueller@gmx.de; only spouses who share an address on purpose keep the same one.
    """

    def unique(address: str, key: int) -> str:
        local, _, domain = address.partition("@")
        candidate, attempt = address, 0
        while candidate in taken:
            attempt += 1
            candidate = f"{local}{key % 89 + attempt}@{domain}"
        taken.add(candidate)
        return candidate

    emails, old_emails = persons["email"].tolist(), persons["old_email"].tolist()
    shares = persons["shares_email_with_previous"].tolist()
    for i, key in enumerate(persons["k"].tolist()):
        changed = old_emails[i] != emails[i]
        if shares[i]:
            old_emails[i] = unique(old_emails[i], key)  # their own address from before moving in together
            emails[i] = emails[i - 1]
        else:
            emails[i] = unique(emails[i], key)
            old_emails[i] = unique(old_emails[i], key) if changed else emails[i]
    persons["email"] = emails
    persons["old_email"] = old_emails
