"""Credit checks: ask the provider, store the report, derive the tier again."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.credit import (
    CreditProviderError,
    CreditRequest,
    CreditSubjectNotFound,
    band_for_score,
    credit_provider,
    score_in_scale,
)
from members.errors import (
    CreditBureauUnavailable,
    CreditCheckNeedsIdentity,
    CreditCheckTooSoon,
    CreditFileNotFound,
)
from members.models import AuditAction, CreditReport, Member
from members.selectors import member_id_number
from members.services.audit import audit_reason_checked, audit_record
from members.services.standing import member_tier_refresh

log = logging.getLogger(__name__)

# Longer than one bureau request can take with all its retries: a claim older than this is
# from a process that died mid-check and may be taken over.
CHECK_RUNNING_GUARD = timedelta(minutes=2)


def _claim(member: Member) -> bool:
    """Mark a check as running with a conditional UPDATE; False while another one runs.

    Two clicks (or a member and a staff member) at once make one bureau request, not two.
    """
    now = timezone.now()
    free = Q(credit_check_started_at__isnull=True) | Q(credit_check_started_at__lte=now - CHECK_RUNNING_GUARD)
    return bool(Member.objects.filter(free, pk=member.pk).update(credit_check_started_at=now))


def _release(member: Member) -> None:
    Member.objects.filter(pk=member.pk).update(credit_check_started_at=None)


def _checked_recently(member: Member) -> bool:
    since = timezone.now() - timedelta(seconds=settings.CREDIT_CHECK_MIN_INTERVAL_SECONDS)
    return CreditReport.objects.filter(member=member, fetched_at__gt=since).exists()


def member_credit_check(*, member: Member, requested_by: User, by_staff: bool = False) -> CreditReport:
    """Fetch a new credit report from the configured provider and re-derive the tier.

    Never call inside a transaction: the provider is a network call. A provider failure stores
    nothing, is audited, and raises ``CreditBureauUnavailable`` ("try again later") or
    ``CreditFileNotFound``; it never passes the member and never becomes a 500.
    """
    if not member.id_number_encrypted:
        raise CreditCheckNeedsIdentity()
    # Members wait between checks (each one is an inquiry on their file); staff need not.
    if (not by_staff and _checked_recently(member)) or not _claim(member):
        raise CreditCheckTooSoon(
            _("A credit check was made a moment ago. Please wait a few minutes before checking again.")
        )
    provider = None
    try:
        provider = credit_provider()
        answer = provider.fetch(
            CreditRequest(
                member_id=member.pk,
                id_number=member_id_number(member=member),
                full_name=member.full_name,
                date_of_birth=member.date_of_birth,
                sandbox_score_override=member.sandbox_score_override,
            )
        )
    except CreditProviderError as exc:
        log.warning("credit check for member %s failed: %s", member.pk, exc)
        audit_record(
            member=member,
            action=AuditAction.CREDIT_CHECK_FAILED,
            actor=requested_by,
            data={
                "provider": getattr(provider, "name", settings.CREDIT_PROVIDER),
                "error": type(exc).__name__,
            },
        )
        if isinstance(exc, CreditSubjectNotFound):
            raise CreditFileNotFound() from exc
        raise CreditBureauUnavailable() from exc
    else:
        return _store_report(member, provider.name, answer.score, answer.reference, requested_by)
    finally:
        # Released once the report is stored: a member's next check then finds it and waits.
        _release(member)


@transaction.atomic
def _store_report(
    member: Member, provider: str, score: int, reference: str, requested_by: User
) -> CreditReport:
    now = timezone.now()
    report = CreditReport.objects.create(
        member=member,
        provider=provider,
        score=score,
        band=band_for_score(score),
        reference=reference,
        fetched_at=now,
        expires_at=now + timedelta(days=settings.CREDIT_REPORT_VALID_DAYS),
        requested_by=requested_by,
    )
    audit_record(
        member=member,
        action=AuditAction.CREDIT_CHECKED,
        actor=requested_by,
        data={"report": report.pk, "provider": provider, "score": score, "band": report.band},
    )
    member_tier_refresh(member=member, at=now, actor=requested_by)
    return report


@transaction.atomic
def member_set_score_override(*, member: Member, actor: User, score: int | None, reason: str) -> Member:
    """Pin (or, with None, unpin) the score the sandbox provider answers for this member.

    Takes effect at the next credit check; the real bureau ignores it.
    """
    reason = audit_reason_checked(reason)
    if score is not None and not score_in_scale(score):
        raise ValidationError(
            {
                "score": _("A score is a whole number from %(min)s to %(max)s.")
                % {"min": settings.CREDIT_SCORE_MIN, "max": settings.CREDIT_SCORE_MAX}
            }
        )
    previous = member.sandbox_score_override
    member.sandbox_score_override = score
    member.save(update_fields=["sandbox_score_override"])
    audit_record(
        member=member,
        action=AuditAction.SCORE_OVERRIDE_SET,
        actor=actor,
        reason=reason,
        data={"from": previous, "to": score},
    )
    return member
