"""Demo accounts: one staff user and two members (the credit tier arrives with the members issue)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from members.models import Member

STAFF = ("staff", "vendingstore-staff")
MEMBER_PASSWORD = "vendingstore-demo"
# email, full name, mobile, language; the first is meant to qualify as a Super Member,
# the second to fall below the credit bar.
MEMBERS = [
    ("super@demo.vendingstore.cn", "Li Wei", "+8613800000001", "zh-hans"),
    ("basic@demo.vendingstore.cn", "Zhang Min", "+8613800000002", "en"),
]


@transaction.atomic
def demo_load_accounts() -> dict[str, int]:
    """Create the demo accounts that are missing; existing ones (and their passwords) are kept."""
    user_model = get_user_model()
    username, password = STAFF
    if not user_model.objects.filter(username=username).exists():
        user_model.objects.create_superuser(
            username=username, email="staff@demo.vendingstore.cn", password=password
        )
    for email, full_name, mobile, language in MEMBERS:
        user = user_model.objects.filter(username=email).first()
        if user is None:
            user = user_model.objects.create_user(username=email, email=email, password=MEMBER_PASSWORD)
        Member.objects.get_or_create(
            user=user, defaults={"full_name": full_name, "mobile": mobile, "preferred_language": language}
        )
    return {"members": len(MEMBERS)}
