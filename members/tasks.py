"""Scheduled work for members. Tasks take ids, re-load, and call a service."""

from celery import shared_task
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from members.models import Member
from members.selectors import member_list_for_reevaluation
from members.services import member_tiers_refresh
from members.services.favourites import (
    car_model_ids_of_vehicles,
    favourite_alerts_deliver,
    favourite_alerts_sweep,
    favourites_check,
)
from members.services.signup import signup_mail_compose

BATCH_SIZE = 500


@shared_task(name="members.tasks.members_reevaluate_tiers", ignore_result=True)
def members_reevaluate_tiers() -> int:
    """Monthly, by beat: queue the tier re-evaluation of every member, in batches.

    Returns the number of batches queued. Running it twice only derives the same tiers twice.
    """
    ids = member_list_for_reevaluation()
    batches = [ids[i : i + BATCH_SIZE] for i in range(0, len(ids), BATCH_SIZE)]
    for batch in batches:
        member_reevaluate_tier_batch.delay(batch)
    return len(batches)


@shared_task(
    name="members.tasks.member_reevaluate_tier_batch",
    ignore_result=True,
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=True,
    retry_jitter=True,
)
def member_reevaluate_tier_batch(member_ids: list[int]) -> int:
    """Derive and store the tier of each member (anonymised or missing ones are skipped).

    Idempotent: a tier is a function of the member's data at this moment.
    """
    members = list(Member.objects.filter(pk__in=member_ids, anonymised_at__isnull=True))
    member_tiers_refresh(members=members)
    return len(members)


@shared_task(
    name="members.tasks.password_reset_mail_send",
    ignore_result=True,
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
    retry_jitter=True,
)
def password_reset_mail_send(email: str, domain: str, use_https: bool, language: str) -> None:
    """Look up the accounts of ``email`` and mail each a reset link (nothing when there is none).

    Runs in a worker so the web answer takes the same time for a known and an unknown address. A
    retry after a mail failure may send a second link; both work, and each works once.
    """
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    with translation.override(language):
        form.save(
            domain_override=domain,
            use_https=use_https,
            email_template_name="members/emails/password_reset.txt",
            subject_template_name="members/emails/password_reset_subject.txt",
        )


@shared_task(
    name="members.tasks.signup_mail_send",
    ignore_result=True,
    autoretry_for=(OSError,),
    max_retries=3,
    retry_backoff=True,
    retry_jitter=True,
)
def signup_mail_send(token: str, site: str, language: str) -> None:
    """Send the mails one sign-up request causes (members.services.signup). In a worker, so the
    web answer is the same, in the same time, whatever is registered."""
    from django.core.mail import send_mail

    with translation.override(language):
        for to, subject, body in signup_mail_compose(token=token, site=site):
            send_mail(subject, body, None, [to])


@shared_task(
    name="members.tasks.favourites_check_vehicles",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=True,
    retry_jitter=True,
    time_limit=60,
)
def favourites_check_vehicles(vehicle_ids: list[int]) -> int:
    """These cars changed: check the saved cars of their models. Idempotent (see favourites_check)."""
    car_model_ids = car_model_ids_of_vehicles(vehicle_ids=vehicle_ids)
    return favourites_check(car_model_ids=car_model_ids) if car_model_ids else 0


@shared_task(
    name="members.tasks.favourite_alerts_deliver",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(OSError,),
    max_retries=5,
    retry_backoff=True,
    retry_jitter=True,
    time_limit=60,
)
def favourite_alerts_deliver_task(member_id: int) -> int:
    """Send one member's pending saved-car alerts as one message. Claims them first: runs once."""
    return favourite_alerts_deliver(member_id=member_id)


@shared_task(name="members.tasks.favourites_sweep", ignore_result=True, time_limit=300)
def favourites_sweep() -> int:
    """By beat: what no event announced (a hold that ran out, a lost task). Checks every watched
    saved car and queues the deliveries that were lost; returns the alerts made."""
    made = favourites_check()
    for member_id in favourite_alerts_sweep():
        favourite_alerts_deliver_task.delay(member_id)
    return made
