"""Bilingual content fields: ``name`` holds English, ``name_zh`` Simplified Chinese."""

from django.db.models import Model
from django.utils.translation import get_language


def is_chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def localized(obj: Model, field: str) -> str:
    """The value of ``field`` in the active language, falling back to English when empty."""
    if is_chinese():
        value = getattr(obj, f"{field}_zh", "")
        if value:
            return value
    return getattr(obj, field)
