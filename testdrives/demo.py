"""Demo set-up for test drives: demo members consent to face pickup, one kiosk per store.

Idempotent. The kiosk tokens are fixed and printed by ``bin/run`` so a demo can sign a browser in
as a kiosk; a real store makes its kiosks in the admin, where each token is shown once.
"""

from django.contrib.auth import get_user_model

from biometrics.services import consent_give
from fleet.models import Store
from members.demo import MEMBERS
from members.models import Member
from testdrives.models import Kiosk
from testdrives.services.kiosks import kiosk_token_hash


def demo_kiosk_token(store: Store) -> str:
    return f"demo-kiosk-{store.slug}"


def demo_load_testdrives() -> dict[str, int]:
    for member in Member.objects.filter(user__email__in=[email for email, *_ in MEMBERS]):
        consent_give(member=member, language=member.preferred_language)
    staff = get_user_model().objects.filter(is_staff=True).order_by("pk").first()
    kiosks = 0
    for store in Store.objects.all():
        _, created = Kiosk.objects.get_or_create(
            token_hash=kiosk_token_hash(demo_kiosk_token(store)),
            defaults={"store": store, "name": "Demo kiosk", "created_by": staff},
        )
        kiosks += created
    return {"kiosks": kiosks}
