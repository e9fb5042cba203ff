"""factory-boy factories shared by the whole suite."""

import itertools
from datetime import date, timedelta

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from fleet.models import Brand, CarModel, CarPhoto, Paint, Store, StoreHours, Tower, Vehicle, VehicleStatus
from fleet.services import tower_ensure_bays
from fleet.vin import vin_with_check_digit
from members.credit import band_for_score
from members.demo import demo_id_number
from members.identity import secret_encrypt, secret_hash
from members.models import CreditReport, Member

_vin_serial = itertools.count(1)


def make_vin(wmi: str = "LVS") -> str:
    """A valid VIN with a fresh serial: WMI + 'AB12C' + check digit + year 'S' + plant '1' + serial."""
    return vin_with_check_digit(f"{wmi}AB12C0S1{next(_vin_serial):06d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests-1")


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class MemberFactory(factory.django.DjangoModelFactory):
    """A member with a checked identity: an adult, a licence valid for years, no credit report."""

    class Meta:
        model = Member

    class Params:
        id_number = factory.LazyAttributeSequence(lambda m, n: demo_id_number(m.date_of_birth, n))
        licence_number = factory.Sequence(lambda n: f"DL{n:010d}")

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"Member {n}")
    mobile = factory.Sequence(lambda n: f"+86138{n:08d}")
    date_of_birth = date(1990, 5, 12)
    id_number_hash = factory.LazyAttribute(lambda m: secret_hash(m.id_number))
    id_number_encrypted = factory.LazyAttribute(lambda m: secret_encrypt(m.id_number))
    id_number_last4 = factory.LazyAttribute(lambda m: m.id_number[-4:])
    licence_number_encrypted = factory.LazyAttribute(lambda m: secret_encrypt(m.licence_number))
    licence_number_last4 = factory.LazyAttribute(lambda m: m.licence_number[-4:])
    licence_expires_on = factory.LazyFunction(lambda: date.today() + timedelta(days=5 * 365))


class CreditReportFactory(factory.django.DjangoModelFactory):
    """A sandbox report fetched now (or at ``fetched_at``), valid for the configured days."""

    class Meta:
        model = CreditReport

    member = factory.SubFactory(MemberFactory)
    provider = "sandbox"
    score = 720
    band = factory.LazyAttribute(lambda r: band_for_score(r.score))
    fetched_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(
        lambda r: r.fetched_at + timedelta(days=settings.CREDIT_REPORT_VALID_DAYS)
    )


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    name_zh = factory.Sequence(lambda n: f"品牌{n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    country = "CN"


class CarModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CarModel

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Model {n}")
    name_zh = factory.Sequence(lambda n: f"车型{n}")
    slug = factory.Sequence(lambda n: f"model-{n}")
    model_year = 2026
    body_type = "sedan"
    powertrain = "bev"
    seats = 5
    power_kw = 200
    electric_range_km = 550
    energy_kwh_per_100km = "12.5"
    msrp_cny = factory.Sequence(lambda n: 150_000 + n * 1000)
    description = "A test car."
    description_zh = "一辆测试车。"


class PaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paint

    car_model = factory.SubFactory(CarModelFactory)
    name = factory.Sequence(lambda n: f"Colour {n}")
    name_zh = factory.Sequence(lambda n: f"颜色{n}")
    hex = "#1F4E79"


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Store {n}")
    name_zh = factory.Sequence(lambda n: f"门店{n}")
    slug = factory.Sequence(lambda n: f"store-{n}")
    city = "Shanghai"
    city_zh = "上海"
    address = "1 Test Road"
    address_zh = "测试路1号"

    @factory.post_generation
    def hours(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            StoreHours.objects.bulk_create(
                StoreHours(store=self, weekday=d, opens="10:00", closes="20:00") for d in range(7)
            )


class TowerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tower
        skip_postgeneration_save = True

    store = factory.SubFactory(StoreFactory)
    code = factory.Sequence(lambda n: f"tower-{n}")
    name = factory.Sequence(lambda n: f"Tower {n}")
    levels = 3
    bays_per_level = 4
    lifts = 1
    delivery_bays = 2

    @factory.post_generation
    def bays(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            tower_ensure_bays(tower=self)


def free_storage_bay(tower: Tower):
    return tower.bays.filter(kind="storage", vehicle__isnull=True).order_by("level", "position").first()


class VehicleFactory(factory.django.DjangoModelFactory):
    """A stored vehicle in the first free storage bay of a tower of its store."""

    class Meta:
        model = Vehicle

    vin = factory.LazyFunction(make_vin)
    car_model = factory.SubFactory(CarModelFactory)
    paint = factory.LazyAttribute(lambda v: PaintFactory(car_model=v.car_model))
    store = factory.LazyAttribute(lambda v: TowerFactory().store)
    bay = factory.LazyAttribute(
        lambda v: (
            free_storage_bay(v.store.towers.first() or TowerFactory(store=v.store))
            if v.status in (VehicleStatus.STORED, VehicleStatus.AT_DELIVERY_BAY)
            else None
        )
    )
    status = VehicleStatus.STORED
    odometer_km = 120
    energy_level_pct = 90


class CarPhotoFactory(factory.django.DjangoModelFactory):
    """A small generated JPEG of a model, in no particular paint."""

    class Meta:
        model = CarPhoto

    car_model = factory.SubFactory(CarModelFactory)
    image = factory.django.ImageField(width=64, height=40, color="#1F4E79", format="JPEG")
    caption = factory.Sequence(lambda n: f"Photo {n}")
