from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TowerConfig(AppConfig):
    """The link to the tower controllers: commands out, events in, incidents for staff.

    The models moved here from ``fleet`` and keep fleet's table names (``db_table``), so the move
    was a state-only migration on both sides.
    """

    name = "tower"
    label = "tower"
    verbose_name = _("Tower controllers")

    def ready(self) -> None:
        from tower import checks  # noqa: F401  (registers the system checks)
        from tower.conf import dispatcher_name
        from tower.moves import stow_reissue
        from tower.signals import move_finished

        dispatcher_name()  # an unknown TOWER_DISPATCHER stops the start, loudly
        move_finished.connect(stow_reissue, dispatch_uid="tower.stow_reissue")
