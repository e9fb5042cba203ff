"""Read-side queries for members: standing, eligibility, drive history and their own data."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from biometrics.selectors import biometric_consent_given, biometric_consent_given_for
from fleet.models import CarModel
from members.identity import secret_decrypt
from members.models import BlacklistEntry, CreditReport, Member, QuotaException, RecordedDrive, Tier
from members.rules import (
    FEE_RULE,
    TIER_RULES,
    DriveRecord,
    QuotaWaiver,
    RuleResult,
    fee_for_msrp,
    rule_age,
    rule_biometric_consent,
    rule_credit,
    rule_licence,
    rule_not_blacklisted,
    rule_quota_model_once,
    rule_quota_one_active,
    rule_quota_rolling,
)


def member_get_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Member | None:
    """The member profile of a logged-in customer; None for staff-only accounts and visitors."""
    if not user.is_authenticated:
        return None
    return Member.objects.select_related("user").filter(user=user, anonymised_at__isnull=True).first()


def creditreport_newest(*, member: Member) -> CreditReport | None:
    return member.credit_reports.order_by("-fetched_at", "-id").first()


def blacklist_open_entry(*, member: Member) -> BlacklistEntry | None:
    return member.blacklist_entries.filter(lifted_at__isnull=True).first()


def member_drive_history(*, member: Member) -> list[DriveRecord]:
    """Every test drive of the member that the quota rules count. The one source of history.

    Test-drive bookings (started, missed, or booked and not yet finished; cancelled ones do not
    count) plus the drives staff recorded by hand (``RecordedDrive``). Two queries.
    """

    histories = _drive_histories({"member": member})
    return histories.get(member.pk, [])


def _drive_histories(members: dict[str, object]) -> dict[int, list[DriveRecord]]:
    """``member_drive_history`` of the members the filter ``members`` selects, by member id.
    Two queries, however many members."""
    from testdrives.models import ACTIVE, State, TestDrive

    histories: dict[int, list[DriveRecord]] = {}
    for td in (
        TestDrive.objects.filter(**members)
        .exclude(state=State.CANCELLED)
        .only("member_id", "car_model_id", "departed_at", "slot_end", "state")
    ):
        histories.setdefault(td.member_id, []).append(
            DriveRecord(
                car_model_id=td.car_model_id,
                started_at=td.departed_at,
                no_show_at=td.slot_end if td.state == State.NO_SHOW else None,
                is_active=td.state in ACTIVE,
            )
        )
    for drive in RecordedDrive.objects.filter(**members).only(
        "member_id", "car_model_id", "outcome", "counted_at", "returned_at"
    ):
        histories.setdefault(drive.member_id, []).append(
            DriveRecord(
                car_model_id=drive.car_model_id,
                started_at=drive.counted_at if drive.outcome == "driven" else None,
                no_show_at=drive.counted_at if drive.outcome == "no_show" else None,
                is_active=drive.outcome == "driven" and drive.returned_at is None,
            )
        )
    return histories


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
    """The member's rules that do not depend on a car model, judged at ``at``."""

    at: datetime
    tier: str
    rules: list[RuleResult]
    report: CreditReport | None
    # What the rules were judged on: a model's eligibility reuses them (member_eligibility_for).
    facts: "_Facts" = field(repr=False, compare=False)

    def rule(self, code: str) -> RuleResult:
        return next(r for r in self.rules if r.code == code)

    @property
    def quota(self) -> RuleResult:
        return self.rule("quota_rolling")


Decision = Literal["allowed", "allowed_with_fee", "refused"]


@dataclass(frozen=True)
class Eligibility:
    """Whether the member may test-drive ``car_model`` starting at ``at``, and every reason."""

    at: datetime
    car_model: CarModel
    tier: str
    rules: list[RuleResult]
    decision: Decision
    # What the member pays: 0 when allowed outright, the fee when below the credit bar,
    # None when refused.
    fee_cny: int | None

    @property
    def allowed(self) -> bool:
        return self.decision != "refused"

    @property
    def failed(self) -> list[RuleResult]:
        return [r for r in self.rules if not r.passed]

    @property
    def quota(self) -> RuleResult:
        return next(r for r in self.rules if r.code == "quota_rolling")


@dataclass(frozen=True)
class _Facts:
    report: CreditReport | None
    blacklisted_since: datetime | None
    history: list[DriveRecord]
    waivers: list[QuotaWaiver]
    consent: bool


def _facts(member: Member) -> _Facts:
    entry = blacklist_open_entry(member=member)
    return _Facts(
        report=creditreport_newest(member=member),
        blacklisted_since=entry.created_at if entry else None,
        history=member_drive_history(member=member),
        waivers=member_quota_waivers(member=member),
        consent=biometric_consent_given(member=member),
    )


