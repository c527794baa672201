"""The problem table: every code of the partner API has a message and a place on the page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checkout import problems
from checkout.problems import describe_more_details, explain_problem
from storefront.upstream import schemas

API_NOTES = Path("/work/shared/API-NOTES.md")


def test_every_validation_code_of_the_sandbox_has_an_entry():
    from storefront.sandbox.validation import PROBLEM_CODES

    assert set(PROBLEM_CODES) <= set(problems.PROBLEMS)
    assert set(problems.VALIDATION_CODES) == set(PROBLEM_CODES)


@pytest.mark.skipif(not API_NOTES.exists(), reason="API notes not on this machine")
def test_every_code_named_in_the_api_notes_has_an_entry():
    text = API_NOTES.read_text().split("## Validation problems", 1)[1].split("## Order states", 1)[0]
    codes = set(re.findall(r"\b[A-Z][A-Z_]{5,}\b", text)) - {"COUPON_NOT_VALID_FOR_USER"}
    codes |= {f"COUPON_NOT_VALID_FOR_{k}" for k in ("USER", "CATEGORY", "KIND", "BRAND", "COUNTRY", "STORE")}
    missing = {code for code in codes if code not in problems.PROBLEMS}
    assert missing == set()


@pytest.mark.parametrize("code", [*problems.VALIDATION_CODES, *problems.HTTP_CODES])
def test_each_code_has_a_sentence_and_a_place(code):
    explained = explain_problem(code)
    assert explained.message and code not in explained.message
    assert explained.field in (None, "email", "payment", "full_name", "promo_code", "beneficiary", "items")


@pytest.mark.parametrize(
    "code",
    [
        "KYC_MISSING",
        "KYC_PENDING",
        "VERIFICATION_REQUIRED",
        "DAILY_SPENDING_LIMIT_EXCEEDED",
        "MONTHLY_SPENDING_LIMIT_EXCEEDED",
    ],
)
def test_compliance_problems_say_what_the_shopper_can_do(code):
    assert explain_problem(code).action


def test_kyc_pending_tells_how_long_it_usually_takes():
    assert "20 minutes" in explain_problem("KYC_PENDING").text
    assert "48 hours" in explain_problem("KYC_PENDING").text


def test_allowed_payment_methods_are_put_into_words():
    text = describe_more_details("NOT_ALLOWED_PAYMENT_VIA", ["USER_WALLET"])
    assert text == "Allowed payment methods: your own wallet (USER_WALLET)."


def test_supported_coin_network_pairs_are_put_into_words():
    text = describe_more_details(
        "UNSUPPORTED_PROTOCOL_COIN_COMBINATION",
        [{"coin": "USDC", "network": "Solana"}, {"coin": "USDT", "network": "Tron"}],
    )
    assert text == "Supported coin and network pairs: USDC on Solana, USDT on Tron."


def test_range_limits_are_put_into_words():
    text = describe_more_details(
        "AMOUNT_LESS_THEN_MINIMUM_ALLOWED", {"min": "5", "max": "500", "currency": "USD"}
    )
    assert text == "Allowed amounts: 5 to 500 USD."


def test_spending_limit_amount_is_put_into_words():
    assert "1000 USD" in explain_problem("DAILY_SPENDING_LIMIT_EXCEEDED", {"limit_usd": "1000"}).text


def test_an_item_problem_names_the_item():
    explained = explain_problem(
        "OUT_OF_STOCK", {"brand_name": "Airbnb", "country_code": "US", "denomination": "500 USD"}
    )
    assert explained.message.startswith("Airbnb 500 USD:")


def test_an_unknown_code_still_gets_an_honest_message():
    explained = explain_problem("SOMETHING_NEW")
    assert explained.field is None
    assert "SOMETHING_NEW" in explained.message
    assert "Nothing was ordered" in explained.action


def test_unhelpful_more_details_add_nothing():
    assert describe_more_details("OUT_OF_STOCK", None) == ""
    assert describe_more_details("OUT_OF_STOCK", {"weird": 1}) == ""


# -- the live API's validation answer ----------------------------------------------------------------

LIVE_FIXTURES = Path(__file__).resolve().parents[1] / "contract" / "fixtures"


def _live(name: str) -> schemas.ValidationResult:
    return schemas.ValidationResult.model_validate(json.loads((LIVE_FIXTURES / name).read_text()))


def test_live_problems_with_details_as_object_or_string_are_explained_in_the_shops_words():
    live = _live("validation_problems.json").problems
    explained = {p.problem: explain_problem(p.problem, p.more_details) for p in live}
    assert set(explained) == {
        "KYC_MISSING", "UNSUPPORTED_PROTOCOL_COIN_COMBINATION", "NOT_ALLOWED_PAYMENT_VIA", "OUT_OF_STOCK"}
    allowed = explained["NOT_ALLOWED_PAYMENT_VIA"].details
    assert allowed == "Allowed payment methods: your own wallet (USER_WALLET)."
    assert explained["UNSUPPORTED_PROTOCOL_COIN_COMBINATION"].details == (
        "Supported networks: Solana, Ethereum, Base, Arbitrum, Polygon (Matic).")
    assert explained["KYC_MISSING"].message.startswith("Cryptorefills needs to verify your identity")
    everything = " ".join(p.text for p in explained.values())
    # The upstream's own sentences and structures are never shown as they come.
    assert "unverified spending limit" not in everything and "{" not in everything and "[" not in everything


def test_a_live_answer_with_problems_null_or_empty_is_valid():
    assert _live("validation_ok.json").is_valid
    assert _live("validation_ok_empty_list.json").is_valid
