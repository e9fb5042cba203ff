"""Vehicle identification numbers (ISO 3779) and their check digit.

ISO 3779 fixes 17 characters from 0-9 and A-Z without I, O and Q. The check digit in
position 9 is required in North America (49 CFR 565) and China (GB 16735) and computed the
same way there: letters transliterate to numbers, each position has a weight, the weighted
sum modulo 11 is the digit, with 10 written as X.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

VIN_LENGTH = 17
CHECK_DIGIT_INDEX = 8
_ALLOWED = set("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_TRANSLITERATION = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=False)),
    **dict(zip("JKLMN", range(1, 6), strict=False)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=False)),
}


def vin_normalize(value: str) -> str:
    return value.strip().upper()


def vin_check_digit(vin: str) -> str:
    """The check digit a 17-character VIN should carry in position 9 ('0'-'9' or 'X')."""
    total = sum(_TRANSLITERATION[ch] * w for ch, w in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_with_check_digit(vin17: str) -> str:
    """Return ``vin17`` with position 9 replaced by its correct check digit."""
    vin = vin_normalize(vin17)
    return vin[:CHECK_DIGIT_INDEX] + vin_check_digit(vin) + vin[CHECK_DIGIT_INDEX + 1 :]


def validate_vin(value: str) -> None:
    vin = vin_normalize(value)
    if len(vin) != VIN_LENGTH:
        raise ValidationError(
            _("A VIN has 17 characters; this one has %(n)d."), code="vin_length", params={"n": len(vin)}
        )
    bad = sorted(set(vin) - _ALLOWED)
    if bad:
        raise ValidationError(
            _("A VIN uses only digits and letters other than I, O and Q; found %(bad)s."),
            code="vin_characters",
            params={"bad": ", ".join(bad)},
        )
    if settings.VIN_REQUIRE_CHECK_DIGIT:
        expected = vin_check_digit(vin)
        if vin[CHECK_DIGIT_INDEX] != expected:
            raise ValidationError(
                _("The VIN check digit (9th character) should be %(expected)s, not %(found)s."),
                code="vin_check_digit",
                params={"expected": expected, "found": vin[CHECK_DIGIT_INDEX]},
            )
