"""Login with an e-mail address or a mobile number, and the lockouts that guard it.

Two limits, both answered with 429:

- per account, however it is named (e-mail in any case, mobile in any format): django-axes counts
  failures under the account's own username (``axes_username``), per account and address;
- per address, across every account (one password tried on many accounts): failed logins from
  one address within ``LOGIN_FAILURES_PER_ADDRESS_RATE`` (``vendingstore.ratelimit``).
"""

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from members.identity import mobile_normalize
from vendingstore.ratelimit import Rate, client_ip, rate_hit, rate_peek

LOGIN_FAILURES_SCOPE = "login-failures"


def login_identifier_normalize(value: str) -> str:
    """The canonical form of what someone typed to log in: a lower-case e-mail or an E.164 mobile."""
    value = (value or "").strip()
    if "@" in value:
        return value.lower()
    return mobile_normalize(value)


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout for every login that arrives with a request (portal, API, admin).

    Code that authenticates without one (Django's test client, a shell) is not a login attempt
    from the network; axes would raise for it, so it is passed on to the next backend.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if request is None:
            return None
        if address_login_failures(request) >= _address_rate().limit:
            # Seen by AxesMiddleware, which answers with axes_lockout_response (429).
            # Flags on the request are django-axes' own protocol, which HttpRequest's stub cannot know.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.login_locked_by_address = True  # type: ignore[attr-defined]
            raise AxesBackendPermissionDenied("Too many failed logins from this address")
        return super().authenticate(request, username, password, **kwargs)


def _address_rate() -> Rate:
    return Rate.parse(settings.LOGIN_FAILURES_PER_ADDRESS_RATE)


def address_login_failures(request: HttpRequest) -> int:
    return rate_peek(scope=LOGIN_FAILURES_SCOPE, key=client_ip(request), rate=_address_rate())


def address_login_failure_count(*, request: HttpRequest | None) -> None:
    """Count a failed login against the caller's address (``user_login_failed`` receiver)."""
    if request is not None and not getattr(request, "login_locked_by_address", False):
        rate_hit(scope=LOGIN_FAILURES_SCOPE, key=client_ip(request), rate=_address_rate())


class EmailOrMobileBackend(ModelBackend):
    """Usernames are e-mail addresses (lower case); a member may also log in with their mobile."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        identifier = login_identifier_normalize(username)
        user_model = get_user_model()
        user = (
            user_model.objects.filter(username=identifier).first()
            or user_model.objects.filter(member__mobile=identifier).first()
        )
        if user is None:
            user_model().set_password(password)  # same work as a real check: no timing hint
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Count failures per account, however the member named it: the account's own username when
    the e-mail or mobile belongs to one (so e-mail and mobile share one counter), else the
    normalised identifier."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    identifier = login_identifier_normalize(raw)
    user_model = get_user_model()
    username = (
        user_model.objects.filter(username=identifier).values_list("username", flat=True).first()
        or user_model.objects.filter(member__mobile=identifier).values_list("username", flat=True).first()
    )
    return username or identifier


def axes_lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """429 with the reason: JSON for the API, a page for the portal."""
    minutes = _lockout_minutes()
    message = _(
        "Too many failed logins. For your security this account is locked here for %(minutes)s minutes, "
        "or reset your password by e-mail."
    ) % {"minutes": minutes}
    if getattr(request, "login_locked_by_address", False):
        message = _("Too many failed logins from your address. Please wait a while and try again.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": message}, status=429)
    return render(request, "members/locked_out.html", {"message": message}, status=429)


def _lockout_minutes() -> int:
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
