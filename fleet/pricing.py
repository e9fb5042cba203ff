"""What a car costs a buyer in China: the price broken down, and the monthly payment of financing.

One place computes both for the model page, the API, the cards ("from ¥X / month") and the
purchase (testdrives.services.purchase calls finance_quote), so what a customer reads is what
they are charged.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from fleet.models import CarModel, Powertrain

# --- Purchase tax (车辆购置税) ------------------------------------------------------------------
# The tax is 10 % of the price net of VAT (Vehicle Purchase Tax Law of the PRC, 2018, art. 4 and
# 6: the taxable price excludes VAT; VAT on cars is 13 %). New-energy vehicles (battery,
# plug-in hybrid, range-extended) are relieved by purchase date (the date on the vehicle sales
# invoice), per MoF/STA/MIIT Announcement 2023 No. 10 (关于延续和优化新能源汽车车辆购置税减免政策
# 的公告): exempt in 2024-2025 up to CNY 30,000 of tax per passenger car; halved in 2026-2027
# with the relief capped at CNY 15,000 per passenger car; the full tax from 2028. Before 2024
# new-energy cars were exempt without a cap (Announcement 2022 No. 27).
#
# Which cars qualify: only models listed in MIIT's catalogue of new-energy models eligible for the
# relief (减免车辆购置税的新能源汽车车型目录); the catalogue follows technical requirements. Until
# 2025 (MIIT/MoF/STA 2021 No. 13, from 2021-10-01) a plug-in or range-extended passenger car needed
# a conditional equivalent all-electric range (有条件的等效全电里程) of at least 43 km. For 2026-2027,
# MIIT/MoF/STA Announcement 2025 No. 24 (9 October 2025, 关于2026-2027年减免车辆购置税新能源汽车
# 产品技术要求的公告) raises it to at least 100 km and adds consumption limits we do not hold:
# plug-ins' charge-sustaining fuel use under 70 % (curb weight < 2,510 kg) or 75 % of the GB
# 19578 limit and electricity use under 140 % / 145 % of the target; battery cars within the
# GB 36980.1-2025 energy limit.
#
# Checked on 2026-12-05 against what the search corpus holds: news reports of the two
# announcements (SteelOrbis and c114pro on the halving and the CNY 15,000 cap; GMT Eight's
# translation of 2025 No. 24's text, Jiemian, China Fund News via Reportify on the 100 km and the
# consumption limits). They agree with each other and with the table below; the official texts on
# gov.cn / miit.gov.cn / chinatax.gov.cn were not available to check word for word. What this code
# cannot verify: the consumption limits (no data) and the catalogue listing itself. We read the
# model's CLTC electric range as the equivalent all-electric range, which is close but not the
# same test figure; a plug-in whose range is near 100 km should be checked against the catalogue.
VAT_RATE = Decimal("0.13")
STANDARD_RATE = Decimal("0.10")
NEW_ENERGY = frozenset({Powertrain.BEV, Powertrain.PHEV, Powertrain.EREV})


@dataclass(frozen=True)
class TaxRule:
    """Relief on the new-energy purchase tax from ``starts`` until ``ends`` (exclusive)."""

    starts: date
    ends: date
    relief_share: Decimal  # of the standard tax
    relief_cap_cny: int | None
    min_plugin_range_km: int  # for plug-in and range-extended cars
    source: str


TAX_RULES: tuple[TaxRule, ...] = (
    TaxRule(date(2023, 1, 1), date(2024, 1, 1), Decimal(1), None, 43, "MoF/STA/MIIT 2022 No. 27"),
    TaxRule(date(2024, 1, 1), date(2026, 1, 1), Decimal(1), 30_000, 43, "MoF/STA/MIIT 2023 No. 10"),
    TaxRule(
        date(2026, 1, 1),
        date(2028, 1, 1),
        Decimal("0.5"),
        15_000,
        100,
        "MoF/STA/MIIT 2023 No. 10; MIIT/MoF/STA 2025 No. 24",
    ),
)
# Compulsory traffic insurance (交强险), first year, private cars: CNY 950 under six seats, 1,100
# from six (CBIRC base premiums).
COMPULSORY_INSURANCE_CNY = {"small": 950, "large": 1_100}


def tax_rule_in_force(*, on: date) -> TaxRule | None:
    return next((rule for rule in TAX_RULES if rule.starts <= on < rule.ends), None)


def _yuan(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def purchase_tax(*, car_model: CarModel, on: date) -> tuple[int, TaxRule | None]:
    """(tax in whole yuan, the relief rule applied or None) for buying ``car_model`` on ``on``."""
    standard = Decimal(car_model.msrp_cny) / (1 + VAT_RATE) * STANDARD_RATE
    rule = tax_rule_in_force(on=on)
    if rule is None or car_model.powertrain not in NEW_ENERGY:
        return _yuan(standard), None
    plugin = car_model.powertrain != Powertrain.BEV
    if plugin and (car_model.electric_range_km or 0) < rule.min_plugin_range_km:
        return _yuan(standard), None
    relief = standard * rule.relief_share
    if rule.relief_cap_cny is not None:
        relief = min(relief, Decimal(rule.relief_cap_cny))
    return _yuan(standard - relief), rule


@dataclass(frozen=True)
class PriceBreakdown:
    msrp_cny: int
    purchase_tax_cny: int
    tax_relief_source: str  # the rule applied, empty when the full tax is due
    registration_fees_cny: int
    insurance_estimate_cny: int
    on: date

    @property
    def total_cny(self) -> int:
        return (
            self.msrp_cny + self.purchase_tax_cny + self.registration_fees_cny + self.insurance_estimate_cny
        )


def price_breakdown(*, car_model: CarModel, on: date) -> PriceBreakdown:
    """The price as a buyer on ``on`` pays it: MSRP, purchase tax, registration and plates, and
    the first year's insurance (an estimate)."""
    tax, rule = purchase_tax(car_model=car_model, on=on)
    compulsory = COMPULSORY_INSURANCE_CNY["large" if car_model.seats >= 6 else "small"]
    commercial = Decimal(car_model.msrp_cny) * Decimal(str(settings.PRICE_INSURANCE_ESTIMATE_SHARE))
    return PriceBreakdown(
        msrp_cny=car_model.msrp_cny,
        purchase_tax_cny=tax,
        tax_relief_source=rule.source if rule else "",
        registration_fees_cny=settings.PRICE_REGISTRATION_FEES_CNY,
        insurance_estimate_cny=compulsory + _yuan(commercial),
        on=on,
    )


