"""The payment interface: test-drive fees, late fees, purchases and financing.

A real store plugs in its acquirer; ``sandbox`` (the default) settles every charge at once,
except amounts ending in 13 CNY, which it declines, so tests and demos can see a failure.
Every call carries our own ``reference``: a provider must treat it as the idempotency key, so a
retried charge is never taken twice.
"""

import logging
import uuid
from dataclasses import dataclass
from typing import Literal, Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

ChargeStatus = Literal["paid", "failed"]


@dataclass(frozen=True)
class ChargeResult:
    status: ChargeStatus
    provider_reference: str
    failure_reason: str = ""


@dataclass(frozen=True)
class FinanceResult:
    approved: bool
    provider_reference: str
    monthly_payment_cny: int = 0


class PaymentProvider(Protocol):
    name: str

    def charge(self, *, reference: str, amount_cny: int, description: str) -> ChargeResult: ...

    def refund(self, *, reference: str, amount_cny: int) -> bool: ...

    def finance(self, *, reference: str, amount_cny: int, term_months: int) -> FinanceResult: ...


class SandboxPaymentProvider:
    name = "sandbox"

    def charge(self, *, reference: str, amount_cny: int, description: str) -> ChargeResult:
        ref = f"sbx-{uuid.uuid5(uuid.NAMESPACE_URL, reference).hex[:16]}"
        if amount_cny % 100 == 13:
            return ChargeResult(status="failed", provider_reference=ref, failure_reason="card_declined")
        logger.info("sandbox payment %s: %s CNY for %s", reference, amount_cny, description)
        return ChargeResult(status="paid", provider_reference=ref)

    def refund(self, *, reference: str, amount_cny: int) -> bool:
        logger.info("sandbox refund %s: %s CNY", reference, amount_cny)
        return True

    def finance(self, *, reference: str, amount_cny: int, term_months: int) -> FinanceResult:
        # Flat 3% a year, repaid monthly: a believable number for the demo, not an offer.
        monthly = round(amount_cny * (1 + 0.03 * term_months / 12) / term_months)
        ref = f"sbx-fin-{uuid.uuid5(uuid.NAMESPACE_URL, reference).hex[:12]}"
        return FinanceResult(approved=True, provider_reference=ref, monthly_payment_cny=monthly)


_PROVIDERS: dict[str, type] = {"sandbox": SandboxPaymentProvider}


def payment_provider() -> PaymentProvider:
    try:
        return _PROVIDERS[settings.TESTDRIVE_PAYMENT_PROVIDER]()
    except KeyError as exc:
        raise RuntimeError(
            f"Unknown TESTDRIVE_PAYMENT_PROVIDER {settings.TESTDRIVE_PAYMENT_PROVIDER!r}"
        ) from exc
