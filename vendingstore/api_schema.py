"""The OpenAPI schema's error answers, documented once for every operation.

``vendingstore.api_errors.api_exception_handler`` gives every error the body ``{code, detail}``
(field errors also under ``fields``). This drf-spectacular post-processing hook adds that body to
each operation's error answers and documents the ones DRF gives on its own: 400 for bad input,
401/403 where a login is asked for, 404 where the path names an object, 429 from the rate limit.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.request import Request

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answer: a stable `code` and a message for people in `detail`.",
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {},
            "description": "Bad input only: the messages by field name.",
        },
    },
    "required": ["code", "detail"],
}
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
DESCRIPTIONS = {
    "400": "Bad input: `fields` says what is wrong with which field.",
    "401": "No valid credentials.",
    "403": "Logged in, but not allowed to do this.",
    "404": "No such object (or not yours).",
    "429": "Too many requests from this address, or too many failed logins: wait and try again.",
}
METHODS = {"get", "post", "put", "patch", "delete"}


def add_error_responses(
    result: dict[str, Any], generator: "SchemaGenerator", request: "Request | None", public: bool
) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS:
                _document_errors(operation, path_has_object="{" in path)
    return result


def _document_errors(operation: dict[str, Any], *, path_has_object: bool) -> None:
    responses = operation.setdefault("responses", {})
    wanted = {"400", "429"}
    if _needs_login(operation):
        wanted |= {"401", "403"}
    if path_has_object:
        wanted.add("404")
    for code in wanted:
        responses.setdefault(code, {"description": DESCRIPTIONS[code]})
    for code, response in responses.items():
        # Every 400 comes from the exception handler, field errors under ``fields``.
        if code == "400" or (code.startswith("4") and not response.get("content")):
            response["content"] = {"application/json": {"schema": ERROR_REF}}


def _needs_login(operation: dict[str, Any]) -> bool:
    """Anonymous callers are allowed when the operation's security lists the empty requirement."""
    security = operation.get("security", [])
    return bool(security) and {} not in security
