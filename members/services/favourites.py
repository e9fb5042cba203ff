"""Saved cars and "tell me when it's free".

A member saves a model (optionally a paint and a store). When a car of it becomes bookable now at
that store (a car returns to storage, a hold is released or runs out, a new car arrives), the
member is told once, in one message for all their saved cars that freed up together, not once per
car. Two things make that true:

- ``favourites_check`` compares each watched favourite's availability with what it saw last time
  and claims the false -> true turn with a conditional UPDATE: only one check, however many run at
  once (a burst of returns, the beat sweep), records the turn, as a numbered ``FavouriteAlert``
  (unique per favourite and number in the database). A second car of the same model arriving while
  the first is still free is no turn at all.
- ``favourite_alerts_deliver`` runs a little later (``FAVOURITE_ALERT_FOLD_SECONDS``) and sends all
  of a member's pending alerts as one message, claiming them first.

Checks are queued on commit by the fleet's ``vehicles_changed`` signal and, for what no event
announces (a hold running out, a car leaving the workshop unseen), by a beat sweep.
"""

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from fleet.models import CarModel, Paint, Store, Vehicle
from fleet.selectors import availability_by_store_paint
from members.errors import FavouriteRefused
from members.models import Favourite, FavouriteAlert, Member
from members.selectors import favourite_available_count
from vendingstore.celery import app
from vendingstore.sms import sms_backend

logger = logging.getLogger(__name__)

# A delivery that claimed alerts and did not finish in this time died: the sweep gives them back.
STALE_CLAIM = timedelta(minutes=10)


def favourite_save(
    *,
    member: Member,
    car_model: CarModel,
    paint: Paint | None = None,
    store: Store | None = None,
    notify: bool = True,
) -> Favourite:
    """Save ``car_model`` for the member, or change the paint, store and alert of a saved one.

    What is bookable now counts as already seen: saving a car that is free today does not send a
    message; the next time it becomes free after being taken does.
    """
    if paint is not None and paint.car_model_id != car_model.pk:
        raise FavouriteRefused(FavouriteRefused.paint_message)
    favourite, _created = Favourite.objects.update_or_create(
        member=member, car_model=car_model, defaults={"paint": paint, "store": store, "notify": notify}
    )
    rows = availability_by_store_paint(car_model_ids=[car_model.pk])[car_model.pk]
    seen = favourite_available_count(favourite=favourite, rows=rows) > 0
    Favourite.objects.filter(pk=favourite.pk).update(available_seen=seen)
    favourite.available_seen = seen
    return favourite


def favourite_remove(*, member: Member, car_model: CarModel) -> bool:
    """Forget the saved model; False when it was not saved."""
    deleted, _rows = Favourite.objects.filter(member=member, car_model=car_model).delete()
    return bool(deleted)


def favourite_toggle(
    *, member: Member, car_model: CarModel, paint: Paint | None = None, store: Store | None = None
) -> Favourite | None:
    """Save the model (watching ``paint`` and ``store``, any when None) if it is not saved, else
    forget it; the favourite, or None when removed."""
    if favourite_remove(member=member, car_model=car_model):
        return None
    return favourite_save(member=member, car_model=car_model, paint=paint, store=store)


