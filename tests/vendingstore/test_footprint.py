"""What a process loads: web processes start without the image libraries, and nothing uses torch.

Each check runs in a fresh Python process, because this test process has long imported them all.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from biometrics.engine.weights import ensure_antispoof_weights
from tests.fixtures.faces import FACES, needs_faces

IMAGE_LIBRARIES = ["cv2", "onnxruntime", "dlib", "deepface", "torch", "onnx"]


def loaded_after(code: str) -> dict[str, bool]:
    """Which of IMAGE_LIBRARIES a new process has imported after running ``code`` (Django set up)."""
    program = (
        "import json, sys, django\n"
        "django.setup()\n"
        f"{code}\n"
        f"print(json.dumps({{name: name in sys.modules for name in {IMAGE_LIBRARIES!r}}}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "vendingstore.settings.test"),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_web_process_starts_without_the_image_libraries() -> None:
    # What gunicorn does before the first request: the WSGI app, then every URL (each view module).
    loaded = loaded_after(
        "from vendingstore.wsgi import application\n"
        "from django.urls import get_resolver\n"
        "get_resolver().url_patterns\n"
    )

    assert not any(loaded.values()), loaded


@needs_faces
def test_a_face_check_with_anti_spoofing_never_imports_torch() -> None:
    if not ensure_antispoof_weights():
        pytest.skip("anti-spoofing was not exported here (manage.py biometrics_export_antispoof)")
    sample = Path(FACES) / "spoof" / "image_T1.jpg"

    loaded = loaded_after(
        "from biometrics.engine import check_antispoof, embed\n"
        f"embed({str(sample)!r})\n"
        f"assert check_antispoof({str(sample)!r}).status == 'real'\n"
    )

    assert loaded["onnxruntime"]  # it did run the models
    assert loaded["dlib"]
    assert not loaded["torch"]
