"""The sandbox bureau: a score that depends only on the ID number and a seed.

The same person always gets the same score (so demos and tests are reproducible), different
people are spread over the whole scale, and staff can pin a member's score with an override.
"""

import hashlib
import hmac

from django.conf import settings

from members.credit.base import CreditAnswer, CreditProvider, CreditRequest


def sandbox_score(*, id_number: str, seed: str) -> int:
    digest = hmac.new(seed.encode(), id_number.encode(), hashlib.sha256).digest()
    span = settings.CREDIT_SCORE_MAX - settings.CREDIT_SCORE_MIN + 1
    return settings.CREDIT_SCORE_MIN + int.from_bytes(digest[:8], "big") % span


class SandboxCreditProvider(CreditProvider):
    name = "sandbox"

    def fetch(self, request: CreditRequest) -> CreditAnswer:
        if request.sandbox_score_override is not None:
            return CreditAnswer(score=request.sandbox_score_override, reference="sandbox-override")
        score = sandbox_score(id_number=request.id_number, seed=settings.CREDIT_SANDBOX_SEED)
        return CreditAnswer(score=score, reference="sandbox")
