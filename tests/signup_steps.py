"""Sign-up's steps for tests: the texted code read from the SMS sandbox's log, the e-mailed link."""

import re

import pytest
from django.core import mail


def texted_code(caplog: pytest.LogCaptureFixture, mobile_tail: str) -> str:
    """The newest sign-up code the console SMS backend logged for a number ending ``mobile_tail``."""
    for record in reversed(caplog.records):
        text = record.getMessage()
        if text.startswith("SMS to") and mobile_tail in text and (found := re.search(r"\b(\d{6})\b", text)):
            return found.group(1)
    raise AssertionError(f"no code was texted to …{mobile_tail}")


def finish_token(to: str) -> str:
    """The token in the newest 'finish opening your account' mail to ``to``."""
    for message in reversed(mail.outbox):
        if to in message.to and (found := re.search(r"/account/signup/finish/([^/\s]+)/", message.body)):
            return found.group(1)
    raise AssertionError(f"no sign-up link was mailed to {to}")
