"""Read-side queries for members: standing, recorded drives, quota exceptions and their own data."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch
from django.utils import timezone

from fleet.models import CarModel, Paint
from fleet.selectors import StoreAvailability, availability_by_store_paint
from members.identity import secret_decrypt
from members.models import (
    BlacklistEntry,
    CreditReport,
    Favourite,
    Member,
    QuotaException,
    RecordedDrive,
)
from members.rules import (
    DriveRecord,
    QuotaWaiver,
    RuleResult,
    fee_for_msrp,
    rule_age,
    rule_credit,
    rule_licence,
    rule_not_blacklisted,
    tier_from_rules,
)


def member_get_for_user(*, user: User | AnonymousUser) -> Member | None:
    """The member profile of a logged-in customer; None for staff-only accounts and visitors."""
    if not user.is_authenticated:
        return None
    return Member.objects.select_related("user").filter(user=user, anonymised_at__isnull=True).first()


def creditreport_newest(*, member: Member) -> CreditReport | None:
    return member.credit_reports.order_by("-fetched_at", "-id").first()


def blacklist_open_entry(*, member: Member) -> BlacklistEntry | None:
    return member.blacklist_entries.filter(lifted_at__isnull=True).first()


def member_recorded_drives(*, member: Member) -> list[DriveRecord]:
    """The drives staff recorded by hand (``RecordedDrive``), as the quota rules count them.

    Test-drive bookings are the other half of a member's history; ``testdrives`` adds them.
    """
    return [
        DriveRecord(
            car_model_id=drive.car_model_id,
            started_at=drive.counted_at if drive.outcome == "driven" else None,
            no_show_at=drive.counted_at if drive.outcome == "no_show" else None,
            is_active=drive.outcome == "driven" and drive.returned_at is None,
        )
        for drive in RecordedDrive.objects.filter(member=member).only(
            "car_model_id", "outcome", "counted_at", "returned_at"
        )
    ]


def member_quota_waivers(*, member: Member) -> list[QuotaWaiver]:
    """The member's quota exceptions that staff have not revoked (expired ones included)."""
    return [
        QuotaWaiver(
            id=e.pk,
            scope=e.scope,
            car_model_id=e.car_model_id,
            valid_from=e.valid_from,
            valid_until=e.valid_until,
        )
        for e in QuotaException.objects.filter(member=member, revoked_at__isnull=True)
    ]


def member_id_number(*, member: Member) -> str:
    """The member's ID number in clear, for their own export and for the credit bureau only."""
    return secret_decrypt(member.id_number_encrypted) if member.id_number_encrypted else ""


def member_licence_number(*, member: Member) -> str:
    return secret_decrypt(member.licence_number_encrypted) if member.licence_number_encrypted else ""


def fee_for_car_model(*, car_model: CarModel) -> int:
    return fee_for_msrp(msrp_cny=car_model.msrp_cny, bands=settings.MEMBERS_FEE_BANDS)


@dataclass(frozen=True)
class Standing:
    """The member's own rules (credit, licence, age, blacklist) judged at ``at``, and the tier.

    The rules about drives (quotas) and face pickup belong to the booking: ``testdrives`` adds
    them to these (``testdrives.eligibility``).
    """

    at: datetime
    tier: str
    rules: list[RuleResult]
    report: CreditReport | None

    def rule(self, code: str) -> RuleResult:
        return next(r for r in self.rules if r.code == code)


def member_standing(*, member: Member, at: datetime) -> Standing:
    report = creditreport_newest(member=member)
    entry = blacklist_open_entry(member=member)
    rules = _standing_rules(
        member, report=report, blacklisted_since=entry.created_at if entry else None, at=at
    )
    return Standing(at=at, tier=tier_from_rules(rules), rules=rules, report=report)


def _standing_rules(
    member: Member, *, report: CreditReport | None, blacklisted_since: datetime | None, at: datetime
) -> list[RuleResult]:
    return [
        rule_credit(report=report, at=at, min_score=settings.CREDIT_SUPER_MEMBER_MIN_SCORE),
        rule_licence(
            expires_on=member.licence_expires_on,
            drive_ends_at=at + timedelta(hours=settings.TEST_DRIVE_HOURS),
        ),
        rule_age(date_of_birth=member.date_of_birth, at=at, min_age=settings.MEMBERS_MIN_AGE_YEARS),
        rule_not_blacklisted(blacklisted_since=blacklisted_since),
    ]


def member_tiers_compute(*, members: list[Member], at: datetime) -> dict[int, str]:
    """``member_tier_compute`` for many members at once, by member id: two queries for the whole
    batch (the monthly re-evaluation), where one member at a time takes two each."""
    ids = [m.pk for m in members]
    reports: dict[int, CreditReport] = {}
    for report in CreditReport.objects.filter(member_id__in=ids).order_by("member_id", "-fetched_at", "-id"):
        reports.setdefault(report.member_id, report)
    blacklisted = dict(
        BlacklistEntry.objects.filter(member_id__in=ids, lifted_at__isnull=True).values_list(
            "member_id", "created_at"
        )
    )
    return {
        member.pk: tier_from_rules(
            _standing_rules(
                member, report=reports.get(member.pk), blacklisted_since=blacklisted.get(member.pk), at=at
            )
        )
        for member in members
    }


