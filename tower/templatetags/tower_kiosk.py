"""The kiosk's view of a car on its way: ``{% tower_eta td as eta %}`` → (bay code, seconds) or None."""

from django import template

from tower.selectors import tower_eta_for_testdrive

register = template.Library()


@register.simple_tag
def tower_eta(td: object) -> tuple[str, int] | None:
    return tower_eta_for_testdrive(td)
