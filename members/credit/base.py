"""The credit providers' interface and shared helpers (``members.credit`` re-exports them)."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date

from django.conf import settings


@dataclass(frozen=True)
class CreditRequest:
    """What a provider may know about the person. The ID number is in clear: keep it in memory."""

    member_id: int
    id_number: str
    full_name: str
    date_of_birth: date | None
    sandbox_score_override: int | None = None


@dataclass(frozen=True)
class CreditAnswer:
    score: int
    reference: str


class CreditProviderError(Exception):
    """The provider gave no usable answer (down, slow, refused us, or answered nonsense)."""


class CreditProviderUnavailable(CreditProviderError):
    """Worth trying again later: timeouts, connection errors, 5xx, malformed answers."""


class CreditSubjectNotFound(CreditProviderError):
    """The bureau has no file for this person; trying again will not help."""


class CreditProvider(ABC):
    name: str

    @abstractmethod
    def fetch(self, request: CreditRequest) -> CreditAnswer:
        """The person's current score. Raises ``CreditProviderError`` and nothing else."""


def score_in_scale(score: object) -> bool:
    return (
        isinstance(score, int)
        and not isinstance(score, bool)
        and settings.CREDIT_SCORE_MIN <= score <= settings.CREDIT_SCORE_MAX
    )


def band_for_score(score: int) -> str:
    """The band a score falls in, from ``CREDIT_BANDS`` (lower bounds, ascending)."""
    band = settings.CREDIT_BANDS[0][1]
    for lower, name in settings.CREDIT_BANDS:
        if score >= lower:
            band = name
    return band
