from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import User
        from django.contrib.auth.signals import user_login_failed
        from django.db.models.signals import post_save
        from django.http import HttpRequest

        from fleet.signals import vehicles_changed
        from members import tasks  # noqa: F401  registers the tasks queued by name from every process
        from members.auth import address_login_failure_count
        from members.receivers import vehicles_changed_check_favourites
        from members.services.tokens import account_password_changed

        def count_failure(
            sender: str, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
        ) -> None:
            address_login_failure_count(request=request)

        def password_changed(
            sender: type[User],
            instance: User,
            update_fields: frozenset[str] | None = None,
            **kwargs: Any,
        ) -> None:
            # set_password() leaves the raw password in _password until save() has run; a save of
            # the password field alone is Django re-hashing it at login (a newer hasher), which is
            # not a change of password and must not log the member out everywhere.
            if getattr(instance, "_password", None) is not None and update_fields != frozenset({"password"}):
                account_password_changed(user=instance)

        user_login_failed.connect(count_failure, dispatch_uid="members.address_login_failures", weak=False)
        vehicles_changed.connect(
            vehicles_changed_check_favourites, dispatch_uid="members.favourites_check", weak=False
        )
        post_save.connect(
            password_changed, sender=get_user_model(), dispatch_uid="members.password_changed", weak=False
        )