# --- Financing ------------------------------------------------------------------------------


class FinanceRefused(ValueError):
    """A down payment or term the store does not offer; the message says what would do."""


@dataclass(frozen=True)
class FinanceQuote:
    price_cny: int
    down_payment_cny: int
    financed_cny: int
    term_months: int
    annual_rate_pct: Decimal
    monthly_payment: Decimal  # yuan and fen

    @property
    def total_interest(self) -> Decimal:
        return self.monthly_payment * self.term_months - self.financed_cny


def finance_terms() -> list[int]:
    return sorted(settings.FINANCE_TERMS_MONTHS)


def finance_min_down_payment(*, price_cny: int) -> int:
    return round(price_cny * settings.FINANCE_MIN_DOWN_PAYMENT_PCT / 100)


def finance_quote(*, price_cny: int, down_payment_cny: int | None, term_months: int | None) -> FinanceQuote:
    """The loan for ``price_cny`` less the down payment over ``term_months``: a fixed-rate annuity
    at FINANCE_ANNUAL_RATE_PCT, the monthly payment rounded up to the fen (the bank never
    collects less than the schedule). Raises FinanceRefused naming what is wrong."""
    terms = finance_terms()
    if term_months not in terms:
        raise FinanceRefused(
            _("Choose a financing term of %(terms)s months.") % {"terms": ", ".join(str(t) for t in terms)}
        )
    minimum = finance_min_down_payment(price_cny=price_cny)
    if down_payment_cny is None or not minimum <= down_payment_cny < price_cny:
        raise FinanceRefused(
            _("The down payment must be at least %(min)s CNY and less than the price.") % {"min": minimum}
        )
    financed = price_cny - down_payment_cny
    rate = Decimal(str(settings.FINANCE_ANNUAL_RATE_PCT))
    monthly_rate = rate / 100 / 12
    if monthly_rate == 0:
        payment = Decimal(financed) / term_months
    else:
        payment = Decimal(financed) * monthly_rate / (1 - (1 + monthly_rate) ** -term_months)
    return FinanceQuote(
        price_cny=price_cny,
        down_payment_cny=down_payment_cny,
        financed_cny=financed,
        term_months=term_months,
        annual_rate_pct=rate,
        monthly_payment=payment.quantize(Decimal("0.01"), rounding=ROUND_CEILING),
    )


def finance_lowest_monthly(*, price_cny: int) -> Decimal:
    """The smallest monthly payment on offer: the minimum down payment over the longest term."""
    return finance_quote(
        price_cny=price_cny,
        down_payment_cny=finance_min_down_payment(price_cny=price_cny),
        term_months=finance_terms()[-1],
    ).monthly_payment
