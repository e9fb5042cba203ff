from django import template

from vendingstore.formatting import money_format

register = template.Library()


@register.filter
def money(value: int | None) -> str:
    """Whole yuan in the page's language: "¥263,500" or "263,500 元"; empty for no value."""
    if value is None or value == "":
        return ""
    return money_format(int(value))
