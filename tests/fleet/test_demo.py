from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from fleet.models import Bay, Brand, CarModel, Paint, Store, Tower, Vehicle, VehicleStatus
from fleet.selectors import vehicle_list_available
from members.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    call_command("demo_load", stdout=StringIO())


def test_it_loads_a_realistic_store(demo) -> None:
    assert set(Store.objects.values_list("city", flat=True)) == {"Shanghai", "Nanjing"}
    shapes = {(t.levels, t.bays_per_level, t.delivery_bays) for t in Tower.objects.all()}
    assert shapes == {(8, 6, 2), (5, 8, 2)}
    assert Brand.objects.count() >= 8
    assert CarModel.objects.count() >= 24
    for car_model in CarModel.objects.prefetch_related("paints"):
        assert 3 <= len(car_model.paints.all()) <= 6, car_model
    assert Vehicle.objects.filter(bay__isnull=False).count() >= 70


def test_every_demo_model_has_its_size_and_plug_ins_their_charging(demo) -> None:
    for car_model in CarModel.objects.all():
        assert None not in (car_model.length_mm, car_model.height_mm, car_model.wheelbase_mm), car_model
        assert car_model.boot_litres, car_model
        plug = car_model.powertrain in ("bev", "phev", "erev")
        assert (car_model.charge_ac_kw is not None) == plug, car_model
    # The three electric saloons that used to look alike differ in size.
    sizes = CarModel.objects.filter(slug__in=["byd-seal", "byd-han-ev", "bmw-i3-edrive35l"]).values_list(
        "length_mm", "height_mm", "wheelbase_mm"
    )
    assert len(set(sizes)) == 3


def test_every_demo_row_passes_model_validation(demo) -> None:
    for model in (Brand, CarModel, Paint, Store, Tower, Bay):
        for obj in model.objects.all():
            obj.full_clean()
    for vehicle in Vehicle.objects.select_related("paint", "bay__tower"):
        vehicle.full_clean()  # VIN check digit, paint of its model, bay in its own store


def test_it_is_idempotent(demo) -> None:
    counts = [m.objects.count() for m in (Brand, CarModel, Paint, Bay, Vehicle, Member)]
    call_command("demo_load", stdout=StringIO())
    assert [m.objects.count() for m in (Brand, CarModel, Paint, Bay, Vehicle, Member)] == counts


def test_it_keeps_staff_edits_on_a_second_run(demo) -> None:
    vehicle = Vehicle.objects.filter(status=VehicleStatus.STORED).first()
    vehicle.bay = None
    vehicle.status = VehicleStatus.MAINTENANCE
    vehicle.save()
    call_command("demo_load", stdout=StringIO())
    vehicle.refresh_from_db()
    assert vehicle.status == VehicleStatus.MAINTENANCE


def test_some_cars_are_out_so_available_now_means_something(demo) -> None:
    assert 0 < vehicle_list_available().count() < Vehicle.objects.count()


def test_the_demo_logins_work(demo, client) -> None:
    user_model = get_user_model()
    assert user_model.objects.get(username="staff").is_staff
    assert client.login(username="staff", password="vendingstore-staff")
    assert client.login(username="super@demo.vendingstore.cn", password="vendingstore-demo")
    assert Member.objects.count() == 2
