from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class FleetConfig(AppConfig):
    name = "fleet"
    verbose_name = _("Fleet")

    def ready(self) -> None:
        # Imported here: receivers import models, which Django allows once the registry is ready.
        from fleet import receivers

        post_save.connect(
            receivers.carphoto_saved, sender="fleet.CarPhoto", dispatch_uid="fleet.carphoto_saved"
        )
        post_delete.connect(
            receivers.carphoto_deleted, sender="fleet.CarPhoto", dispatch_uid="fleet.carphoto_deleted"
        )

        from fleet.models import Vehicle
        from fleet.signals import vehicle_saved

        # Every change of a car goes through save() (vehicle_place, vehicle_take_out, the admin);
        # bulk writes (the CSV import) send vehicles_changed themselves. A deleted car frees nothing.
        post_save.connect(vehicle_saved, sender=Vehicle, dispatch_uid="fleet.vehicle_saved")
