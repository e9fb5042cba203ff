"""Per-tower connection settings, read from Django settings (which read the environment).

A tower takes commands when ``TOWER_CONTROLLERS`` names its controller's base URL. Its webhook
secret comes from ``TOWER_SECRETS`` (else ``TOWER_SECRET_DEFAULT``, a development value that the
production profile leaves empty), its operator token from ``TOWER_OPERATOR_TOKENS`` (else the
secret, as the simulator does).
"""

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# A webhook secret shorter than this is guessable offline from one signed event.
SECRET_MIN_LENGTH = 32


def secret_problems(*, controllers: Mapping[str, str], secrets: Mapping[str, str]) -> list[str]:
    """What is wrong with the towers' own secrets, one sentence per tower (empty when fine).

    Every tower with a controller needs its own secret of ``SECRET_MIN_LENGTH`` characters or
    more: a shared development default would let anyone who knows it forge the tower's events.
    Pure (no settings read), so the production profile can call it while it is being loaded.
    """
    problems = []
    for code in sorted(controllers):
        secret = str(secrets.get(code) or "")
        if not secret:
            problems.append(
                f"tower {code} has a controller in TOWER_CONTROLLERS but no secret in TOWER_SECRETS"
            )
        elif len(secret) < SECRET_MIN_LENGTH:
            problems.append(
                f"tower {code}'s secret in TOWER_SECRETS is {len(secret)} characters; "
                f"use at least {SECRET_MIN_LENGTH} random characters"
            )
    return problems


def controller_url_for(code: str) -> str:
    """The controller's base URL without a trailing slash, or "" when the tower has none."""
    return str(settings.TOWER_CONTROLLERS.get(code, "")).rstrip("/")


def secret_for(code: str) -> str:
    """The tower's webhook secret; "" when it has none (no event of it is then accepted)."""
    return str(settings.TOWER_SECRETS.get(code) or settings.TOWER_SECRET_DEFAULT or "")


def operator_token_for(code: str) -> str:
    return str(settings.TOWER_OPERATOR_TOKENS.get(code) or secret_for(code))


# How cars move: "instant" in our records only (a store without a tower controller), or
# "controller": tower commands sent to the controllers.
DISPATCHERS = ("instant", "controller")


def dispatcher_name() -> str:
    """``TOWER_DISPATCHER``, checked: an unknown value raises ImproperlyConfigured (at start-up,
    from ``TowerConfig.ready``, and whenever the setting changes), never silently does nothing."""
    name = settings.TOWER_DISPATCHER
    if name not in DISPATCHERS:
        raise ImproperlyConfigured(f"TOWER_DISPATCHER must be one of {', '.join(DISPATCHERS)}, not {name!r}.")
    return name


def controller_mode() -> bool:
    """True when cars move by tower commands (``TOWER_DISPATCHER = "controller"``)."""
    return dispatcher_name() == "controller"
