"""The records each silo holds about a person, written the way that silo writes them."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from golden_record.sample_silos.second_population import errors as e
from golden_record.sample_silos.second_population.errors import Rates
from golden_record.sample_silos.second_population.people import AS_OF, Address, Person, _day_between, _email, format_national_id, masculine
from golden_record.sample_silos.second_population.vocabulary import DIMINUTIVES, PLACEHOLDER_PHONES, Locale

SALUTATIONS = {
    "NL": ("Dhr.", "Mevr."), "BE": ("Dhr.", "Mevr."), "FR": ("M.", "Mme"), "IT": ("Sig.", "Sig.ra"),
    "PL": ("Pan", "Pani"), "CZ": ("Pan", "Paní"), "ES": ("Sr.", "Sra."), "TR_DE": ("Herr", "Frau"),
}


@dataclass
class View:
    """One record's take on a person: the old or the current name, address, e-mail and phone."""

    person: Person
    old: bool
    surname: str
    address: Address
    email: str
    phone: str
    updated: dt.datetime


def view(p: Person, r: random.Random, rates: Rates) -> View:
    old = p.has_event and r.random() < rates.old_record
    if old:
        day = _day_between(r, p.first_seen, p.event_day - dt.timedelta(days=1))
    else:
        day = _day_between(r, max(p.first_seen, p.event_day or p.first_seen), AS_OF - dt.timedelta(days=1))
    updated = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=7 * 3600 + int(r.random() * 15 * 3600))
    return View(
        p, old, p.old_surname if old and p.old_surname else p.surname, p.old_address if old and p.old_address else p.address,
        p.old_email if old and p.old_email else p.email, p.old_phone if old and p.old_phone else p.phone, updated,
    )


def record_number(seed: int, k: int, j: int, salt: int) -> int:
    """A unique, random-looking 8-digit number for record j (< 8) of person k in one silo."""
    return ((k * 8 + j) * 73_939_133 + (seed * 2_654_435_761 + salt * 104_729)) % 100_000_000


def ean13(body12: str) -> str:
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12)) % 10) % 10
    return body12 + str(check)


# ---------------------------------------------------------------- names


def names(v: View, silo: str, r: random.Random, rates: Rates) -> tuple[str | None, str | None]:
    """First and last name as this record has them."""
    p, loc = v.person, v.person.locale
    first = p.given
    if (" " in first or "-" in first) and r.random() < rates.compound_first_name_variant:
        first = e.compound_variant(first, r)
    if first in DIMINUTIVES and r.random() < rates.diminutive[silo]:
        options = DIMINUTIVES[first]
        first = options[int(r.random() * len(options))]
    last = v.surname
    if loc.code == "ES" and p.surname2 and not (v.old and p.old_surname):
        u = r.random()
        if u < rates.spanish_both_surnames:
            last = f"{last} {p.surname2}"
        elif u < rates.spanish_both_surnames + 0.05:
            last = f"{last}-{p.surname2}"
        elif u < rates.spanish_both_surnames + 0.08:
            last = f"{last} {p.surname2[0]}."
    if r.random() < rates.particle_variant:
        last = e.particle_variant(last, r)
    if p.sex == "F" and loc.code in ("PL", "CZ") and r.random() < rates.masculine_surname_form:
        last = masculine(last, loc)
    if loc.code == "TR_DE" and r.random() < rates.turkish_transliteration:
        first, last = e.turkish_latin(first, r), e.turkish_latin(last, r)
    if r.random() < rates.accents_dropped[silo]:
        first, last = e.strip_accents(first), e.strip_accents(last)
    if silo == "crm":
        first, last = e.to_cp1252(first, r, rates), e.to_cp1252(last, r, rates)
        if r.random() < rates.first_name_initial:
            first = first[0] + "."
    ocr = rates.ocr.get(silo, 0.0)
    first = e.ocr(first, r) if r.random() < ocr else first
    last = e.ocr(last, r) if r.random() < ocr else last
    first, last = e.slips(first, loc.keyboard, r, rates), e.slips(last, loc.keyboard, r, rates)
    if r.random() < rates.swapped_names.get(silo, 0.0):
        first, last = last, first
    if silo == "crm" and r.random() < rates.upper_case_surname:
        last = last.upper()
    if silo == "newsletter" and r.random() < rates.lower_case_name:
        first, last = first.lower(), last.lower()
    if r.random() < rates.whitespace:
        first = e.stray_whitespace(first, r)
    if r.random() < rates.missing.get(silo, {}).get("first_name", 0.0):
        first = None
    return first, last


