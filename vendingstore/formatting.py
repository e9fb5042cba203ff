"""Numbers, prices and moments in the member's language: one format per language, everywhere
(pages, e-mails, text messages)."""

from datetime import datetime

from django.utils import formats, timezone, translation


def money_format(amount_cny: int, *, language: str | None = None) -> str:
    """Whole yuan: "¥263,500" in English, "263,500 元" in Chinese (grouped in thousands)."""
    language = language or translation.get_language() or "en"
    grouped = f"{int(amount_cny):,}"
    if language.lower().startswith("zh"):
        return f"{grouped} 元"
    return f"¥{grouped}"


def moment_format(moment: datetime, *, language: str | None = None) -> str:
    """Date and time in the current time zone, in the language's DATETIME_FORMAT."""
    with translation.override(language or translation.get_language()):
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
