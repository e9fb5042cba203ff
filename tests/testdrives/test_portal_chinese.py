"""The booking pages, the kiosk and the refusals speak Simplified Chinese to a Chinese member."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from testdrives.errors import BookingRefused, TransitionRefused
from testdrives.services.booking import testdrive_cancel
from testdrives.services.kiosks import kiosk_create
from testdrives.services.lifecycle import testdrive_check_in
from tests.fixtures.world import TEN, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("chinese_catalogue")]


@pytest.fixture
def chinese_client(client):
    client.cookies["django_language"] = "zh-hans"
    return client


def test_the_book_page_speaks_chinese(chinese_client, super_member, car_model, store, paint, cars):
    chinese_client.force_login(super_member.user)

    html = chinese_client.get(
        reverse("testdrives:book", args=[car_model.slug]),
        {"store": store.pk, "paint": paint.pk, "day": TEN.date().isoformat()},
    ).content.decode()

    assert '<html lang="zh-hans">' in html
    assert f"预约试驾 {car_model.display_name}" in html
    assert "再选一个 15 分钟的取车时段" in html
    assert "的取车时段" in html  # the slot list's legend
    assert "剩余 2" in html
    assert "预约此时段" in html
    assert "Book this time" not in html


def test_a_refused_booking_explains_itself_in_chinese(chinese_client, car_model, store, paint, cars, clock):
    # Below the bar, and a licence that ends before the drive would: the fee cannot help.
    member = make_member(score=500, consent=False, licence_expires_on=date(2026, 12, 2))
    chinese_client.force_login(member.user)

    html = chinese_client.get(reverse("testdrives:book", args=[car_model.slug])).content.decode()

    assert "您目前无法预约这辆车" in html
    assert "驾驶证" in html
    assert "You cannot book this car right now" not in html


def test_the_booking_page_shows_the_pickup_code_in_chinese(chinese_client, book, super_member):
    td = book(super_member)
    chinese_client.force_login(super_member.user)

    html = chinese_client.get(reverse("testdrives:detail", args=[td.pk])).content.decode()

    assert "您的取车码" in html
    assert "前往自助终端，输入或扫描此取车码" in html
    assert "已预约" in html


def test_the_kiosk_home_page_speaks_chinese(chinese_client, store, staff, clock):
    _, token = kiosk_create(store=store, name="Entrance", by=staff)
    chinese_client.post(reverse("kiosk:sign_in"), {"token": token})

    html = chinese_client.get(reverse("kiosk:home")).content.decode()

    assert "<h1>取车</h1>" in html
    assert "输入或扫描您的取车码" in html
    assert "还车" in html
    assert "Pick up your car" not in html


def test_refusals_read_in_chinese(book, super_member, store, staff, clock):
    kiosk, _ = kiosk_create(store=store, name="Entrance", by=staff)
    td = book(super_member)

    with translation.override("zh-hans"):
        assert str(BookingRefused().message) == "您无法预约本次试驾。"
        with pytest.raises(TransitionRefused) as early:
            testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
        assert str(early.value.message) == "您来早了：09:30 起可以签到。"

        testdrive_cancel(test_drive=td, by=super_member.user)
        with pytest.raises(TransitionRefused) as cancelled:
            testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
        assert str(cancelled.value.message) == "该预约状态为“已取消”。"