# ---------------------------------------------------------------- address


def house_number(a: Address, r: random.Random, rates: Rates) -> str:
    n, add = a.number, a.addition
    vary = r.random() < rates.house_number_variant
    if not add:
        return n
    c = a.country
    if c == "NL":
        plain = add.strip("-")
        canonical = f"{n}{add}" if len(add) == 1 or add.startswith("-") else f"{n} {add}"
        return (f"{n} {plain.upper()}", f"{n}-{plain}", f"{n}{plain.upper()}")[int(r.random() * 3)] if vary else canonical
    if c == "BE":
        bus = add.split()[-1]
        return (f"{n}/{bus}", f"{n} bte {bus}", f"{n} b{bus}")[int(r.random() * 3)] if vary else f"{n} bus {bus}"
    if c == "FR":
        return (f"{n} {add}", f"{n}{add[0].upper()}", f"{n} {add[0].upper()}")[int(r.random() * 3)] if vary else f"{n}{add}"
    if c == "PL":
        flat = add[1:]
        return (f"{n} m. {flat}", f"{n} m {flat}", n)[int(r.random() * 3)] if vary else f"{n}/{flat}"
    if c == "CZ":
        return (add[1:], n)[int(r.random() * 2)] if vary else f"{n}{add}"
    if c == "IT":
        return (f"{n}{add[1:]}", f"{n} {add[1:]}")[int(r.random() * 2)] if vary else f"{n}{add}"
    return f"{n}{add}"


def line2(a: Address, r: random.Random, rates: Rates) -> str:
    if not a.line2 or r.random() >= rates.house_number_variant:
        return a.line2
    floor, door = a.line2.split(" ")
    return (f"{floor[:-1]}{door.rstrip('ª')}", f"{floor}-{door}", f"{floor[:-1]}° {door}", f"{floor[:-1]} {door}")[int(r.random() * 4)]


def postcode(a: Address, silo: str, r: random.Random, rates: Rates) -> str:
    code = a.postcode
    if r.random() < rates.postcode_format_variant:
        if a.country == "NL":
            code = (code.replace(" ", ""), code.lower(), code.replace(" ", "").lower())[int(r.random() * 3)]
        elif a.country in ("PL", "CZ"):
            code = code.replace("-", "").replace(" ", "")
        elif a.country == "BE" and r.random() < 0.2:
            code = "B-" + code
    if silo == "crm" and code.startswith("0") and a.country in ("FR", "IT", "ES", "DE") and r.random() < rates.leading_zero_lost:
        code = code.lstrip("0")
    return code


def city(a: Address, silo: str, r: random.Random, rates: Rates) -> str:
    name = a.town.name
    if a.town.aliases and r.random() < rates.city_alias.get(silo, 0.0):
        name = a.town.aliases[int(r.random() * len(a.town.aliases))]
    if silo == "crm" and r.random() < rates.upper_case_city:
        name = name.upper()
    return name


def street(a: Address, silo: str, loc: Locale, r: random.Random, rates: Rates) -> str:
    name = a.street
    if r.random() < rates.street_abbreviation.get(silo, 0.0):
        name = e.abbreviate_street(name)
    if r.random() < rates.accents_dropped.get(silo, 0.0):
        name = e.strip_accents(name)
    if r.random() < rates.ocr.get(silo, 0.0):
        name = e.ocr(name, r)
    return e.slips(name, loc.keyboard, r, rates, scale=0.5)


