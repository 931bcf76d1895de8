"""The ways one person's data differs between records: every error kind of the second population and its rate.

All functions take a `random.Random` and return new strings; rates live in `Rates` (one place).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from golden_record.sample_silos.second_population.vocabulary import EMAIL_DOMAIN_TYPOS, KEYBOARDS, PLACEHOLDER_NATIONAL_IDS, STREET_ABBREVIATIONS


@dataclass(frozen=True)
class Rates:
    """Probabilities (0..1) the second population draws against."""

    # Which silos know a person (every person is in at least one; the webshop is the fallback).
    in_crm: float = 0.60
    in_shop: float = 0.55
    in_newsletter: float = 0.30
    in_loyalty: float = 0.35
    # Within-silo duplicates (a second record of the same person in the same silo).
    crm_duplicate: float = 0.05
    shop_second_account: float = 0.07
    newsletter_second_signup: float = 0.10
    loyalty_second_card: float = 0.06

    # Relations to the previous person (never in chains).
    partner: float = 0.05  # same address, often the same phone; may take the partner's surname
    partner_takes_name: float = 0.5
    shared_phone: float = 0.5  # of partners and twins: one household (landline-style) number
    shared_email: float = 0.35  # of partners: some records use the household's one address
    twin: float = 0.008  # same surname, birth date and address, other first name
    namesake: float = 0.03  # same first and last name, otherwise a different person
    namesake_same_town: float = 0.4
    migrant: float = 0.06  # a name of one locale, an address in another country

    # Life events between older and newer records.
    married_name: dict[str, float] = field(
        default_factory=lambda: {"NL": 0.10, "BE": 0.03, "FR": 0.12, "IT": 0.02, "PL": 0.12, "CZ": 0.12, "ES": 0.0, "TR_DE": 0.10}
    )  # women (a tenth of it for men); NL/TR_DE take a double name in half the cases
    move: float = 0.12
    move_same_town: float = 0.5
    email_change: float = 0.12
    phone_change: float = 0.08
    old_record: float = 0.35  # a record of a person with life events shows the old name/address/e-mail/phone

    # Variation of one record (per field).
    diminutive: dict[str, float] = field(default_factory=lambda: {"crm": 0.05, "shop": 0.15, "newsletter": 0.20, "loyalty": 0.15})
    compound_first_name_variant: float = 0.35  # Jean-Pierre -> Jean Pierre / Jeanpierre / Jean
    first_name_initial: float = 0.03  # CRM: "J."
    ocr: dict[str, float] = field(default_factory=lambda: {"crm": 0.03, "loyalty": 0.04})  # paper forms keyed/scanned: rn->m, 0->O, l->1
    keyboard_typo: float = 0.015  # a neighbouring key on the locale's layout (QWERTY, AZERTY, QWERTZ)
    dropped_char: float = 0.008
    transposed_chars: float = 0.008
    doubled_char: float = 0.005
    accents_dropped: dict[str, float] = field(default_factory=lambda: {"crm": 0.0, "shop": 0.25, "newsletter": 0.35, "loyalty": 0.30})
    cp1252_question_mark: float = 0.15  # CRM: a letter windows-1252 lacks (ł, ř, ş) becomes "?" instead of its base letter
    turkish_transliteration: float = 0.6  # ş->s/sch, ı->i, ğ->g … in German systems
    particle_variant: float = 0.25  # van der Berg -> Berg, van der / Van Der Berg / Vanderberg / Berg
    spanish_both_surnames: float = 0.45  # else the first only (a few hyphenated or with an initial)
    masculine_surname_form: float = 0.06  # Polish/Czech women written Kowalski / Novák
    swapped_names: dict[str, float] = field(default_factory=lambda: {"crm": 0.015, "loyalty": 0.01, "shop": 0.005})
    upper_case_surname: float = 0.2  # CRM
    lower_case_name: float = 0.25  # newsletter
    whitespace: float = 0.02
    street_abbreviation: dict[str, float] = field(default_factory=lambda: {"crm": 0.3, "shop": 0.1})
    house_number_variant: float = 0.3  # 12a / 12 A / 12-A, 12 bus 3 / 12/3, 1234/5 / 5
    city_alias: dict[str, float] = field(default_factory=lambda: {"crm": 0.05, "shop": 0.12})  # Bruxelles/Brussel, Milan
    upper_case_city: float = 0.3  # CRM
    postcode_format_variant: float = 0.3  # 1012AB / 1012 ab, 00950, 11000
    leading_zero_lost: float = 0.15  # CRM (Excel round trip): 06000 -> 6000, 00185 -> 185
    birth_day_month_swapped: float = 0.03  # where the day is 12 or less
    birth_year_typo: float = 0.01
    placeholder_birth_date: float = 0.01  # CRM: 01-01-1900
    crm_date_style: tuple[float, float, float] = (0.8, 0.15, 0.05)  # dd-MM-yyyy, dd/MM/yyyy, yyyy-MM-dd
    email_case: float = 0.06
    email_domain_typo: float = 0.015
    placeholder_phone: float = 0.01
    national_id_typo: float = 0.03
    national_id_placeholder: float = 0.025
    card_number_typo: float = 0.01  # CRM copy of the loyalty card number

    # Optional fields: share of records that carry them.
    national_id: dict[str, float] = field(default_factory=lambda: {"crm": 0.45, "shop": 0.12})
    crm_number_in_shop: float = 0.30  # of shop records of persons with a CRM record
    card_in_crm: float = 0.40  # of CRM records of persons with a loyalty card

    # Missing values per silo.
    missing: dict[str, dict[str, float]] = field(
        default_factory=lambda: {
            "crm": {"birth_date": 0.25, "email": 0.15, "phone": 0.25, "first_name": 0.01},
            "shop": {"birth_date": 0.55, "phone": 0.35, "line2": 0.0},
            "newsletter": {"name": 0.08, "first_only": 0.25},
            "loyalty": {"birth_date": 0.2, "postcode": 0.1, "first_name": 0.02},
        }
    )

    # Phone styles per silo: e164, +cc spaced, 00cc, national grouped, national compact, +cc (0).
    phone_styles: dict[str, tuple[float, ...]] = field(
        default_factory=lambda: {"crm": (0.1, 0.25, 0.15, 0.35, 0.1, 0.05), "shop": (0.45, 0.3, 0.05, 0.15, 0.05, 0.0)}
    )


DEFAULT_RATES = Rates()
"""The rates `generate` uses by default."""

_SPECIAL_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "İ": "I", "ø": "o", "Ø": "O", "đ": "d", "ß": "ss", "º": "o", "ª": "a"})
_OCR = (("rn", "m"), ("m", "rn"), ("cl", "d"), ("vv", "w"), ("w", "vv"), ("li", "h"), ("0", "O"), ("O", "0"), ("1", "l"),
        ("l", "1"), ("I", "l"), ("5", "S"), ("8", "B"), ("e", "c"), ("h", "b"), ("n", "ri"), ("u", "ii"))
_PARTICLES = frozenset({"van", "de", "der", "den", "het", "'t", "ten", "ter", "op", "in", "du", "la", "le", "di", "da", "del", "della", "lo", "von", "zu", "d'"})


def _neighbours(layout: str) -> dict[str, str]:
    rows = KEYBOARDS[layout]
    out: dict[str, str] = {}
    for r, row in enumerate(rows):
        for i, ch in enumerate(row):
            near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(rows):
                    near += [rows[other][j] for j in (i, i - 1) if 0 <= j < len(rows[other])]
            out[ch] = "".join(near)
    return out


NEIGHBOURS = {layout: _neighbours(layout) for layout in KEYBOARDS}


def strip_accents(text: str) -> str:
    """Letters without their diacritics, as typed on a keyboard without them: Łódź -> Lodz, Dvořák -> Dvorak."""
    text = text.translate(_SPECIAL_FOLD)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def to_cp1252(text: str, r: random.Random, rates: Rates) -> str:
    """What a windows-1252 system keeps of a text: unencodable letters lose their accent (or become "?")."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    question = r.random() < rates.cp1252_question_mark
    out = []
    for c in text:
        try:
            c.encode("cp1252")
            out.append(c)
        except UnicodeEncodeError:
            out.append("?" if question else (strip_accents(c) or "?"))
    return "".join(out)


