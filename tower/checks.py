"""System checks of the tower link's settings (registered in ``TowerConfig.ready``)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from tower.protocol import secret_problems


@register(Tags.security, deploy=True)
def check_tower_secrets(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """``check --deploy`` fails while a tower lacks its own adequate secret, or while the
    development default secret is still set."""
    errors: list[CheckMessage] = [
        Error(problem, hint="Set TOWER_SECRETS=code=secret,… from a secret store.", id="tower.E001")
        for problem in secret_problems(controllers=settings.TOWER_CONTROLLERS, secrets=settings.TOWER_SECRETS)
    ]
    if settings.TOWER_SECRET_DEFAULT:
        errors.append(
            Error(
                "TOWER_SECRET_DEFAULT is set: every tower without its own secret would accept events "
                "signed with it.",
                hint="Leave TOWER_SECRET_DEFAULT empty outside development; give each tower its own secret.",
                id="tower.E002",
            )
        )
    return errors
