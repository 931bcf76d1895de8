"""The records each silo holds about one block of persons, as DataFrames with the silo's own column names.

Every builder draws from its own random stream (seed, block, silo number), so a silo does not change
when another one does. Columns starting with "_" are for the generator only (person key, links
between silos) and are not written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from golden_record.sample_silos import noise
from golden_record.sample_silos.persons import AS_OF_DAY, zipf_weights
from golden_record.sample_silos.rates import Rates
from golden_record.sample_silos.touchpoints import category_of, click_and_collect, coupons, newsletter_clicks, showrooming_visits, web_events, with_departments
from golden_record.sample_silos.vocabulary import COUNTRIES, PRODUCTS, RETURN_REASONS, SUPPORT_CATEGORIES, UNMAPPED_SUPPORT_LABEL

SECONDS_PER_DAY = 86_400


def _multiplier(space: int) -> int:
    """A step near space/golden ratio that shares no factor with `space`, so index -> index*step mod space is a bijection."""
    step = int(space * 0.6180339887)
    while math.gcd(step, space) != 1:
        step += 1
    return step


def record_number(k: np.ndarray, j: np.ndarray, slots: int, digits: int, salt: int) -> np.ndarray:
    """A unique, shuffled-looking number with `digits` digits for record j (< slots) of person k."""
    space = 9 * 10 ** (digits - 1)
    index = k.astype(np.int64) * slots + j
    if index.size and index.max() >= space:
        raise ValueError(f"{digits}-digit record numbers cannot hold {index.max() + 1} records; use more digits")
    # Python integers: index * step can exceed 64 bits for 10-digit spaces.
    step = _multiplier(space)
    return np.array([10 ** (digits - 1) + (int(i) * step + salt) % space for i in index], dtype=np.int64)


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers repeated `counts` times, and each repeat's number 0, 1, … within its row."""
    rows = np.repeat(np.arange(len(counts)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return rows, np.arange(len(rows)) - starts


def _draw_between(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A whole number in [low, high] per row (high < low gives low)."""
    return low + (rng.random(len(low)) * (np.maximum(high - low, 0) + 1)).astype(np.int64)


def _localised(eur: np.ndarray, currency: np.ndarray) -> np.ndarray:
    """Shelf prices in the customer's currency: 89.90 EUR -> 85.90 CHF, 1039 NOK, 1009 SEK, 669 DKK."""
    per_eur = {c.currency: c.currency_per_eur for c in COUNTRIES.values()}
    rate = np.array([per_eur[c] for c in currency])
    local = eur * rate
    nordic = np.isin(currency, ["NOK", "SEK", "DKK"])
    return np.where(nordic, np.ceil(local / 10) * 10 - 1, np.where(currency == "CHF", np.ceil(local) - 0.1, np.round(local, 2))).round(2)


@dataclass
class _View:
    """What a record shows of its person at the time it was written (old records show old name, address, email)."""

    frame: pd.DataFrame
    rows: np.ndarray
    old: np.ndarray

    def __post_init__(self) -> None:
        p = self.frame
        take = lambda column: p[column].to_numpy()[self.rows]  # noqa: E731
        old = self.old
        maiden = take("maiden_name")
        self.k = take("k")
        self.country = take("country")
        self.female = take("female")
        self.title = take("title")
        self.first = take("first_name")
        self.last = np.where(old & (maiden != None), maiden, take("last_name"))  # noqa: E711
        self.birth_day = take("birth_day")
        self.street = np.where(old, take("old_street"), take("street"))
        self.house_number = np.where(old, take("old_house_number"), take("house_number"))
        self.postcode = np.where(old, take("old_postcode"), take("postcode"))
        self.city = np.where(old, take("old_city"), take("city"))
        self.email = np.where(old, take("old_email"), take("email"))
        self.phone = np.where(old, take("old_phone"), take("phone"))
        self.first_seen = take("first_seen")
        self.event_day = take("event_day")
        self.has_event = take("has_event")

    def __len__(self) -> int:
        return len(self.rows)


def _view(p: pd.DataFrame, rows: np.ndarray, rng: np.random.Generator, rates: Rates) -> _View:
    has_event = p["has_event"].to_numpy()[rows]
    return _View(p, rows, has_event & (rng.random(len(rows)) < rates.old_record))


def _record_days(v: _View, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Created and updated day of each record: old records before the person's life event, current ones after it."""
    event = np.where(v.has_event, v.event_day, v.first_seen)
    created = np.where(v.old, _draw_between(rng, v.first_seen, event - 1), _draw_between(rng, v.first_seen, AS_OF_DAY - 1))
    updated = np.where(v.old, _draw_between(rng, created, event - 1), _draw_between(rng, np.maximum(created, event), AS_OF_DAY - 1))
    return created, updated


def _seconds(days: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A time of day (mostly 7:00–23:00) added to each day, as seconds since 1970."""
    return days.astype(np.int64) * SECONDS_PER_DAY + rng.integers(7 * 3600, 23 * 3600, len(days))


def _names(v: _View, rng: np.random.Generator, rates: Rates, upper_last: float = 0.0) -> dict[str, pd.Series]:
    """First name, last name, street and city as typed into this record, with the variations people and systems make."""
    n = len(v)
    s = lambda values: pd.Series(values, dtype=object)  # noqa: E731
    first = noise.where(rng.random(n) < rates.nickname, s(v.first), lambda x: noise.nickname(x, rng))
    first = noise.where(rng.random(n) < rates.compound_first_name_variant, first, lambda x: noise.compound_variant(x, rng))
    fields = {"first": first, "last": s(v.last), "street": s(v.street), "city": s(v.city)}
    swiss_or_old = (v.country == "CH") | (rng.random(n) < rates.sharp_s_as_ss)
    ascii_only = rng.random(n) < rates.ascii_fold  # the whole record came through an ASCII-only system
    for key in fields:
        fields[key] = noise.where(ascii_only, noise.where(swiss_or_old, fields[key], noise.sharp_s_as_ss), noise.ascii_fold)
    for key, rate in (("first", rates.typo), ("last", rates.typo), ("street", rates.typo / 2)):
        fields[key] = noise.where(rng.random(n) < rate, fields[key], lambda x: noise.typo(x, rng))
    swap = rng.random(n) < rates.swapped_names
    fields["first"], fields["last"] = s(np.where(swap, fields["last"], fields["first"])), s(np.where(swap, fields["first"], fields["last"]))
    for key in ("first", "last"):
        fields[key] = noise.where(rng.random(n) < rates.whitespace, fields[key], lambda x: noise.stray_whitespace(x, rng))
    fields["last"] = noise.where(rng.random(n) < upper_last, fields["last"], lambda x: x.str.upper())
    fields["first"] = fields["first"].where(rng.random(n) >= rates.missing_first_name, None)
    return fields


def _title_split(v: _View, first: pd.Series, rng: np.random.Generator, rates: Rates) -> tuple[pd.Series, pd.Series]:
    """Title in its own field, or typed in front of the first name ("Dr. Hans")."""
    title = pd.Series(v.title, dtype=object)
    inline = title.notna().to_numpy() & first.notna().to_numpy() & (rng.random(len(v)) < rates.title_in_first_name)
    first = first.copy()
    first[inline] = title[inline] + " " + first[inline]
    title[inline] = None
    return title, first


def _email(v: _View, rng: np.random.Generator, rates: Rates, missing: float, invalid: bool = True) -> pd.Series:
    n = len(v)
    email = noise.where(rng.random(n) < rates.email_case, pd.Series(v.email, dtype=object), lambda x: noise.email_case(x, rng))
    if invalid:
        email = noise.where(rng.random(n) < rates.invalid_email, email, lambda x: noise.invalid_email(x, rng))
    return email.where(rng.random(n) >= missing, None)


def _phone(v: _View, rng: np.random.Generator, rates: Rates, kind: str, missing: float) -> pd.Series:
    n = len(v)
    weights = np.asarray(rates.phone_styles[kind])
    style = rng.choice(len(weights), n, p=weights / weights.sum())
    phone = noise.render_phone(pd.Series(v.phone, dtype=object), pd.Series(v.country, dtype=object), style)
    phone = noise.where(rng.random(n) < rates.invalid_phone, phone, lambda x: noise.invalid_phone(x, rng))
    return phone.where(rng.random(n) >= missing, None)


def _street_line(street: pd.Series, house_number: np.ndarray, rng: np.random.Generator, abbreviate: float = 0.0) -> pd.Series:
    """Street and house number in one field, German street types shortened in some records: Hauptstr. 12."""
    street = noise.where(
        rng.random(len(street)) < abbreviate,
        street,
        lambda x: x.str.replace(r"(?<=\w)(stra(ß|ss)e|Stra(ß|ss)e)\b", lambda m: "str." if m.group(0)[0] == "s" else "Str.", regex=True),
    )
    return street + " " + pd.Series(house_number, dtype=object)


def _postcode(v: _View, rng: np.random.Generator, rates: Rates) -> pd.Series:
    """Postcodes, a few written with a country prefix (D-10115, CH-8001, SE-114 55)."""
    prefix = np.array([{"DE": "D-", "AT": "A-", "CH": "CH-", "NO": "N-", "SE": "SE-", "DK": "DK-"}[c] for c in v.country], dtype=object)
    postcode = pd.Series(v.postcode, dtype=object)
    return noise.where(rng.random(len(v)) < rates.postcode_country_prefix, postcode, lambda x: pd.Series(prefix[x.index] + x.to_numpy(), index=x.index))


def _salutation(v: _View, rng: np.random.Generator, missing: float) -> pd.Series:
    salutation = pd.Series(np.where(v.female, "Frau", "Herr"), dtype=object)
    return salutation.where(rng.random(len(v)) >= missing, None)


def presence(p: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """How many customer records each silo holds per person (0 = the silo does not know them)."""
    n = len(p)
    u = lambda: rng.random(n)  # noqa: E731
    crm, shop = u() < rates.in_crm, u() < rates.in_webshop
    erp = np.where(shop, u() < rates.in_erp_with_webshop, u() < rates.in_erp_without_webshop)
    support, newsletter, pos = u() < rates.in_support, u() < rates.in_newsletter, u() < rates.in_pos
    crm |= ~(shop | erp | support | newsletter | pos)
    crm_dup = u() < rates.crm_duplicate
    crm_trip = crm_dup & (u() < rates.crm_triplicate / rates.crm_duplicate)
    tickets = 1 + np.minimum(rng.poisson(rates.support_tickets_mean - 1, n), 6)
    return pd.DataFrame(
        {
            "crm": crm * (1 + crm_dup + crm_trip),
            "webshop": shop * (1 + (u() < rates.webshop_second_account)),
            "erp": erp * (1 + (u() < rates.erp_second_debtor)),
            "support": support * tickets,
            "newsletter": newsletter.astype(int),
            "pos": pos * (1 + (u() < rates.pos_second_card)),
        }
    )


def crm_customers(p: pd.DataFrame, counts: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """CRM customer master: one row per customer id, duplicates when a person was created twice."""
    rows, j = _expand(counts["crm"].to_numpy())
    v = _view(p, rows, rng, rates)
    names = _names(v, rng, rates)
    title, first = _title_split(v, names["first"], rng, rates)
    created, updated = _record_days(v, rng)
    missing = rates.missing["crm"]
    birth = noise.iso_dates(v.birth_day).where(rng.random(len(v)) >= missing["birth_date"], None)
    birth = birth.mask(rng.random(len(v)) < rates.impossible_date, "1900-01-01")
    return pd.DataFrame(
        {
            "customer_id": record_number(v.k, j, 4, 8, 7_777),
            "customer_no": [f"K{x}" for x in crm_customer_numbers(v.k, j)],
            "salutation": _salutation(v, rng, missing["salutation"]),
            "title": title,
            "first_name": first,
            "last_name": names["last"],
            "date_of_birth": birth,
            "email": _email(v, rng, rates, missing["email"]),
            "phone": _phone(v, rng, rates, "crm", missing["phone"]),
            "street": names["street"],
            "house_number": v.house_number,
            "postcode": v.postcode,
            "city": names["city"],
            "country": v.country,
            "marketing_consent": rng.random(len(v)) < rates.marketing_consent,
            "created_at": noise.iso_timestamps(_seconds(created, rng), separator=" "),
            "updated_at": noise.iso_timestamps(_seconds(updated, rng), separator=" "),
            "_k": v.k,
        }
    )


def crm_customer_numbers(k: np.ndarray, j: np.ndarray) -> np.ndarray:
    """The CRM customer number of CRM record j of person k (other systems quote it)."""
    return record_number(k, j, 4, 7, 31_337)


def webshop_accounts(p: pd.DataFrame, counts: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Webshop accounts; the email is the login, so one person's second account needs another address."""
    rows, j = _expand(counts["webshop"].to_numpy())
    v = _view(p, rows, rng, rates)
    names = _names(v, rng, rates)
    own_before = p["old_email"].to_numpy()[rows]
    shares = p["shares_email_with_previous"].to_numpy()[rows]
    login = np.where(shares, own_before, v.email)  # a shared household address is already the partner's login
    other = np.where(v.old, p["email"].to_numpy()[rows], own_before)
    second = np.where((other != login) & ~shares, other, [e.replace("@", "+2@", 1) for e in login])
    login = pd.Series(np.where(j == 0, login, second), dtype=object)
    login = noise.where((j == 0) & (rng.random(len(v)) < rates.email_plus_tag), login, lambda x: noise.plus_tag(x, rng))
    login = noise.where(rng.random(len(v)) < rates.email_case, login, lambda x: noise.email_case(x, rng))
    birthday = noise.iso_dates(v.birth_day)
    birthday = noise.where(rng.random(len(v)) < rates.impossible_date, birthday, lambda x: noise.impossible_dates(v.birth_day[x.index], rng, german=False).set_axis(x.index))
    created, updated = _record_days(v, rng)
    created_s = _seconds(created, rng)
    return pd.DataFrame(
        {
            "account_id": record_number(v.k, j, 2, 7, 4_242),
            "email": login,
            "first_name": names["first"],
            "last_name": names["last"],
            "birthday": birthday.where(rng.random(len(v)) >= rates.missing["webshop"]["birth_date"], None),
            "phone": _phone(v, rng, rates, "webshop", rates.missing["webshop"]["phone"]),
            "street": _street_line(names["street"], v.house_number, rng),
            "zip": v.postcode,
            "city": names["city"],
            "country_code": v.country,
            "newsletter_opt_in": rng.random(len(v)) < rates.marketing_consent,
            "created_at": noise.iso_timestamps(created_s, suffix="Z"),
            "updated_at": noise.iso_timestamps(np.maximum(_seconds(updated, rng), created_s), suffix="Z"),
            "_k": v.k,
            "_slot": j,
            "_created_s": created_s,
            "_country": v.country,
        }
    )


def webshop_orders(accounts: pd.DataFrame, counts: pd.DataFrame, p: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Webshop orders with nested items; ERP debtors pay most orders by invoice."""
    n_orders = np.minimum(rng.poisson(rates.orders_mean, len(accounts)), 15)
    rows, j = _expand(n_orders)
    acc = accounts.iloc[rows].reset_index(drop=True)
    k = acc["_k"].to_numpy()
    n = len(acc)
    ordered_s = _draw_between(rng, acc["_created_s"].to_numpy(), np.full(n, AS_OF_DAY * SECONDS_PER_DAY - 1))
    currency = np.array([COUNTRIES[c].currency for c in acc["_country"]], dtype=object)

    n_items = rng.choice(4, n, p=[0.5, 0.3, 0.15, 0.05]) + 1
    item_rows, _ = _expand(n_items)
    sku = rng.choice(len(PRODUCTS), len(item_rows), p=zipf_weights(len(PRODUCTS), 0.5))
    qty = 1 + (rng.random(len(item_rows)) < 0.15)
    distinct = ~pd.DataFrame({"row": item_rows, "sku": sku}).duplicated().to_numpy()  # one line per article
    item_rows, sku, qty = item_rows[distinct], sku[distinct], qty[distinct]
    price = _localised(np.array([PRODUCTS[s][2] for s in sku]), currency[item_rows])
    totals = np.round(np.bincount(item_rows, weights=qty * price, minlength=n), 2)
    items: list[list[dict]] = [[] for _ in range(n)]
    for row, s, q, pr in zip(item_rows.tolist(), sku.tolist(), qty.tolist(), price.tolist()):
        items[row].append({"sku": PRODUCTS[s][0], "name": PRODUCTS[s][1], "category": category_of(PRODUCTS[s][0]), "qty": q, "unit_price": pr})

    status_draw = rng.random(n)
    recent = ordered_s > (AS_OF_DAY - 3) * SECONDS_PER_DAY
    status = np.where(status_draw < rates.order_cancelled, "cancelled", np.where(status_draw < rates.order_cancelled + rates.order_returned, "returned", "delivered"))
    status = np.where(recent & (status != "cancelled"), "shipped", status)
    debtor = counts["erp"].to_numpy()[k - p["k"].iloc[0]] > 0
    payment = np.where(debtor & (rng.random(n) < rates.pay_by_invoice), "invoice", np.asarray(["card", "paypal", "card"], dtype=object)[rng.integers(0, 3, n)])
    return pd.DataFrame(
        {
            "order_id": [f"WO{x}" for x in record_number(k, acc["_slot"].to_numpy() * 16 + j, 32, 8, 99_991)],
            "account_id": acc["account_id"].to_numpy(),
            "ordered_at": noise.iso_timestamps(ordered_s, suffix="Z"),
            "status": status,
            "payment_method": payment,
            "total": totals,
            "currency": currency,
            "items": items,
            "_k": k,
            "_ordered_s": ordered_s,
        }
    )


def erp_debtors(p: pd.DataFrame, counts: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """ERP debtor master (German column names); some quote the CRM customer number."""
    rows, j = _expand(counts["erp"].to_numpy())
    v = _view(p, rows, rng, rates)
    names = _names(v, rng, rates, upper_last=rates.upper_case_last_name)
    n = len(v)
    spelling = rng.choice(3, n, p=[0.7, 0.2, 0.1])  # German name, car code or ISO code
    country_names = np.array([COUNTRIES[c].erp_names[s] for c, s in zip(v.country, spelling)], dtype=object)
    has_crm = counts["crm"].to_numpy()[rows] > 0
    crm_no = np.array([f"K{x}" for x in crm_customer_numbers(v.k, np.zeros(n, dtype=np.int64))], dtype=object)
    birth = noise.german_dates(v.birth_day)
    missing = rates.missing["erp"]
    birth = noise.where(rng.random(n) < rates.impossible_date, birth, lambda x: noise.impossible_dates(v.birth_day[x.index], rng, german=True).set_axis(x.index))
    created, updated = _record_days(v, rng)
    return pd.DataFrame(
        {
            "Debitor": record_number(v.k, j, 2, 8, 20_250),
            "Anrede": _salutation(v, rng, missing["salutation"]),
            "Name": names["last"],
            "Vorname": names["first"],
            "Strasse": _street_line(names["street"], v.house_number, rng, rates.street_abbreviation),
            "PLZ": _postcode(v, rng, rates),
            "Ort": names["city"],
            "Land": country_names,
            "Telefon": _phone(v, rng, rates, "erp", missing["phone"]),
            "EMail": _email(v, rng, rates, missing["email"]),
            "Geburtsdatum": birth.where(rng.random(n) >= missing["birth_date"], None),
            "Kundennr": np.where(has_crm & (rng.random(n) < rates.erp_quotes_crm_number), crm_no, None),
            "Angelegt": noise.german_dates(created),
            "Geaendert": noise.german_dates(updated),
            "_k": v.k,
            "_currency": np.array([COUNTRIES[c].currency for c in v.country], dtype=object),
            "_created": created,
        }
    )


def erp_documents(debtors: pd.DataFrame, orders: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Invoices (RE) for invoice-paid orders and other sales, payments (ZA) and dunning notices (MA)."""
    first_debtor = debtors.drop_duplicates("_k").set_index("_k")
    billed = orders[(orders["payment_method"] == "invoice") & (orders["status"] != "cancelled") & orders["_k"].isin(first_debtor.index)]
    standalone_rows, _ = _expand(rng.poisson(0.8, len(debtors)))
    standalone = debtors.iloc[standalone_rows]
    n_alone = len(standalone)
    alone_day = _draw_between(rng, standalone["_created"].to_numpy(), np.full(n_alone, AS_OF_DAY - 1))
    alone_amount = _localised(np.round(rng.lognormal(4.3, 0.7, n_alone), 1), standalone["_currency"].to_numpy())
    invoices = pd.DataFrame(
        {
            "_k": np.concatenate([billed["_k"].to_numpy(), standalone["_k"].to_numpy()]),
            "Debitor": np.concatenate([first_debtor.loc[billed["_k"], "Debitor"].to_numpy(), standalone["Debitor"].to_numpy()]),
            "day": np.concatenate([billed["_ordered_s"].to_numpy() // SECONDS_PER_DAY + rng.integers(0, 3, len(billed)), alone_day]),
            "Betrag": np.concatenate([billed["total"].to_numpy(), alone_amount]),
            "Waehrung": np.concatenate([billed["currency"].to_numpy(), standalone["_currency"].to_numpy()]),
            "Bezug": np.concatenate([billed["order_id"].to_numpy(), np.full(n_alone, None)]),
        }
    ).sort_values(["_k", "day"], kind="stable", ignore_index=True)
    invoices = invoices[invoices["day"] < AS_OF_DAY]
    invoices = invoices.assign(slot=invoices.groupby("_k").cumcount())
    invoices = invoices[invoices["slot"] < 64].reset_index(drop=True)
    n = len(invoices)
    k, slot = invoices["_k"].to_numpy(), invoices["slot"].to_numpy()

    def number(kind: str, slots: np.ndarray) -> np.ndarray:
        """Document numbers of one kind share a range: invoices 4…, payments 5…, dunning notices 6…"""
        first_digit = {"RE": 4, "ZA": 5, "MA": 6}[kind]
        return first_digit * 10**9 + record_number(k, slots, 128, 9, first_digit)

    invoice_no = number("RE", slot * 2)
    due = invoices["day"].to_numpy() + np.where(rng.random(n) < 0.7, 14, 30)

    outcome = rng.random(n)
    unpaid = outcome < rates.invoice_unpaid
    late = ~unpaid & (outcome < rates.invoice_unpaid + rates.invoice_paid_late)
    paid_day = np.where(late, due + 14 + rng.integers(1, 40, n), due - rng.integers(0, 14, n))
    paid_day = np.maximum(paid_day, invoices["day"].to_numpy())

    def documents(kind: str, mask: np.ndarray, doc_day: np.ndarray, slot: np.ndarray, due_day: np.ndarray | None) -> pd.DataFrame:
        keep = mask & (doc_day < AS_OF_DAY)
        return pd.DataFrame(
            {
                "Belegnr": number(kind, slot)[keep] if kind != "RE" else invoice_no[keep],
                "Belegart": kind,
                "Debitor": invoices["Debitor"].to_numpy()[keep],
                "Belegdatum": noise.german_dates(doc_day[keep]).to_numpy(),
                "Faellig": noise.german_dates(due_day[keep]).to_numpy() if due_day is not None else None,
                "Betrag": invoices["Betrag"].to_numpy()[keep],
                "Waehrung": invoices["Waehrung"].to_numpy()[keep],
                "Bezug": invoices["Bezug"].to_numpy()[keep] if kind == "RE" else invoice_no[keep].astype(str),
                "_k": k[keep],
            }
        )

    everything = np.ones(n, dtype=bool)
    return pd.concat(
        [
            documents("RE", everything, invoices["day"].to_numpy(), slot * 2, due),
            documents("ZA", ~unpaid, paid_day, slot * 2, None),
            documents("MA", unpaid | late, due + 14, slot * 2, due + 24),
            documents("MA", unpaid, due + 35, slot * 2 + 1, due + 45),
        ],
        ignore_index=True,
    )


def support_tickets(p: pd.DataFrame, counts: pd.DataFrame, orders: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Support desk tickets with the requester's contact typed inline and the desk's own category labels."""
    rows, j = _expand(counts["support"].to_numpy())
    v = _view(p, rows, rng, rates)
    names = _names(v, rng, rates)
    n = len(v)
    first = names["first"].fillna("").to_numpy()
    last = names["last"].to_numpy()
    style = rng.choice(5, n, p=[0.65, 0.15, 0.05, 0.1, 0.05])
    full = [
        (f"{f} {l}", f"{l}, {f}", f"{str(l).upper()} {f}", f"{f[:1]}. {l}" if f else str(l), str(f or l))[s].strip(" ,")
        for f, l, s in zip(first, last, style)
    ]
    categories = list(SUPPORT_CATEGORIES)
    category = np.asarray(categories, dtype=object)[rng.choice(len(categories), n, p=zipf_weights(len(categories), 0.4))]
    category = np.where(rng.random(n) < rates.unmapped_support_label, UNMAPPED_SUPPORT_LABEL, category)
    subjects = [SUPPORT_CATEGORIES.get(c, ("Allgemeine Anfrage",)) for c in category]
    subject_pick = rng.random(n)
    last_order = orders.drop_duplicates("_k", keep="last").set_index("_k")["order_id"]
    order = pd.Series(v.k).map(last_order).to_numpy()
    subject = [s[int(u * len(s))] for s, u in zip(subjects, subject_pick)]
    refers = np.array(["{order}" in s for s in subject]) & pd.notna(order)
    subject = [s.replace("{order}", o if isinstance(o, str) else "meiner Bestellung") for s, o in zip(subject, order)]
    created_s = _seconds(_draw_between(rng, v.first_seen, np.full(n, AS_OF_DAY - 1)), rng)
    open_ = (created_s > (AS_OF_DAY - 14) * SECONDS_PER_DAY) | (rng.random(n) < rates.support_ticket_left_open)
    created_text = noise.german_dates(created_s // SECONDS_PER_DAY) + " " + pd.Series(noise.iso_timestamps(created_s)).str[11:16]
    return pd.DataFrame(
        {
            "ticket_id": record_number(v.k, j, 8, 8, 5_150),
            "created_at": created_text,
            "requester_name": full,
            "requester_email": _email(v, rng, rates, rates.missing["support"]["email"]),
            "requester_phone": _phone(v, rng, rates, "support", rates.missing["support"]["phone"]),
            "category": category,
            "subject": subject,
            "order_ref": np.where(refers, order, None),
            "status": np.where(open_, "open", "closed"),
            "channel": np.asarray(["email", "phone", "chat", "web"], dtype=object)[rng.integers(0, 4, n)],
            "_k": v.k,
        }
    )


def newsletter(p: pd.DataFrame, counts: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Newsletter consent events: an opt-in, sometimes an opt-out and a renewed opt-in later."""
    m = len(p)
    optout = rng.random(m) < rates.newsletter_optout
    again = optout & (rng.random(m) < rates.newsletter_resignup)
    start = _draw_between(rng, p["first_seen"].to_numpy(), np.full(m, AS_OF_DAY - 90))
    offsets = np.concatenate([np.zeros((m, 1), dtype=np.int64), rng.integers(20, 400, (m, 2)).cumsum(axis=1)], axis=1)
    rows, j = _expand(counts["newsletter"].to_numpy() * (1 + optout + again))
    v = _view(p, rows, rng, rates)
    names = _names(v, rng, rates)
    n = len(v)
    days = np.minimum(start[rows] + offsets[rows, j], AS_OF_DAY - 1)
    language = np.array([{"DE": "de", "AT": "de", "CH": "de", "NO": "no", "SE": "sv", "DK": "da"}[c] for c in v.country], dtype=object)
    return pd.DataFrame(
        {
            "entry_id": record_number(v.k, j, 4, 8, 60_606),
            "email": _email(v, rng, rates, 0.0),
            "first_name": names["first"].where(rng.random(n) >= rates.missing["newsletter"]["first_name"], None),
            "consent": np.where(j % 2 == 0, "opt-in", "opt-out"),
            "consent_at": noise.iso_timestamps(_seconds(days, rng), separator=" "),
            "form": np.asarray(["footer", "checkout", "popup", "store"], dtype=object)[rng.integers(0, 4, n)],
            "language": language,
            "_k": v.k,
        }
    )


def _ean13(body: np.ndarray) -> list[str]:
    """12-digit numbers with their EAN-13 check digit appended (loyalty cards are printed as barcodes)."""
    digits = np.array([[int(c) for c in f"{b:012d}"] for b in body]) if len(body) else np.zeros((0, 12), dtype=int)
    check = (10 - (digits[:, ::2].sum(axis=1) + 3 * digits[:, 1::2].sum(axis=1)) % 10) % 10
    return [f"{b:012d}{c}" for b, c in zip(body, check)]


def pos_members(p: pd.DataFrame, counts: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Loyalty programme members: a card per member, a second card when one got lost."""
    rows, j = _expand(counts["pos"].to_numpy())
    v = _view(p, rows, rng, rates)
    names = _names(v, rng, rates)
    n = len(v)
    birth = (np.datetime64("1970-01-01", "D") + v.birth_day.astype("timedelta64[D]")).astype("datetime64[D]")
    birth = np.where(rng.random(n) < rates.impossible_date, np.datetime64("1900-01-01", "D"), birth)
    missing = rates.missing["pos"]
    birth = pd.Series(birth).where(rng.random(n) >= missing["birth_date"], None)
    stores = [COUNTRIES[c].stores for c in v.country]
    home = [next((s for s in options if s.city == city), options[int(u * len(options))]) for options, city, u in zip(stores, v.city, rng.random(n))]
    enrolled, _ = _record_days(v, rng)
    enrolled_s = _seconds(enrolled, rng)
    return pd.DataFrame(
        {
            "card_no": _ean13(2_400_000_000_00 + record_number(v.k, j, 2, 10, 2_024)),
            "first_name": names["first"],
            "last_name": names["last"],
            "birth_date": birth,
            "street": _street_line(names["street"], v.house_number, rng),
            "postcode": v.postcode,
            "city": names["city"],
            "country": v.country,
            "email": _email(v, rng, rates, missing["email"]),
            "phone": _phone(v, rng, rates, "pos", missing["phone"]),
            "home_store": [s.store_id for s in home],
            "tier": np.asarray(["Basic", "Silver", "Gold"], dtype=object)[rng.choice(3, n, p=[0.7, 0.22, 0.08])],
            "enrolled_at": noise.timestamps(enrolled_s),
            "_k": v.k,
            "_slot": j,
            "_enrolled_day": enrolled,
        }
    )


def pos_receipts(members: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Till receipts scanned with a loyalty card, and store visits without a purchase (card scanned at the kiosk)."""
    rows, j = _expand(np.minimum(rng.poisson(rates.pos_receipts_mean, len(members)), 30))
    mem = members.iloc[rows].reset_index(drop=True)
    n = len(mem)
    k = mem["_k"].to_numpy()
    country = np.array([s[:2] for s in mem["home_store"]], dtype=object)
    other_store = [COUNTRIES[c].stores[int(u * len(COUNTRIES[c].stores))].store_id for c, u in zip(country, rng.random(n))]
    store_id = np.where(rng.random(n) < rates.purchase_in_home_store, mem["home_store"].to_numpy(), other_store)
    store_names = {s.store_id: s.name for c in COUNTRIES.values() for s in c.stores}
    visit = rng.random(n) < rates.pos_visit_without_purchase
    currency = np.array([COUNTRIES[c].currency for c in country], dtype=object)
    amount = _localised(np.round(rng.lognormal(3.8, 0.8, n), 1), currency)
    shop_day = _draw_between(rng, mem["_enrolled_day"].to_numpy(), np.full(n, AS_OF_DAY - 1))
    when = shop_day * SECONDS_PER_DAY + rng.integers(9 * 3600, 20 * 3600, n)  # shops open 9–20
    number = record_number(k, mem["_slot"].to_numpy() * 32 + j, 64, 9, 8_080)
    return pd.DataFrame(
        {
            "receipt_id": [f"{s}-{x}" for s, x in zip(store_id, number)],
            "card_no": mem["card_no"].to_numpy(),
            "store_id": store_id,
            "store_name": [store_names[s] for s in store_id],
            "kind": np.where(visit, "VISIT", "SALE"),
            "amount": np.where(visit, 0.0, amount),
            "currency": currency,
            "purchased_at": noise.timestamps(when),
            "_k": k,
        }
    )


def returns(p: pd.DataFrame, orders: pd.DataFrame, receipts: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Returns handled by the logistics partner, for webshop orders and store receipts, with name and address inline."""
    web = orders[orders["status"] == "returned"]
    sold = receipts[receipts["kind"] == "SALE"]
    store = sold[rng.random(len(sold)) < rates.pos_receipt_returned]
    base = np.concatenate([web["_ordered_s"].to_numpy(), store["purchased_at"].to_numpy().astype("datetime64[s]").astype(np.int64)])
    k = np.concatenate([web["_k"].to_numpy(), store["_k"].to_numpy()])
    channel = np.concatenate([np.full(len(web), "WEB", dtype=object), np.full(len(store), "STORE", dtype=object)])
    returned_day = base // SECONDS_PER_DAY + rng.integers(2, 30, len(k))
    keep = returned_day < AS_OF_DAY
    refs = np.concatenate([web["order_id"].to_numpy(), store["receipt_id"].to_numpy()])[keep]
    amount = np.concatenate([web["total"].to_numpy(), store["amount"].to_numpy()])[keep]
    currency = np.concatenate([web["currency"].to_numpy(), store["currency"].to_numpy()])[keep]
    k, channel, returned_day = k[keep], channel[keep], returned_day[keep]
    rows = k - p["k"].iloc[0]
    v = _View(p, rows, np.zeros(len(rows), dtype=bool))
    names = _names(v, rng, rates)
    n = len(v)
    first = names["first"].fillna("").to_numpy()
    full = [f"{f} {l}".strip() for f, l in zip(first, names["last"])]
    partial = rng.random(n) < rates.partial_refund
    country = np.where(rng.random(n) < 0.5, v.country, np.array([COUNTRIES[c].english_name for c in v.country], dtype=object))
    order = pd.DataFrame({"k": k, "ref": refs}).groupby("k").cumcount().to_numpy()
    return pd.DataFrame(
        {
            "return_id": [f"R{x}" for x in record_number(k, np.minimum(order, 63), 64, 9, 1_234)],
            "order_ref": refs,
            "channel": channel,
            "returned_at": noise.iso_dates(returned_day).to_numpy(),
            "reason": np.asarray(RETURN_REASONS, dtype=object)[rng.integers(0, len(RETURN_REASONS), n)],
            "refund_amount": np.round(np.where(partial, amount * rng.uniform(0.2, 0.8, n), amount), 2),
            "currency": currency,
            "customer_name": full,
            "street": _street_line(names["street"], v.house_number, rng),
            "postcode": v.postcode,
            "city": names["city"],
            "country": country,
            "_k": k,
        }
    )[order < 64]


def silos_for(persons: pd.DataFrame, seed: int, block: int, rates: Rates) -> dict[str, pd.DataFrame]:
    """Every silo's records about one block of persons (emails already made unique)."""
    stream = lambda number: np.random.default_rng([seed, block, number])  # noqa: E731
    counts = presence(persons, stream(1), rates)
    crm = crm_customers(persons, counts, stream(2), rates)
    accounts = webshop_accounts(persons, counts, stream(3), rates)
    orders = click_and_collect(webshop_orders(accounts, counts, persons, stream(4), rates), persons, stream(15), rates)
    debtors = erp_debtors(persons, counts, stream(5), rates)
    documents = erp_documents(debtors, orders, stream(6), rates)
    tickets = support_tickets(persons, counts, orders, stream(7), rates)
    signups = newsletter(persons, counts, stream(8), rates)
    members = pos_members(persons, counts, stream(9), rates)
    receipts = with_departments(pos_receipts(members, stream(10), rates), stream(16))
    returned = returns(persons, orders, receipts, stream(11), rates)
    receipts = pd.concat([receipts, showrooming_visits(orders, members, stream(13), rates)], ignore_index=True)
    return {
        "crm": crm,
        "webshop_accounts": accounts,
        "webshop_orders": orders,
        "erp_debtors": debtors,
        "erp_documents": documents,
        "support_tickets": tickets,
        "newsletter": signups,
        "pos_members": members,
        "pos_receipts": receipts,
        "returns": returned,
        "web_analytics": web_events(accounts, receipts, persons, block, stream(12), rates),
        "newsletter_clicks": newsletter_clicks(signups, block, stream(14), rates),
        "coupons": coupons(members, block, stream(17), rates),
    }
