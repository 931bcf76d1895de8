"""Vectorised variations of names, phones, emails and dates: the ways one person's data differs between records."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from golden_record.sample_silos.vocabulary import COUNTRIES, NICKNAMES

EPOCH = np.datetime64("1970-01-01", "D")

_ASCII_FOLD = str.maketrans(
    {
        "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss",
        "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa", "æ": "ae", "Æ": "Ae",
        "é": "e", "è": "e", "ê": "e", "É": "E", "â": "a", "ç": "c", "ô": "o",
    }
)
_QWERTZ_NEIGHBOURS = {
    "a": "sqy", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo", "j": "hk",
    "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "w", "r": "et", "s": "ad", "t": "rz",
    "u": "zi", "v": "cb", "w": "qe", "x": "yc", "y": "x", "z": "tu",
}


def ascii_fold(values: pd.Series) -> pd.Series:
    """Write umlauts and Nordic letters the ASCII way: Müller -> Mueller, Jørgensen -> Joergensen, Åberg -> Aaberg."""
    return values.str.translate(_ASCII_FOLD)


def sharp_s_as_ss(values: pd.Series) -> pd.Series:
    """Write ß as ss (Swiss spelling, and old systems): Weiß -> Weiss, Straße -> Strasse."""
    return values.str.replace("ß", "ss", regex=False)


def where(mask: np.ndarray, values: pd.Series, change: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`change` applied to the rows where `mask` is true, the other rows unchanged."""
    array = values.to_numpy(dtype=object)
    mask = np.asarray(mask, dtype=bool) & pd.notna(array)
    if not mask.any():
        return values
    rows = np.flatnonzero(mask)
    result = array.copy()
    result[rows] = change(pd.Series(array[rows], index=rows, dtype=object)).to_numpy()
    return pd.Series(result, dtype=object)


def typo(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """One or two keyboard slips per value: a neighbouring key, a dropped, doubled or swapped letter."""
    n = len(values)
    edits = 1 + (rng.random(n) < 0.25)
    ops = rng.integers(0, 4, size=(n, 2))
    positions = rng.random((n, 2))
    picks = rng.random((n, 2))

    def slip(text: str, op: int, position: float, pick: float) -> str:
        if len(text) < 3:
            return text
        i = 1 + int(position * (len(text) - 2))  # keep the first letter: people rarely mistype it
        char = text[i]
        if op == 0 and char.lower() in _QWERTZ_NEIGHBOURS:
            options = _QWERTZ_NEIGHBOURS[char.lower()]
            new = options[int(pick * len(options))]
            return text[:i] + (new.upper() if char.isupper() else new) + text[i + 1 :]
        if op == 1:
            return text[:i] + text[i + 1 :]
        if op == 2:
            return text[:i] + char + text[i:]
        return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]

    out = []
    for text, count, op, position, pick in zip(values.tolist(), edits, ops, positions, picks):
        for e in range(count):
            text = slip(text, op[e], position[e], pick[e])
        out.append(text)
    return pd.Series(out, index=values.index, dtype=object)


