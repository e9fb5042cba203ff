"""fleet.pricing: the purchase tax by date and powertrain, the breakdown, and the finance quote
that the model page, the API, the cards and the purchase all use."""

import math
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from fleet.pricing import (
    FinanceRefused,
    finance_lowest_monthly,
    finance_quote,
    price_breakdown,
    purchase_tax,
)
from tests.factories import CarModelFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("powertrain", "price", "range_km", "on", "tax"),
    [
        # 10 % of the price net of 13 % VAT: 200,000 / 1.13 × 10 % = 17,699.12
        ("ice", 200_000, None, date(2026, 6, 1), 17_699),
        ("hev", 200_000, None, date(2025, 6, 1), 17_699),
        # 2024-2025: new-energy cars exempt up to 30,000 of tax
        ("bev", 300_000, 500, date(2025, 6, 1), 0),
        ("bev", 400_000, 500, date(2025, 12, 31), 35_398 - 30_000),
        # 2026-2027: halved, the relief capped at 15,000
        ("bev", 200_000, 500, date(2026, 1, 1), 8_850),
        ("bev", 500_000, 500, date(2027, 12, 31), 44_248 - 15_000),
        # from 2026 a plug-in needs 100 km of electric range for the relief
        ("phev", 200_000, 80, date(2026, 6, 1), 17_699),
        ("phev", 200_000, 80, date(2025, 6, 1), 0),
        ("erev", 200_000, 180, date(2026, 6, 1), 8_850),
        # the edges: at least 100 km from 2026 (MIIT/MoF/STA 2025 No. 24), 43 km before
        ("phev", 200_000, 100, date(2026, 1, 1), 8_850),
        ("phev", 200_000, 99, date(2026, 1, 1), 17_699),
        ("phev", 200_000, 43, date(2025, 12, 31), 0),
        ("phev", 200_000, 42, date(2025, 12, 31), 17_699),
        # 2028: the full tax
        ("bev", 200_000, 500, date(2028, 1, 1), 17_699),
    ],
)
def test_the_purchase_tax_follows_the_rules_in_force_on_the_day(
    powertrain: str, price: int, range_km: int | None, on: date, tax: int
) -> None:
    car = CarModelFactory.build(powertrain=powertrain, msrp_cny=price, electric_range_km=range_km)
    assert purchase_tax(car_model=car, on=on)[0] == tax


def test_the_breakdown_adds_registration_insurance_and_names_the_relief(settings) -> None:
    settings.PRICE_REGISTRATION_FEES_CNY = 600
    settings.PRICE_INSURANCE_ESTIMATE_SHARE = 0.03
    car = CarModelFactory.build(powertrain="bev", msrp_cny=200_000, seats=5)

    breakdown = price_breakdown(car_model=car, on=date(2026, 6, 1))

    assert breakdown.registration_fees_cny == 600
    assert breakdown.insurance_estimate_cny == 950 + 6_000
    assert "2023 No. 10" in breakdown.tax_relief_source
    assert "2025 No. 24" in breakdown.tax_relief_source  # the technical requirements for 2026-2027
    assert breakdown.total_cny == 200_000 + 8_850 + 600 + 6_950


def test_a_seven_seater_pays_the_larger_compulsory_insurance(settings) -> None:
    settings.PRICE_INSURANCE_ESTIMATE_SHARE = 0
    car = CarModelFactory.build(msrp_cny=300_000, seats=7)
    assert price_breakdown(car_model=car, on=date(2026, 6, 1)).insurance_estimate_cny == 1_100


def test_the_monthly_payment_is_the_annuity_rounded_up_to_the_fen(settings) -> None:
    settings.FINANCE_ANNUAL_RATE_PCT = 3.99
    quote = finance_quote(price_cny=200_000, down_payment_cny=40_000, term_months=36)

    r = 0.0399 / 12
    exact = 160_000 * r / (1 - (1 + r) ** -36)
    assert quote.financed_cny == 160_000
    assert quote.monthly_payment == Decimal(str(math.ceil(exact * 100) / 100))
    assert quote.total_interest > 0


def test_without_interest_the_loan_is_split_evenly(settings) -> None:
    settings.FINANCE_ANNUAL_RATE_PCT = 0
    assert finance_quote(
        price_cny=100_000, down_payment_cny=28_000, term_months=12
    ).monthly_payment == Decimal("6000.00")


@pytest.mark.parametrize(
    ("down", "term", "message"),
    [(1_000, 36, "at least 40000 CNY"), (200_000, 36, "less than the price"), (50_000, 18, "12, 24, 36, 60")],
)
def test_it_refuses_what_the_store_does_not_finance(down: int, term: int, message: str) -> None:
    with pytest.raises(FinanceRefused, match=message):
        finance_quote(price_cny=200_000, down_payment_cny=down, term_months=term)


def test_the_model_page_shows_the_breakdown_and_the_calculator(client: Client) -> None:
    car = CarModelFactory(msrp_cny=200_000)

    page = client.get(car.get_absolute_url()).content.decode()
    assert "Purchase tax" in page
    assert "On the road" in page
    lowest = finance_lowest_monthly(price_cny=200_000)
    assert f'data-monthly="{lowest}"' in page

    chosen = client.get(car.get_absolute_url(), {"down": "100000", "term": "24"}).content.decode()
    quote = finance_quote(price_cny=200_000, down_payment_cny=100_000, term_months=24)
    assert f'data-monthly="{quote.monthly_payment}"' in chosen


@pytest.mark.parametrize("params", [{"down": "lots", "term": "36"}, {"down": "1000"}, {"term": "7"}])
def test_a_bad_calculator_value_is_named_not_a_500(client: Client, params: dict) -> None:
    car = CarModelFactory(msrp_cny=200_000)
    response = client.get(car.get_absolute_url(), params)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_cards_say_from_how_much_a_month(client: Client) -> None:
    CarModelFactory(msrp_cny=200_000)
    page = client.get(reverse("fleet:catalogue")).content.decode()
    lowest = math.ceil(finance_lowest_monthly(price_cny=200_000))
    assert f"from ¥{lowest:,} / month" in page


def test_the_api_gives_the_breakdown_and_the_quote(client: Client) -> None:
    car = CarModelFactory(msrp_cny=200_000, powertrain="bev")
    url = reverse("api-carmodel-price", args=[car.slug])

    body = client.get(url, {"down_payment_cny": 60_000, "term_months": 24, "on": "2026-06-01"}).json()

    assert body["breakdown"]["purchase_tax_cny"] == 8_850
    assert body["finance"]["financed_cny"] == 140_000
    quote = finance_quote(price_cny=200_000, down_payment_cny=60_000, term_months=24)
    assert Decimal(body["finance"]["monthly_payment"]) == quote.monthly_payment
    assert client.get(url, {"term_months": 18}).status_code == 400
    assert client.get(url, {"on": "someday"}).status_code == 400
    assert client.get(reverse("api-carmodel-price", args=["nope"])).status_code == 404
