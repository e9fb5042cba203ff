"""The test-drive back office: lists within a fixed number of queries, a read-only booking page
with its transition log, and buttons that call the services and show their refusals."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog
from PIL import Image

from testdrives.codes import code_new
from testdrives.models import Kiosk, ReturnPhoto, State, TestDrive
from testdrives.services.booking import testdrive_pay_fee
from testdrives.services.kiosks import kiosk_create, kiosk_for_token
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_depart,
    testdrive_dispatch_failed,
    testdrive_face_check_failed,
    testdrive_face_check_started,
    testdrive_identity_verified,
    testdrive_return,
)
from testdrives.services.purchase import testdrive_purchase
from testdrives.services.sweeps import sweep_overdue
from tests.factories import MemberFactory, StaffFactory, StoreFactory, UserFactory
from tests.fixtures.world import TEN
from tests.returns_support import four_sides

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:testdrives_testdrive_changelist")

# The order a booking reaches each state in, through the services.
LADDER = [
    State.SCHEDULED,
    State.CHECKED_IN,
    State.VERIFYING,
    State.LOCKED,
    State.DISPATCH_FAILED,
    State.READY,
    State.ON_DRIVE,
    State.OVERDUE,
    State.RETURNED,
]


@pytest.fixture
def desk(client: Client, staff) -> Client:
    client.force_login(staff)
    return client


@pytest.fixture
def kiosk(store, staff, clock) -> Kiosk:
    clock.move_to(TEN + timedelta(minutes=1))
    return kiosk_create(store=store, name="Entrance", by=staff)[0]


@pytest.fixture
def drive_in(book, super_member, kiosk, clock, django_capture_on_commit_callbacks):
    """A booking brought to ``state`` by the services, as the kiosk, face check and tower would."""

    def _in(state: str) -> TestDrive:
        td = book(super_member)
        if state != State.SCHEDULED:
            testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
        if state in (State.VERIFYING, State.LOCKED):
            testdrive_face_check_started(test_drive=td)
        if state == State.LOCKED:
            testdrive_face_check_failed(
                test_drive=td, failures=settings.TESTDRIVE_FACE_ATTEMPTS_MAX, reason="no match"
            )
        if state == State.DISPATCH_FAILED:
            testdrive_identity_verified(test_drive=td, method="staff", by=UserFactory(), note="seen")
            testdrive_dispatch_failed(test_drive=td, reason="lift 1 fault")
        if LADDER.index(state) >= LADDER.index(State.READY):
            testdrive_face_check_started(test_drive=td)
            with django_capture_on_commit_callbacks(execute=True):
                testdrive_identity_verified(test_drive=td, method="face")
        if LADDER.index(state) >= LADDER.index(State.ON_DRIVE):
            testdrive_depart(test_drive=td)
            td.refresh_from_db()
        if state == State.OVERDUE:
            clock.move_to(td.due_back_at + timedelta(hours=2, minutes=10))
            sweep_overdue(now=timezone.now())
        if state == State.RETURNED:
            testdrive_return(
                test_drive=td, odometer_km=td.odometer_out_km + 50, energy_pct=60, sides=four_sides()
            )
        td.refresh_from_db()
        assert td.state == state
        return td

    return _in


def change_url(td: TestDrive) -> str:
    return reverse("admin:testdrives_testdrive_change", args=[td.pk])


def step_url(td: TestDrive, step: str) -> str:
    return reverse("admin:testdrives_testdrive_step", args=[td.pk, step])


def staff_logs(td: TestDrive, staff) -> list[tuple[str, str]]:
    return list(StateLog.objects.for_(td).filter(by=staff).values_list("state", "description"))


# --- the list -----------------------------------------------------------------------------------


def make_drives(n: int, *, store, car_model, paint, cars, state: str = State.SCHEDULED) -> list[TestDrive]:
    """Rows for the list, written directly: the list's queries do not depend on how they came."""
    return [
        TestDrive.objects.create(
            member=MemberFactory(),
            vehicle=cars[i % len(cars)],
            car_model=car_model,
            paint=paint,
            store=store,
            state=state,
            slot_start=TEN + timedelta(minutes=15 * i),
            slot_end=TEN + timedelta(minutes=15 * i + 15),
            pickup_code=code_new(),
        )
        for i in range(n)
    ]