def favourites_check(*, car_model_ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Compare every watched favourite (of these models; all when None) with what is bookable now,
    record each false -> true turn as one alert, and queue the members' deliveries. Returns the
    number of alerts made. Four queries plus one write per changed favourite."""
    favourites = Favourite.objects.filter(notify=True, member__anonymised_at__isnull=True)
    if car_model_ids is not None:
        favourites = favourites.filter(car_model_id__in=list(car_model_ids))
    watched = list(favourites)
    if not watched:
        return 0
    now = now or timezone.now()
    availability = availability_by_store_paint(car_model_ids={f.car_model_id for f in watched}, at=now)
    alerted: set[int] = set()
    made = 0
    for favourite in watched:
        available = (
            favourite_available_count(favourite=favourite, rows=availability[favourite.car_model_id]) > 0
        )
        if available and not favourite.available_seen and _turn_claim(favourite, now=now):
            alerted.add(favourite.member_id)
            made += 1
        elif not available and favourite.available_seen:
            # Taken again: the next time it frees up is news again.
            Favourite.objects.filter(pk=favourite.pk, available_seen=True).update(available_seen=False)
    for member_id in alerted:
        favourite_alerts_deliver_later(member_id=member_id)
    return made


def _turn_claim(favourite: Favourite, *, now: datetime) -> bool:
    """Record the favourite's turn to available, once. A favourite told about within
    FAVOURITE_ALERT_QUIET_HOURS is marked seen without a new message: a car that is booked and
    freed again the same afternoon is not news twice."""
    quiet_since = now - timedelta(hours=settings.FAVOURITE_ALERT_QUIET_HOURS)
    with transaction.atomic():
        turned = Favourite.objects.filter(pk=favourite.pk, available_seen=False)
        recently = Q(alerted_at__gt=quiet_since)
        if turned.filter(recently).update(available_seen=True):
            return False
        number = favourite.alert_count + 1
        if not turned.filter(alert_count=favourite.alert_count).update(
            available_seen=True, alert_count=number, alerted_at=now
        ):
            return False  # another check took this turn
        try:
            with transaction.atomic():
                FavouriteAlert.objects.create(
                    favourite=favourite, member_id=favourite.member_id, number=number
                )
        except IntegrityError:
            return False
    return True


def favourite_alerts_deliver_later(*, member_id: int) -> None:
    """Queue the member's delivery after commit, FAVOURITE_ALERT_FOLD_SECONDS on: alerts made
    meanwhile go in the same message. A broker that is down loses nothing: the sweep finds the
    pending alerts."""

    def queue() -> None:
        try:
            app.tasks["members.tasks.favourite_alerts_deliver"].apply_async(
                (member_id,), countdown=settings.FAVOURITE_ALERT_FOLD_SECONDS
            )
        except OperationalError:
            logger.warning("broker unavailable: saved-car alerts of member %s wait for the sweep", member_id)

    transaction.on_commit(queue)


def favourite_alerts_deliver(*, member_id: int) -> int:
    """Send the member's pending alerts as one message (e-mail and SMS); returns how many alerts
    it carried (0: nothing pending, or another delivery took them)."""
    token = uuid.uuid4()
    pending = FavouriteAlert.objects.filter(
        member_id=member_id, delivered_at__isnull=True, claim__isnull=True
    )
    if not pending.update(claim=token, claimed_at=timezone.now()):
        return 0
    alerts = list(
        FavouriteAlert.objects.filter(claim=token)
        .select_related("member__user", "favourite__car_model__brand", "favourite__paint", "favourite__store")
        .order_by("created_at", "id")
    )
    member = alerts[0].member
    try:
        if member.anonymised_at is None:
            _send(member, [alert.favourite for alert in alerts])
    except Exception:
        # Give them back for the retry (or the sweep); nobody was told yet.
        FavouriteAlert.objects.filter(claim=token).update(claim=None, claimed_at=None)
        raise
    FavouriteAlert.objects.filter(claim=token).update(delivered_at=timezone.now())
    return len(alerts)


def _send(member: Member, favourites: list[Favourite]) -> None:
    subject, body = favourite_alert_text(member=member, favourites=favourites)
    if member.user.email:
        send_mail(subject, body, None, [member.user.email])
    if member.mobile:
        sms_backend().send(to=member.mobile, text=body)


def favourite_alert_text(*, member: Member, favourites: list[Favourite]) -> tuple[str, str]:
    """(subject, body) in the member's language: every saved car that became free, one line each."""
    with translation.override(member.preferred_language):
        lines = []
        for favourite in favourites:
            car = f"{favourite.car_model.brand.display_name} {favourite.car_model.display_name}"
            if favourite.paint is not None:
                car = _("%(car)s in %(paint)s") % {"car": car, "paint": favourite.paint.display_name}
            where = favourite.store.display_name if favourite.store else _("one of our stores")
            lines.append(_("%(car)s at %(store)s") % {"car": car, "store": where})
        subject = _("A car you saved is free to book")
        body = _("Free to book now: %(cars)s. Book a test drive in the app before someone else does.") % {
            "cars": "; ".join(lines)
        }
    return subject, body


def favourite_alerts_sweep() -> list[int]:
    """Give back alerts whose delivery died, and return the members with alerts waiting longer
    than the fold window (their delivery was lost): the beat queues those again."""
    now = timezone.now()
    FavouriteAlert.objects.filter(delivered_at__isnull=True, claimed_at__lt=now - STALE_CLAIM).update(
        claim=None, claimed_at=None
    )
    waiting = FavouriteAlert.objects.filter(
        delivered_at__isnull=True,
        claim__isnull=True,
        created_at__lt=now - timedelta(seconds=settings.FAVOURITE_ALERT_FOLD_SECONDS),
    )
    return sorted(set(waiting.values_list("member_id", flat=True)))


def car_model_ids_of_vehicles(*, vehicle_ids: Iterable[int]) -> list[int]:
    """The models of these cars that someone watches: none, and no check, for the rest."""
    models = Vehicle.objects.filter(pk__in=list(vehicle_ids)).values("car_model_id")
    watched = Favourite.objects.filter(notify=True, car_model_id__in=models)
    return sorted(set(watched.values_list("car_model_id", flat=True)))
