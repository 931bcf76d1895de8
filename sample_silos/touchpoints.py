"""Touchpoints of one block of persons: web analytics, newsletter clicks, coupons, click and collect, store departments.

Research online, purchase offline (ROPO) and showrooming are drawn on purpose (Rates.ropo, Rates.showrooming);
`journey_truth` then counts, from the true persons behind every event, how many purchases really were preceded by
research of their category — the figures the pipeline's gold.channel_insights must recover.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from golden_record.sample_silos import noise
from golden_record.sample_silos.persons import AS_OF_DAY, zipf_weights
from golden_record.sample_silos.rates import Rates
from golden_record.sample_silos.vocabulary import COUNTRIES, COUPON_CAMPAIGNS, PRODUCT_CATEGORIES, PRODUCTS

SECONDS_PER_DAY = 86_400
CATEGORIES = tuple(PRODUCT_CATEGORIES.values())
JOURNEY_WINDOW_DAYS = 14
"""The generator's definition of "researched before": at most this many calendar days before the purchase day (and earlier)."""

WEB_DEVICES = {"web": "Desktop", "app": "iOS App"}
COUPON_ISSUE_CHANNELS = ("Strasse", "Filiale", "E-Mail")
FULFILMENT = {"delivery": "Lieferung", "pickup": "Click & Collect"}


def category_of(sku: str) -> str:
    """The catalogue category of a SKU."""
    return next(name for prefix, name in PRODUCT_CATEGORIES.items() if sku.startswith(prefix))