def test_the_list_filters_by_state_store_and_day(desk: Client, store, car_model, paint, cars, clock) -> None:
    booked = make_drives(2, store=store, car_model=car_model, paint=paint, cars=cars)
    missed = make_drives(1, store=store, car_model=car_model, paint=paint, cars=cars, state=State.NO_SHOW)
    elsewhere = TestDrive.objects.create(
        **{f: getattr(booked[0], f) for f in ["member", "vehicle", "car_model", "paint"]},
        store=StoreFactory(),
        slot_start=TEN + timedelta(days=1),
        slot_end=TEN + timedelta(days=1, minutes=15),
        pickup_code=code_new(),
    )

    def listed(**params: object) -> set[int]:
        return {td.pk for td in desk.get(CHANGELIST, params).context["cl"].result_list}

    assert listed() == {*(td.pk for td in booked), missed[0].pk, elsewhere.pk}
    assert listed(state__exact="no_show") == {missed[0].pk}
    assert listed(store__id__exact=store.pk) == {*(td.pk for td in booked), missed[0].pk}
    # Fixed periods, not date_hierarchy: the clock stands on the morning of the first bookings.
    assert listed(slot="tomorrow") == {elsewhere.pk}
    assert listed(slot="today") == {*(td.pk for td in booked), missed[0].pk}


def test_the_list_filters_by_identity_method_without_listing_the_tables_values(
    desk: Client, store, car_model, paint, cars
) -> None:
    face, staff_checked = make_drives(2, store=store, car_model=car_model, paint=paint, cars=cars)
    TestDrive.objects.filter(pk=face.pk).update(identity_method="face")
    TestDrive.objects.filter(pk=staff_checked.pk).update(identity_method="staff")

    with CaptureQueriesContext(connection) as queries:
        page = desk.get(CHANGELIST, {"identity_method": "staff"})

    assert [td.pk for td in page.context["cl"].result_list] == [staff_checked.pk]
    assert not any("DISTINCT" in q["sql"] for q in queries.captured_queries)


def test_the_list_runs_a_fixed_number_of_queries(
    desk: Client, store, car_model, paint, cars, django_assert_max_num_queries
) -> None:
    make_drives(5, store=store, car_model=car_model, paint=paint, cars=cars)
    with django_assert_max_num_queries(10) as few:
        desk.get(CHANGELIST)
    make_drives(45, store=store, car_model=car_model, paint=paint, cars=cars, state=State.ON_DRIVE)
    with django_assert_max_num_queries(10) as many:
        page = desk.get(CHANGELIST)

    assert len(page.context["cl"].result_list) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    "term",
    [
        lambda td: td.pickup_code,
        lambda td: f"{td.pickup_code[:4].lower()}-{td.pickup_code[4:].lower()}",
        lambda td: td.member.full_name,
        lambda td: td.member.user.email,
        lambda td: td.member.mobile,
        lambda td: td.vehicle.vin,
    ],
    ids=["code", "code as typed", "name", "email", "mobile", "vin"],
)
def test_staff_find_a_booking_by_code_member_or_vin(desk: Client, book, super_member, clock, term) -> None:
    td = book(super_member)

    found = desk.get(CHANGELIST, {"q": term(td)}).context["cl"].result_list

    assert [b.pk for b in found] == [td.pk]


# --- the booking page ---------------------------------------------------------------------------


def test_the_booking_page_shows_the_transition_log(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.CHECKED_IN)
    desk.post(step_url(td, "cancel"), {"reason": "member phoned: ill"})

    page = desk.get(change_url(td)).content.decode()

    assert "Transition log" in page
    for label in ["Scheduled", "Checked in", "Cancelled"]:
        assert label in page
    assert "kiosk " in page  # the check-in's description
    assert "member phoned: ill" in page
    assert "desk" in page  # who cancelled
    assert "system (kiosk, tower or sweep)" in page


def test_the_booking_page_shows_payments_and_notifications(desk: Client, book, basic_member, clock) -> None:
    td = book(basic_member)
    testdrive_pay_fee(test_drive=td)

    page = desk.get(change_url(td)).content.decode()

    assert f"td{td.pk}-fee" in page
    assert "Booking confirmed" in page
    assert basic_member.mobile in page
    assert basic_member.user.email in page


def test_the_booking_page_shows_the_purchase_order(desk: Client, drive_in) -> None:
    td = drive_in(State.ON_DRIVE)
    order = testdrive_purchase(test_drive=td, member=td.member, method="full")

    page = desk.get(change_url(td)).content.decode()

    assert reverse("admin:testdrives_purchaseorder_change", args=[order.pk]) in page
    assert "Pay in full" in page


