"""Saved cars: one message when a saved model becomes bookable at the member's store, however many
cars come back, folded across saved cars, in the member's language; the events that wake the
check (a car placed back, a hold released) and the sweep for what no event announces."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError

from fleet.models import Vehicle, VehicleStatus
from fleet.services import vehicle_place, vehicle_take_out
from members.models import Favourite, FavouriteAlert
from members.services import member_anonymise
from members.services.favourites import (
    favourite_alert_text,
    favourite_alerts_deliver,
    favourite_save,
    favourites_check,
)
from members.tasks import favourites_sweep
from testdrives.services.booking import testdrive_cancel
from tests.factories import MemberFactory, PaintFactory, StoreFactory, TowerFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager(eager_tasks: None) -> None:
    """The checks and deliveries queued on commit run in-process, as a worker would run them."""


def workshop(*cars: Vehicle) -> dict[int, object]:
    """Send the cars to the workshop (not bookable); their bays, to bring them back."""
    bays = {car.pk: car.bay for car in cars}
    for car in cars:
        vehicle_take_out(vehicle=car, status=VehicleStatus.MAINTENANCE)
    return bays


def back(car: Vehicle, bays: dict[int, object]) -> None:
    vehicle_place(vehicle=Vehicle.objects.get(pk=car.pk), bay=bays[car.pk])


def test_it_tells_the_member_once_when_cars_come_back(
    cars, store, car_model, super_member, django_capture_on_commit_callbacks
):
    bays = workshop(*cars)
    favourite_save(member=super_member, car_model=car_model, store=store)

    with django_capture_on_commit_callbacks(execute=True):
        back(cars[0], bays)
    with django_capture_on_commit_callbacks(execute=True):
        back(cars[1], bays)  # a second car of a model already free is no news

    assert len(mail.outbox) == 1
    # In the member's language (Chinese by default).
    assert car_model.name_zh in mail.outbox[0].body
    assert store.name_zh in mail.outbox[0].body
    assert FavouriteAlert.objects.filter(delivered_at__isnull=False).count() == 1


def test_it_folds_two_saved_cars_freed_together_into_one_message(
    cars, store, car_model, super_member, django_capture_on_commit_callbacks
):
    other = VehicleFactory(store=store)
    bays = workshop(*cars, other)
    favourite_save(member=super_member, car_model=car_model)
    favourite_save(member=super_member, car_model=other.car_model)

    with django_capture_on_commit_callbacks(execute=True):
        back(cars[0], bays)
        back(other, bays)

    assert len(mail.outbox) == 1
    assert car_model.name_zh in mail.outbox[0].body
    assert other.car_model.name_zh in mail.outbox[0].body
    assert FavouriteAlert.objects.count() == 2


def test_it_sends_the_text_message_too(
    cars, car_model, super_member, caplog, django_capture_on_commit_callbacks
):
    bays = workshop(*cars)
    favourite_save(member=super_member, car_model=car_model)

    with django_capture_on_commit_callbacks(execute=True), caplog.at_level("INFO", logger="vendingstore.sms"):
        back(cars[0], bays)

    texts = [r.getMessage() for r in caplog.records if r.name == "vendingstore.sms"]
    assert len(texts) == 1
    assert super_member.mobile in texts[0]


def test_saving_a_car_that_is_free_now_sends_nothing(cars, car_model, super_member):
    favourite = favourite_save(member=super_member, car_model=car_model)

    assert favourite.available_seen
    assert favourites_check() == 0
    assert mail.outbox == []


def test_it_watches_only_the_chosen_store_and_paint(cars, store, car_model, paint, super_member):
    elsewhere = StoreFactory()
    TowerFactory(store=elsewhere)
    other_paint = PaintFactory(car_model=car_model)
    bays = workshop(*cars)
    at_other_store = MemberFactory()
    in_other_paint = MemberFactory()
    favourite_save(member=at_other_store, car_model=car_model, store=elsewhere)
    favourite_save(member=in_other_paint, car_model=car_model, paint=other_paint)
    favourite_save(member=super_member, car_model=car_model, paint=paint, store=store)
    back(cars[0], bays)

    assert favourites_check() == 1

    assert list(FavouriteAlert.objects.values_list("member_id", flat=True)) == [super_member.pk]


def test_a_turn_makes_one_alert_however_many_checks_run(cars, car_model, super_member):
    bays = workshop(*cars)
    favourite = favourite_save(member=super_member, car_model=car_model)
    back(cars[0], bays)

    assert favourites_check() == 1
    assert favourites_check() == 0
    assert FavouriteAlert.objects.count() == 1
    with pytest.raises(IntegrityError):  # and the database refuses a second alert of the same turn
        FavouriteAlert.objects.create(favourite=favourite, member=super_member, number=1)


def test_it_tells_again_when_the_car_is_taken_and_freed_after_the_quiet_hours(
    cars, car_model, super_member, clock, settings
):
    bays = workshop(*cars)
    favourite_save(member=super_member, car_model=car_model)
    back(cars[0], bays)
    assert favourites_check() == 1

    workshop(Vehicle.objects.get(pk=cars[0].pk))
    assert favourites_check() == 0  # taken: re-armed
    back(cars[0], bays)
    assert favourites_check() == 0  # freed again the same afternoon: not news twice

    workshop(Vehicle.objects.get(pk=cars[0].pk))
    favourites_check()
    clock.shift(timedelta(hours=settings.FAVOURITE_ALERT_QUIET_HOURS + 1))
    back(cars[0], bays)
    assert favourites_check() == 1
    assert FavouriteAlert.objects.count() == 2


def test_it_does_not_tell_when_the_alert_is_off(cars, car_model, super_member):
    bays = workshop(*cars)
    favourite_save(member=super_member, car_model=car_model, notify=False)
    back(cars[0], bays)

    assert favourites_check() == 0


def test_a_released_hold_wakes_the_watchers(
    book, cars, car_model, basic_member, super_member, django_capture_on_commit_callbacks
):
    workshop(cars[1])
    td = book(super_member)  # the one car left is promised from 10:00
    favourite_save(member=basic_member, car_model=car_model)
    assert not Favourite.objects.get(member=basic_member).available_seen

    with django_capture_on_commit_callbacks(execute=True):
        testdrive_cancel(test_drive=td, by=super_member.user)

    told = [m for m in mail.outbox if m.to == [basic_member.user.email]]
    assert [m.subject for m in told] == ["您收藏的车可以预约了"]


def test_the_sweep_finds_a_hold_that_ran_out(
    book, cars, car_model, basic_member, super_member, clock, django_capture_on_commit_callbacks
):
    workshop(cars[1])
    book(super_member)
    favourite_save(member=basic_member, car_model=car_model)
    clock.shift(timedelta(days=5))  # the booking's hold has ended; nobody released it

    with django_capture_on_commit_callbacks(execute=True):
        favourites_sweep()

    assert FavouriteAlert.objects.filter(member=basic_member).count() == 1


def test_the_message_is_in_the_members_language(cars, car_model, store):
    member = MemberFactory(preferred_language="zh-hans")
    favourite = favourite_save(member=member, car_model=car_model, store=store)

    subject, body = favourite_alert_text(member=member, favourites=[favourite])

    assert subject == "您收藏的车可以预约了"
    assert car_model.name_zh in body
    assert "现在可以预约" in body


def test_a_failed_delivery_gives_its_alerts_back(cars, car_model, super_member, monkeypatch):
    bays = workshop(*cars)
    favourite_save(member=super_member, car_model=car_model)
    back(cars[0], bays)
    monkeypatch.setattr("members.tasks.favourite_alerts_deliver_task.apply_async", lambda *a, **k: None)
    favourites_check()
    monkeypatch.setattr("members.services.favourites.send_mail", _boom)

    with pytest.raises(OSError, match="mail server down"):
        favourite_alerts_deliver(member_id=super_member.pk)

    monkeypatch.undo()
    assert favourite_alerts_deliver(member_id=super_member.pk) == 1
    assert favourite_alerts_deliver(member_id=super_member.pk) == 0
    assert len(mail.outbox) == 1


def test_an_anonymised_member_loses_the_saved_cars(car_model, super_member, staff):
    favourite_save(member=super_member, car_model=car_model)

    member_anonymise(member=super_member, actor=staff, reason="asked")

    assert not Favourite.objects.filter(member=super_member).exists()


def _boom(*args: object, **kwargs: object) -> None:
    raise OSError("mail server down")
