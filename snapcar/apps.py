from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class SnapcarConfig(AppConfig):
    name = "snapcar"
    verbose_name = _("Snap a car")

    def ready(self) -> None:
        # The catalogue does not know snap-a-car exists: the index follows fleet's photos through
        # Django's model signals, whoever saves or deletes them (admin, shell, demo data).
        # Imported here, not at the top: the receivers import models, which Django allows only
        # once the app registry is ready (the documented place for signal wiring).
        from snapcar import receivers

        post_save.connect(receivers.photo_saved, sender="fleet.CarPhoto", dispatch_uid="snapcar.photo_saved")
        post_delete.connect(
            receivers.photo_deleted, sender="fleet.CarPhoto", dispatch_uid="snapcar.photo_deleted"
        )
