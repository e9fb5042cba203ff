"""Issue 13, item 8: a Content-Security-Policy on every page, every profile; no inline script."""

import re
from pathlib import Path

import pytest

from tests.manage_process import PRODUCTION_ENV, run_manage

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/account/login/", "/account/signup/", "/snap/", "/api/docs/", "/kiosk/", "/admin/login/"]


def directives(header: str) -> dict[str, list[str]]:
    parts = (d.strip().split() for d in header.split(";") if d.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_policy_with_only_our_own_scripts(client, url: str) -> None:
    response = client.get(url)

    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not [v for values in policy.values() for v in values if re.match(r"(https?:|\*)", v)]


def test_no_template_has_an_inline_script() -> None:
    inline = []
    for template in ROOT.glob("*/templates/**/*.html"):
        if ".venv" in template.parts or "node_modules" in template.parts:
            continue
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            if "src=" not in tag and "application/json" not in tag:
                inline.append(f"{template.relative_to(ROOT)}: {tag}")

    assert inline == []


def test_the_production_profile_sends_the_policy_too() -> None:
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']); print('csp.middleware.CSPMiddleware' in settings.MIDDLEWARE)",
        env=PRODUCTION_ENV,
    )

    assert result.stdout.splitlines()[-2:] == ["[\"'self'\"]", "True"], result.stderr