def nickname(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """The nickname or spelling variant a person uses (Johannes -> Hannes), where the name has one."""
    picks = rng.random(len(values))
    return pd.Series(
        [NICKNAMES[name][int(p * len(NICKNAMES[name]))] if name in NICKNAMES else name for name, p in zip(values.tolist(), picks)],
        index=values.index,
        dtype=object,
    )


def compound_variant(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Hyphenated first names written with a space, run together, or only the first part."""
    picks = rng.integers(0, 3, len(values))

    def variant(name: str, pick: int) -> str:
        if "-" not in name:
            return name
        first, _, second = name.partition("-")
        return (f"{first} {second}", f"{first}{second.lower()}", first)[pick]

    return pd.Series([variant(name, pick) for name, pick in zip(values.tolist(), picks)], index=values.index, dtype=object)


def stray_whitespace(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """A leading, trailing or doubled space, as typed into forms."""
    picks = rng.integers(0, 3, len(values))
    return pd.Series(
        [(" " + v, v + " ", v.replace(" ", "  ", 1) if " " in v else v + "  ")[p] for v, p in zip(values.tolist(), picks)],
        index=values.index,
        dtype=object,
    )


PHONE_STYLES = ("e164", "intl_spaced", "intl_00", "national_spaced", "national_compact", "intl_trunk")
"""How a phone number can be written (the order of Rates.phone_styles)."""


def _grouped(nsn: str, groups: tuple[int, ...]) -> list[str]:
    parts, start = [], 0
    for size in groups:
        parts.append(nsn[start : start + size])
        start += size
    return [p for p in parts if p]


def render_phone(nsn: pd.Series, country: pd.Series, style: np.ndarray) -> pd.Series:
    """Write national significant numbers in a style per row: +41791234567, 0041 79 123 45 67, 079 123 45 67 …"""

    def render(number: str, code: str, s: int) -> str:
        c = COUNTRIES[code]
        parts = _grouped(number, c.phone_groups)
        spaced = " ".join(parts)
        name = PHONE_STYLES[s]
        if name == "e164":
            return f"+{c.calling_code}{number}"
        if name == "intl_spaced":
            return f"+{c.calling_code} {spaced}"
        if name == "intl_00":
            return f"00{c.calling_code} {spaced}"
        if name == "intl_trunk" and c.trunk_prefix:
            return f"+{c.calling_code} ({c.trunk_prefix}){spaced}"
        if name == "national_compact":
            return f"{c.trunk_prefix}{number}"
        if code == "SE":
            return f"{c.trunk_prefix}{parts[0]}-{' '.join(parts[1:])}"
        if name == "intl_trunk":
            return f"+{c.calling_code} {spaced}"
        return f"{c.trunk_prefix}{spaced}"

    return pd.Series([render(n, c, s) for n, c, s in zip(nsn.tolist(), country.tolist(), style)], index=nsn.index, dtype=object)


_BROKEN_PHONES = ("12345", "0000000", "n/a", "keine Angabe", "+49 123", "0171-ABC123", "999")
_BROKEN_EMAILS = ("{local}.{domain}", "{local}@{host}", "{local}@@{domain}", "{local} @{domain}", "{local}@{domain}.", "n/a", "-")


def invalid_phone(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Phone entries no parser accepts."""
    picks = rng.integers(0, len(_BROKEN_PHONES), len(values))
    return pd.Series([_BROKEN_PHONES[p] for p in picks], index=values.index, dtype=object)


def invalid_email(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Email entries that are not addresses: no @, no top-level domain, doubled @, a space, a trailing dot."""
    picks = rng.integers(0, len(_BROKEN_EMAILS), len(values))

    def broken(email: str, pick: int) -> str:
        local, _, domain = email.partition("@")
        return _BROKEN_EMAILS[pick].format(local=local, domain=domain, host=domain.rsplit(".", 1)[0])

    return pd.Series([broken(e, p) for e, p in zip(values.tolist(), picks)], index=values.index, dtype=object)


def email_case(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """The same address typed with capitals: Anna.Mueller@gmx.de, ANNA.MUELLER@GMX.DE, anna.mueller@GMX.de."""
    picks = rng.integers(0, 3, len(values))

    def cased(email: str, pick: int) -> str:
        local, _, domain = email.partition("@")
        return (f"{local.title()}@{domain}", email.upper(), f"{local}@{domain.upper()}")[pick]

    return pd.Series([cased(e, p) for e, p in zip(values.tolist(), picks)], index=values.index, dtype=object)


def plus_tag(values: pd.Series, rng: np.random.Generator) -> pd.Series:
    """A sub-address for the shop: anna.mueller+shop@gmx.de."""
    tags = ("shop", "online", "news", "web")
    picks = rng.integers(0, len(tags), len(values))
    return pd.Series(
        [e.replace("@", f"+{tags[p]}@", 1) for e, p in zip(values.tolist(), picks)],
        index=values.index,
        dtype=object,
    )


def iso_dates(days: np.ndarray) -> pd.Series:
    """Days since 1970-01-01 as yyyy-MM-dd strings."""
    return pd.Series(np.datetime_as_string(EPOCH + days.astype("timedelta64[D]")), dtype=object)


def german_dates(days: np.ndarray) -> pd.Series:
    """Days since 1970-01-01 as dd.MM.yyyy strings."""
    iso = iso_dates(days)
    return iso.str[8:10] + "." + iso.str[5:7] + "." + iso.str[0:4]


def timestamps(seconds: np.ndarray) -> np.ndarray:
    """Seconds since 1970-01-01 as numpy datetime64[s]."""
    return seconds.astype("datetime64[s]")


def iso_timestamps(seconds: np.ndarray, suffix: str = "", separator: str = "T") -> pd.Series:
    """Seconds since 1970-01-01 as yyyy-MM-ddTHH:mm:ss strings (with an optional zone suffix such as Z)."""
    text = pd.Series(np.datetime_as_string(timestamps(seconds), unit="s"), dtype=object)
    if separator != "T":
        text = text.str.replace("T", separator, regex=False)
    return text + suffix if suffix else text


def impossible_dates(days: np.ndarray, rng: np.random.Generator, german: bool) -> pd.Series:
    """Calendar dates that cannot exist (30 February, month 13), in the given year, as text."""
    years = (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[Y]").astype(int) + 1970
    kind = rng.integers(0, 3, len(days))
    day_month = np.where(kind == 0, "30.02", np.where(kind == 1, "31.02", "15.13"))
    if german:
        return pd.Series([f"{dm}.{y}" for dm, y in zip(day_month, years)], dtype=object)
    return pd.Series([f"{y}-{dm[3:]}-{dm[:2]}" for dm, y in zip(day_month, years)], dtype=object)