def test_no_field_of_a_booking_can_be_edited(desk: Client, drive_in) -> None:
    td = drive_in(State.SCHEDULED)

    page = desk.get(change_url(td))
    posted = desk.post(change_url(td), {"state": "completed"})

    assert 'name="state"' not in page.content.decode()
    assert posted.status_code == 403
    assert desk.get(reverse("admin:testdrives_testdrive_add")).status_code == 403
    td.refresh_from_db()
    assert td.state == State.SCHEDULED


# --- the buttons --------------------------------------------------------------------------------

BUTTONS = {
    State.SCHEDULED: {"cancel"},
    State.CHECKED_IN: {"verify_identity", "cancel"},
    State.VERIFYING: {"verify_identity", "cancel"},
    State.LOCKED: {"verify_identity", "unlock", "cancel"},
    State.DISPATCH_FAILED: {"retry_dispatch", "cancel"},
    State.READY: {"depart", "cancel"},
    State.ON_DRIVE: {"record_return"},
    State.OVERDUE: {"record_return"},
    State.RETURNED: {"inspect"},
}
ALL_STEPS = {"cancel", "verify_identity", "unlock", "retry_dispatch", "depart", "record_return", "inspect"}


@pytest.mark.parametrize("state", LADDER)
def test_each_button_is_offered_only_in_its_states(desk: Client, drive_in, state: str) -> None:
    td = drive_in(state)

    page = desk.get(change_url(td))

    assert {step.name for step, _url in page.context["steps"]} == BUTTONS[state]
    html = page.content.decode()
    for step in ALL_STEPS:
        assert (step_url(td, step) in html) == (step in BUTTONS[state])


def test_a_finished_booking_offers_no_button(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.SCHEDULED)
    desk.post(step_url(td, "cancel"), {"reason": "duplicate"})

    assert desk.get(change_url(td)).context["steps"] == []


def test_buttons_without_a_form_post_with_csrf(drive_in, staff) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    td = drive_in(State.READY)

    html = client.get(change_url(td)).content.decode()
    refused = client.post(step_url(td, "depart"))

    assert f'<form method="post" action="{step_url(td, "depart")}">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert refused.status_code == 403
    td.refresh_from_db()
    assert td.state == State.READY


def test_staff_cancel_with_a_reason(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.READY)

    response = desk.post(step_url(td, "cancel"), {"reason": "member changed their mind at the bay"})

    assert response.status_code == 302
    assert response.url == change_url(td)
    td.refresh_from_db()
    assert td.state == State.CANCELLED
    assert staff_logs(td, staff) == [("cancelled", "member changed their mind at the bay")]


def test_cancelling_needs_a_reason(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.SCHEDULED)

    page = desk.post(step_url(td, "cancel"), {"reason": ""})

    assert page.status_code == 200
    assert page.context["form"].errors["reason"]
    td.refresh_from_db()
    assert td.state == State.SCHEDULED


def test_staff_verify_identity_by_hand_saying_what_they_saw(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.LOCKED)

    desk.post(
        step_url(td, "verify_identity"),
        {"licence_seen": "on", "id_card_seen": "on", "note": "licence 1234 valid, ID photo matches"},
    )

    td.refresh_from_db()
    assert td.state == State.DISPATCHING
    assert td.identity_method == "staff"
    assert staff_logs(td, staff) == [
        ("verified", "staff: driving licence and ID card seen: licence 1234 valid, ID photo matches")
    ]


def test_verifying_by_hand_needs_both_documents_seen(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.CHECKED_IN)

    page = desk.post(step_url(td, "verify_identity"), {"licence_seen": "on", "note": "licence only"})

    assert page.context["form"].errors["id_card_seen"]
    td.refresh_from_db()
    assert td.state == State.CHECKED_IN
    assert staff_logs(td, staff) == []


def test_staff_unlock_a_locked_booking(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.LOCKED)

    desk.post(step_url(td, "unlock"), {"reason": "glasses off, new attempt"})

    td.refresh_from_db()
    assert td.state == State.CHECKED_IN
    assert staff_logs(td, staff) == [("checked_in", "glasses off, new attempt")]


def test_staff_ask_the_tower_again(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.DISPATCH_FAILED)

    desk.post(step_url(td, "retry_dispatch"))

    td.refresh_from_db()
    assert td.state == State.DISPATCHING
    assert staff_logs(td, staff) == [("dispatching", "retry")]


