"""Domain errors and the one place that turns them into HTTP answers.

Services raise an ``ApplicationError`` subclass with a stable ``code`` and a message meant for
the customer; API views let it propagate, and ``api_exception_handler`` answers with its status
and ``{"code": ..., "detail": ...}``. Portal views catch the same errors and show the message.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.functional import Promise
from rest_framework.exceptions import ValidationError
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
        return exception_handler(ValidationError(as_serializer_error(exc)), context)
    return exception_handler(exc, context)