def turkish_latin(text: str, r: random.Random) -> str:
    """Turkish letters as German systems write them: Ayşe -> Ayse / Aysche, Yılmaz -> Yilmaz, Doğan -> Dogan."""
    german = r.random() < 0.3
    table = {"ş": "sch" if german else "s", "Ş": "Sch" if german else "S", "ç": "c", "Ç": "C", "ğ": "g", "Ğ": "G",
             "ı": "i", "İ": "I", "ö": "ö" if german else "o", "Ö": "Ö" if german else "O", "ü": "ü" if german else "u", "Ü": "Ü" if german else "U"}
    return "".join(table.get(c, c) for c in text)


def ocr(text: str, r: random.Random) -> str:
    """One OCR-like confusion of a scanned or hand-keyed paper form: rn->m, m->rn, 0->O, l->1, cl->d …"""
    options = [(a, b) for a, b in _OCR if a in text]
    if not options:
        return text
    a, b = options[int(r.random() * len(options))]
    starts = [i for i in range(len(text)) if text.startswith(a, i)]
    i = starts[int(r.random() * len(starts))]
    return text[:i] + b + text[i + len(a):]


def keyboard_typo(text: str, layout: str, r: random.Random) -> str:
    """A neighbouring key on the locale's keyboard, never in the first letter."""
    positions = [i for i in range(1, len(text)) if text[i].lower() in NEIGHBOURS[layout]]
    if not positions:
        return text
    i = positions[int(r.random() * len(positions))]
    near = NEIGHBOURS[layout][text[i].lower()]
    new = near[int(r.random() * len(near))]
    return text[:i] + (new.upper() if text[i].isupper() else new) + text[i + 1:]


