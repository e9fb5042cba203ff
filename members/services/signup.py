"""Sign-up that proves the mobile number first and tells a stranger nothing about who is registered.

1. ``signup_code_send``: a six-digit code by SMS to the mobile; the caller gets a signed
   *challenge* (the number and a keyed hash of the code, valid ``SIGNUP_CODE_MINUTES``). Nothing
   is stored; at most ``SIGNUP_CODE_ATTEMPTS`` guesses per challenge, a few codes per number.
2. ``signup_request``: the code and every detail. Bad input is answered at once (it depends on no
   one else); then the answer is always the same, "check your e-mail", and a task decides:
   - all free: a link to finish goes to the new address (which proves it too);
   - e-mail taken: its owner is told someone tried to sign up with it (nothing to the caller);
   - mobile or ID number taken: their owner is told, and the new address gets "we could not open
     an account with these details" (the caller proved the mobile and owns the inbox).
3. ``signup_finish``: the link (valid ``SIGNUP_LINK_HOURS``) opens the account.

The link carries the details encrypted with the members' key and the password only as its hash.
"""

import hashlib
import hmac
import json
import secrets
from datetime import date
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.identity import mobile_normalize, secret_decrypt, secret_encrypt, secret_hash, validate_mobile
from members.models import Member
from members.services.accounts import member_register, member_registration_clean
from vendingstore.api_errors import ApplicationError
from vendingstore.queueing import delay_on_commit
from vendingstore.ratelimit import Rate, rate_hit
from vendingstore.sms import sms_backend

CODE_SALT = "members.signup.mobile-code"
LINK_SALT = "members.signup.link"


class SignupCodeRefused(ApplicationError):
    status_code = 400
    code = "signup_code_refused"
    default_message = gettext_lazy("This code is not right. Check the text message, or ask for a new code.")


class SignupCodeExpired(ApplicationError):
    status_code = 400
    code = "signup_code_expired"
    default_message = gettext_lazy("This code has expired, or was tried too often. Ask for a new code.")


class SignupCodesExhausted(ApplicationError):
    status_code = 429
    code = "signup_codes_exhausted"
    default_message = gettext_lazy(
        "We have sent this number several codes. Please wait a while and try again."
    )


class SignupLinkInvalid(ApplicationError):
    status_code = 400
    code = "signup_link_invalid"
    default_message = gettext_lazy("This sign-up link has expired or is broken. Please sign up again.")


class SignupNotPossible(ApplicationError):
    status_code = 409
    code = "signup_not_possible"
    default_message = gettext_lazy(
        "We could not open an account with these details. If you already have one, log in or reset "
        "your password."
    )


