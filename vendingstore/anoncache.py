"""Whole answers to anonymous catalogue reads, shared for a few seconds, and answered with 304
when the visitor already holds the same answer.

Under load the catalogue's cost is rendering (templates, serializers), not the database: the
same few URLs are asked by every visitor in each language. So a GET of one of the views named in
``ANON_CACHE_VIEWS`` by a visitor with no session, no message cookie and no Authorization header
(so certainly not a member, with nothing personal on the page) is answered from Redis for
``ANON_CACHE_SECONDS``: availability shown may be that many seconds old (the card cache already
allows ``CATALOGUE_CACHE_SECONDS``; booking reads stay live and re-check everything).

What is stored holds nothing of one visitor: the answer is keyed by host, scheme, full path,
language, ``Accept`` and the htmx headers (everything these views vary on), only 200s without a
cookie of their own are kept, and the page's one CSRF token (the language switch) is cut out
before storing and filled in per request with the visitor's own, freshly masked token (so the
compression of public pages stays BREACH-safe). The CSRF cookie and ``Vary: Cookie`` are still
set by CsrfViewMiddleware, which runs around this middleware.

Every answer carries an ETag (the stored body's digest, and for a page with a token the
visitor's CSRF cookie too, so a rotated cookie never revalidates a stale token); a matching
``If-None-Match`` is answered 304 without rendering or reading the database.

Sits after CsrfViewMiddleware (it needs the visitor's language and CSRF cookie) and before
authentication, messages and the views, which a hit skips.
"""

import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control

# The masked CSRF token in the rendered page; the stored copy holds this placeholder instead.
TOKEN_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
PLACEHOLDER = b"\x00csrf-token\x00"
KEY_PREFIX = "anon-read:v1:"
# Headers of the view's answer that are the answer (cookies are never among them: Django keeps
# them apart, in response.cookies, and we refuse answers that set any).
KEPT_HEADERS = ("Content-Type", "Vary", "X-Frame-Options", "Allow", "Content-Language")
# The request headers the cached views answer differently to.
KEY_HEADERS = ("HTTP_ACCEPT", "HTTP_HX_REQUEST", "HTTP_HX_HISTORY_RESTORE_REQUEST")


class AnonymousReadCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds = settings.ANON_CACHE_SECONDS
        if seconds <= 0 or not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        entry = cache.get(key)
        if entry is not None:
            return _answer(request, entry, hit=True)
        response = self.get_response(request)
        entry = _entry(request, response)
        if entry is None:
            return response
        cache.set(key, entry, seconds)
        return _answer(request, entry, hit=False)


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET":
        return False
    # No session, no flash messages, no credentials: an anonymous visitor seeing nothing personal.
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    if match.view_name not in settings.ANON_CACHE_VIEWS:
        return False
    # GZip of public pages reads it; Django sets it only once the view is called.
    request.resolver_match = match
    return True


def _key(request: HttpRequest) -> str:
    parts = [
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        getattr(request, "LANGUAGE_CODE", ""),
        *(request.META.get(header, "") for header in KEY_HEADERS),
    ]
    return KEY_PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _entry(request: HttpRequest, response: HttpResponseBase) -> dict | None:
    """What to store of the view's answer, or None when it must not be shared."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if not isinstance(response, HttpResponse):
        return None
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get("Cache-Control", ""):
        return None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None
    if getattr(request, "session", None) is not None and request.session.modified:
        return None
    body = response.content
    with_token = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
    if with_token:
        tokens = set(TOKEN_FIELD.findall(body))
        if len(tokens) != 1:
            return None  # a token we cannot find (or two): never store a visitor's token
        body = body.replace(tokens.pop(), PLACEHOLDER)
        if request.META["CSRF_COOKIE"].encode() in body:
            return None
    return {
        "status": response.status_code,
        "headers": [(name, response[name]) for name in KEPT_HEADERS if name in response],
        "body": body,
        "digest": hashlib.sha256(body).hexdigest()[:32],
        "with_token": with_token,
    }


def _etag(request: HttpRequest, entry: dict) -> str:
    tag = entry["digest"]
    if entry["with_token"]:
        # The visitor's copy holds a token of their CSRF secret: a new secret, a new tag. The
        # secret is the cookie's (read by CsrfViewMiddleware) or the one get_token just made.
        secret = request.META.get("CSRF_COOKIE", "")
        tag = hashlib.sha256(f"{tag}:{secret}".encode()).hexdigest()[:32]
    return f'"{tag}"'


def _matches(if_none_match: str, etag: str) -> bool:
    # GZipMiddleware weakens the tag it sends ("W/..."); a weak comparison is right for GET.
    offered = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in offered or "*" in offered


def _answer(request: HttpRequest, entry: dict, *, hit: bool) -> HttpResponseBase:
    response: HttpResponseBase
    offered = request.META.get("HTTP_IF_NONE_MATCH", "")
    # Without a CSRF cookie the visitor gets a new secret below: their copy cannot match.
    has_secret = "CSRF_COOKIE" in request.META
    if offered and (has_secret or not entry["with_token"]) and _matches(offered, _etag(request, entry)):
        response = HttpResponseNotModified()
    else:
        body = entry["body"]
        if entry["with_token"]:
            body = body.replace(PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(body, status=entry["status"])
    etag = _etag(request, entry)
    for name, value in entry["headers"]:
        if response.status_code == 304 and name != "Vary":
            continue  # a 304 has no body to describe
        response[name] = value
    response["ETag"] = etag
    patch_cache_control(response, no_cache=True)
    if entry["with_token"]:
        patch_cache_control(response, private=True)
    response["X-Anon-Cache"] = "hit" if hit else "miss"
    return response
