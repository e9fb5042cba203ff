import pytest
from django.core.exceptions import ValidationError

from fleet.vin import validate_vin, vin_check_digit, vin_with_check_digit

# Published examples whose 9th character is a correct check digit.
KNOWN_GOOD = ["1M8GDM9AXKP042788", "11111111111111111", "5GZCZ43D13S812715"]


@pytest.mark.parametrize("vin", KNOWN_GOOD)
def test_it_accepts_vins_with_a_correct_check_digit(vin: str) -> None:
    validate_vin(vin)


def test_it_computes_x_for_a_remainder_of_ten() -> None:
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"


def test_it_accepts_lower_case_and_surrounding_spaces() -> None:
    validate_vin("  1m8gdm9axkp042788 ")


def test_it_refuses_a_wrong_check_digit_and_names_the_right_one() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_vin("1M8GDM9A1KP042788")
    assert exc.value.code == "vin_check_digit"
    assert "X" in exc.value.messages[0]


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP04278", "1M8GDM9AXKP0427888", ""])
def test_it_refuses_the_wrong_length(vin: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_vin(vin)
    assert exc.value.code == "vin_length"


@pytest.mark.parametrize("letter", ["I", "O", "Q"])
def test_it_refuses_letters_that_look_like_digits(letter: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_vin(f"1M8GDM9AXKP04278{letter}")
    assert exc.value.code == "vin_characters"


def test_it_accepts_a_missing_check_digit_when_the_store_does_not_require_it(settings) -> None:
    settings.VIN_REQUIRE_CHECK_DIGIT = False
    validate_vin("WVWZZZ1JZ3W386752")


def test_vin_with_check_digit_fixes_position_nine() -> None:
    vin = vin_with_check_digit("LVSAB12C0S1000001")
    validate_vin(vin)
    assert vin[:8] == "LVSAB12C"
    assert vin[9:] == "S1000001"
