"""The true persons of the second population: identity, household relations and life events.

Person k is drawn from its own random stream `random.Random(f"{seed}:{k}")` and, for a relation (partner, twin,
namesake), from person k-1; so person k depends only on (seed, k-1, k) and a bigger population with the same seed
starts with the same persons. Only e-mail uniqueness looks further back (an address taken by an earlier person
gets a number appended).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass, replace

from golden_record.sample_silos.second_population.errors import Rates, strip_accents
from golden_record.sample_silos.second_population.vocabulary import DIMINUTIVES, FEMININE_SURNAME, LOCALE_SHARES, LOCALES, Locale, Town

AS_OF = dt.date(2026, 6, 30)
"""The day the silos were exported."""


class Zipf:
    """Draws items of a common-to-rare list with weights 1/(rank+1)^s."""

    def __init__(self, items: tuple, s: float = 0.9) -> None:
        self.items = items
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(items))))

    def pick(self, r: random.Random):
        return self.items[min(bisect.bisect_right(self.cum, r.random() * self.cum[-1]), len(self.items) - 1)]


_DRAW = {
    code: {
        "M": Zipf(loc.male, 0.8), "F": Zipf(loc.female, 0.8), "surname": Zipf(loc.surnames, 1.0), "street": Zipf(loc.streets, 0.6),
        "town": Zipf(loc.towns, 0.9), "domain": Zipf(loc.email_domains, 1.1),
    }
    for code, loc in LOCALES.items()
}
_LOCALE_CODES = tuple(LOCALE_SHARES)
_LOCALE_CUM = list(itertools.accumulate(LOCALE_SHARES.values()))


@dataclass(frozen=True)
class Address:
    """An address in its canonical form; records write it in their own ways."""

    street: str
    number: str
    addition: str  # NL "a"/"-2"/"hs", BE bus number, FR bis/ter, PL flat, CZ orientation number
    line2: str  # ES floor and door ("3º B"), else ""
    postcode: str
    town: Town
    country: str


@dataclass(frozen=True)
class Person:
    k: int
    person_id: str
    locale: Locale  # culture of the name
    home: Locale  # country of residence (streets, phones, postcodes)
    sex: str
    given: str
    surname: str  # current (after a marriage)
    surname2: str  # Spanish second surname, else ""
    old_surname: str  # before a marriage, else ""
    birth: dt.date
    address: Address
    old_address: Address | None
    phone: str  # national significant number
    old_phone: str
    household_phone: str  # shared with the partner/twin, else ""
    email: str
    old_email: str
    household_email: str  # the partner's address, used in some records, else ""
    national_id: str  # canonical form, "" where the country has none in retail use
    first_seen: dt.date
    event_day: dt.date | None  # day of the life events (marriage, move, new e-mail/phone)
    relation: str  # "", "partner", "twin", "namesake"

    @property
    def has_event(self) -> bool:
        return self.event_day is not None


def _pick_locale(r: random.Random) -> Locale:
    return LOCALES[_LOCALE_CODES[min(bisect.bisect_right(_LOCALE_CUM, r.random() * _LOCALE_CUM[-1]), len(_LOCALE_CODES) - 1)]]


def feminine(surname: str, locale: Locale) -> str:
    """The surname form a woman of this locale carries (Kowalski -> Kowalska, Novák -> Nováková)."""
    if locale.code == "CZ":
        return FEMININE_SURNAME.get(surname, surname)
    if locale.code == "PL":
        for m, f in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
            if surname.endswith(m):
                return surname[: -len(m)] + f
    return surname


def masculine(surname: str, locale: Locale) -> str:
    """The inverse of `feminine` (a woman's record written with the masculine form)."""
    if locale.code == "CZ":
        return next((m for m, f in FEMININE_SURNAME.items() if f == surname), surname)
    if locale.code == "PL":
        for m, f in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
            if surname.endswith(f):
                return surname[: -len(f)] + m
    return surname


def _surname(r: random.Random, locale: Locale, sex: str) -> str:
    name = _DRAW[locale.code]["surname"].pick(r)
    return feminine(name, locale) if sex == "F" else name


def _day_between(r: random.Random, start: dt.date, end: dt.date) -> dt.date:
    span = max((end - start).days, 0)
    return start + dt.timedelta(days=int(r.random() * (span + 1)))


def _postcode(r: random.Random, town: Town, country: str) -> str:
    steps = (town.last - town.first) // town.step
    n = town.first + town.step * int(r.random() * (steps + 1))
    if country == "NL":
        letters = "ABCDEGHJKLMNPRTVWXZ"
        return f"{n:04d} {letters[int(r.random() * len(letters))]}{letters[int(r.random() * len(letters))]}"
    if country == "PL":
        return f"{n // 1000:02d}-{n % 1000:03d}"
    if country == "CZ":
        return f"{n // 100:03d} {n % 100:02d}"
    if country == "BE":
        return f"{n:04d}"
    return f"{n:05d}"


def _address(r: random.Random, home: Locale, town: Town | None = None) -> Address:
    draw = _DRAW[home.code]
    town = town or draw["town"].pick(r)
    number = str(1 + int(r.random() ** 2 * 180))
    addition, line2, u = "", "", r.random()
    if home.code == "NL" and u < 0.18:
        addition = ("a", "b", "c", "-1", "-2", "hs", "-II")[int(r.random() * 7)]
    elif home.code == "BE" and u < 0.12:
        addition = f"bus {1 + int(r.random() * 12)}"
    elif home.code == "FR" and u < 0.05:
        addition = ("bis", "ter")[int(r.random() * 2)]
    elif home.code == "PL" and u < 0.6:
        addition = f"/{1 + int(r.random() * 80)}"
    elif home.code == "CZ":
        number, addition = str(100 + int(r.random() * 2900)), f"/{1 + int(r.random() * 60)}"
    elif home.code == "ES" and u < 0.7:
        line2 = f"{1 + int(r.random() * 8)}º {'ABCD'[int(r.random() * 4)]}" if r.random() < 0.7 else f"{1 + int(r.random() * 6)}º {1 + int(r.random() * 4)}ª"
    elif home.code == "IT" and u < 0.08:
        addition = "/" + "ABC"[int(r.random() * 3)]
    return Address(draw["street"].pick(r), number, addition, line2, _postcode(r, town, home.country), town, home.country)


def _phone(r: random.Random, home: Locale) -> str:
    prefix = home.mobile_prefixes[int(r.random() * len(home.mobile_prefixes))]
    digits = home.mobile_digits
    if home.code == "TR_DE" and prefix in ("160", "170", "171", "175"):
        digits = 10
    rest = "".join(str(int(r.random() * 10)) for _ in range(digits - len(prefix)))
    return prefix + (str(1 + int(r.random() * 9)) + rest[1:] if rest else "")


def _mod11_bsn(r: random.Random) -> str:
    while True:
        digits = [1 + int(r.random() * 9)] + [int(r.random() * 10) for _ in range(7)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1)))
        check = total % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


