"""Returns go back into storage (the delivery bays loaded into the tower first), pre-staging
brings the next cars down, the kiosk's estimate, and the admin's tower pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fleet.models import Vehicle, VehicleStatus
from testdrives.models import State, TestDrive
from testdrives.services.lifecycle import testdrive_depart, testdrive_inspect, testdrive_return
from testdrives.services.tower_moves import testdrive_ref, testdrives_prestage
from testdrives.templatetags.tower_kiosk import tower_eta
from tests.factories import VehicleFactory
from tests.fixtures.world import make_member
from tests.returns_support import four_sides
from tests.tower.conftest import TEN, finish
from tower.commands import command_create
from tower.models import CommandKind, CommandStatus, TowerCommand, TowerLink
from tower.reconcile import tower_reconcile

pytestmark = pytest.mark.django_db(transaction=True)


def gate_closed(sim_client, bay_code: str, *, occupied: bool = True) -> None:
    """The member walks out of the delivery bay and its gate closes (the simulator's world)."""
    answer = sim_client._call("POST", "/v1/world/gate-closed", {"bay": bay_code, "occupied": occupied})
    assert answer.status == 200, answer


def test_a_returned_car_goes_back_into_storage_once_the_member_left_before_its_review(
    sim, sim_client, tower, verified, staff, settings
) -> None:
    td = verified()
    finish(sim_client, tower)
    td = testdrive_depart(test_drive=td)  # the car leaves D1; the tower cannot see it go
    td = testdrive_return(
        test_drive=td, odometer_km=td.odometer_out_km + 30, energy_pct=70, sides=four_sides()
    )
    finish(sim_client, tower)
    assert not TowerCommand.objects.filter(kind=CommandKind.STOW).exists()  # the member is still there

    gate_closed(sim_client, td.delivery_bay.code)
    finish(sim_client, tower)  # the gate event: the stow is sent
    finish(sim_client, tower)  # and done

    store = TowerCommand.objects.get(kind=CommandKind.STOW)
    td.refresh_from_db()
    td.vehicle.refresh_from_db()
    assert td.state == State.RETURNED  # the review is still to come
    assert store.status == CommandStatus.COMPLETED
    assert td.vehicle.status == VehicleStatus.STORED
    assert td.vehicle.bay.level > settings.TOWER_STAGING_LEVELS  # kept free for pre-staged cars
    assert sim_client.state()["inventory"][td.vehicle.bay.code] == td.vehicle.vin
    assert tower_reconcile(tower=tower) == "ok"

    testdrive_inspect(test_drive=td, by=staff, notes="clean")
    assert TowerCommand.objects.filter(kind=CommandKind.STOW).count() == 1  # nothing more to move


ELEVEN = TEN + timedelta(hours=1)


def book_high(tower, book, member, car: Vehicle, *, position: int, slot_start) -> TestDrive:
    """Put ``car`` on the top level (above the staging levels) and book it for ``member``."""
    car.bay = tower.bays.get(level=3, position=position)
    car.save()
    td = book(member, slot_start=slot_start, car_model=car.car_model)
    TestDrive.objects.filter(pk=td.pk).update(vehicle=car)
    return td


def tower_in_auto(sim_client, tower, cars) -> None:
    """The tower agrees with our records and runs on its own: pre-staging may move cars."""
    sim_client.put_inventory({c.bay.code: c.vin for c in cars})
    tower_reconcile(tower=tower)
    TowerLink.objects.filter(tower=tower).update(mode="auto")


def book_a_high_car(sim_client, tower, book, super_member, cars, clock) -> Vehicle:
    """The second car stands on level 3, booked for 11:00, and it is 10:55 (inside the lead); the
    tower agrees and is in auto: a pre-staging candidate."""
    high = cars[1]
    book_high(tower, book, super_member, high, position=4, slot_start=ELEVEN)
    clock.move_to(ELEVEN - timedelta(minutes=5))
    tower_in_auto(sim_client, tower, cars)
    return high


def test_it_pre_stages_the_car_of_a_booking_starting_soon(
    sim, sim_client, tower, book, super_member, cars, clock
):
    high = book_a_high_car(sim_client, tower, book, super_member, cars, clock)

    created = testdrives_prestage(tower=tower)
    finish(sim_client, tower)

    assert [c.kind for c in created] == [CommandKind.RELOCATE]
    high.refresh_from_db()
    assert high.bay.level == 1
    assert testdrives_prestage(tower=tower) == []  # already where it belongs


def test_it_never_pre_stages_a_car_held_by_a_command(
    sim, sim_client, tower, book, super_member, cars, clock, settings
) -> None:
    high = book_a_high_car(sim_client, tower, book, super_member, cars, clock)
    settings.TOWER_CONTROLLERS = {tower.code: "http://127.0.0.1:9"}  # the manual move stays pending
    held = command_create(
        kind=CommandKind.RELOCATE,
        vehicle=high,
        source_bay=high.bay,
        target_bay=tower.bays.get(level=2, position=1),
        reason="manual: sensor check",
    )
    assert TowerCommand.objects.get(pk=held.pk).status == CommandStatus.PENDING

    assert testdrives_prestage(tower=tower) == []
    assert list(TowerCommand.objects.filter(vehicle=high).values_list("pk", flat=True)) == [held.pk]


def test_it_pre_stages_a_car_only_once_its_booking_is_within_the_lead(
    sim, sim_client, tower, book, super_member, cars, clock, settings
) -> None:
    settings.TOWER_PRESTAGE_MINUTES = 30  # a lead that is a whole number of booking slots
    lead = timedelta(minutes=settings.TOWER_PRESTAGE_MINUTES)
    soon, later = cars[1], VehicleFactory(store=tower.store, car_model=cars[0].car_model, paint=cars[0].paint)
    book_high(tower, book, super_member, soon, position=4, slot_start=ELEVEN)
    book_high(tower, book, make_member(score=760), later, position=3, slot_start=ELEVEN + lead)
    clock.move_to(ELEVEN - lead + timedelta(seconds=1))  # 11:00 is inside the lead, 11:30 is not yet
    tower_in_auto(sim_client, tower, [*cars, later])

    assert [c.vehicle_id for c in testdrives_prestage(tower=tower)] == [soon.pk]
    finish(sim_client, tower)
    assert testdrives_prestage(tower=tower) == []
    later.refresh_from_db()
    assert later.bay.level == 3

    clock.move_to(ELEVEN + timedelta(seconds=1))  # now 11:30 is inside the lead too
    assert [c.vehicle_id for c in testdrives_prestage(tower=tower)] == [later.pk]
    finish(sim_client, tower)
    later.refresh_from_db()
    assert later.bay.level <= settings.TOWER_STAGING_LEVELS


def test_the_kiosk_estimate_names_the_bay_and_seconds(sim, sim_client, tower, verified, settings) -> None:
    settings.TOWER_CONTROLLERS = {tower.code: "http://127.0.0.1:9"}  # the retrieve stays pending
    td = verified()
    TowerLink.objects.filter(tower=tower).update(speed=1)  # a real tower's time

    bay, seconds = tower_eta(td)
    assert bay == "D1"
    assert 20 < seconds < 200
    TowerLink.objects.filter(tower=tower).update(speed=10)
    assert tower_eta(td)[1] <= seconds / 10 + 1
    TowerCommand.objects.filter(ref=testdrive_ref(td.pk)).update(
        status=CommandStatus.RUNNING, estimate_s=60, started_at=timezone.now()
    )
    assert tower_eta(td) == ("D1", 6)


def test_the_eta_is_none_without_a_retrieve_on_its_way(db, book, super_member, clock) -> None:
    td = book(super_member)
    assert tower_eta(td) is None


def test_the_live_tower_page_and_its_panel_render(sim, tower, verified, admin_client) -> None:
    verified()
    page = admin_client.get(f"/admin/fleet/tower/{tower.pk}/live/")
    panel = admin_client.get(f"/admin/fleet/tower/{tower.pk}/live/panel/")
    assert page.status_code == panel.status_code == 200
    assert b'hx-trigger="every 2s"' in page.content
    assert b"D1" in panel.content
    assert admin_client.get("/admin/tower/towercommand/").status_code == 200
    command = TowerCommand.objects.first()
    assert admin_client.get(f"/admin/tower/towercommand/{command.pk}/change/").status_code == 200
    assert admin_client.get("/admin/tower/towerincident/").status_code == 200


def test_a_manual_move_is_audited_in_the_outbox(
    sim, sim_client, tower, cars, admin_client, admin_user
) -> None:
    car = cars[1]
    response = admin_client.post(
        f"/admin/fleet/tower/{tower.pk}/move/",
        {"vin": car.vin, "target": "L03-B01", "reason": "sensor check"},
    )
    assert response.status_code == 302
    finish(sim_client, tower)
    command = TowerCommand.objects.get(vehicle=car)
    assert command.created_by == admin_user
    assert command.reason == "manual: sensor check"
    assert command.status == CommandStatus.COMPLETED
    car.refresh_from_db()
    assert car.bay.code == "L03-B01"
    assert command.ref == ""  # a manual move belongs to no booking


def test_the_kiosk_shows_the_bay_and_the_estimate(sim, tower, verified, settings, rf) -> None:
    from django.template.loader import render_to_string

    settings.TOWER_CONTROLLERS = {tower.code: "http://127.0.0.1:9"}  # the retrieve stays pending
    td = verified()
    html = render_to_string("testdrives/kiosk/_status.html", {"td": td}, request=rf.get("/"))
    assert "bay D1, about" in html
