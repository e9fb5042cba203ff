"""API tokens (django-rest-knox) and what a password change does to a member's logins.

Tokens are stored hashed, one per device (each login makes one), and expire after
``API_TOKEN_IDLE_DAYS`` without use: knox moves the expiry forward on each use. A password change
or reset revokes every token and clears the account's login lockout; "log out everywhere" revokes
every token too. Web sessions end on a password change by themselves (Django's session hash).
"""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from vendingstore.api_errors import ApplicationError


class TokenUnknown(ApplicationError):
    status_code = 404
    code = "token_unknown"
    default_message = _("You have no login with this key.")


def account_token_create(*, user: User) -> tuple[AuthToken, str]:
    """A new token for one device: the row, and the secret the caller sees once (only its hash is
    stored)."""
    return AuthToken.objects.create(user=user)


def account_token_list(*, user: User) -> QuerySet[AuthToken]:
    """The member's live tokens, newest first (expired ones are not logins any more)."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def account_token_revoke(*, user: User, token_key: str) -> None:
    """Revoke one of ``user``'s tokens by its public key (the first characters of the token)."""
    deleted, _rows = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise TokenUnknown()


def account_logout_everywhere(*, user: User) -> int:
    """Revoke every API token of ``user``; returns how many there were."""
    deleted, _rows = AuthToken.objects.filter(user=user).delete()
    return deleted


def account_password_changed(*, user: User) -> None:
    """After a password change or reset: no old token works, and the lockout is lifted (the
    owner proved who they are by e-mail)."""
    from axes.utils import reset

    account_logout_everywhere(user=user)
    reset(username=user.get_username())
