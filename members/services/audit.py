from typing import Any

from django.contrib.auth.models import User

from members.errors import ReasonRequired
from members.models import Member, MemberAuditEvent


def audit_record(
    *,
    member: Member,
    action: str,
    actor: User | None,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> MemberAuditEvent:
    """Append one event to the member's audit history. ``actor`` None means the system acted."""
    return MemberAuditEvent.objects.create(
        member=member,
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        reason=reason,
        data=data or {},
    )


def audit_reason_checked(reason: str) -> str:
    """The reason staff gave, stripped; raises ReasonRequired when there is none."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    return reason
