"""Credit providers: where a member's Zhima-style score (350–950) comes from.

``CreditProvider`` is the interface; ``credit_provider()`` returns the one ``CREDIT_PROVIDER``
names: ``sandbox`` (deterministic and offline, the default) or ``http`` (a bureau; its contract
is in docs/CREDIT_BUREAU.md). Providers only fetch; ``members.services.member_credit_check``
stores the report and derives the tier.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from members.credit.base import (
    CreditAnswer,
    CreditProvider,
    CreditProviderError,
    CreditProviderUnavailable,
    CreditRequest,
    CreditSubjectNotFound,
    band_for_score,
    score_in_scale,
)
from members.credit.http import HttpCreditProvider
from members.credit.sandbox import SandboxCreditProvider

__all__ = [
    "CreditAnswer",
    "CreditProvider",
    "CreditProviderError",
    "CreditProviderUnavailable",
    "CreditRequest",
    "CreditSubjectNotFound",
    "band_for_score",
    "credit_provider",
    "score_in_scale",
]


def credit_provider() -> CreditProvider:
    providers: dict[str, type[CreditProvider]] = {
        "sandbox": SandboxCreditProvider,
        "http": HttpCreditProvider,
    }
    try:
        return providers[settings.CREDIT_PROVIDER]()
    except KeyError:
        raise ImproperlyConfigured(
            f"CREDIT_PROVIDER={settings.CREDIT_PROVIDER!r}: use one of {sorted(providers)}"
        ) from None
