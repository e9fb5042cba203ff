"""In headless Chromium: the console chimes (a tone made in the page, no audio file) when a new
item arrives, asks for a click while the browser still blocks its sound, and remembers a mute."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from ops.roles import roles_sync
from tests.browser_support import log_in
from tests.factories import StaffFactory
from tower.models import IncidentKind, TowerIncident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_console_chimes_for_a_new_item_and_remembers_the_mute(browser, live_server, tower) -> None:
    roles_sync()  # a transactional test's flush removes the migration's groups
    operator = StaffFactory(username="olga", is_superuser=False)
    operator.groups.add(Group.objects.get(name="operator"))
    page = browser.new_context().new_page()
    audio_files: list[str] = []
    page.on(
        "request",
        lambda request: audio_files.append(request.url) if request.resource_type == "media" else None,
    )
    log_in(page, live_server, operator)
    page.goto(f"{live_server.url}/ops/")
    body, toggle, blocked = (
        page.locator("body"),
        page.locator("[data-sound-toggle]"),
        page.locator("[data-sound-blocked]"),
    )
    expect(body).to_have_attribute("data-ops-chimes", "0")  # what was there on opening is not new
    expect(toggle).to_have_attribute("aria-pressed", "false")

    TowerIncident.objects.create(tower=tower, kind=IncidentKind.COMMAND_FAILED, summary="lift 1 jammed")
    expect(page.locator('.ops-need[data-kind="tower"]')).to_have_count(1, timeout=10_000)
    expect(body).to_have_attribute("data-ops-chimes", "1")
    expect(blocked).to_be_visible()  # nobody clicked on the page yet: the browser holds the sound

    toggle.click()  # a gesture (the audio may start now) that also mutes
    expect(blocked).to_be_hidden()
    expect(toggle).to_have_attribute("aria-pressed", "true")

    page.reload()
    expect(toggle).to_have_attribute("aria-pressed", "true")  # remembered in this browser
    TowerIncident.objects.create(tower=tower, kind=IncidentKind.COMMAND_FAILED, summary="lift 1 jammed again")
    expect(page.locator('.ops-need[data-kind="tower"]')).to_have_count(2, timeout=10_000)
    expect(body).to_have_attribute("data-ops-chimes", "0")  # muted: no chime
    assert audio_files == []  # the tone is made in the page