_CF_MONTH = "ABCDEHLMPRST"
_CF_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
_CF_TOWNS = ("H501", "F205", "F839", "L219", "G273", "D969", "A944", "D612", "A662", "C351", "L736", "L781")


def _cf_part(name: str, given: bool) -> str:
    letters = [c for c in strip_accents(name).upper() if c.isalpha()]
    consonants = [c for c in letters if c not in "AEIOU"]
    vowels = [c for c in letters if c in "AEIOU"]
    if given and len(consonants) >= 4:
        consonants = [consonants[0], consonants[2], consonants[3]]
    return ("".join(consonants + vowels) + "XXX")[:3]


def _codice_fiscale(r: random.Random, given: str, surname: str, birth: dt.date, sex: str) -> str:
    day = birth.day + (40 if sex == "F" else 0)
    code = f"{_cf_part(surname, False)}{_cf_part(given, True)}{birth.year % 100:02d}{_CF_MONTH[birth.month - 1]}{day:02d}"
    code += _CF_TOWNS[int(r.random() * len(_CF_TOWNS))]
    total = 0
    for i, c in enumerate(code):
        index = int(c) if c.isdigit() else ord(c) - 65
        total += _CF_ODD[index] if i % 2 == 0 else index
    return code + chr(65 + total % 26)