def test_staff_record_the_car_leaving_the_bay(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.READY)

    desk.post(step_url(td, "depart"))

    td.refresh_from_db()
    assert td.state == State.ON_DRIVE
    assert td.due_back_at == td.departed_at + timedelta(hours=72)
    assert staff_logs(td, staff) == [("on_drive", "gate opened")]


def png(name: str = "front.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_staff_record_a_return_for_the_member(desk: Client, drive_in, staff, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    td = drive_in(State.OVERDUE)

    desk.post(
        step_url(td, "record_return"),
        {
            "odometer_km": td.odometer_out_km + 120,
            "energy_pct": 35,
            "damage": "scratch on the rear bumper",
            "photos": [png("front.png"), png("rear.png")],
        },
    )

    td.refresh_from_db()
    assert td.state == State.RETURNED
    assert td.damage_noted == "scratch on the rear bumper"
    assert td.late_fee_cny == 3 * 50
    assert ReturnPhoto.objects.filter(test_drive=td, taken_by_staff=True).count() == 2
    assert staff_logs(td, staff) == [("returned", "returned; damage: scratch on the rear bumper")]
    assert "<img" in desk.get(change_url(td)).content.decode()


def test_staff_complete_after_inspection(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.RETURNED)

    desk.post(step_url(td, "inspect"), {"notes": "clean, cable present"})

    td.refresh_from_db()
    assert td.state == State.COMPLETED
    assert td.inspection_notes == "clean, cable present"
    assert staff_logs(td, staff) == [("completed", "clean, cable present")]


def test_a_refused_step_shows_the_services_message_and_changes_nothing(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.ON_DRIVE)
    logs_before = StateLog.objects.for_(td).count()

    page = desk.post(step_url(td, "cancel"), {"reason": "too late"}, follow=True)

    assert page.status_code == 200
    assert "The car has already left: this booking can no longer be cancelled." in [
        str(m) for m in page.context["messages"]
    ]
    td.refresh_from_db()
    assert td.state == State.ON_DRIVE
    assert StateLog.objects.for_(td).count() == logs_before


def test_a_double_click_acts_once_and_says_why_the_second_did_not(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.READY)

    first = desk.post(step_url(td, "depart"), follow=True)
    second = desk.post(step_url(td, "depart"), follow=True)

    assert [str(m) for m in first.context["messages"]] == ["Done: Car has left the bay."]

    assert second.redirect_chain == [(change_url(td), 302)]
    assert [str(m) for m in second.context["messages"]] == [
        "This booking is On the road: that step is not possible now."
    ]
    assert staff_logs(td, staff) == [("on_drive", "gate opened")]


def test_a_refused_return_keeps_the_form_with_the_message(desk: Client, drive_in, staff) -> None:
    td = drive_in(State.ON_DRIVE)

    page = desk.post(step_url(td, "record_return"), {"odometer_km": td.odometer_out_km - 1, "energy_pct": 50})

    assert page.status_code == 200
    assert "The odometer cannot read less" in page.content.decode()
    td.refresh_from_db()
    assert td.state == State.ON_DRIVE


def test_a_step_page_asks_before_it_acts(desk: Client, drive_in) -> None:
    td = drive_in(State.READY)

    page = desk.get(step_url(td, "depart"))

    assert page.status_code == 200
    td.refresh_from_db()
    assert td.state == State.READY


def test_staff_who_may_only_view_get_no_buttons(client: Client, drive_in) -> None:
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_testdrive"))
    client.force_login(viewer)
    td = drive_in(State.READY)

    page = client.get(change_url(td))
    posted = client.post(step_url(td, "depart"))

    assert page.status_code == 200
    assert "steps" not in page.context
    assert posted.status_code == 403
    td.refresh_from_db()
    assert td.state == State.READY


def test_an_unknown_step_is_not_found(desk: Client, drive_in) -> None:
    td = drive_in(State.READY)

    assert desk.post(step_url(td, "teleport")).status_code == 404


# --- boards -------------------------------------------------------------------------------------


def test_the_overdue_board_shows_contact_hours_late_and_fee(desk: Client, drive_in, clock) -> None:
    td = drive_in(State.OVERDUE)  # the clock stands 2 h 10 min past the due time

    page = desk.get(reverse("admin:testdrives_testdrive_overdue"))

    [row] = page.context["rows"]
    assert row.test_drive == td
    assert row.hours_late == pytest.approx(2 + 10 / 60)
    assert row.late_fee_cny == 3 * 50
    html = page.content.decode()
    assert td.member.mobile in html
    assert td.member.user.email in html
    assert "2.2" in html


def test_the_overdue_board_includes_cars_the_sweep_has_not_reached(desk: Client, drive_in, clock) -> None:
    td = drive_in(State.ON_DRIVE)
    clock.move_to(td.due_back_at + timedelta(minutes=31))

    rows = desk.get(reverse("admin:testdrives_testdrive_overdue")).context["rows"]

    assert [r.test_drive.pk for r in rows] == [td.pk]


def test_the_boards_run_a_fixed_number_of_queries(
    desk: Client, store, car_model, paint, cars, clock, django_assert_max_num_queries
) -> None:
    drives = make_drives(20, store=store, car_model=car_model, paint=paint, cars=cars, state=State.OVERDUE)
    TestDrive.objects.filter(pk__in=[td.pk for td in drives]).update(due_back_at=timezone.now())

    with django_assert_max_num_queries(8):
        overdue = desk.get(reverse("admin:testdrives_testdrive_overdue"))
    with django_assert_max_num_queries(8):
        today = desk.get(reverse("admin:testdrives_testdrive_today"))

    assert len(overdue.context["rows"]) == 20
    [day] = today.context["days"]
    assert len(day.pickups) == 20
    assert len(day.due_back) == 20


def test_today_lists_each_stores_pickups_in_its_own_day(
    desk: Client, book, super_member, store, clock
) -> None:
    td = book(super_member)
    other = StoreFactory()

    days = desk.get(reverse("admin:testdrives_testdrive_today")).context["days"]

    by_store = {day.store.pk: day for day in days}
    assert [b.pk for b in by_store[store.pk].pickups] == [td.pk]
    assert by_store[other.pk].pickups == []


def test_the_list_and_app_index_link_the_boards(desk: Client) -> None:
    overdue = reverse("admin:testdrives_testdrive_overdue")

    assert overdue in desk.get(CHANGELIST).content.decode()
    assert overdue in desk.get(reverse("admin:app_list", args=["testdrives"])).content.decode()


# --- kiosks -------------------------------------------------------------------------------------


def test_creating_a_kiosk_shows_its_token_once_and_stores_its_hash(desk: Client, store, staff) -> None:
    page = desk.post(reverse("admin:testdrives_kiosk_add"), {"store": store.pk, "name": "Entrance"})

    [(kiosk, token)] = page.context["tokens"]
    assert token in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    stored = Kiosk.objects.get()
    assert stored.pk == kiosk.pk
    assert stored.created_by == staff
    assert token not in stored.token_hash
    assert token not in desk.get(reverse("admin:testdrives_kiosk_change", args=[kiosk.pk])).content.decode()
    assert token not in desk.get(reverse("admin:testdrives_kiosk_changelist")).content.decode()


def test_rotating_a_token_shows_the_new_one_and_logs_it(desk: Client, kiosk) -> None:
    old_hash = kiosk.token_hash
    page = desk.post(
        reverse("admin:testdrives_kiosk_changelist"),
        {"action": "rotate_token", "_selected_action": [kiosk.pk]},
    )

    [(_kiosk, token)] = page.context["tokens"]
    kiosk.refresh_from_db()
    assert kiosk.token_hash != old_hash
    assert kiosk_for_token(token) == kiosk
    assert LogEntry.objects.filter(object_id=str(kiosk.pk), change_message__contains="rotated").exists()


def test_deactivating_a_kiosk_is_logged(desk: Client, kiosk) -> None:
    desk.post(
        reverse("admin:testdrives_kiosk_changelist"), {"action": "deactivate", "_selected_action": [kiosk.pk]}
    )

    kiosk.refresh_from_db()
    assert not kiosk.is_active
    assert LogEntry.objects.filter(object_id=str(kiosk.pk), change_message="Deactivated.").exists()


# --- records ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    ["testdrives.payment", "testdrives.purchaseorder", "testdrives.pickupwindow", "testdrives.notification"],
)
def test_the_side_records_are_read_only(desk: Client, book, basic_member, clock, model: str) -> None:
    book(basic_member)
    app, name = model.split(".")

    assert desk.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200
    assert desk.get(reverse(f"admin:{app}_{name}_add")).status_code == 403


def test_another_staff_member_sees_the_same_lists(client: Client, store) -> None:
    client.force_login(StaffFactory())

    assert client.get(CHANGELIST).status_code == 200
    assert client.get(reverse("admin:testdrives_kiosk_changelist")).status_code == 200
