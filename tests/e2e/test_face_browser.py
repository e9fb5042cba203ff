"""In headless Chromium with a fake camera playing a face turning its head: the kiosk takes the
burst, a task decides, and the booking moves on without a reload."""

import pytest
from playwright.sync_api import Page, expect

from biometrics.models import VerificationAttempt
from biometrics.services import face_enrol
from testdrives.models import State, TestDrive
from testdrives.services.kiosks import kiosk_create
from tests.fixtures.faces import needs_faces, photo
from tests.fixtures.world import TEN

# Queued tasks run in-process, as they did beside the face tests.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    needs_faces,
    pytest.mark.usefixtures("eager_tasks"),
]


def test_the_kiosk_camera_recognises_the_member(
    page: Page, live_server, book, super_member, store, staff, clock, engine
):
    face_enrol(member=super_member, photo=photo("img16.jpg"))  # person D; tasks run in-process
    td = book(super_member)
    clock.move_to(TEN)
    _, token = kiosk_create(store=store, name="Entrance", by=staff)

    page.goto(f"{live_server.url}/kiosk/sign-in/")
    page.fill("#token", token)
    page.get_by_role("button").last.click()
    page.fill("#code", td.pickup_code)
    page.locator("[data-check-in]").click()

    camera = page.locator("#face-camera")
    expect(camera).to_be_visible()
    wait_for_camera(page)
    page.locator("[data-capture]").click()

    expect(page.locator('.kiosk-status[data-state="ready"]')).to_be_visible(timeout=20_000)
    expect(camera).to_be_hidden()
    attempt = VerificationAttempt.objects.get(test_drive=td)
    assert attempt.result == "match", (attempt.reason, attempt.liveness)
    assert TestDrive.objects.get(pk=td.pk).state == State.READY


def kiosk_at_face_step(page: Page, live_server, td, store, staff) -> None:
    _, token = kiosk_create(store=store, name="Entrance", by=staff)
    page.goto(f"{live_server.url}/kiosk/sign-in/")
    page.fill("#token", token)
    page.get_by_role("button").last.click()
    page.fill("#code", td.pickup_code)
    page.locator("[data-check-in]").click()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1180, 820)])
def test_the_capture_button_and_attempts_left_are_in_view_without_scrolling(
    page: Page, live_server, book, super_member, store, staff, clock, engine, width, height
):
    face_enrol(member=super_member, photo=photo("img16.jpg"))
    td = book(super_member)
    clock.move_to(TEN)
    page.set_viewport_size({"width": width, "height": height})
    kiosk_at_face_step(page, live_server, td, store, staff)

    button = page.locator("[data-capture]")
    expect(button).to_be_visible()
    wait_for_camera(page)
    box = button.bounding_box()
    assert page.evaluate("window.scrollY") == 0
    assert box is not None
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= height, box
    assert box["x"] + box["width"] <= width
    expect(page.locator("[data-attempts-left]")).to_have_text("5 face attempts left.")


def wait_for_camera(page) -> None:
    """Until the fake camera's video plays. Polled from here: wait_for_function evaluates its
    predicate with eval, which the pages' Content-Security-Policy forbids."""
    for _ in range(100):
        if page.evaluate("document.querySelector('#face-camera video').videoWidth > 0"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the kiosk camera never started")


def test_while_the_worker_decides_the_kiosk_waits_for_the_decision_not_for_its_next_poll(
    page: Page, live_server, book, super_member, store, staff, clock, engine
):
    face_enrol(member=super_member, photo=photo("img16.jpg"))
    td = book(super_member)
    clock.move_to(TEN)
    kiosk_at_face_step(page, live_server, td, store, staff)
    expect(page.locator("[data-capture]")).to_be_visible()
    # A burst is being decided (no worker here takes it): the status region says so.
    TestDrive.objects.filter(pk=td.pk).update(state=State.VERIFYING)
    waiting: set[str] = set()
    page.on("request", lambda r: waiting.add(id_of(r)) if "wait=decision" in r.url else None)
    page.on("requestfinished", lambda r: waiting.discard(id_of(r)))
    page.evaluate("htmx.trigger('#kiosk-status', 'refresh')")
    expect(page.locator('.kiosk-status[data-state="verifying"]')).to_be_visible()
    page.wait_for_timeout(300)
    assert waiting, "the kiosk has a request waiting for the decision"

    TestDrive.objects.filter(pk=td.pk).update(state=State.VERIFIED)

    # The page's own poll is every 2 s; the waiting request answers within ~10 ms of the change.
    expect(page.locator('.kiosk-status[data-state="verified"]')).to_be_visible(timeout=1000)


def id_of(request) -> str:
    return f"{request.url}#{id(request)}"
