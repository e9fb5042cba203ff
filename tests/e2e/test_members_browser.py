"""In a real browser: sign up (texted code, then the e-mailed link), check credit, read the
membership page in English and Chinese."""

import logging
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.credit.sandbox import sandbox_score
from members.demo import demo_id_number
from members.models import Member
from tests.signup_steps import finish_token, texted_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BORN = date(1991, 4, 23)


def test_sign_up_check_credit_and_read_the_membership_page_in_both_languages(
    page: Page, live_server, settings, caplog, eager_tasks
) -> None:
    id_number = demo_id_number(BORN, 42)
    page.goto(f"{live_server.url}/account/signup/")
    page.get_by_role("button", name="English").click()

    with caplog.at_level(logging.INFO, logger="vendingstore.sms"):
        page.get_by_label("Mobile number").fill("13700001111")
        page.get_by_role("button", name="Text me a code").click()
        expect(page.get_by_label("Code from the text message")).to_be_visible()
    page.get_by_label("Code from the text message").fill(texted_code(caplog, "1111"))
    page.get_by_label("E-mail address").fill("browser@example.com")
    page.get_by_label("Password", exact=True).fill("a-long-browser-pass-7")
    page.get_by_label("Password, again").fill("a-long-browser-pass-7")
    page.get_by_label("Full legal name").fill("Sun Yue")
    page.get_by_label("National ID number").fill(id_number)
    page.get_by_label("Driving licence number").fill("DL20240423")
    page.get_by_label("Driving licence valid until").fill(
        (timezone.localdate() + timedelta(days=2000)).isoformat()
    )
    page.get_by_label("Preferred language").select_option("en")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    page.goto(f"{live_server.url}/account/signup/finish/{finish_token('browser@example.com')}/")
    page.get_by_role("button", name="Open my account").click()

    expect(page.get_by_role("heading", name="Your membership")).to_be_visible()
    expect(page.locator('[data-rule="credit_score"]')).to_contain_text("No credit report yet")

    page.get_by_role("button", name="Check my credit").click()

    score = sandbox_score(id_number=id_number, seed=settings.CREDIT_SANDBOX_SEED)
    expect(page.locator(".flash")).to_contain_text(f"Your credit score is {score}")
    expect(page.locator(".credit-score__value")).to_have_text(str(score))
    expect(page.locator("[data-tier]")).to_have_attribute(
        "data-tier", "super" if score >= 700 else "standard"
    )
    expect(page.locator('[data-rule="face_pickup"]')).to_contain_text("Optional: consent to face pickup")
    expect(page.locator('[data-rule="age"] .rule__mark')).to_have_text("✓")
    expect(page.locator('[data-rule="face_pickup"] .rule__mark')).to_have_text("○")
    expect(page.locator('[data-rule="face_pickup"] a.rule__fix')).to_have_attribute("href", "/face-consent/")
    expect(page.get_by_text("Last checked")).to_be_visible()

    page.get_by_role("button", name="中文").click()

    expect(page.get_by_role("heading", name="您的会员资格")).to_be_visible()
    expect(page.get_by_role("button", name="查询我的信用")).to_be_visible()
    expect(page.locator('[data-rule="credit_score"]')).to_contain_text(f"您的信用分 {score}")
    expect(page.locator('[data-rule="face_pickup"]')).to_contain_text("刷脸取车")
    assert Member.objects.get(user__username="browser@example.com").credit_reports.count() == 1
