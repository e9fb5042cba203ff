"""``manage.py`` in a process of its own, under the production profile or another, as a deploy
would run it (for the tests of the settings each app reads at start-up)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "vendingstore.settings.production",
    "SECRET_KEY": "k8Jx2Lq9Vw4Zr7Tn1Bc6Hm3Yp5Sd0Gf8Ae2Ku4Wq7Xz9Nv1Rj3",
    "ALLOWED_HOSTS": "store.example.cn",
    "MEMBERS_ID_HASH_KEY": "a-separate-long-random-key-for-id-number-hashes",
    "MEMBERS_ENCRYPTION_KEYS": "KaHI-bl9sPLcNkhtoaJ51Qv2_dRDxGtCrHzVpaUu1Sg=",
    "BIOMETRICS_TEMPLATE_KEYS": "Xq3n0m8Yb1lH2rKc7Vd5Tf9Wg4Js6Ua0Pe1Zo3Ri5Lk=",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
