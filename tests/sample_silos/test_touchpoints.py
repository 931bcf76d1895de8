"""Touchpoints of the sample: web sessions log in on their cookie, research precedes purchases as drawn, the truth counts it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from golden_record.sample_silos.generator import JOURNEY_TRUTH_FILE, generate, write_sample
from golden_record.sample_silos.rates import DEFAULT_RATES, Rates
from golden_record.sample_silos.touchpoints import journey_truth


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """The silos of 1,500 persons, seed 7."""
    return next(generate(1_500, 7))


def test_every_anonymous_view_of_a_customer_has_a_login_of_its_account_on_the_same_cookie(frames) -> None:
    web = frames["web_analytics"]
    customers = web[~web["_visitor"]]
    logins = customers[customers["event"] == "login"].groupby("cookie_id")["account_id"].agg(set)
    anonymous = customers[customers["account_id"].isna()]
    assert len(anonymous) > 0.2 * len(customers[customers["event"] == "product_view"]), "many views happen before the login"
    assert all(logins[c] == {str(int(a))} for c, a in zip(anonymous["cookie_id"], anonymous["_account"])), "one account per cookie: stitching is exact"
    visitors = web[web["_visitor"]]
    assert len(visitors) and visitors["account_id"].isna().all() and not visitors["cookie_id"].isin(logins.index).any()


def test_research_before_store_purchases_follows_the_ropo_rate(frames) -> None:
    none = Rates(ropo=0.0, showrooming=0.0)
    drawn = journey_truth(frames)
    baseline = journey_truth(next(generate(1_500, 7, none)))
    assert drawn["store_purchases"] == baseline["store_purchases"], "the rate adds research, not purchases"
    assert drawn["store_purchases_after_online_research"] > baseline["store_purchases_after_online_research"] + 0.08 * drawn["store_purchases"]
    assert drawn["online_purchases_after_store_visit"] > baseline["online_purchases_after_store_visit"] + 0.04 * drawn["online_purchases"]
    assert 0 < drawn["coupons_redeemed"] < drawn["coupons_issued"]


def test_write_sample_writes_the_journey_truth(tmp_path: Path) -> None:
    write_sample(tmp_path, 400, 3, crm=None)
    truth = json.loads((tmp_path / JOURNEY_TRUTH_FILE).read_text(encoding="utf-8"))
    assert truth["window_days"] == 14 and truth["rates"]["ropo"] == DEFAULT_RATES.ropo
    assert truth["ropo_share"] == round(truth["store_purchases_after_online_research"] / truth["store_purchases"], 4)
    assert 0 < truth["showrooming_share"] < 1 and 0 < truth["coupon_conversion"] < 1