def drop_char(text: str, r: random.Random) -> str:
    if len(text) < 4:
        return text
    i = 1 + int(r.random() * (len(text) - 1))
    return text[:i] + text[i + 1:]


def transpose(text: str, r: random.Random) -> str:
    if len(text) < 4:
        return text
    i = 1 + int(r.random() * (len(text) - 2))
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def double_char(text: str, r: random.Random) -> str:
    if len(text) < 3:
        return text
    i = 1 + int(r.random() * (len(text) - 1))
    return text[:i] + text[i] + text[i:]


def slips(text: str | None, layout: str, r: random.Random, rates: Rates, scale: float = 1.0) -> str | None:
    """Keyboard typo, dropped, transposed or doubled character, each at its rate (times `scale`)."""
    if not text:
        return text
    if r.random() < rates.keyboard_typo * scale:
        text = keyboard_typo(text, layout, r)
    if r.random() < rates.dropped_char * scale:
        text = drop_char(text, r)
    if r.random() < rates.transposed_chars * scale:
        text = transpose(text, r)
    if r.random() < rates.doubled_char * scale:
        text = double_char(text, r)
    return text


def particle_variant(surname: str, r: random.Random) -> str:
    """van der Berg -> "Berg, van der" / "Berg van der" / "Van Der Berg" / "Van der Berg" / "Vanderberg" / "Berg";
    D'Angelo -> "D Angelo" / "Dangelo" / "DAngelo" / "D'angelo"."""
    if surname[:2].lower() == "d'" and len(surname) > 2:
        rest = surname[2:]
        return (f"D {rest}", f"D{rest.lower()}", f"D{rest}", f"D'{rest.lower()}")[int(r.random() * 4)]
    words = surname.split(" ")
    lead = 0
    while lead < len(words) - 1 and words[lead].lower() in _PARTICLES:
        lead += 1
    if lead == 0:
        return surname
    particles, core = " ".join(words[:lead]), " ".join(words[lead:])
    pick = r.random()
    if pick < 0.25:
        return f"{core}, {particles.lower()}"
    if pick < 0.40:
        return f"{core} {particles.lower()}"
    if pick < 0.55:
        return " ".join(w[:1].upper() + w[1:] for w in particles.split(" ")) + " " + core
    if pick < 0.65:
        return particles[:1].swapcase() + particles[1:] + " " + core
    if pick < 0.80:
        return (particles.replace(" ", "") + core).capitalize()
    return core


def compound_variant(name: str, r: random.Random) -> str:
    """Jean-Pierre -> Jean Pierre / Jeanpierre / Jean; Maria Grazia -> Maria-Grazia / Mariagrazia / Maria."""
    sep = "-" if "-" in name else " "
    first, _, second = name.partition(sep)
    if not second:
        return name
    other = " " if sep == "-" else "-"
    return (f"{first}{other}{second}", f"{first}{second.lower()}", first)[int(r.random() * 3)]


def national_id_error(value: str, r: random.Random) -> str:
    """One digit changed or two adjacent digits swapped."""
    digits = [i for i, c in enumerate(value) if c.isdigit()]
    if len(digits) < 2:
        return value
    if r.random() < 0.5:
        i = digits[int(r.random() * len(digits))]
        new = str((int(value[i]) + 1 + int(r.random() * 9)) % 10)
        return value[:i] + new + value[i + 1:]
    j = int(r.random() * (len(digits) - 1))
    a, b = digits[j], digits[j + 1]
    chars = list(value)
    chars[a], chars[b] = chars[b], chars[a]
    return "".join(chars)


def placeholder_national_id(r: random.Random) -> str:
    return PLACEHOLDER_NATIONAL_IDS[int(r.random() ** 2 * len(PLACEHOLDER_NATIONAL_IDS))]


def email_domain_typo(email: str, r: random.Random) -> str:
    local, _, domain = email.partition("@")
    typos = EMAIL_DOMAIN_TYPOS.get(domain)
    if typos:
        return f"{local}@{typos[int(r.random() * len(typos))]}"
    return f"{local}@{drop_char(domain, r)}"


def abbreviate_street(street: str) -> str:
    for long, short in STREET_ABBREVIATIONS:
        if long in street:
            return street.replace(long, short, 1)
    return street


def stray_whitespace(text: str, r: random.Random) -> str:
    pick = int(r.random() * 3)
    return (" " + text, text + " ", text.replace(" ", "  ", 1) if " " in text else text + "  ")[pick]
