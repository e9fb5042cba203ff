"""The membership page (testdrives': booking eligibility): tier, credit, quotas and every rule,
each unmet one linked to the page that fixes it, and may I book this car?"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from biometrics.services import consent_give
from members.models import Member
from tests.factories import CarModelFactory, CreditReportFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member() -> Member:
    return MemberFactory(user__username="li@example.com", user__email="li@example.com")


@pytest.fixture
def logged_in(client: Client, member: Member) -> Client:
    client.force_login(member.user)
    return client


def test_the_membership_page_needs_a_login(client: Client) -> None:
    response = client.get(reverse("testdrives:membership"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("members:login"))


def test_the_membership_page_shows_tier_band_rules_and_quota(logged_in: Client, member: Member) -> None:
    CreditReportFactory(member=member, score=712)

    page = logged_in.get(reverse("testdrives:membership")).content.decode()

    assert 'data-tier="super"' in page
    assert "712" in page
    assert "Excellent" in page
    assert page.count('class="rule ') == 7
    assert "Optional: consent to face pickup" in page
    assert "Last checked" in page


def test_the_membership_checklist_links_each_unmet_item_to_the_page_that_fixes_it(
    logged_in: Client, member: Member
) -> None:
    member.licence_expires_on = timezone.localdate()
    member.save()

    page = logged_in.get(reverse("testdrives:membership")).content.decode()

    assert '<a class="rule__fix" href="#credit" data-fix="credit_score">' in page
    assert f'href="{reverse("members:account")}" data-fix="driving_licence"' in page
    assert f'href="{reverse("biometrics:consent")}" data-fix="face_pickup"' in page
    assert 'data-fix="age"' not in page


def test_after_consent_the_face_item_links_to_the_face_photo_page_and_passed_items_link_nowhere(
    logged_in: Client, member: Member
) -> None:
    CreditReportFactory(member=member, score=712)
    consent_give(member=member, language="en")

    page = logged_in.get(reverse("testdrives:membership")).content.decode()

    assert f'href="{reverse("biometrics:enrol")}" data-fix="face_pickup"' in page
    assert 'data-fix="credit_score"' not in page


def test_checking_a_model_shows_the_fee_below_the_bar(logged_in: Client, member: Member) -> None:
    consent_give(member=member, language="en")
    CreditReportFactory(member=member, score=610)
    car = CarModelFactory(msrp_cny=350_000)

    response = logged_in.get(reverse("testdrives:membership"), {"model": car.slug})

    assert response.context["eligibility"].decision == "allowed_with_fee"
    assert "¥198" in response.content.decode()  # the locale's price format (issue 15)


def test_checking_a_model_reads_the_members_facts_once(logged_in: Client) -> None:
    car = CarModelFactory()
    with CaptureQueriesContext(connection) as plain:
        logged_in.get(reverse("testdrives:membership"))
    with CaptureQueriesContext(connection) as checked:
        response = logged_in.get(reverse("testdrives:membership"), {"model": car.slug})

    assert response.context["eligibility"].car_model == car
    # One more query, for the chosen model: its rules reuse the standing's facts.
    assert len(checked) == len(plain) + 1
