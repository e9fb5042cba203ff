"""The rules as pure functions, at their edges. No database."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from members.rules import (
    DriveRecord,
    QuotaWaiver,
    age_on,
    booking_decide,
    fee_for_msrp,
    rule_age,
    rule_credit,
    rule_face_pickup,
    rule_licence,
    rule_not_blacklisted,
    rule_quota_model_once,
    rule_quota_one_active,
    rule_quota_rolling,
)

AT = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai
WINDOW = timedelta(days=60)
SEAL, HAN = 1, 2


@dataclass
class Report:
    score: int
    fetched_at: datetime
    band: str = "excellent"

    @property
    def expires_at(self) -> datetime:
        return self.fetched_at + timedelta(days=30)


def drives(*days_ago: float, model: int = SEAL) -> list[DriveRecord]:
    return [
        DriveRecord(car_model_id=model + i, started_at=AT - timedelta(days=d)) for i, d in enumerate(days_ago)
    ]


# --- credit ---------------------------------------------------------------------------------


def test_it_passes_a_score_of_700() -> None:
    assert rule_credit(report=Report(700, AT - timedelta(days=1)), at=AT, min_score=700).passed


def test_it_fails_a_score_of_699_and_says_so() -> None:
    result = rule_credit(report=Report(699, AT - timedelta(days=1), band="very_good"), at=AT, min_score=700)

    assert not result.passed
    assert result.reason.render("en") == "Your credit score 699 (Very good) is below 700."
    assert "699" in result.reason.render("zh-hans")
    assert result.reason.render("zh-hans") != result.reason.render("en")


def test_it_accepts_a_report_29_days_old() -> None:
    assert rule_credit(report=Report(800, AT - timedelta(days=29)), at=AT, min_score=700).passed


def test_it_refuses_a_report_31_days_old() -> None:
    result = rule_credit(report=Report(800, AT - timedelta(days=31)), at=AT, min_score=700)

    assert not result.passed
    assert "expired" in result.reason.render("en")


def test_a_report_stops_counting_exactly_when_it_expires() -> None:
    report = Report(800, AT - timedelta(days=30))

    assert not rule_credit(report=report, at=AT, min_score=700).passed
    assert rule_credit(report=report, at=AT - timedelta(seconds=1), min_score=700).passed


def test_it_asks_for_a_credit_check_when_there_is_no_report() -> None:
    result = rule_credit(report=None, at=AT, min_score=700)

    assert not result.passed
    assert "check your credit" in result.reason.render("en")


# --- driving licence ------------------------------------------------------------------------


def test_it_refuses_a_licence_expiring_mid_drive() -> None:
    drive_ends_at = AT + timedelta(hours=72)
    result = rule_licence(
        expires_on=timezone.localdate(AT + timedelta(hours=48)), drive_ends_at=drive_ends_at
    )

    assert not result.passed
    assert "before the test drive would end" in result.reason.render("en")


def test_a_licence_valid_through_the_last_day_of_the_drive_passes() -> None:
    drive_ends_at = AT + timedelta(hours=72)

    assert rule_licence(expires_on=timezone.localdate(drive_ends_at), drive_ends_at=drive_ends_at).passed


def test_it_refuses_a_member_without_a_licence_on_file() -> None:
    assert not rule_licence(expires_on=None, drive_ends_at=AT).passed


# --- age ------------------------------------------------------------------------------------


def test_it_refuses_a_member_aged_17_years_and_364_days() -> None:
    today = timezone.localdate(AT)
    born = date(today.year - 18, today.month, today.day) + timedelta(days=1)

    result = rule_age(date_of_birth=born, at=AT, min_age=18)

    assert not result.passed
    assert age_on(born, today) == 17
    assert "you can book from" in result.reason.render("en")


def test_it_accepts_a_member_on_their_18th_birthday() -> None:
    today = timezone.localdate(AT)

    assert rule_age(date_of_birth=date(today.year - 18, today.month, today.day), at=AT, min_age=18).passed


def test_the_age_follows_the_stores_time_zone_not_utc() -> None:
    # 16:30 UTC on 14 June is already 15 June in Shanghai, the 18th birthday.
    at = datetime(2026, 6, 14, 16, 30, tzinfo=UTC)

    assert rule_age(date_of_birth=date(2008, 6, 15), at=at, min_age=18).passed


def test_someone_born_on_29_february_comes_of_age_on_1_march() -> None:
    born = date(2008, 2, 29)

    assert age_on(born, date(2026, 2, 28)) == 17
    assert age_on(born, date(2026, 3, 1)) == 18


# --- blacklist and consent ------------------------------------------------------------------


def test_a_blacklisted_member_fails_with_the_date() -> None:
    result = rule_not_blacklisted(blacklisted_since=AT - timedelta(days=2))

    assert not result.passed
    assert "barred" in result.reason.render("en")


def test_face_pickup_without_consent_is_an_optional_item_that_says_staff_check_the_id() -> None:
    result = rule_face_pickup(consent=False, enrolled=False)

    assert not result.passed
    assert not result.required
    assert "staff check your ID" in result.reason.render("en")


def test_face_pickup_with_consent_and_a_photo_is_set_up() -> None:
    result = rule_face_pickup(consent=True, enrolled=True)

    assert result.passed
    assert not result.required


def test_an_optional_item_never_refuses_a_booking() -> None:
    face = rule_face_pickup(consent=False, enrolled=False)
    credit_ok = rule_credit(report=None, at=AT, min_score=700)

    assert booking_decide(rules=[face], fee_cny=99, fees_allowed=True) == ("allowed", 0)
    assert booking_decide(rules=[face, credit_ok], fee_cny=99, fees_allowed=True) == ("allowed_with_fee", 99)
    assert booking_decide(rules=[face, credit_ok], fee_cny=99, fees_allowed=False) == ("refused", None)


# --- rolling quota --------------------------------------------------------------------------


def test_it_allows_a_fifth_drive_in_sixty_days() -> None:
    result = rule_quota_rolling(records=drives(1, 10, 20, 30), at=AT, limit=5, window=WINDOW)

    assert result.passed
    assert (result.used, result.limit) == (4, 5)


def test_it_refuses_a_sixth_drive_in_sixty_days() -> None:
    result = rule_quota_rolling(records=drives(1, 10, 20, 30, 50), at=AT, limit=5, window=WINDOW)

    assert not result.passed
    assert result.used == 5
    # The drive from 50 days ago leaves the window 10 days from now.
    assert result.next_free_at == AT + timedelta(days=10)
    assert "frees up" in result.reason.render("en")


def test_a_drive_exactly_sixty_days_old_no_longer_counts() -> None:
    records = [*drives(1, 10, 20, 30), DriveRecord(car_model_id=99, started_at=AT - WINDOW)]

    assert rule_quota_rolling(records=records, at=AT, limit=5, window=WINDOW).passed


def test_a_drive_one_second_inside_the_window_still_counts() -> None:
    records = [
        *drives(1, 10, 20, 30),
        DriveRecord(car_model_id=99, started_at=AT - WINDOW + timedelta(seconds=1)),
    ]

    result = rule_quota_rolling(records=records, at=AT, limit=5, window=WINDOW)

    assert not result.passed
    assert result.next_free_at == AT + timedelta(seconds=1)


def test_no_shows_count_against_the_rolling_quota() -> None:
    records = [*drives(1, 10, 20, 30), DriveRecord(car_model_id=99, no_show_at=AT - timedelta(days=5))]

    assert not rule_quota_rolling(records=records, at=AT, limit=5, window=WINDOW).passed


def test_bookings_not_yet_started_do_not_count_against_the_rolling_quota() -> None:
    records = [*drives(1, 10, 20, 30), DriveRecord(car_model_id=99, is_active=True)]

    assert rule_quota_rolling(records=records, at=AT, limit=5, window=WINDOW).used == 4


def test_when_over_the_limit_the_next_slot_is_when_enough_drives_have_left() -> None:
    # Seven drives (staff exceptions allowed two extra): the count drops to four when the
    # third oldest leaves.
    result = rule_quota_rolling(records=drives(1, 2, 3, 4, 5, 40, 50), at=AT, limit=5, window=WINDOW)

    assert result.next_free_at == AT - timedelta(days=5) + WINDOW


def test_a_staff_exception_waives_the_rolling_quota_while_it_is_valid() -> None:
    waiver = QuotaWaiver(
        id=7, scope="rolling_limit", valid_from=AT - timedelta(days=1), valid_until=AT + timedelta(days=1)
    )
    records = drives(1, 10, 20, 30, 50)

    result = rule_quota_rolling(records=records, at=AT, limit=5, window=WINDOW, waivers=[waiver])
    expired = rule_quota_rolling(
        records=records, at=AT + timedelta(days=2), limit=5, window=WINDOW, waivers=[waiver]
    )

    assert result.passed
    assert result.waived_by == 7
    assert "exception" in result.reason.render("en")
    assert not expired.passed


def test_an_exception_for_another_rule_does_not_waive_the_rolling_quota() -> None:
    waiver = QuotaWaiver(
        id=7, scope="one_active", valid_from=AT - timedelta(days=1), valid_until=AT + timedelta(days=1)
    )

    result = rule_quota_rolling(
        records=drives(1, 10, 20, 30, 50), at=AT, limit=5, window=WINDOW, waivers=[waiver]
    )

    assert not result.passed


# --- each model once, one at a time ---------------------------------------------------------


def test_it_refuses_the_same_model_twice() -> None:
    result = rule_quota_model_once(records=drives(400, model=SEAL), car_model_id=SEAL, at=AT)

    assert not result.passed
    assert "once" in result.reason.render("en")


def test_another_model_is_fine() -> None:
    assert rule_quota_model_once(records=drives(400, model=SEAL), car_model_id=HAN, at=AT).passed


def test_a_no_show_does_not_use_the_model_up() -> None:
    records = [DriveRecord(car_model_id=SEAL, no_show_at=AT - timedelta(days=3))]

    assert rule_quota_model_once(records=records, car_model_id=SEAL, at=AT).passed


def test_a_booking_for_the_model_uses_it_up() -> None:
    result = rule_quota_model_once(
        records=[DriveRecord(car_model_id=SEAL, is_active=True)], car_model_id=SEAL, at=AT
    )

    assert not result.passed
    assert "already have a booking" in result.reason.render("en")


def test_a_model_exception_applies_to_its_model_only() -> None:
    waiver = QuotaWaiver(
        id=3,
        scope="model_once",
        car_model_id=SEAL,
        valid_from=AT - timedelta(days=1),
        valid_until=AT + timedelta(days=1),
    )
    records = drives(400, model=SEAL) + drives(300, model=HAN)

    assert rule_quota_model_once(records=records, car_model_id=SEAL, at=AT, waivers=[waiver]).passed
    assert not rule_quota_model_once(records=records, car_model_id=HAN, at=AT, waivers=[waiver]).passed


def test_it_refuses_a_second_active_drive() -> None:
    records = [DriveRecord(car_model_id=SEAL, started_at=AT - timedelta(days=1), is_active=True)]

    assert not rule_quota_one_active(records=records, at=AT).passed
    assert rule_quota_one_active(records=drives(10), at=AT).passed


# --- fees -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("msrp", "fee"), [(99_800, 99), (299_999, 99), (300_000, 198), (1_200_000, 198)])
def test_the_fee_follows_the_car_class(msrp: int, fee: int) -> None:
    assert fee_for_msrp(msrp_cny=msrp, bands=[(0, 99), (300_000, 198)]) == fee


def test_reasons_render_in_both_languages() -> None:
    result = rule_quota_rolling(records=drives(1, 10, 20, 30, 50), at=AT, limit=5, window=WINDOW)

    both = result.reason.in_every_language()

    assert set(both) == {"en", "zh-hans"}
    assert "2026" in both["en"]
    assert "2026年" in both["zh-hans"]
