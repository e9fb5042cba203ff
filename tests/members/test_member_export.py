"""The member's own data, as JSON: complete, in clear for them, audited."""

import json

import pytest

from members.models import AuditAction, Member
from members.selectors import member_id_number
from members.services import member_blacklist, member_export
from tests.factories import CreditReportFactory

pytestmark = pytest.mark.django_db


def test_it_exports_everything_held_about_the_member(member: Member, staff) -> None:
    CreditReportFactory(member=member, score=705)
    member_blacklist(member=member, actor=staff, reason="test")

    data = member_export(member=member, actor=member.user)

    json.dumps(data)  # JSON-ready as it is
    assert data["account"]["email"] == "li@example.com"
    assert data["identity"]["id_number"] == member_id_number(member=member)
    assert data["identity"]["driving_licence_number"].startswith("DL")
    assert data["credit_reports"][0]["score"] == 705
    assert data["membership"]["blacklisted"] is True
    assert {"blacklisted"} <= {event["what"] for event in data["history"]}


def test_every_export_is_audited(member: Member) -> None:
    member_export(member=member, actor=member.user)

    assert member.audit_events.filter(action=AuditAction.DATA_EXPORTED, actor=member.user).exists()
