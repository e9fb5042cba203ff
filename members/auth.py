"""Login with an e-mail address or a mobile number, and django-axes' hooks for it."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from members.identity import mobile_normalize


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
    ) -> AbstractBaseUser | None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class EmailOrMobileBackend(ModelBackend):
    """Usernames are e-mail addresses (lower case); a member may also log in with their mobile."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
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
    """Count failures per account, however the member spelt the e-mail or mobile."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return login_identifier_normalize(raw)


def axes_lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """429 with the reason: JSON for the API, a page for the portal."""
    minutes = _lockout_minutes()
    message = _(
        "Too many failed logins. For your security this account is locked here for %(minutes)s minutes, "
        "or reset your password by e-mail."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "detail": message}, status=429)
    return render(request, "members/locked_out.html", {"message": message}, status=429)


def _lockout_minutes() -> int:
    return max(1, round(float(settings.AXES_COOLOFF_TIME) * 60))
