from django.conf import settings
from django.http import HttpRequest


def store_settings(request: HttpRequest) -> dict[str, object]:
    return {"CURRENCY": settings.CURRENCY}
