"""Every rate of the sample generator in one place: how often people recur, vary and how dirty the silos are."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rates:
    """Probabilities (0..1) the generator draws against; change them here, nowhere else."""

    # Which silos know a person (a person is in at least one; CRM is the fallback).
    in_crm: float = 0.55
    in_webshop: float = 0.50
    in_erp_with_webshop: float = 0.45  # webshop buyers who pay by invoice become ERP debtors
    in_erp_without_webshop: float = 0.08
    in_support: float = 0.15
    in_newsletter: float = 0.30
    in_pos: float = 0.40

    # Within-source duplicates: a second (third) record of the same person in the same silo.
    crm_duplicate: float = 0.06
    crm_triplicate: float = 0.01
    webshop_second_account: float = 0.08
    erp_second_debtor: float = 0.05
    pos_second_card: float = 0.07

    # Households and look-alikes: person k relates to person k-1 (never in chains).
    spouse: float = 0.06
    spouse_takes_name: float = 0.7
    shared_household_email: float = 0.5
    twin: float = 0.008  # same last name, address and birth date, other first name
    sibling: float = 0.01  # same last name and address, other birth date
    junior: float = 0.006  # same first and last name and address, a generation apart
    namesake: float = 0.03  # same first and last name, otherwise a different person
    namesake_same_city: float = 0.4
    foreign_name: float = 0.05  # a name from another of the six countries

    # Life events between older and newer records of a person.
    name_change: float = 0.10  # women marrying (applies to women; men at a tenth of it)
    double_name: float = 0.2  # of name changes: "Schmidt-Müller"
    move: float = 0.12
    move_same_city: float = 0.6
    email_change: float = 0.15
    email_change_at_name_change: float = 0.5
    phone_change: float = 0.10
    compound_first_name: float = 0.04  # Hans-Peter, Anna-Lena (DACH)
    title: float = 0.04  # Dr., Mag. … (DACH)

    # Variation of a single record (per field).
    old_record: float = 0.35  # a record of someone with life events shows the old name/address/email
    nickname: float = 0.12
    ascii_fold: float = 0.12  # ü -> ue, ø -> oe, å -> aa
    sharp_s_as_ss: float = 0.25  # ß -> ss (Swiss records always)
    typo: float = 0.03  # 1-2 character edits
    swapped_names: float = 0.01
    title_in_first_name: float = 0.3  # of titled persons: "Dr. Hans" in the first-name field
    upper_case_last_name: float = 0.25  # ERP writes many last names in capitals
    street_abbreviation: float = 0.4  # ERP: "Hauptstr. 12"
    compound_first_name_variant: float = 0.3  # "Hans-Peter" -> "Hans Peter" / "Hanspeter"
    whitespace: float = 0.02  # stray leading/trailing/double spaces
    email_case: float = 0.08
    email_plus_tag: float = 0.15  # webshop logins: anna+shop@…
    postcode_country_prefix: float = 0.05  # "D-10115", "CH-8001", "SE-114 55"

    # Missing values: share of records per silo kind whose field is empty.
    missing: dict[str, dict[str, float]] = field(
        default_factory=lambda: {
            "crm": {"birth_date": 0.2, "email": 0.1, "phone": 0.3, "salutation": 0.05},
            "webshop": {"birth_date": 0.5, "phone": 0.4},
            "erp": {"birth_date": 0.6, "email": 0.3, "phone": 0.35, "salutation": 0.05},
            "support": {"email": 0.1, "phone": 0.7},
            "newsletter": {"first_name": 0.3},
            "pos": {"birth_date": 0.3, "email": 0.5, "phone": 0.5},
        }
    )
    missing_first_name: float = 0.02  # in any silo

    # Dirt for the silver stage.
    invalid_email: float = 0.01
    invalid_phone: float = 0.01
    impossible_date: float = 0.02  # 31.02.1985, month 13, or a placeholder 1900-01-01 where a real DATE is needed
    unmapped_support_label: float = 0.01
    malformed_row: float = 0.004  # wrong CSV field count, broken JSON line (such records are not in the ground truth)

    # Activity.
    orders_mean: float = 2.5
    order_returned: float = 0.12
    order_cancelled: float = 0.06
    pos_receipts_mean: float = 3.0
    pos_visit_without_purchase: float = 0.15
    pos_receipt_returned: float = 0.04
    pay_by_invoice: float = 0.7  # of the orders of ERP debtors
    erp_quotes_crm_number: float = 0.5
    invoice_paid_late: float = 0.12
    invoice_unpaid: float = 0.08
    purchase_in_home_store: float = 0.8
    partial_refund: float = 0.3
    support_tickets_mean: float = 1.6
    support_ticket_left_open: float = 0.05
    newsletter_optout: float = 0.25
    newsletter_resignup: float = 0.3
    marketing_consent: float = 0.45

    # Touchpoints (sample_silos/touchpoints.py): web analytics, newsletter clicks, coupons, click and collect.
    ropo: float = 0.30  # a store purchase of a person with a webshop account follows online research of its category
    showrooming: float = 0.20  # a webshop order of a loyalty member follows a store visit to its department
    research_days: tuple[int, int] = (0, 12)  # that research happens this many days before the purchase
    browsing_sessions_mean: float = 3.0  # web sessions per account that lead to no particular purchase
    anonymous_session: float = 0.4  # a session browses anonymously and logs in at its end (else logged in first)
    app_session: float = 0.3  # a session in the app (else the website)
    visitor_sessions: float = 0.1  # sessions of visitors without account (never log in) per person
    newsletter_clicks_mean: float = 1.5  # clicks per newsletter opt-in
    coupons_mean: float = 0.8  # coupons per loyalty member (street promotion, in store, by e-mail)
    coupon_redeemed: float = 0.35
    coupon_redeemed_online: float = 0.4  # of redeemed coupons: in the webshop (else at the till)
    click_and_collect: float = 0.15  # webshop orders picked up in a store

    # Share of phone number styles per silo kind: e164, +cc spaced, 00cc, national spaced, national compact, +cc (0).
    phone_styles: dict[str, tuple[float, ...]] = field(
        default_factory=lambda: {
            "crm": (0.25, 0.25, 0.1, 0.25, 0.1, 0.05),
            "webshop": (0.5, 0.3, 0.05, 0.1, 0.05, 0.0),
            "erp": (0.05, 0.1, 0.2, 0.45, 0.15, 0.05),
            "support": (0.2, 0.2, 0.1, 0.3, 0.2, 0.0),
            "pos": (0.1, 0.1, 0.05, 0.35, 0.4, 0.0),
        }
    )


DEFAULT_RATES = Rates()
"""The rates `generate-sample` uses."""
