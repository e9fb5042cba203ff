"""Demo accounts: one staff user and two members, one a Super Member and one below the credit bar.

Idempotent: existing accounts, passwords, overrides and fresh reports are kept. The scores come
from the sandbox provider with a staff override (780 and 620), so they do not depend on the
seed; a member whose newest report has expired gets a new one on the next run.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from members.identity import id_number_check_digit, secret_encrypt, secret_store
from members.models import Member
from members.selectors import creditreport_newest
from members.services import member_credit_check, member_set_score_override, member_tier_refresh

STAFF = ("staff", "vendingstore-staff")
MEMBER_PASSWORD = "vendingstore-demo"


def demo_id_number(born: date, serial: int) -> str:
    """A well-formed resident ID number of a Shanghai resident born on ``born``.

    Serials below 1000 share Huangpu's area code (310101); larger ones move to the next codes, so
    tests can draw as many distinct numbers for one birthday as they need.
    """
    first17 = f"{310101 + serial // 1000:06d}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_number_check_digit(first17)


# email, full name, mobile, language, date of birth, sandbox score; the first qualifies as a
# Super Member, the second falls below the credit bar (and may book with a fee).
MEMBERS = [
    ("super@demo.vendingstore.cn", "Li Wei", "+8613800000001", "zh-hans", date(1990, 5, 12), 780),
    ("basic@demo.vendingstore.cn", "Zhang Min", "+8613800000002", "en", date(1996, 11, 3), 620),
]


def demo_load_accounts() -> dict[str, int]:
    """Create the demo accounts that are missing and give each member a current credit report."""
    staff = _staff()
    for index, (email, full_name, mobile, language, born, score) in enumerate(MEMBERS, start=1):
        member = _member(email, full_name, mobile, language)
        _complete_identity(member, born, serial=100 + index)
        if member.sandbox_score_override is None:
            member_set_score_override(member=member, actor=staff, score=score, reason="Demo account")
        _ensure_report(member, staff)
    return {"members": len(MEMBERS)}


def _staff() -> User:
    user_model = get_user_model()
    username, password = STAFF
    staff = user_model.objects.filter(username=username).first()
    if staff is None:
        staff = user_model.objects.create_superuser(
            username=username, email="staff@demo.vendingstore.cn", password=password
        )
    return staff


@transaction.atomic
def _member(email: str, full_name: str, mobile: str, language: str) -> Member:
    user_model = get_user_model()
    user = user_model.objects.filter(username=email).first()
    if user is None:
        user = user_model.objects.create_user(username=email, email=email, password=MEMBER_PASSWORD)
    member, _ = Member.objects.get_or_create(
        user=user, defaults={"full_name": full_name, "mobile": mobile, "preferred_language": language}
    )
    return member


def _complete_identity(member: Member, born: date, *, serial: int) -> None:
    """Fill in identity and licence for demo rows made before they were required."""
    if member.id_number_hash:
        return
    identity = secret_store(demo_id_number(born, serial))
    member.date_of_birth = born
    member.id_number_hash, member.id_number_encrypted = identity.hash, identity.encrypted
    member.id_number_last4 = identity.last4
    licence = f"DL{born:%Y%m%d}{serial:04d}"
    member.licence_number_encrypted, member.licence_number_last4 = secret_encrypt(licence), licence[-4:]
    member.licence_expires_on = date(timezone.localdate().year + 6, 12, 31)
    member.save()


def _ensure_report(member: Member, staff: User) -> None:
    report = creditreport_newest(member=member)
    if report is not None and report.expires_at > timezone.now():
        member_tier_refresh(member=member)
        return
    # Never send demo identities to a real bureau.
    if settings.CREDIT_PROVIDER == "sandbox":
        member_credit_check(member=member, requested_by=staff, by_staff=True)
