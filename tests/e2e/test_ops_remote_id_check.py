"""In headless Chromium: a customer with no face photo checks in at the kiosk and sends the
pictures of the licence, the ID card and the face; an operator in the console approves; the kiosk
page, left waiting, shows the car coming without a reload. The tower here is the instant
dispatcher (cars move in our records; a Celery task run in-process)."""

import time

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from ops.models import AuditEntry
from ops.roles import roles_sync
from testdrives.models import IdCheck, IdCheckStatus, State, TestDrive
from testdrives.services.kiosks import kiosk_create
from tests.browser_support import log_in
from tests.factories import StaffFactory
from tests.fixtures.world import TEN, make_member
from tests.idcheck_support import picture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]


def test_an_operator_approves_a_remote_id_check_while_the_kiosk_waits(
    browser, live_server, book, store, staff, clock
) -> None:
    member = make_member(score=760, consent=False, full_name="Han Meimei")
    td = book(member)
    clock.move_to(TEN)
    _, token = kiosk_create(store=store, name="Entrance", by=staff)
    roles_sync()  # a transactional test's flush removes the migration's groups
    operator = StaffFactory(username="olga", is_superuser=False)
    operator.groups.add(Group.objects.get(name="operator"))

    # The kiosk: sign in, check in; no face photo, so it offers the ID check.
    kiosk = browser.new_context().new_page()
    kiosk.goto(f"{live_server.url}/kiosk/sign-in/")
    kiosk.fill("#token", token)
    kiosk.get_by_role("button").last.click()
    kiosk.fill("#code", td.pickup_code)
    kiosk.locator("[data-check-in]").click()
    expect(kiosk.locator('.kiosk-status[data-state="checked_in"]')).to_be_visible()
    kiosk.set_input_files("#id-licence", picture("licence", "navy"))
    kiosk.set_input_files("#id-card", picture("card", "teal"))
    kiosk.set_input_files("#id-live", picture("face", "peru"))
    kiosk.locator("[data-send-id-check]").click()
    expect(kiosk.locator('[data-id-check-status="waiting"]')).to_be_visible()
    kiosk.evaluate("window.__sameDocument = true")

    # The operator: the check appears in the console, pictures beside the stored details.
    console = browser.new_context().new_page()
    log_in(console, live_server, operator)
    console.goto(f"{live_server.url}/ops/")
    item = console.locator('.ops-need[data-kind="id_check"]')
    expect(item).to_contain_text(td.pickup_code)
    item.locator("[data-claim]").click()
    expect(console.locator('.ops-need[data-kind="id_check"] [data-claimed-by="olga"]')).to_be_visible()
    console.locator("[data-open-id-check]").click()
    expect(console.locator("[data-member-name]")).to_have_text("Han Meimei")
    # Wait for the pictures: the page's text is there before its three picture requests answer
    # (each decrypts a file), and on a loaded machine looking once found them still loading.
    console.wait_for_function(
        "() => { const pictures = [...document.querySelectorAll('.ops-pictures img')];"
        " return pictures.length === 3 && pictures.every(i => i.complete && i.naturalWidth === 320); }"
    )
    console.fill('input[name="reason"] >> nth=0', "licence, ID card and face match")
    clicked = time.monotonic()
    console.locator("[data-approve]").click()

    # The kiosk page, never reloaded, shows the car coming within seconds.
    expect(kiosk.locator('.kiosk-status[data-state="ready"]')).to_be_visible(timeout=10_000)
    waited = time.monotonic() - clicked
    assert kiosk.evaluate("window.__sameDocument === true")
    print(f"\napprove click -> kiosk shows the car in its bay: {waited:.2f} s")

    td.refresh_from_db()
    assert td.state == State.READY
    assert td.identity_method == "staff"
    check = IdCheck.objects.get(test_drive=td)
    assert check.status == IdCheckStatus.APPROVED
    assert check.decided_by == operator
    assert check.picture_names == []
    assert AuditEntry.objects.filter(action="id_check_approve", by=operator, test_drive=td).exists()
    assert TestDrive.objects.get(pk=td.pk).delivery_bay is not None
