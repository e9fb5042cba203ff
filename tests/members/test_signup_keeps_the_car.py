"""Sign-up from the login page keeps where the visitor was going (the car they wanted to book),
and reads the date of birth from the ID number instead of asking for it."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

from members.models import Member
from tests.members.test_portal import BORN, signup_form
from tests.signup_steps import finish_token, texted_code

pytestmark = pytest.mark.django_db
BOOKING = "/drives/book/toyota-camry/"


def test_the_login_pages_sign_up_link_carries_next(client: Client) -> None:
    page = client.get(reverse("members:login"), {"next": BOOKING}).content.decode()

    assert f'href="{reverse("members:signup")}?next=/drives/book/toyota-camry/"' in page


def test_the_mailed_link_lands_on_the_car_the_visitor_wanted(
    client: Client, caplog, eager_tasks, django_capture_on_commit_callbacks
) -> None:
    assert (
        f'name="next" value="{BOOKING}"'
        in client.get(reverse("members:signup"), {"next": BOOKING}).content.decode()
    )
    form = {k: v for k, v in signup_form().items() if k != "date_of_birth"}
    with caplog.at_level(logging.INFO, logger="vendingstore.sms"):
        client.post(reverse("members:signup"), {"mobile": form["mobile"], "next": BOOKING})
    code = texted_code(caplog, form["mobile"][-4:])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:signup_details"), {**form, "code": code})

    link = reverse("members:signup_finish", args=[finish_token("zhou@example.com")])
    response = client.post(link)

    assert response["Location"] == BOOKING
    assert Member.objects.get().date_of_birth == BORN


def test_it_ignores_a_next_that_leads_off_the_site(client: Client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="vendingstore.sms"):
        client.post(reverse("members:signup"), {"mobile": "13500000009", "next": "https://evil.example/"})

    assert "members.signup_next" not in client.session


def test_the_details_form_does_not_ask_for_the_date_of_birth(client: Client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="vendingstore.sms"):
        client.post(reverse("members:signup"), {"mobile": "13500000009"})

    page = client.get(reverse("members:signup_details")).content.decode()

    assert 'name="date_of_birth"' not in page
    assert 'name="id_number"' in page