def national_id(r: random.Random, country: str, given: str, surname: str, birth: dt.date, sex: str) -> str:
    """A national identity number of the country of residence (its canonical, unformatted form); "" for DE."""
    yymmdd = f"{birth.year % 100:02d}{birth.month:02d}{birth.day:02d}"
    if country == "NL":
        return _mod11_bsn(r)
    if country == "BE":  # Rijksregisternummer: YYMMDD, counter (odd men), 97-check (prefix 2 from 2000)
        counter = 2 * int(r.random() * 499) + (1 if sex == "M" else 2)
        base = int(f"{yymmdd}{counter:03d}")
        check = 97 - ((2_000_000_000 + base) if birth.year >= 2000 else base) % 97
        return f"{yymmdd}{counter:03d}{check:02d}"
    if country == "FR":  # NIR: sex, YY, MM, department, commune, order, 97-check
        body = f"{1 if sex == 'M' else 2}{birth.year % 100:02d}{birth.month:02d}{1 + int(r.random() * 95):02d}{1 + int(r.random() * 899):03d}{1 + int(r.random() * 999):03d}"
        return body + f"{97 - int(body) % 97:02d}"
    if country == "IT":
        return _codice_fiscale(r, given, surname, birth, sex)
    if country == "PL":  # PESEL with century-coded month and check digit
        month = birth.month + (20 if birth.year >= 2000 else 0)
        serial = f"{int(r.random() * 1000):03d}{2 * int(r.random() * 5) + (1 if sex == 'M' else 0)}"
        digits = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{serial}"
        check = (10 - sum(int(d) * w for d, w in zip(digits, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3))) % 10) % 10
        return digits + str(check)
    if country == "CZ":  # rodné číslo: YYMMDD (+50 for women) and 4 digits, divisible by 11
        month = birth.month + (50 if sex == "F" else 0)
        while True:
            number = int(f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{int(r.random() * 10000):04d}")
            if number % 11 == 0:
                return f"{number:010d}"
    if country == "ES":  # DNI: 8 digits and the control letter
        n = int(r.random() * 100_000_000)
        return f"{n:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[n % 23]}"
    return ""


def format_national_id(value: str, country: str) -> str:
    """The formatted way forms print a national id (BE 85.07.30-033.28, FR 1 85 07 …, CZ 855730/1234)."""
    if country == "BE" and len(value) == 11:
        return f"{value[:2]}.{value[2:4]}.{value[4:6]}-{value[6:9]}.{value[9:]}"
    if country == "FR" and len(value) == 15:
        return f"{value[0]} {value[1:3]} {value[3:5]} {value[5:7]} {value[7:10]} {value[10:13]} {value[13:]}"
    if country == "CZ" and len(value) == 10:
        return f"{value[:6]}/{value[6:]}"
    return value


def _email_local(r: random.Random, given: str, surname: str, birth: dt.date) -> str:
    g = strip_accents(given).lower().replace(" ", "").replace("-", "").replace("'", "")
    s = strip_accents(surname).lower().replace(" ", "").replace("-", "").replace("'", "")
    nick = DIMINUTIVES.get(given)
    style = int(r.random() * 8)
    local = (
        f"{g}.{s}", f"{g[0]}{s}", f"{g}.{s}{birth.year % 100:02d}", f"{s}.{g}", f"{g}_{s}",
        f"{strip_accents(nick[0]).lower()}{birth.year}" if nick else f"{g}{birth.year}", f"{g[0]}.{s}", f"{g}{s[:3]}{int(r.random() * 100)}",
    )[style]
    return local


def _email(r: random.Random, loc: Locale, home: Locale, given: str, surname: str, birth: dt.date) -> str:
    return f"{_email_local(r, given, surname, birth)}@{_DRAW[home.code]['domain'].pick(r)}"


def _base(seed: int, k: int, rates: Rates) -> tuple[Person, random.Random]:
    r = random.Random(f"{seed}:{k}")
    loc = _pick_locale(r)
    home = loc
    if r.random() < rates.migrant:
        home = LOCALES[_LOCALE_CODES[int(r.random() * len(_LOCALE_CODES))]]
    sex = "F" if r.random() < 0.52 else "M"
    given = _DRAW[loc.code][sex].pick(r)
    surname = _surname(r, loc, sex)
    surname2 = _surname(r, loc, sex) if loc.code == "ES" else ""
    birth = _day_between(r, dt.date(1940, 1, 1), dt.date(2006, 12, 31))
    address = _address(r, home)
    first_seen = _day_between(r, dt.date(2014, 1, 1), dt.date(2025, 6, 30))
    person = Person(
        k=k, person_id=f"P{k:08d}", locale=loc, home=home, sex=sex, given=given, surname=surname, surname2=surname2, old_surname="",
        birth=birth, address=address, old_address=None, phone=_phone(r, home), old_phone="", household_phone="",
        email=_email(r, loc, home, given, surname, birth), old_email="", household_email="",
        national_id=national_id(r, home.country, given, surname, birth, sex), first_seen=first_seen, event_day=None, relation="",
    )
    return person, r


def _relate(person: Person, prev: Person, r: random.Random, rates: Rates) -> Person:
    """Turn the new person into a partner, twin or namesake of the previous one (or leave it)."""
    u = r.random()
    if u < rates.partner:
        sex = "F" if prev.sex == "M" else "M"
        given = _DRAW[prev.locale.code][sex].pick(r)
        surname = person.surname if person.locale is prev.locale else _surname(r, prev.locale, sex)
        old_surname = ""
        if sex == "F" and r.random() < rates.partner_takes_name and prev.locale.code not in ("ES", "IT"):
            old_surname, surname = surname, feminine(masculine(prev.surname, prev.locale), prev.locale)
        birth = _day_between(r, prev.birth - dt.timedelta(days=6 * 365), prev.birth + dt.timedelta(days=6 * 365))
        person = replace(
            person, locale=prev.locale, home=prev.home, sex=sex, given=given, surname=surname, old_surname=old_surname,
            surname2=person.surname2 if prev.locale.code == "ES" else "", birth=birth, address=prev.address,
            email=_email(r, prev.locale, prev.home, given, surname, birth),
            national_id=national_id(r, prev.home.country, given, surname, birth, sex), relation="partner",
            event_day=_day_between(r, person.first_seen, AS_OF - dt.timedelta(days=30)) if old_surname else None,
        )
        if r.random() < rates.shared_phone:
            person = replace(person, household_phone=prev.phone)
        if r.random() < rates.shared_email:
            person = replace(person, household_email=prev.email)
        return person
    u -= rates.partner
    if u < rates.twin:
        sex = "F" if r.random() < 0.5 else "M"
        given = _DRAW[prev.locale.code][sex].pick(r)
        while given == prev.given:
            given = _DRAW[prev.locale.code][sex].pick(r)
        surname = feminine(masculine(prev.surname, prev.locale), prev.locale) if sex == "F" else masculine(prev.surname, prev.locale)
        person = replace(
            person, locale=prev.locale, home=prev.home, sex=sex, given=given, surname=surname, surname2=prev.surname2,
            birth=prev.birth, address=prev.address, email=_email(r, prev.locale, prev.home, given, surname, prev.birth),
            national_id=national_id(r, prev.home.country, given, surname, prev.birth, sex), relation="twin",
            household_phone=prev.phone if r.random() < rates.shared_phone else "",
        )
        return person
    u -= rates.twin
    if u < rates.namesake:
        town = prev.address.town if r.random() < rates.namesake_same_town and prev.home is person.home else None
        address = _address(r, prev.home, town) if town else person.address
        return replace(
            person, locale=prev.locale, home=prev.home if town else person.home, sex=prev.sex, given=prev.given, surname=prev.surname,
            surname2=prev.surname2, address=address, email=_email(r, prev.locale, prev.home, prev.given, prev.surname, person.birth),
            national_id=national_id(r, (prev.home if town else person.home).country, prev.given, prev.surname, person.birth, prev.sex),
            relation="namesake",
        )
    return person


def _life_events(person: Person, r: random.Random, rates: Rates) -> Person:
    """Marriage (old surname), move (old address), new e-mail or phone: older records show the old values."""
    changes: dict = {}
    rate = rates.married_name.get(person.locale.code, 0.0) * (1.0 if person.sex == "F" else 0.1)
    if not person.old_surname and person.relation != "twin" and r.random() < rate:
        new = _surname(r, person.locale, person.sex)
        if person.locale.code in ("NL", "TR_DE") and r.random() < 0.5:
            new = f"{new}-{person.surname}"
        changes.update(old_surname=person.surname, surname=new)
    if person.relation not in ("partner", "twin") and r.random() < rates.move:
        town = person.address.town if r.random() < rates.move_same_town else None
        changes.update(old_address=person.address, address=_address(r, person.home, town))
    if r.random() < rates.email_change:
        changes.update(old_email=person.email, email=_email(r, person.locale, person.home, person.given, changes.get("surname", person.surname), person.birth))
    if r.random() < rates.phone_change:
        changes.update(old_phone=person.phone, phone=_phone(r, person.home))
    if changes or person.old_surname:
        changes.setdefault("event_day", person.event_day or _day_between(r, person.first_seen + dt.timedelta(days=30), AS_OF - dt.timedelta(days=30)))
    return replace(person, **changes) if changes else person


def persons(seed: int, count: int, rates: Rates) -> list[tuple[Person, random.Random]]:
    """Persons 0 … count-1 with the random stream each one's records continue to draw from."""
    out: list[tuple[Person, random.Random]] = []
    prev: Person | None = None
    taken: set[str] = set()
    for k in range(count):
        person, r = _base(seed, k, rates)
        if prev is not None and not prev.relation:
            related = _relate(person, prev, r, rates)
            if related.home is not person.home:
                related = replace(related, phone=_phone(r, related.home))
            person = related
        person = _life_events(person, r, rates)
        for attr in ("email", "old_email"):
            value = getattr(person, attr)
            if value and value in taken:
                local, _, domain = value.partition("@")
                while value in taken:
                    value = f"{local}{int(r.random() * 1000)}@{domain}"
                person = replace(person, **{attr: value})
            if value:
                taken.add(value)
        out.append((person, r))
        prev = person
    return out
