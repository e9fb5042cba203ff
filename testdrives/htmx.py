"""The request our pages get: django-htmx's middleware (in MIDDLEWARE) has set ``htmx`` on it."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """Type only: ``request.htmx`` is true when htmx sent the request, false for a plain one."""

    htmx: HtmxDetails
