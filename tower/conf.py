"""Per-tower connection settings, read from Django settings (which read the environment).

A tower takes commands when ``TOWER_CONTROLLERS`` names its controller's base URL. Its webhook
secret comes from ``TOWER_SECRETS`` (else ``TOWER_SECRET_DEFAULT``, a development value), its
operator token from ``TOWER_OPERATOR_TOKENS`` (else the secret, as the simulator does).
"""

from django.conf import settings


def controller_url_for(code: str) -> str:
    """The controller's base URL without a trailing slash, or "" when the tower has none."""
    return str(settings.TOWER_CONTROLLERS.get(code, "")).rstrip("/")


def secret_for(code: str) -> str:
    return str(settings.TOWER_SECRETS.get(code) or settings.TOWER_SECRET_DEFAULT)


def operator_token_for(code: str) -> str:
    return str(settings.TOWER_OPERATOR_TOKENS.get(code) or secret_for(code))


def controller_mode() -> bool:
    """True when bookings are served by tower commands (``TOWER_DISPATCHER = "controller"``)."""
    return settings.TOWER_DISPATCHER == "controller"
