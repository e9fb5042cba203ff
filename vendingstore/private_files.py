"""Uploaded files that no URL serves: pictures of members' cars (return and pickup photos) live
under ``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``, so the public media route (``SERVE_MEDIA``,
or a web server in front of MEDIA_ROOT in production) can never hand them out. Pages show them
through views that check who asks (the booking's member, or an operator)."""

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signals import setting_changed
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="vendingstore.private_files.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT``, read when first used (a test's override applies), with
    no URL: ``url()`` refuses, so a template cannot link one by mistake."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        setting_changed.connect(self._private_root_changed)

    @cached_property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    def url(self, name: str | None) -> str:
        raise ValueError("A private file has no URL: serve it through a view that checks who asks.")

    def _private_root_changed(self, *, setting: str, **kwargs: Any) -> None:
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


_PRIVATE = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage of private uploads (a callable, so migrations name it instead of its folder)."""
    return _PRIVATE
