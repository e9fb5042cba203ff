"""Compressing pages without opening them to BREACH.

BREACH reads a secret out of a compressed page by reflecting guesses into the same page and
watching its size. So only pages that carry no secret of the member are compressed: the public
catalogue, model pages and snap-a-car (``GZIP_PAGE_NAMESPACES``). Their one token, the CSRF token
of the language switch, is masked afresh on every response by Django, and Django's gzip adds a
random-length header field on top ("Heal the Breach"). Booking pages (pickup and return codes),
account pages, the kiosk, the admin and the API (tokens) are sent as they are. Static files are
compressed ahead of time by WhiteNoise.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class PublicPageGZipMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not page_is_public(request):
            return response
        return super().process_response(request, response)


def page_is_public(request: HttpRequest) -> bool:
    """A read of a page whose view belongs to an app that shows no member data."""
    match = getattr(request, "resolver_match", None)
    if match is None or request.method not in ("GET", "HEAD"):
        return False
    return match.namespace in settings.GZIP_PAGE_NAMESPACES
