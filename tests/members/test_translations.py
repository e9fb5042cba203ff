"""The members app's own Chinese catalogue: every message translated, none fuzzy."""

import re
import subprocess
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[2] / "members" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries() -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry but the header."""
    found = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr ((?:".*"\n?)+)', block, re.M)
        if not msgid or not msgstr:
            continue
        text = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        if text:
            fuzzy = bool(re.search(r"^#,.*fuzzy", block, re.M))
            found.append((text, "".join(re.findall(r'"(.*)"', msgstr.group(1))), fuzzy))
    return found


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    found = entries()

    assert len(found) > 200
    assert [msgid for msgid, msgstr, _ in found if not msgstr] == []
    assert [msgid for msgid, _, fuzzy in found if fuzzy] == []


def test_placeholders_survive_translation() -> None:
    for msgid, msgstr, _ in entries():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), msgid


@pytest.mark.skipif(
    subprocess.run(["which", "msgfmt"], capture_output=True).returncode, reason="needs gettext"
)
def test_the_catalogue_compiles() -> None:
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(PO)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
