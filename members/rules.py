"""The store's rules for who may take a car out, as pure functions over plain values.

Nothing here touches the database or the clock: callers pass the moment being judged (``at``,
when the drive would start) and the facts, and get one ``RuleResult`` per rule, passed or not,
with the reason in words. ``members.selectors.member_standing`` applies the member's own rules;
``testdrives.eligibility`` applies the booking's (quotas over its drive history, face pickup).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol, TypedDict, Unpack

from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from members.models import CreditBand, QuotaScope, Tier

REASON_LANGUAGES = ("en", "zh-hans")


@dataclass(frozen=True)
class Reason:
    """A message with its parameters, rendered in any language on demand."""

    message: Promise
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, language: str | None = None) -> str:
        if language is None:
            return self._render()
        with translation.override(language):
            return self._render()

    def _render(self) -> str:
        return str(self.message) % {k: _format(v) for k, v in self.params.items()}

    def in_every_language(self) -> dict[str, str]:
        return {language: self.render(language) for language in REASON_LANGUAGES}

    def __str__(self) -> str:
        return self.render()


def _format(value: Any) -> str:
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


@dataclass(frozen=True)
class RuleResult:
    code: str
    passed: bool
    reason: Reason
    # The quota exception that made a failing quota rule pass.
    waived_by: int | None = None
    # Quota rules: how much of the quota is used and when the next slot frees up.
    used: int | None = None
    limit: int | None = None
    next_free_at: datetime | None = None
    # An optional item (face pickup) is shown with the rules but never refuses a booking.
    required: bool = True


@dataclass(frozen=True)
class DriveRecord:
    """One test drive of a member, as far as the quotas care.

    ``started_at``: when the car left the delivery bay; ``no_show_at``: when a missed slot ended;
    ``is_active``: booked or on the road, not yet finished (scheduled through overdue);
    ``is_swap``: the second car of one drive (a swap): it uses up its model, but the drive was
    counted once, with its first car, in the rolling quota.
    """

    car_model_id: int
    started_at: datetime | None = None
    no_show_at: datetime | None = None
    is_active: bool = False
    is_swap: bool = False

    @property
    def counted_at(self) -> datetime | None:
        """When the drive started counting against the rolling quota, if it does."""
        if self.is_swap:
            return None
        return self.started_at or self.no_show_at


@dataclass(frozen=True)
class QuotaWaiver:
    """A staff exception to one quota rule, valid in [valid_from, valid_until)."""

    id: int
    scope: str
    valid_from: datetime
    valid_until: datetime
    car_model_id: int | None = None

    def covers(self, *, scope: str, at: datetime, car_model_id: int | None) -> bool:
        if self.scope != scope or not (self.valid_from <= at < self.valid_until):
            return False
        return self.car_model_id is None or self.car_model_id == car_model_id


class CreditFacts(Protocol):
    score: int
    band: str
    fetched_at: datetime
    expires_at: datetime


def _waiver_for(
    waivers: Iterable[QuotaWaiver], *, scope: str, at: datetime, car_model_id: int | None = None
) -> QuotaWaiver | None:
    return next((w for w in waivers if w.covers(scope=scope, at=at, car_model_id=car_model_id)), None)


class _QuotaUse(TypedDict, total=False):
    """RuleResult's quota fields, as a rolling quota fills them."""

    used: int
    limit: int
    next_free_at: datetime | None


def _waived(code: str, waiver: QuotaWaiver, **extra: Unpack[_QuotaUse]) -> RuleResult:
    reason = Reason(
        _("Over this limit, but the store granted you an exception until %(until)s."),
        {"until": waiver.valid_until},
    )
    return RuleResult(code=code, passed=True, reason=reason, waived_by=waiver.id, **extra)


