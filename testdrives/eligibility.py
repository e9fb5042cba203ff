"""Who may book which test drive: members' pure rules applied to our drive history and face pickup.

``members`` judges the member's own facts (credit, licence, age, blacklist: ``member_standing``);
this module adds the booking's: the quotas over every drive the member had (our bookings and the
drives staff recorded by hand) and whether face pickup is set up (optional: without it staff check
the documents at pickup). The booking flow, the membership page and the API all call it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from biometrics.selectors import biometric_consent_given, face_template_exists
from fleet.models import CarModel
from members.models import CreditReport, Member
from members.rules import (
    FEE_RULE,
    Decision,
    DriveRecord,
    QuotaWaiver,
    RuleResult,
    booking_decide,
    rule_face_pickup,
    rule_quota_model_once,
    rule_quota_one_active,
    rule_quota_rolling,
    tier_from_rules,
)
from members.selectors import (
    fee_for_car_model,
    member_quota_waivers,
    member_recorded_drives,
    member_standing,
)
from testdrives.models import ACTIVE, State, TestDrive


def member_drive_history(*, member: Member, excluding: int | None = None) -> list[DriveRecord]:
    """Every test drive of the member that the quota rules count. The one source of history.

    Test-drive bookings (started, missed, or booked and not yet finished; cancelled ones do not
    count; a swap's second car counts with its first) plus the drives staff recorded by hand
    (``RecordedDrive``). Two queries. ``excluding``:
    a booking left out (the one being moved to another time: it does not compete with itself).
    """
    booked = [
        DriveRecord(
            car_model_id=td.car_model_id,
            started_at=td.departed_at,
            no_show_at=td.slot_end if td.state == State.NO_SHOW else None,
            is_active=td.state in ACTIVE,
            is_swap=td.swap_of_id is not None,
        )
        for td in TestDrive.objects.filter(member=member)
        .exclude(state=State.CANCELLED)
        .exclude(pk=excluding)
        .only("car_model_id", "departed_at", "slot_end", "state", "swap_of_id")
    ]
    return booked + member_recorded_drives(member=member)


@dataclass(frozen=True)
class BookingStanding:
    """Every rule that does not depend on a car model, judged at ``at``, with the facts behind it."""

    at: datetime
    tier: str
    rules: list[RuleResult]
    report: CreditReport | None
    history: list[DriveRecord]
    waivers: list[QuotaWaiver]
    face_consent: bool

    def rule(self, code: str) -> RuleResult:
        return next(r for r in self.rules if r.code == code)

    @property
    def quota(self) -> RuleResult:
        return self.rule("quota_rolling")


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
        """The rules that refuse or charge: an optional item (face pickup) is never one."""
        return [r for r in self.rules if r.required and not r.passed]

    @property
    def refusing(self) -> list[RuleResult]:
        """The rules that refuse the booking, empty when it is allowed. A credit score below the
        bar refuses only where the store takes no fee instead: elsewhere it is what the fee is for,
        not a reason to turn the member away."""
        if self.allowed:
            return []
        return [r for r in self.failed if r.code != FEE_RULE or not settings.MEMBERS_FEES_ALLOWED]

    @property
    def charging(self) -> RuleResult | None:
        """The failed credit rule when the store takes a fee instead: what the member will pay
        for once nothing else refuses them."""
        if not settings.MEMBERS_FEES_ALLOWED:
            return None
        return next((r for r in self.failed if r.code == FEE_RULE), None)

    @property
    def quota(self) -> RuleResult:
        return next(r for r in self.rules if r.code == "quota_rolling")


def member_booking_standing(*, member: Member, at: datetime, excluding: int | None = None) -> BookingStanding:
    standing = member_standing(member=member, at=at)
    history = member_drive_history(member=member, excluding=excluding)
    waivers = member_quota_waivers(member=member)
    consent = biometric_consent_given(member=member)
    rules = [
        *standing.rules,
        rule_face_pickup(consent=consent, enrolled=consent and face_template_exists(member=member)),
        rule_quota_rolling(
            records=history,
            at=at,
            limit=settings.QUOTA_DRIVES_PER_WINDOW,
            window=timedelta(days=settings.QUOTA_WINDOW_DAYS),
            waivers=waivers,
        ),
        rule_quota_one_active(records=history, at=at, waivers=waivers),
    ]
    return BookingStanding(
        at=at,
        tier=standing.tier,
        rules=rules,
        report=standing.report,
        history=history,
        waivers=waivers,
        face_consent=consent,
    )


def member_eligibility(
    *, member: Member, car_model: CarModel, at: datetime, excluding: int | None = None
) -> Eligibility:
    """Every rule for test-driving ``car_model`` from ``at``, each passed or failed with its reason.

    The booking flow calls this and nothing else. Allowed outright when every required rule
    passes; when only the credit rule fails and the store allows fees, allowed with the fee of the
    car's class; otherwise refused. Runs a fixed number of queries, whatever the history.
    """
    standing = member_booking_standing(member=member, at=at, excluding=excluding)
    return member_eligibility_for(standing=standing, car_model=car_model)


def member_eligibility_for(*, standing: BookingStanding, car_model: CarModel) -> Eligibility:
    """``member_eligibility`` from a standing already derived (at its ``at``): no query of its own."""
    at = standing.at
    rules = list(standing.rules)
    rules.insert(
        -1,
        rule_quota_model_once(
            records=standing.history, car_model_id=car_model.pk, at=at, waivers=standing.waivers
        ),
    )
    decision, fee = booking_decide(
        rules=rules,
        fee_cny=fee_for_car_model(car_model=car_model),
        fees_allowed=settings.MEMBERS_FEES_ALLOWED,
    )
    return Eligibility(
        at=at, car_model=car_model, tier=tier_from_rules(rules), rules=rules, decision=decision, fee_cny=fee
    )
