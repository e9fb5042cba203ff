"""Following a drive on a 390 px phone, in both languages: the page updates itself while the
member is at the store (the car on its way, its bay), stops asking once nothing can change, fits
the screen, and hands out the calendar file."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from testdrives.models import State, TestDrive
from testdrives.services.tower_moves import testdrive_ref
from tests.browser_support import log_in
from tests.e2e.journey.conftest import PHONE
from tower.models import CommandKind, CommandStatus, TowerCommand

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def viewport() -> str:
    return "phone"


def car_on_its_way(td: TestDrive) -> None:
    """The tower has taken the retrieve: the car comes down to D1 in about a minute."""
    delivery = td.store.towers.get().bays.get(kind="delivery", position=1)
    TowerCommand.objects.create(
        tower=delivery.tower,
        kind=CommandKind.RETRIEVE,
        vehicle=td.vehicle,
        vin=td.vehicle.vin,
        source_bay=td.vehicle.bay,
        target_bay=delivery,
        ref=testdrive_ref(td.pk),
        status=CommandStatus.RUNNING,
        estimate_s=60,
        started_at=timezone.now(),
    )
    TestDrive.objects.filter(pk=td.pk).update(state=State.DISPATCHING)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_follow_page_updates_itself_on_a_phone_and_stops_when_done(
    page: Page, live_server, book, super_member, language
):
    td = book(super_member)
    TestDrive.objects.filter(pk=td.pk).update(state=State.CHECKED_IN)
    log_in(page, live_server, super_member.user)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    page.goto(f"{live_server.url}/drives/{td.pk}/follow/")
    status = page.locator("#follow-status")
    expect(status).to_have_attribute("data-state", "checked_in")
    expect(status).to_have_attribute("data-live", "yes")
    expect(page.locator("[data-opening-hours] div")).to_have_count(7)
    expect(page.locator("[data-map-link]")).to_be_visible()

    car_on_its_way(td)
    expect(status).to_have_attribute("data-state", "dispatching", timeout=10_000)
    expect(page.locator("[data-eta-source=tower]")).to_contain_text("D1")
    expect(page.locator('[data-step="on_its_way"]')).to_have_attribute("data-step-status", "current")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    calendar = page.request.get(f"{live_server.url}/drives/{td.pk}/calendar.ics")
    assert calendar.ok
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in calendar.text()

    TowerCommand.objects.filter(ref=testdrive_ref(td.pk)).update(status=CommandStatus.COMPLETED)
    TestDrive.objects.filter(pk=td.pk).update(state=State.CANCELLED)
    expect(status).to_have_attribute("data-live", "no", timeout=10_000)
    assert status.get_attribute("hx-trigger") is None