def _code_mac(mobile: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"signup-code:{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


def signup_code_send(*, mobile: str) -> str:
    """Text a sign-up code to ``mobile``; returns the challenge to send back with the code."""

    mobile = mobile_normalize(mobile)
    try:
        validate_mobile(mobile)
    except ValidationError as exc:
        raise ValidationError({"mobile": exc.messages}) from None
    if not rate_hit(scope="signup-sms", key=mobile, rate=Rate.parse(settings.SIGNUP_SMS_RATE)).allowed:
        raise SignupCodesExhausted()
    code = f"{secrets.randbelow(1_000_000):06d}"
    text = _("Your Vending Store sign-up code is %(code)s. It is valid for %(minutes)s minutes.") % {
        "code": code,
        "minutes": settings.SIGNUP_CODE_MINUTES,
    }
    sms_backend().send(to=mobile, text=text)
    return signing.dumps(
        {"m": mobile, "c": _code_mac(mobile, code), "n": secrets.token_hex(8)}, salt=CODE_SALT
    )


def signup_code_check(*, challenge: str, code: str) -> str:
    """The mobile that ``code`` proves, or ``SignupCodeRefused``/``SignupCodeExpired``."""
    try:
        data = signing.loads(challenge, salt=CODE_SALT, max_age=settings.SIGNUP_CODE_MINUTES * 60)
    except signing.BadSignature:
        raise SignupCodeExpired() from None
    attempts = Rate(limit=settings.SIGNUP_CODE_ATTEMPTS, period=settings.SIGNUP_CODE_MINUTES * 60)
    if not rate_hit(scope="signup-code-attempts", key=data["n"], rate=attempts).allowed:
        raise SignupCodeExpired()
    if not hmac.compare_digest(_code_mac(data["m"], (code or "").strip()), data["c"]):
        raise SignupCodeRefused()
    return data["m"]


def signup_request(
    *,
    challenge: str,
    code: str,
    email: str,
    password: str,
    full_name: str,
    id_number: str,
    date_of_birth: date,
    licence_number: str,
    licence_expires_on: date,
    preferred_language: str = "zh-hans",
    site: str,
) -> None:
    """Check the code and the details; queue the mail that decides (see the module docstring).

    ``site``: scheme and host for the link, e.g. ``https://store.example.cn``. Raises only for
    a bad code or bad input, never because something is taken.
    """
    mobile = signup_code_check(challenge=challenge, code=code)
    details = member_registration_clean(
        email=email,
        mobile=mobile,
        password=password,
        full_name=full_name,
        id_number=id_number,
        date_of_birth=date_of_birth,
        licence_number=licence_number,
        licence_expires_on=licence_expires_on,
        preferred_language=preferred_language,
    )
    details["password_hash"] = make_password(password)
    token = signing.dumps(secret_encrypt(json.dumps(details, default=str)), salt=LINK_SALT, compress=True)
    delay_on_commit(
        "members.tasks.signup_mail_send", token, site, translation.get_language() or preferred_language
    )


def _details_from(token: str, *, max_age: int | None) -> dict[str, Any]:
    try:
        encrypted = signing.loads(token, salt=LINK_SALT, max_age=max_age)
        details = json.loads(secret_decrypt(encrypted))
    except (signing.BadSignature, ValueError, InvalidToken):
        raise SignupLinkInvalid() from None
    details["date_of_birth"] = date.fromisoformat(details["date_of_birth"])
    details["licence_expires_on"] = date.fromisoformat(details["licence_expires_on"])
    return details


def signup_mail_compose(*, token: str, site: str) -> list[tuple[str, str, str]]:
    """The mails one sign-up request causes, as (to, subject, body); see the module docstring."""
    from django.template.loader import render_to_string

    details = _details_from(token, max_age=None)
    email = details["email"]
    user_model = get_user_model()
    owners = {
        "email": user_model.objects.filter(username=email).first(),
        "mobile": user_model.objects.filter(member__mobile=details["mobile"]).first(),
        "id_number": user_model.objects.filter(
            member__id_number_hash=secret_hash(details["id_number"])
        ).first(),
    }
    mails: list[tuple[str, str, str]] = []
    for owner in {u.pk: u for u in owners.values() if u is not None}.values():
        body = render_to_string("members/emails/signup_attempt.txt", {"site": site})
        mails.append((owner.email, _("Someone tried to open an account with your details"), body))
    if owners["email"] is None:
        if any(owners.values()):
            body = render_to_string("members/emails/signup_refused.txt", {"site": site})
            mails.append((email, _("We could not open your Vending Store account"), body))
        else:
            link = f"{site}/account/signup/finish/{token}/"
            body = render_to_string(
                "members/emails/signup_finish.txt", {"link": link, "hours": settings.SIGNUP_LINK_HOURS}
            )
            mails.append((email, _("Finish opening your Vending Store account"), body))
    return mails


def signup_finish(*, token: str) -> Member:
    """Open the account the link describes. ``SignupNotPossible`` when something became taken
    meanwhile (or the link was used already), without saying what."""
    details = _details_from(token, max_age=settings.SIGNUP_LINK_HOURS * 3600)
    password_hash = details.pop("password_hash")
    try:
        return member_register(**details, password="", password_hash=password_hash)
    except ValidationError:
        raise SignupNotPossible() from None