def member_tier_compute(*, member: Member, at: datetime) -> str:
    return member_standing(member=member, at=at).tier


def member_list_for_reevaluation() -> list[int]:
    """Ids of every member whose tier is kept up to date (all but anonymised ones)."""
    return list(Member.objects.filter(anonymised_at__isnull=True).order_by("pk").values_list("pk", flat=True))


def member_export_data(*, member: Member) -> dict[str, object]:
    """Everything the store holds about the member, as JSON-ready values (PIPL art. 45).

    The member's own ID and licence numbers are included in clear: this goes only to them.
    """
    user = member.user
    blacklist = blacklist_open_entry(member=member)
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "mobile": member.mobile,
            "full_name": member.full_name,
            "preferred_language": member.preferred_language,
            "joined_at": member.joined_at.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "identity": {
            "id_number": member_id_number(member=member),
            "date_of_birth": member.date_of_birth.isoformat() if member.date_of_birth else None,
            "driving_licence_number": member_licence_number(member=member),
            "driving_licence_valid_until": member.licence_expires_on.isoformat()
            if member.licence_expires_on
            else None,
        },
        "membership": {
            "tier": member.tier,
            "tier_evaluated_at": member.tier_evaluated_at.isoformat() if member.tier_evaluated_at else None,
            "blacklisted": blacklist is not None,
            "blacklisted_since": blacklist.created_at.isoformat() if blacklist else None,
        },
        "credit_reports": [
            {
                "provider": r.provider,
                "score": r.score,
                "band": r.band,
                "fetched_at": r.fetched_at.isoformat(),
                "valid_until": r.expires_at.isoformat(),
            }
            for r in member.credit_reports.all()
        ],
        "recorded_drives": [
            {
                "car_model": str(d.car_model),
                "outcome": d.outcome,
                "started_or_missed_at": d.counted_at.isoformat(),
                "returned_at": d.returned_at.isoformat() if d.returned_at else None,
            }
            for d in member.recorded_drives.select_related("car_model__brand")
        ],
        "quota_exceptions": [
            {
                "rule": e.scope,
                "valid_from": e.valid_from.isoformat(),
                "valid_until": e.valid_until.isoformat(),
                "revoked": e.revoked_at is not None,
            }
            for e in member.quota_exceptions.all()
        ],
        "saved_cars": [
            {
                "car_model": str(f.car_model),
                "paint": f.paint.name if f.paint else None,
                "store": f.store.name if f.store else None,
                "tell_me_when_free": f.notify,
                "saved_at": f.created_at.isoformat(),
            }
            for f in member.favourites.select_related("car_model__brand", "paint", "store")
        ],
        "history": [
            {
                "when": e.created_at.isoformat(),
                "what": e.action,
                "by_staff": e.actor_id not in (None, user.pk),
            }
            for e in member.audit_events.all()
        ],
    }


def favourite_available_count(*, favourite: Favourite, rows: list[StoreAvailability]) -> int:
    """Cars bookable now for this favourite: at its store (any store without one), in its paint
    (any paint without one). ``rows`` is availability_by_store_paint's answer for its model."""
    return sum(
        paint_row.available
        for store_row in rows
        if favourite.store_id is None or store_row.store.pk == favourite.store_id
        for paint_row in store_row.paints
        if favourite.paint_id is None or paint_row.paint.pk == favourite.paint_id
    )


@dataclass(frozen=True)
class SavedCar:
    """A favourite as "my saved cars" shows it: how many cars it could book now."""

    favourite: Favourite
    available: int


def favourite_list_for_member(*, member: Member) -> list[SavedCar]:
    """The member's saved cars, newest first, each with its count of cars bookable now (the
    catalogue's rule). Four queries however many: favourites, and availability's three."""
    favourites = list(
        Favourite.objects.filter(member=member)
        .select_related("car_model__brand", "paint", "store")
        .prefetch_related(Prefetch("car_model__paints", queryset=Paint.objects.order_by("position", "name")))
    )
    if not favourites:
        return []
    availability = availability_by_store_paint(car_model_ids={f.car_model_id for f in favourites})
    return [
        SavedCar(f, favourite_available_count(favourite=f, rows=availability[f.car_model_id]))
        for f in favourites
    ]


def favourite_model_ids(*, user: User | AnonymousUser) -> frozenset[int]:
    """The ids of the models the logged-in member saved; empty for visitors (no query)."""
    if not user.is_authenticated:
        return frozenset()
    saved = Favourite.objects.filter(member__user=user, member__anonymised_at__isnull=True)
    return frozenset(saved.values_list("car_model_id", flat=True))
