"""The Simplified Chinese catalogues (project-wide and the members, test drives and biometrics
apps' own): every message translated, none fuzzy, placeholders intact, and each compiles."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Each catalogue with the fewest messages it may hold: a catalogue that shrinks far below its
# size was most likely truncated or regenerated empty.
MINIMUM_MESSAGES = {
    ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po": 200,
    ROOT / "members" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po": 200,
    ROOT / "testdrives" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po": 200,
    ROOT / "biometrics" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po": 20,
}
CATALOGUES = list(MINIMUM_MESSAGES)
each_catalogue = pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))


def entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry but the header."""
    found = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if not msgid or not msgstr:
            continue
        text = "".join(re.findall(r'"(.*)"', msgid.group(1)))
        if text:
            fuzzy = bool(re.search(r"^#,.*fuzzy", block, re.M))
            found.append((text, "".join(re.findall(r'"(.*)"', msgstr.group(1))), fuzzy))
    return found


@each_catalogue
def test_every_message_is_translated_and_none_is_fuzzy(po: Path) -> None:
    found = entries(po)

    assert len(found) > MINIMUM_MESSAGES[po]
    assert [msgid for msgid, msgstr, _ in found if not msgstr] == []
    assert [msgid for msgid, _, fuzzy in found if fuzzy] == []


@each_catalogue
def test_placeholders_survive_translation(po: Path) -> None:
    for msgid, msgstr, _ in entries(po):
        for placeholder in (r"%\(\w+\)[sdfi]", r"\{\{ *\w+ *\}\}", r"%[sd]"):
            assert sorted(re.findall(placeholder, msgid)) == sorted(re.findall(placeholder, msgstr)), msgid


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext")
@each_catalogue
def test_the_catalogue_compiles(po: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr
