from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestdrivesConfig(AppConfig):
    name = "testdrives"
    verbose_name = _("Testdrives")

    def ready(self) -> None:
        # testdrives orchestrates the tower link: it registers how cars move (TOWER_DISPATCHER
        # picks one) and listens to how the tower's moves end. Nothing imports testdrives back.
        from testdrives import receivers  # noqa: F401  (connects the receivers)
        from testdrives.services.dispatch import dispatcher_register
        from testdrives.services.dispatchers import ControllerDispatcher, InstantDispatcher
        from testdrives.services.returns import on_bay_gate_closed
        from testdrives.services.tower_moves import on_move_finished, on_move_finishing
        from tower.signals import bay_gate_closed, move_finished, move_finishing

        dispatcher_register("instant", InstantDispatcher())
        dispatcher_register("controller", ControllerDispatcher())
        move_finishing.connect(on_move_finishing, dispatch_uid="testdrives.on_move_finishing")
        move_finished.connect(on_move_finished, dispatch_uid="testdrives.on_move_finished")
        bay_gate_closed.connect(on_bay_gate_closed, dispatch_uid="testdrives.on_bay_gate_closed")
