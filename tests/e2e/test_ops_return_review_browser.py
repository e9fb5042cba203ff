"""In headless Chromium: the operator reviews a return side by side (each side's last known picture,
the damage the member reported at pickup, the picture at the return), every picture loads through
the console's checked views, and "OK" completes the drive."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from ops.roles import roles_sync
from testdrives.models import State, TestDrive
from testdrives.services.lifecycle import testdrive_return
from testdrives.services.returns import testdrive_pickup_photo_add
from tests.browser_support import log_in
from tests.factories import StaffFactory
from tests.returns_support import earlier_return, four_sides, side_png

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager_tasks"),
]


def test_the_operator_compares_each_side_and_completes_the_drive(
    browser, live_server, out_on_drive, django_capture_on_commit_callbacks
) -> None:
    roles_sync()  # a transactional test's flush removes the migration's groups
    operator = StaffFactory(username="olga", is_superuser=False)
    operator.groups.add(Group.objects.get(name="operator"))
    earlier_return(out_on_drive, code="EARLIERB", days_before=1, odometer_km=out_on_drive.odometer_out_km)
    testdrive_pickup_photo_add(
        test_drive=out_on_drive, side="left", upload=side_png("left", "red"), note="scratch"
    )
    with django_capture_on_commit_callbacks(execute=True):
        td = testdrive_return(
            test_drive=out_on_drive,
            odometer_km=out_on_drive.odometer_out_km + 42,
            energy_pct=60,
            sides=four_sides(),
        )
    page = browser.new_context().new_page()
    log_in(page, live_server, operator)

    page.goto(f"{live_server.url}/ops/returns/{td.pk}/")

    expect(page.locator("[data-km-driven]")).to_contain_text("42 km driven")
    for side in ("front", "back", "left", "right"):
        row = page.locator(f'.ops-compare tr[data-side="{side}"]')
        expect(row.locator("[data-last-known] img")).to_have_count(1)
        expect(row.locator("[data-at-return] img")).to_have_count(1)
    expect(page.locator('.ops-compare tr[data-side="left"] [data-at-pickup] img')).to_have_count(1)
    images = page.locator(".ops-compare img")
    expect(images).to_have_count(9)
    page.wait_for_function("[...document.querySelectorAll('.ops-compare img')].every(i => i.complete)")
    widths = images.evaluate_all("images => images.map(i => i.naturalWidth)")
    assert all(width > 0 for width in widths), widths  # every picture arrived and decoded

    page.locator("[data-return-ok]").click()
    expect(page).to_have_url(f"{live_server.url}/ops/")
    assert TestDrive.objects.get(pk=td.pk).state == State.COMPLETED