def _standing_rules(member: Member, facts: _Facts, at: datetime) -> list[RuleResult]:
    return [
        rule_credit(report=facts.report, at=at, min_score=settings.CREDIT_SUPER_MEMBER_MIN_SCORE),
        rule_licence(
            expires_on=member.licence_expires_on,
            drive_ends_at=at + timedelta(hours=settings.TEST_DRIVE_HOURS),
        ),
        rule_age(date_of_birth=member.date_of_birth, at=at, min_age=settings.MEMBERS_MIN_AGE_YEARS),
        rule_not_blacklisted(blacklisted_since=facts.blacklisted_since),
        rule_biometric_consent(given=facts.consent),
        rule_quota_rolling(
            records=facts.history,
            at=at,
            limit=settings.QUOTA_DRIVES_PER_WINDOW,
            window=timedelta(days=settings.QUOTA_WINDOW_DAYS),
            waivers=facts.waivers,
        ),
        rule_quota_one_active(records=facts.history, at=at, waivers=facts.waivers),
    ]


def tier_from_rules(rules: list[RuleResult]) -> str:
    passed = {r.code for r in rules if r.passed}
    return Tier.SUPER if passed.issuperset(TIER_RULES) else Tier.STANDARD


def member_standing(*, member: Member, at: datetime) -> Standing:
    facts = _facts(member)
    rules = _standing_rules(member, facts, at)
    return Standing(at=at, tier=tier_from_rules(rules), rules=rules, report=facts.report, facts=facts)


def member_tiers_compute(*, members: list[Member], at: datetime) -> dict[int, str]:
    """``member_tier_compute`` for many members at once, by member id: seven queries for the
    whole batch (the monthly re-evaluation), where one member at a time takes six each."""
    ids = [m.pk for m in members]
    reports: dict[int, CreditReport] = {}
    for report in CreditReport.objects.filter(member_id__in=ids).order_by("member_id", "-fetched_at", "-id"):
        reports.setdefault(report.member_id, report)
    blacklisted = dict(
        BlacklistEntry.objects.filter(member_id__in=ids, lifted_at__isnull=True).values_list(
            "member_id", "created_at"
        )
    )
    histories = _drive_histories({"member_id__in": ids})
    waivers: dict[int, list[QuotaWaiver]] = {}
    for e in QuotaException.objects.filter(member_id__in=ids, revoked_at__isnull=True):
        waivers.setdefault(e.member_id, []).append(
            QuotaWaiver(
                id=e.pk,
                scope=e.scope,
                car_model_id=e.car_model_id,
                valid_from=e.valid_from,
                valid_until=e.valid_until,
            )
        )
    consented = biometric_consent_given_for(member_ids=ids)
    tiers = {}
    for member in members:
        facts = _Facts(
            report=reports.get(member.pk),
            blacklisted_since=blacklisted.get(member.pk),
            history=histories.get(member.pk, []),
            waivers=waivers.get(member.pk, []),
            consent=member.pk in consented,
        )
        tiers[member.pk] = tier_from_rules(_standing_rules(member, facts, at))
    return tiers


def member_tier_compute(*, member: Member, at: datetime) -> str:
    return member_standing(member=member, at=at).tier


def member_eligibility(*, member: Member, car_model: CarModel, at: datetime) -> Eligibility:
    """Every rule for test-driving ``car_model`` from ``at``, each passed or failed with its reason.

    The booking flow calls this and nothing else. Allowed outright when every rule passes; when
    only the credit rule fails and the store allows fees, allowed with the fee of the car's class;
    otherwise refused. Runs a fixed number of queries (six), whatever the history.
    """
    return member_eligibility_for(standing=member_standing(member=member, at=at), car_model=car_model)


def member_eligibility_for(*, standing: Standing, car_model: CarModel) -> Eligibility:
    """``member_eligibility`` from a standing already derived (at its ``at``): no query of its own."""
    facts, at = standing.facts, standing.at
    rules = list(standing.rules)
    rules.insert(
        -1,
        rule_quota_model_once(records=facts.history, car_model_id=car_model.pk, at=at, waivers=facts.waivers),
    )
    failed = {r.code for r in rules if not r.passed}
    if not failed:
        decision, fee = "allowed", 0
    elif failed == {FEE_RULE} and settings.MEMBERS_FEES_ALLOWED:
        decision, fee = "allowed_with_fee", fee_for_car_model(car_model=car_model)
    else:
        decision, fee = "refused", None
    return Eligibility(
        at=at, car_model=car_model, tier=tier_from_rules(rules), rules=rules, decision=decision, fee_cny=fee
    )


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
        "history": [
            {
                "when": e.created_at.isoformat(),
                "what": e.action,
                "by_staff": e.actor_id not in (None, user.pk),
            }
            for e in member.audit_events.all()
        ],
    }