def _category(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.asarray(CATEGORIES, dtype=object)[rng.choice(len(CATEGORIES), n, p=zipf_weights(len(CATEGORIES), 0.5))]


def _research_seconds(purchase_s: np.ndarray, rng: np.random.Generator, rates: Rates, hours: tuple[int, int]) -> np.ndarray:
    """A time `research_days` before each purchase (within opening `hours`), always earlier than the purchase."""
    low, high = rates.research_days
    day = purchase_s // SECONDS_PER_DAY - rng.integers(max(low, 1), high + 1, len(purchase_s))
    return day * SECONDS_PER_DAY + rng.integers(hours[0] * 3600, hours[1] * 3600, len(purchase_s))


def click_and_collect(orders: pd.DataFrame, p: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Webshop orders with how they were fulfilled (delivery, or picked up in a store of the customer's country)."""
    n = len(orders)
    pickup = rng.random(n) < rates.click_and_collect
    country = p["country"].to_numpy()[orders["_k"].to_numpy() - p["k"].iloc[0]]
    store = [COUNTRIES[c].stores[int(u * len(COUNTRIES[c].stores))].store_id for c, u in zip(country, rng.random(n))]
    return orders.assign(
        fulfilment=np.where(pickup, FULFILMENT["pickup"], FULFILMENT["delivery"]),
        pickup_store=pd.Series(np.where(pickup, store, None), dtype=object),
        _category=[items[0]["category"] for items in orders["items"]],
    )


def with_departments(receipts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Receipts with the department of the purchase (a sale) or of the visit (a kiosk scan without purchase)."""
    return receipts.assign(department=_category(rng, len(receipts)))


def showrooming_visits(orders: pd.DataFrame, members: pd.DataFrame, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Store visits (kiosk scans) to the department of a later webshop order, by loyalty members (Rates.showrooming)."""
    card = members.drop_duplicates("_k").set_index("_k")
    bought = orders[(orders["status"] != "cancelled") & orders["_k"].isin(card.index)]
    bought = bought[rng.random(len(bought)) < rates.showrooming]
    k = bought["_k"].to_numpy()
    store = card.loc[k, "home_store"].to_numpy()
    when = _research_seconds(bought["_ordered_s"].to_numpy(), rng, rates, (9, 20))
    store_names = {s.store_id: s.name for c in COUNTRIES.values() for s in c.stores}
    currency = np.array([COUNTRIES[s[:2]].currency for s in store], dtype=object)
    return pd.DataFrame(
        {
            "receipt_id": [f"{s}-V{o[2:]}" for s, o in zip(store, bought["order_id"])],
            "card_no": card.loc[k, "card_no"].to_numpy(),
            "store_id": store,
            "store_name": [store_names[s] for s in store],
            "kind": "VISIT",
            "amount": 0.0,
            "currency": currency,
            "purchased_at": noise.timestamps(when),
            "department": bought["_category"].to_numpy(),
            "_k": k,
        }
    )


def web_events(accounts: pd.DataFrame, receipts: pd.DataFrame, p: pd.DataFrame, block: int, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Web analytics events (logins and product views per session, with a cookie id per device); `_account` is the true account."""
    first = accounts.drop_duplicates("_k").set_index("_k")
    # research before store purchases (ROPO), then browsing that leads nowhere in particular
    sales = receipts[(receipts["kind"] == "SALE") & receipts["_k"].isin(first.index)]
    sales = sales[rng.random(len(sales)) < rates.ropo]
    sale_s = sales["purchased_at"].to_numpy().astype("datetime64[s]").astype(np.int64)
    ropo_k = sales["_k"].to_numpy()
    ropo_start = _research_seconds(sale_s, rng, rates, (7, 23))
    browsing = np.minimum(rng.poisson(rates.browsing_sessions_mean, len(accounts)), 20)
    rows = np.repeat(np.arange(len(accounts)), browsing)
    created_day = accounts["_created_s"].to_numpy()[rows] // SECONDS_PER_DAY
    browse_day = created_day + (rng.random(len(rows)) * np.maximum(AS_OF_DAY - 1 - created_day, 0)).astype(np.int64)
    browse_start = browse_day * SECONDS_PER_DAY + rng.integers(7 * 3600, 23 * 3600, len(rows))
    visitors = rng.poisson(rates.visitor_sessions * len(p))
    visitor_start = rng.integers(AS_OF_DAY - 720, AS_OF_DAY - 1, visitors) * SECONDS_PER_DAY + rng.integers(7 * 3600, 23 * 3600, visitors)
    sessions = pd.DataFrame(
        {
            "account_id": np.concatenate([first.loc[ropo_k, "account_id"].to_numpy(), accounts["account_id"].to_numpy()[rows], np.full(visitors, None, dtype=object)]),
            "_k": np.concatenate([ropo_k, accounts["_k"].to_numpy()[rows], rng.integers(p["k"].iloc[0], p["k"].iloc[-1] + 1, visitors)]),
            "start": np.concatenate([ropo_start, browse_start, visitor_start]),
            "category": np.concatenate([sales["department"].to_numpy(), _category(rng, len(rows) + visitors)]),
            "_visitor": np.concatenate([np.zeros(len(ropo_k) + len(rows), dtype=bool), np.ones(visitors, dtype=bool)]),
        }
    )
    s = len(sessions)
    app = rng.random(s) < rates.app_session
    device = np.where(app, WEB_DEVICES["app"], WEB_DEVICES["web"])
    cookie_of = {}
    cookies = []
    for account, is_app, salt in zip(sessions["account_id"], app, rng.integers(0, 2**62, s)):
        key = (account, is_app) if account is not None else (None, salt)  # one cookie per account and device; a visitor's each time
        cookies.append(cookie_of.setdefault(key, f"{int(salt):016x}"))
    anonymous = (rng.random(s) < rates.anonymous_session) | sessions["_visitor"].to_numpy()
    views = rng.integers(1, 4, s)
    events = []
    skus = {c: [sku for sku, _, _ in PRODUCTS if category_of(sku) == c] for c in CATEGORIES}
    columns = (sessions[c].to_numpy() for c in ("account_id", "_k", "start", "category", "_visitor"))
    for i, (account, k, start, category, visitor) in enumerate(zip(*columns)):
        session_id = f"S{block:04d}{i:07d}"
        at = int(start)
        login = None if visitor else {"event": "login", "page": None}
        steps = [{"event": "product_view", "page": {"category": category, "sku": skus[category][(at + v) % len(skus[category])]}} for v in range(views[i])]
        steps = (steps + [login] if anonymous[i] else [login] + steps) if login else steps
        logged_in = not anonymous[i]
        for step in steps:
            logged_in = logged_in or step["event"] == "login"
            events.append(
                (session_id, cookies[i], str(account) if logged_in and not visitor else None, step["event"], device[i], step["page"], at, k, account, visitor)
            )
            at += int(rng.integers(20, 240))
    frame = pd.DataFrame(events, columns=["session_id", "cookie_id", "account_id", "event", "device", "page", "_s", "_k", "_account", "_visitor"])
    frame.insert(0, "event_id", [f"WE{block:04d}{i:08d}" for i in range(len(frame))])
    frame["ts"] = noise.timestamps(frame["_s"].to_numpy(dtype=np.int64))
    return frame


def newsletter_clicks(signups: pd.DataFrame, block: int, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Clicks on links in marketing e-mails by subscribers (their newsletter entry), with the linked category."""
    opted_in = signups[signups["consent"] == "opt-in"]
    counts = np.minimum(rng.poisson(rates.newsletter_clicks_mean, len(opted_in)), 10)
    rows = np.repeat(np.arange(len(opted_in)), counts)
    entry = opted_in.iloc[rows]
    start = pd.to_datetime(entry["consent_at"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    day = start + (rng.random(len(rows)) * np.maximum(AS_OF_DAY - 1 - start, 0)).astype(np.int64)
    at = day * SECONDS_PER_DAY + rng.integers(6 * 3600, 23 * 3600, len(rows))
    return pd.DataFrame(
        {
            "click_id": [f"NC{block:04d}{i:07d}" for i in range(len(rows))],
            "subscriber_id": entry["entry_id"].to_numpy(),
            "campaign": np.asarray(COUPON_CAMPAIGNS, dtype=object)[rng.integers(0, len(COUPON_CAMPAIGNS), len(rows))],
            "link_category": _category(rng, len(rows)),
            "clicked_at": noise.iso_timestamps(at, separator=" ").to_numpy(),
            "_k": entry["_k"].to_numpy(),
            "_s": at,
        }
    )


def coupons(members: pd.DataFrame, block: int, rng: np.random.Generator, rates: Rates) -> pd.DataFrame:
    """Coupon events of loyalty members: issued (street, store, e-mail), some redeemed later in the webshop or at the till."""
    counts = np.minimum(rng.poisson(rates.coupons_mean, len(members)), 8)
    rows = np.repeat(np.arange(len(members)), counts)
    member = members.iloc[rows]
    n = len(rows)
    enrolled = member["_enrolled_day"].to_numpy()
    issued_day = enrolled + (rng.random(n) * np.maximum(AS_OF_DAY - 1 - enrolled, 0)).astype(np.int64)
    issued_s = issued_day * SECONDS_PER_DAY + rng.integers(9 * 3600, 20 * 3600, n)
    redeemed_s = issued_s + rng.integers(1, 30, n) * SECONDS_PER_DAY + rng.integers(-3 * 3600, 3 * 3600, n)
    redeemed = (rng.random(n) < rates.coupon_redeemed) & (redeemed_s < AS_OF_DAY * SECONDS_PER_DAY)
    online = rng.random(n) < rates.coupon_redeemed_online
    code = [f"{c[:4]}-{block:03d}{i:06d}" for c, i in zip(np.asarray(COUPON_CAMPAIGNS, dtype=object)[rng.integers(0, len(COUPON_CAMPAIGNS), n)], range(n))]
    category = _category(rng, n)
    base = {"coupon_code": code, "card_no": member["card_no"].to_numpy(), "category": category, "_k": member["_k"].to_numpy()}
    issued = pd.DataFrame({**base, "event": "ISSUED", "channel": np.asarray(COUPON_ISSUE_CHANNELS, dtype=object)[rng.choice(3, n, p=[0.4, 0.4, 0.2])], "_s": issued_s})
    used = pd.DataFrame({**base, "event": "REDEEMED", "channel": np.where(online, "Webshop", "Kasse"), "_s": redeemed_s})[redeemed]
    frame = pd.concat([issued, used], ignore_index=True)
    frame.insert(0, "coupon_event_id", [f"{'I' if e == 'ISSUED' else 'R'}-{c}" for e, c in zip(frame["event"], frame["coupon_code"])])
    frame["occurred_at"] = noise.iso_timestamps(frame["_s"].to_numpy(dtype=np.int64), separator=" ").to_numpy()
    return frame[["coupon_event_id", "coupon_code", "card_no", "event", "channel", "category", "occurred_at", "_k", "_s"]]


def _researched(purchases: pd.DataFrame, research: pd.DataFrame) -> int:
    """How many purchases (k, s, category, id) had research (k, s, category) of their category within the window before them."""
    pairs = purchases.merge(research, on=["_k", "category"], suffixes=("", "_r"))
    days = pairs["s"] // SECONDS_PER_DAY - pairs["s_r"] // SECONDS_PER_DAY
    hit = (pairs["s_r"] < pairs["s"]) & (days <= JOURNEY_WINDOW_DAYS)
    return int(pairs.loc[hit, "id"].nunique())


def journey_truth(frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """True counts of one block: store purchases and those after online research of their category (ROPO), online
    purchases and those after a store visit to their department (showrooming), coupons issued and redeemed.

    Only events the pipeline can attribute count: rows written well-formed whose customer record is well-formed
    (visitors who never log in are no customers)."""
    bad_accounts = set(frames["webshop_accounts"].loc[frames["webshop_accounts"]["_malformed"], "account_id"])
    bad_entries = set(frames["newsletter"].loc[frames["newsletter"]["_malformed"], "entry_id"])
    web = frames["web_analytics"]
    web = web[(web["event"] == "product_view") & ~web["_visitor"] & ~web["_malformed"] & ~web["_account"].isin(bad_accounts)]
    clicks = frames["newsletter_clicks"]
    clicks = clicks[~clicks["_malformed"] & ~clicks["subscriber_id"].isin(bad_entries)]
    online_research = pd.concat(
        [
            pd.DataFrame({"_k": web["_k"], "s": web["_s"], "category": [page["category"] for page in web["page"]]}),
            pd.DataFrame({"_k": clicks["_k"], "s": clicks["_s"], "category": clicks["link_category"]}),
        ]
    )
    receipts = frames["pos_receipts"]
    receipt_s = receipts["purchased_at"].to_numpy().astype("datetime64[s]").astype(np.int64)
    as_event = lambda rows: pd.DataFrame({"_k": receipts["_k"][rows], "s": receipt_s[rows], "category": receipts["department"][rows], "id": receipts["receipt_id"][rows]})  # noqa: E731
    store_sales = as_event((receipts["kind"] == "SALE").to_numpy())
    store_visits = as_event((receipts["kind"] == "VISIT").to_numpy()).drop(columns="id")
    orders = frames["webshop_orders"]
    orders = orders[(orders["status"] != "cancelled") & ~orders["_malformed"] & ~orders["account_id"].isin(bad_accounts)]
    online_orders = pd.DataFrame({"_k": orders["_k"], "s": orders["_ordered_s"], "category": orders["_category"], "id": orders["order_id"]})
    coupon_rows = frames["coupons"][~frames["coupons"]["_malformed"]]
    issued = coupon_rows[coupon_rows["event"] == "ISSUED"]
    redeemed_codes = set(coupon_rows.loc[coupon_rows["event"] == "REDEEMED", "coupon_code"])
    return {
        "store_purchases": len(store_sales),
        "store_purchases_after_online_research": _researched(store_sales, online_research),
        "online_purchases": len(online_orders),
        "online_purchases_after_store_visit": _researched(online_orders, store_visits),
        "coupons_issued": len(issued),
        "coupons_redeemed": int(issued["coupon_code"].isin(redeemed_codes).sum()),
    }
