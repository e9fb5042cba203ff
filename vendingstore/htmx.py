"""Pages that answer htmx with a fragment and everything else with the whole page."""

from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through HtmxMiddleware, which sets ``request.htmx`` (for type checking:
    at run time it is Django's HttpRequest)."""

    htmx: HtmxDetails


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request, except a history restore (htmx asks for a page it has no snapshot of
    with an HX-Request too, and needs the whole page)."""
    # HtmxMiddleware sets request.htmx; a request that skipped the middleware has none.
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request


def render_varying(
    request: HttpRequest, template: str, context: Mapping[str, object], *, status: int = 200
) -> HttpResponse:
    """Render, marking the answer as depending on HX-Request: the same URL answers with a
    fragment or a page, and caches must key on the header."""
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
