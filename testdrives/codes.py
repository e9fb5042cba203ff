"""Pickup and return codes: short, unambiguous to read aloud or type on a kiosk keypad."""

import secrets

# No 0/O, 1/I/L: a code is read off a phone and typed on a touch screen.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def code_new() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def code_normalize(raw: str) -> str:
    """What the customer typed, as we store it: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())
