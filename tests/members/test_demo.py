"""The demo accounts: one Super Member, one below the credit bar."""

from io import StringIO

import pytest
from django.core.management import call_command

from members.models import Member, Tier
from members.selectors import member_standing

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_super_member_and_a_member_below_the_bar() -> None:
    call_command("demo_load", stdout=StringIO())
    call_command("demo_load", stdout=StringIO())

    from django.utils import timezone

    super_member = Member.objects.get(user__username="super@demo.vendingstore.cn")
    basic = Member.objects.get(user__username="basic@demo.vendingstore.cn")
    assert super_member.tier == Tier.SUPER
    assert basic.tier == Tier.STANDARD
    assert super_member.credit_reports.count() == basic.credit_reports.count() == 1
    basic_rules = {r.code: r.passed for r in member_standing(member=basic, at=timezone.now()).rules}
    assert basic_rules["credit_score"] is False
    assert basic_rules["age"]
    assert basic_rules["driving_licence"]