def rule_credit(*, report: CreditFacts | None, at: datetime, min_score: int) -> RuleResult:
    """The newest credit report must be unexpired at ``at`` and score at least ``min_score``."""
    code = "credit_score"
    if report is None:
        return RuleResult(
            code, False, Reason(_("No credit report yet: check your credit to see your score."))
        )
    if report.expires_at <= at:
        reason = Reason(
            _("Your credit report from %(fetched)s has expired: check your credit again."),
            {"fetched": timezone.localdate(report.fetched_at)},
        )
        return RuleResult(code, False, reason)
    params = {"score": report.score, "band": CreditBand(report.band).label, "min": min_score}
    if report.score < min_score:
        return RuleResult(
            code, False, Reason(_("Your credit score %(score)s (%(band)s) is below %(min)s."), params)
        )
    return RuleResult(
        code, True, Reason(_("Your credit score %(score)s (%(band)s) is %(min)s or more."), params)
    )


def rule_licence(*, expires_on: date | None, drive_ends_at: datetime) -> RuleResult:
    """The driving licence must be valid through the whole drive, to the day it ends (local time)."""
    code = "driving_licence"
    if expires_on is None:
        return RuleResult(code, False, Reason(_("No driving licence on file.")))
    if expires_on < timezone.localdate(drive_ends_at):
        reason = Reason(
            _("Your driving licence expires on %(expires)s, before the test drive would end on %(ends)s."),
            {"expires": expires_on, "ends": drive_ends_at},
        )
        return RuleResult(code, False, reason)
    reason = Reason(_("Your driving licence is valid until %(expires)s."), {"expires": expires_on})
    return RuleResult(code, True, reason)


def birthday_in(born: date, year: int) -> date:
    """The birthday in ``year``; 29 February falls on 1 March in a common year."""
    try:
        return born.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - (1 if day < birthday_in(born, day.year) else 0)


def rule_age(*, date_of_birth: date | None, at: datetime, min_age: int) -> RuleResult:
    code = "age"
    if date_of_birth is None:
        return RuleResult(code, False, Reason(_("No date of birth on file.")))
    if age_on(date_of_birth, timezone.localdate(at)) < min_age:
        reason = Reason(
            _("You must be at least %(min)s; you can book from %(from)s."),
            {"min": min_age, "from": birthday_in(date_of_birth, date_of_birth.year + min_age)},
        )
        return RuleResult(code, False, reason)
    return RuleResult(code, True, Reason(_("You are %(min)s or older."), {"min": min_age}))


def rule_not_blacklisted(*, blacklisted_since: datetime | None) -> RuleResult:
    code = "not_blacklisted"
    if blacklisted_since is not None:
        reason = Reason(
            _("Your account is barred from new bookings since %(since)s. Please contact the store."),
            {"since": timezone.localdate(blacklisted_since)},
        )
        return RuleResult(code, False, reason)
    return RuleResult(code, True, Reason(_("Your account is in good standing.")))


def rule_face_pickup(*, consent: bool, enrolled: bool) -> RuleResult:
    """Face pickup is optional (issue 12 §6): without it, staff check the documents at pickup."""
    code = "face_pickup"
    if consent and enrolled:
        return RuleResult(code, True, Reason(_("Face pickup is set up.")), required=False)
    if consent:
        reason = Reason(
            _("Optional: add a face photo for face pickup; until then staff check your ID at pickup.")
        )
    else:
        reason = Reason(_("Optional: consent to face pickup; until then staff check your ID at pickup."))
    return RuleResult(code, False, reason, required=False)


