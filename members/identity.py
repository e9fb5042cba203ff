"""National ID numbers, driving licence numbers and mobile numbers: checked, hashed, encrypted.

An ID number is never stored in clear. Each member row keeps:

- a keyed hash (HMAC-SHA256 under ``MEMBERS_ID_HASH_KEY``) with a unique constraint, so the
  database refuses a second account for the same person even under concurrent sign-ups, and
  staff can find a member by the number without the number being readable;
- the number encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under ``MEMBERS_ENCRYPTION_KEYS``,
  because the member may export it and the credit bureau needs it. The first key encrypts;
  every key decrypts, so a new key can be put first and old values re-encrypted at leisure;
- the last four characters, to show staff and the member which number is on file.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: 6-digit region, 8-digit birth date, 3-digit serial, ISO 7064 MOD 11-2 check.
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE_CN = re.compile(r"^1[3-9]\d{9}$")
_MOBILE_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def id_number_normalize(value: str) -> str:
    """Upper-case, without spaces or dashes: the form that is hashed and encrypted."""
    return re.sub(r"[\s-]", "", value or "").upper()


def id_number_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number_birth_date(number: str) -> date | None:
    """The birth date written in a resident ID number, or None when it is not a real date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str) -> None:
    """A PRC resident identity card number: 18 characters, a real birth date, a correct check digit."""
    number = id_number_normalize(value)
    if not _ID_PATTERN.match(number):
        raise ValidationError(_("An ID number has 17 digits followed by a digit or X."), code="format")
    if id_number_birth_date(number) is None:
        raise ValidationError(_("This ID number does not contain a valid birth date."), code="birth_date")
    if id_number_check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("This ID number's check digit is wrong: please check for a typo."), code="check"
        )


def mobile_normalize(value: str) -> str:
    """A mobile number in E.164 form; a bare 11-digit mainland number gets +86."""
    number = re.sub(r"[\s()-]", "", value or "")
    if _MOBILE_CN.match(number):
        return f"+86{number}"
    return number


def validate_mobile(value: str) -> None:
    number = mobile_normalize(value)
    if not _MOBILE_E164.match(number) or (number.startswith("+86") and not _MOBILE_CN.match(number[3:])):
        raise ValidationError(_("Enter a mobile number, like 13800138000 or +8613800138000."), code="mobile")


def secret_hash(value: str) -> str:
    """HMAC-SHA256 of a normalised value under the ID hash key, as 64 hex characters."""
    key = settings.MEMBERS_ID_HASH_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.MEMBERS_ENCRYPTION_KEYS])


def secret_encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def secret_decrypt(token: str) -> str:
    """The clear value; raises ``InvalidToken`` when no configured key opens it."""
    return _fernet().decrypt(token.encode()).decode()


def secret_rotate(token: str) -> str:
    """The same value re-encrypted under the first (current) key."""
    return _fernet().rotate(token.encode()).decode()


@dataclass(frozen=True)
class StoredSecret:
    """What a member row keeps of a secret number."""

    hash: str
    encrypted: str
    last4: str


def secret_store(value: str) -> StoredSecret:
    return StoredSecret(hash=secret_hash(value), encrypted=secret_encrypt(value), last4=value[-4:])


__all__ = [
    "InvalidToken",
    "StoredSecret",
    "id_number_birth_date",
    "id_number_check_digit",
    "id_number_normalize",
    "mobile_normalize",
    "secret_decrypt",
    "secret_encrypt",
    "secret_hash",
    "secret_rotate",
    "secret_store",
    "validate_id_number",
    "validate_mobile",
]
