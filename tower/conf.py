"""Per-tower connection settings, read from Django settings (which read the environment).

A tower takes commands when ``TOWER_CONTROLLERS`` names its controller's base URL. Its webhook
secret comes from ``TOWER_SECRETS`` (else ``TOWER_SECRET_DEFAULT``, a development value that the
production profile leaves empty), its operator token from ``TOWER_OPERATOR_TOKENS`` (else the
secret, as the simulator does).
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


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
