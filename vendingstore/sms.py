"""Text messages: the store's one SMS interface, chosen by ``NOTIFY_SMS_BACKEND``.

A real gateway is outside the store; ``console`` (the sandbox) writes each message to the log, so
the demo and the tests can read sign-up codes and reminders there. Every app sends through
``sms_backend()``; a new gateway is a class with ``send`` registered in ``SMS_BACKENDS``.
"""

import logging
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """The sandbox: text messages go to the log."""

    def send(self, *, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


SMS_BACKENDS: dict[str, type[SmsBackend]] = {"console": ConsoleSmsBackend}


def sms_backend() -> SmsBackend:
    return SMS_BACKENDS[settings.NOTIFY_SMS_BACKEND]()