def rule_quota_rolling(
    *,
    records: Sequence[DriveRecord],
    at: datetime,
    limit: int,
    window: timedelta,
    waivers: Iterable[QuotaWaiver] = (),
) -> RuleResult:
    """At most ``limit`` drives started or no-showed in (at - window, at].

    ``next_free_at`` is when the count next drops by one; when the quota is full, that is the
    first moment a new drive may start.
    """
    code = "quota_rolling"
    counted = sorted(
        r.counted_at for r in records if r.counted_at is not None and at - window < r.counted_at <= at
    )
    used = len(counted)
    next_free_at = counted[max(0, used - limit)] + window if counted else None
    extra: _QuotaUse = {"used": used, "limit": limit, "next_free_at": next_free_at}
    days = window.days
    if used < limit:
        reason = Reason(
            _("%(used)s of %(limit)s test drives used in the last %(days)s days."),
            {"used": used, "limit": limit, "days": days},
        )
        return RuleResult(code, True, reason, **extra)
    waiver = _waiver_for(waivers, scope=QuotaScope.ROLLING_LIMIT, at=at)
    if waiver is not None:
        return _waived(code, waiver, **extra)
    reason = Reason(
        _(
            "You have used all %(limit)s test drives of the last %(days)s days; "
            "the next one frees up on %(when)s."
        ),
        {"limit": limit, "days": days, "when": next_free_at},
    )
    return RuleResult(code, False, reason, **extra)


def rule_quota_model_once(
    *, records: Sequence[DriveRecord], car_model_id: int, at: datetime, waivers: Iterable[QuotaWaiver] = ()
) -> RuleResult:
    """Each car model once per member, ever: a drive that started, or one booked now, uses it up.

    A no-show does not use the model up (it counts against the rolling quota instead).
    """
    code = "quota_model_once"
    taken = [r for r in records if r.car_model_id == car_model_id and (r.started_at or r.is_active)]
    if not taken:
        return RuleResult(code, True, Reason(_("You have not test-driven this model before.")))
    waiver = _waiver_for(waivers, scope=QuotaScope.MODEL_ONCE, at=at, car_model_id=car_model_id)
    if waiver is not None:
        return _waived(code, waiver)
    started = [r.started_at for r in taken if r.started_at]
    if started:
        reason = Reason(
            _("You test-drove this model on %(when)s; each model can be test-driven once."),
            {"when": timezone.localdate(min(started))},
        )
    else:
        reason = Reason(_("You already have a booking for this model."))
    return RuleResult(code, False, reason)


def rule_quota_one_active(
    *, records: Sequence[DriveRecord], at: datetime, waivers: Iterable[QuotaWaiver] = ()
) -> RuleResult:
    code = "quota_one_active"
    if not any(r.is_active for r in records):
        return RuleResult(code, True, Reason(_("You have no other test drive booked or under way.")))
    waiver = _waiver_for(waivers, scope=QuotaScope.ONE_ACTIVE, at=at)
    if waiver is not None:
        return _waived(code, waiver)
    return RuleResult(
        code, False, Reason(_("You already have a test drive booked or under way: one at a time."))
    )


def fee_for_msrp(*, msrp_cny: int, bands: Sequence[tuple[int, int]]) -> int:
    """The test-drive fee for a car of this price: the band with the highest threshold it reaches."""
    matching = [fee for threshold, fee in sorted(bands) if msrp_cny >= threshold]
    return matching[-1] if matching else 0


# The rules that make a Super Member. The quotas are checked for every booking, whatever the
# tier: they are about this drive, not about the member's standing.
TIER_RULES = ("credit_score", "driving_licence", "age", "not_blacklisted")
# The only rule a fee can make up for.
FEE_RULE = "credit_score"

Decision = Literal["allowed", "allowed_with_fee", "refused"]


def tier_from_rules(rules: Sequence[RuleResult]) -> str:
    passed = {r.code for r in rules if r.passed}
    return Tier.SUPER if passed.issuperset(TIER_RULES) else Tier.STANDARD


def booking_decide(
    *, rules: Sequence[RuleResult], fee_cny: int, fees_allowed: bool
) -> tuple[Decision, int | None]:
    """Allowed outright when every required rule passes; with ``fee_cny`` when only the credit
    rule fails and fees are allowed; otherwise refused. Returns the decision and what is paid
    (0, the fee, or None when refused)."""
    failed = {r.code for r in rules if r.required and not r.passed}
    if not failed:
        return "allowed", 0
    if failed == {FEE_RULE} and fees_allowed:
        return "allowed_with_fee", fee_cny
    return "refused", None
