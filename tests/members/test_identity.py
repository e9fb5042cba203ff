"""ID numbers: format and check digit; keyed hashes; encryption with rotatable keys."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ValidationError

from members.identity import (
    id_number_check_digit,
    mobile_normalize,
    secret_decrypt,
    secret_encrypt,
    secret_hash,
    secret_rotate,
    validate_id_number,
)


def test_it_accepts_a_well_formed_id_number_with_an_x_check_digit() -> None:
    # 11010519491231002X is the specimen number printed in GB 11643.
    assert id_number_check_digit("11010519491231002") == "X"
    validate_id_number("11010519491231002x")


@pytest.mark.parametrize(
    "number", ["110105194912310021", "11010519491331002X", "1101051949123100", "A1010519491231002X"]
)
def test_it_refuses_a_malformed_id_number(number: str) -> None:
    with pytest.raises(ValidationError):
        validate_id_number(number)


def test_the_hash_is_keyed(settings) -> None:
    before = secret_hash("11010519491231002X")
    settings.MEMBERS_ID_HASH_KEY = "another-key"

    assert secret_hash("11010519491231002X") != before
    assert len(before) == 64


def test_old_values_still_decrypt_after_a_new_key_is_put_first(settings) -> None:
    old = settings.MEMBERS_ENCRYPTION_KEYS[0]
    token = secret_encrypt("11010519491231002X")
    settings.MEMBERS_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]

    assert secret_decrypt(token) == "11010519491231002X"
    rotated = secret_rotate(token)
    settings.MEMBERS_ENCRYPTION_KEYS = settings.MEMBERS_ENCRYPTION_KEYS[:1]
    assert secret_decrypt(rotated) == "11010519491231002X"
    with pytest.raises(InvalidToken):
        secret_decrypt(token)


@pytest.mark.parametrize(
    ("raw", "normal"), [("138 0013 8000", "+8613800138000"), ("+44 7700 900123", "+447700900123")]
)
def test_mobile_numbers_are_normalised(raw: str, normal: str) -> None:
    assert mobile_normalize(raw) == normal
