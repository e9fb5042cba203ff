"""Issue 13 item 1: in production every tower has its own long webhook secret, and the
development default secret opens nothing."""

import json
import time

import pytest
from django.core.checks import run_checks
from django.test import Client

from tests.factories import TowerFactory
from tests.manage_process import PRODUCTION_ENV, run_manage
from tower.models import TowerEvent
from tower.protocol import signed_headers

OWN_SECRET = "s3cr3t-of-sha-t1-with-at-least-32-chars"


def test_the_production_profile_refuses_to_start_with_a_tower_lacking_a_secret() -> None:
    env = {**PRODUCTION_ENV, "TOWER_CONTROLLERS": "sha-t1=http://10.0.0.5:8701,nkg-t1=http://10.0.0.6:8701"}
    env["TOWER_SECRETS"] = f"sha-t1={OWN_SECRET}"
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "tower nkg-t1" in result.stderr
    assert "no secret in TOWER_SECRETS" in result.stderr


def test_the_production_profile_refuses_to_start_with_a_short_tower_secret() -> None:
    env = {
        **PRODUCTION_ENV,
        "TOWER_CONTROLLERS": "sha-t1=http://10.0.0.5:8701",
        "TOWER_SECRETS": "sha-t1=short",
    }
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "sha-t1's secret in TOWER_SECRETS is 5 characters" in result.stderr


def test_the_production_profile_starts_when_every_tower_has_its_own_long_secret() -> None:
    env = {
        **PRODUCTION_ENV,
        "TOWER_CONTROLLERS": "sha-t1=http://10.0.0.5:8701",
        "TOWER_SECRETS": f"sha-t1={OWN_SECRET}",
        "TOWER_SECRET_DEFAULT": "dev-tower-secret",  # ignored by the production profile
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_deploy_check_fails_on_a_tower_without_its_own_secret() -> None:
    env = {"DJANGO_SETTINGS_MODULE": "vendingstore.settings.test", "TOWER_CONTROLLERS": "sha-t1=http://x:1"}
    result = run_manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "tower.E001" in result.stderr + result.stdout


def test_the_deploy_check_flags_the_development_default_secret(settings) -> None:
    settings.TOWER_CONTROLLERS = {"sha-t1": "http://x:1"}
    settings.TOWER_SECRETS = {"sha-t1": OWN_SECRET}
    settings.TOWER_SECRET_DEFAULT = "dev-tower-secret"
    assert [m.id for m in run_checks(include_deployment_checks=True) if m.id.startswith("tower.")] == [
        "tower.E002"
    ]
    settings.TOWER_SECRET_DEFAULT = ""
    assert [m.id for m in run_checks(include_deployment_checks=True) if m.id.startswith("tower.")] == []


def _post(client: Client, code: str, secret: str):
    event = {"seq": 1, "tower": code, "kind": "mode", "mode": "hold", "at": "2026-01-01T00:00:00Z"}
    body = json.dumps(event).encode()
    headers = signed_headers(secret, body, tower=code, seq=1, now=time.time())
    return client.post(
        f"/tower/{code}/events/",
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


@pytest.mark.django_db
def test_it_refuses_a_webhook_signed_with_the_dev_secret_in_production_config(
    client: Client, settings
) -> None:
    mine, other = TowerFactory(), TowerFactory()
    settings.TOWER_SECRET_DEFAULT = ""  # as the production profile sets it
    settings.TOWER_SECRETS = {mine.code: OWN_SECRET}
    for tower in (mine, other):
        assert _post(client, tower.code, "dev-tower-secret").status_code == 403
    assert _post(client, other.code, "").status_code == 403  # no secret is no signature
    assert not TowerEvent.objects.exists()
    assert _post(client, mine.code, OWN_SECRET).status_code == 200