# ---------------------------------------------------------------- phone, e-mail, dates, ids


def _group(nsn: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    parts, i = [], 0
    for size in sizes:
        if i >= len(nsn):
            break
        parts.append(nsn[i:i + size])
        i += size
    if i < len(nsn):
        parts.append(nsn[i:])
    return sep.join(parts)


def _intl_groups(nsn: str, code: str) -> str:
    if code in ("NL",):
        return f"{nsn[0]} {nsn[1:]}"
    if code in ("BE",):
        return _group(nsn, (3, 2, 2, 2))
    if code == "FR":
        return _group(nsn, (1, 2, 2, 2, 2))
    if code == "IT":
        return _group(nsn, (3, 3, 4))
    if code == "TR_DE":
        return f"{nsn[:3]} {nsn[3:]}"
    return _group(nsn, (3, 3, 3))


def _national(nsn: str, loc: Locale, r: random.Random) -> str:
    alt = r.random() < 0.4
    t = loc.trunk
    if loc.code == "NL":
        return f"0{nsn[0]}-{nsn[1:]}" if not alt else "0" + _group(nsn, (1, 2, 2, 2, 2))
    if loc.code == "BE":
        return f"0{nsn[:3]} {_group(nsn[3:], (2, 2, 2))}" if not alt else f"0{nsn[:3]}/{_group(nsn[3:], (2, 2, 2), '.')}"
    if loc.code == "FR":
        return "0" + _group(nsn, (1, 2, 2, 2, 2), "." if alt else " ")
    if loc.code == "IT":
        return f"{nsn[:3]} {nsn[3:]}" if not alt else f"{nsn[:3]}-{nsn[3:]}"
    if loc.code == "ES":
        return _group(nsn, (3, 2, 2, 2)) if not alt else _group(nsn, (3, 3, 3))
    if loc.code == "TR_DE":
        return f"0{nsn[:3]} {nsn[3:]}" if not alt else f"0{nsn[:3]}/{nsn[3:]}"
    return _group(nsn, (3, 3, 3), "-" if alt else " ") if t == "" else t + nsn


def phone(nsn: str, loc: Locale, silo: str, r: random.Random, rates: Rates) -> str:
    """The phone number in one of six styles (weights per silo), or a placeholder."""
    if r.random() < rates.placeholder_phone:
        return PLACEHOLDER_PHONES[int(r.random() * len(PLACEHOLDER_PHONES))]
    weights = rates.phone_styles[silo]
    u, style = r.random() * sum(weights), 0
    while style < len(weights) - 1 and u >= weights[style]:
        u -= weights[style]
        style += 1
    cc = loc.calling_code
    if style == 5 and loc.trunk:
        return f"+{cc} (0){_intl_groups(nsn, loc.code)}"
    if style in (0, 5):
        return f"+{cc}{nsn}"
    if style == 1:
        return f"+{cc} {_intl_groups(nsn, loc.code)}"
    if style == 2:
        return f"00{cc}{nsn}" if r.random() < 0.6 else f"00{cc} {_intl_groups(nsn, loc.code)}"
    if style == 3:
        return _national(nsn, loc, r)
    return loc.trunk + nsn


def email(address: str, r: random.Random, rates: Rates) -> str:
    if r.random() < rates.email_domain_typo:
        address = e.email_domain_typo(address, r)
    if r.random() < rates.email_case:
        local, _, domain = address.partition("@")
        address = (address.upper(), ".".join(w.capitalize() for w in local.split(".")) + "@" + domain)[int(r.random() * 2)]
    return address


def birth_date(p: Person, r: random.Random, rates: Rates, placeholder: bool = False) -> dt.date | None:
    if placeholder and r.random() < rates.placeholder_birth_date:
        return dt.date(1900, 1, 1)
    b = p.birth
    if b.day <= 12 and b.day != b.month and r.random() < rates.birth_day_month_swapped:
        b = b.replace(month=b.day, day=b.month)
    if r.random() < rates.birth_year_typo:
        y = str(b.year)
        swapped = int(y[:2] + y[3] + y[2])
        if 1920 <= swapped <= 2008:
            try:
                b = b.replace(year=swapped)
            except ValueError:
                pass
    return b


def national_id(p: Person, silo: str, r: random.Random, rates: Rates) -> str | None:
    if not p.national_id or r.random() >= rates.national_id.get(silo, 0.0):
        return None
    if r.random() < rates.national_id_placeholder:
        return e.placeholder_national_id(r)
    value = format_national_id(p.national_id, p.home.country) if silo == "crm" and r.random() < 0.5 else p.national_id
    return e.national_id_error(value, r) if r.random() < rates.national_id_typo else value


def the_phone(v: View, r: random.Random) -> str:
    return v.person.household_phone if v.person.household_phone and r.random() < 0.6 else v.phone


def the_email(v: View, r: random.Random, share: float) -> str:
    return v.person.household_email if v.person.household_email and r.random() < share else v.email


# ---------------------------------------------------------------- the silos


def crm_rows(p: Person, r: random.Random, rates: Rates, seed: int, card: str | None) -> list[dict]:
    count = 1 + (r.random() < rates.crm_duplicate)
    miss = rates.missing["crm"]
    rows = []
    for j in range(count):
        v = view(p, r, rates)
        a, loc = v.address, p.home
        first, last = names(v, "crm", r, rates)
        birth = None if r.random() < miss["birth_date"] else birth_date(p, r, rates, placeholder=True)
        style = r.random()
        fmt = "%d-%m-%Y" if style < rates.crm_date_style[0] else "%d/%m/%Y" if style < sum(rates.crm_date_style[:2]) else "%Y-%m-%d"
        mail = None if r.random() < miss["email"] else email(the_email(v, r, 0.3), r, rates)
        tel = None if r.random() < miss["phone"] else phone(the_phone(v, r), loc, "crm", r, rates)
        if tel and r.random() < rates.ocr["crm"] / 2:
            tel = e.ocr(tel, r)
        kaart = None
        if card and r.random() < rates.card_in_crm:
            kaart = e.national_id_error(card, r) if r.random() < rates.card_number_typo else card
        rows.append(
            {
                "KlantNr": f"KL{record_number(seed, p.k, j, 1):08d}",
                "Aanhef": SALUTATIONS[p.locale.code][p.sex == "F"] if r.random() > 0.05 else "",
                "Voornaam": first,
                "Achternaam": last,
                "Geboortedatum": birth.strftime(fmt) if birth else None,
                "Straat": e.to_cp1252(street(a, "crm", loc, r, rates), r, rates),
                "Huisnr": house_number(a, r, rates) + (f" {line2(a, r, rates)}" if a.line2 else ""),
                "Postcode": postcode(a, "crm", r, rates),
                "Plaats": e.to_cp1252(city(a, "crm", r, rates), r, rates),
                "Land": a.country,
                "Telefoon": tel,
                "Email": mail,
                "Identiteitsnr": national_id(p, "crm", r, rates),
                "Klantenkaart": kaart,
                "Nieuwsbrief": "J" if r.random() < 0.4 else "N",
                "Gewijzigd": v.updated.strftime("%d-%m-%Y %H:%M"),
                "_k": p.k,
            }
        )
    return rows


def shop_rows(p: Person, r: random.Random, rates: Rates, seed: int, crm_no: str | None) -> list[dict]:
    count = 1 + (r.random() < rates.shop_second_account)
    miss = rates.missing["shop"]
    rows = []
    for j in range(count):
        v = view(p, r, rates)
        a, loc = v.address, p.home
        first, last = names(v, "shop", r, rates)
        login = the_email(v, r, 0.15)
        if j == 1:  # a second account needs another login: the old one, or a fresh address
            login = p.old_email if p.old_email and login != p.old_email else _email(r, p.locale, p.home, p.given, v.surname, p.birth)
        num = house_number(a, r, rates)
        st = street(a, "shop", loc, r, rates)
        l1 = f"{num} {st}" if loc.number_first else (f"{st}, {num}" if loc.code == "IT" and r.random() < 0.4 else f"{st} {num}")
        l2 = line2(a, r, rates) or None
        if l2 and r.random() < 0.3:
            l1, l2 = f"{l1}, {l2}", None
        birth = None if r.random() < miss["birth_date"] else birth_date(p, r, rates)
        created = v.updated - dt.timedelta(days=int(r.random() * 400))
        rows.append(
            {
                "customerId": f"WS-{record_number(seed, p.k, j, 2):08d}",
                "email": email(login, r, rates),
                "firstName": first,
                "lastName": last,
                "birthDate": birth.isoformat() if birth else None,
                "phone": None if r.random() < miss["phone"] else phone(the_phone(v, r), loc, "shop", r, rates),
                "address": {"line1": l1, "line2": l2, "zip": postcode(a, "shop", r, rates), "city": city(a, "shop", r, rates), "country": a.country},
                "crmCustomerNo": crm_no if crm_no and r.random() < rates.crm_number_in_shop else None,
                "nationalId": national_id(p, "shop", r, rates),
                "marketingOptIn": r.random() < 0.35,
                "createdAt": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "updatedAt": v.updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "_k": p.k,
            }
        )
    return rows


def newsletter_rows(p: Person, r: random.Random, rates: Rates, seed: int) -> list[dict]:
    count = 1 + (r.random() < rates.newsletter_second_signup)
    miss = rates.missing["newsletter"]
    rows = []
    for j in range(count):
        v = view(p, r, rates)
        first, last = names(v, "newsletter", r, rates)
        address = the_email(v, r, 0.4)
        if j == 1:
            address = p.old_email if p.old_email and address != p.old_email else _email(r, p.locale, p.home, p.given, v.surname, p.birth)
        u = r.random()
        if u < miss["name"] or not first:
            name = None if u < miss["name"] else last
        elif u < miss["name"] + miss["first_only"]:
            name = first
        elif u < miss["name"] + miss["first_only"] + 0.05:
            name = f"{last}, {first}"
        elif u < miss["name"] + miss["first_only"] + 0.1:
            name = f"{last.upper()} {first}"
        else:
            name = f"{first} {last}"
        rows.append(
            {
                "subscriber_id": f"NB{record_number(seed, p.k, j, 3):08d}",
                "email": email(address, r, rates),
                "name": name,
                "consent": "0" if r.random() < 0.2 else "1",
                "consent_date": v.updated.strftime("%Y-%m-%d %H:%M:%S"),
                "_k": p.k,
            }
        )
    return rows


def loyalty_rows(p: Person, r: random.Random, rates: Rates, seed: int) -> list[dict]:
    count = 1 + (r.random() < rates.loyalty_second_card)
    miss = rates.missing["loyalty"]
    rows = []
    for j in range(count):
        v = view(p, r, rates)
        first, last = names(v, "loyalty", r, rates)
        code = postcode(v.address, "loyalty", r, rates)
        if r.random() < rates.ocr["loyalty"] / 2:
            code = e.ocr(code, r)
        rows.append(
            {
                "card_number": card_number(seed, p.k, j),
                "given_name": first,
                "family_name": last,
                "birth_date": None if r.random() < miss["birth_date"] else birth_date(p, r, rates),
                "postcode": None if r.random() < miss["postcode"] else code,
                "country": v.address.country,
                "enrolled_at": v.updated.replace(tzinfo=dt.timezone.utc),
                "_k": p.k,
            }
        )
    return rows


def card_number(seed: int, k: int, j: int) -> str:
    """The EAN-13 loyalty card number of card j of person k."""
    return ean13(f"26{record_number(seed, k, j, 4):010d}")
