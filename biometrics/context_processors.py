"""Template context for every portal page: whether the signed-in member must retake the face photo.

A template made by an older face model cannot be compared with today's (DESIGN.md §5), so the
member is asked on their next visit; lazy, so pages that do not show it cost no query.
"""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from biometrics.selectors import face_templates_outdated


def _retake_needed(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return face_templates_outdated().filter(member__user=user).exists()


def face_retake(request: HttpRequest) -> dict[str, object]:
    return {"face_retake_needed": SimpleLazyObject(lambda: _retake_needed(request))}
