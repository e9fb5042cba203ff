"""Write-side operations on members, by sub-domain; import them from here."""

from members.services.accounts import (
    member_anonymise,
    member_correct,
    member_delete_self,
    member_export,
    member_register,
)
from members.services.audit import audit_record
from members.services.credit import member_credit_check, member_set_score_override
from members.services.standing import (
    member_blacklist,
    member_blacklist_lift,
    member_tier_refresh,
    member_tiers_refresh,
    quota_exception_grant,
    quota_exception_revoke,
    recorded_drive_add,
)

__all__ = [
    "audit_record",
    "member_anonymise",
    "member_blacklist",
    "member_blacklist_lift",
    "member_correct",
    "member_credit_check",
    "member_delete_self",
    "member_export",
    "member_register",
    "member_set_score_override",
    "member_tier_refresh",
    "member_tiers_refresh",
    "quota_exception_grant",
    "quota_exception_revoke",
    "recorded_drive_add",
]
