"""Domain errors and the one place that turns them into HTTP answers.

Services raise an ``ApplicationError`` subclass with a stable ``code`` and a message meant for
the customer; API views let it propagate, and ``api_exception_handler`` answers with its status
and ``{"code": ..., "detail": ...}``. Portal views catch the same errors and show the message.

DRF's own answers (400 field errors, 401, 403, 404, 405, 429) are given the same shape here, so the
schema documents one error body: field errors go under ``fields``, by field name.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A refusal the caller can act on. ``message`` may be a lazy translation."""

    status_code = 400
    code = "invalid"
    default_message: str | Promise = ""

    def __init__(self, message: str | Promise | None = None, *, extra: dict[str, Any] | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))
        self.extra = extra or {}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response({"code": exc.code, "detail": str(exc.message), **exc.extra}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        # A service's field errors, answered in the same shape as a serializer's.
        exc = ValidationError(as_serializer_error(exc))
    # Django's own 404 and 403, as DRF would convert them, so their codes are DRF's too.
    if isinstance(exc, Http404):
        exc = NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is not None:
        response.data = _error_body(exc, response.data)
    return response


def _error_body(exc: Exception, data: Any) -> dict[str, Any]:
    """DRF's answer as ``{code, detail}``; a validation error keeps its field errors in ``fields``."""
    if isinstance(exc, ValidationError):
        fields = data if isinstance(data, dict) else {"non_field_errors": data}
        return {"code": "invalid", "detail": _first_message(fields), "fields": fields}
    code = exc.get_codes() if isinstance(exc, APIException) else "error"
    detail = data.get("detail", "") if isinstance(data, dict) else data
    return {"code": code if isinstance(code, str) else "error", "detail": str(detail)}


def _first_message(errors: Any) -> str:
    """The first message in a nest of field errors: a one-line ``detail`` for simple clients."""
    while isinstance(errors, dict | list) and errors:
        errors = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
    return str(errors) if errors else ""


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for a URL no view matched: JSON ``{code, detail}`` under /api/, as the API's own
    404s are, and the portal's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)
