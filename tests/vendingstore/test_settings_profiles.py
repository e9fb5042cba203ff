from tests.manage_process import PRODUCTION_ENV, run_manage


def test_the_production_profile_passes_the_deploy_check_without_warnings() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_profile_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_production_profile_refuses_to_start_without_identity_keys() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "MEMBERS_ENCRYPTION_KEYS"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "MEMBERS_ENCRYPTION_KEYS" in result.stderr
