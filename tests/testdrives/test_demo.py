from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from fleet.models import CarModel
from members.models import Member
from testdrives.demo import demo_kiosk_token
from testdrives.eligibility import member_eligibility
from testdrives.models import Kiosk
from testdrives.services.kiosks import kiosk_for_token

pytestmark = pytest.mark.django_db


def test_after_the_demo_load_the_super_member_may_book_and_each_store_has_a_kiosk(clock):
    call_command("demo_load", stdout=StringIO())
    call_command("demo_load", stdout=StringIO())  # idempotent

    member = Member.objects.get(user__email="super@demo.vendingstore.cn")
    eligibility = member_eligibility(member=member, car_model=CarModel.objects.first(), at=timezone.now())
    assert eligibility.decision == "allowed"
    assert Kiosk.objects.count() == 2
    for kiosk in Kiosk.objects.select_related("store"):
        assert kiosk_for_token(demo_kiosk_token(kiosk.store)) == kiosk
