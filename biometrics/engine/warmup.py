"""Every face model loaded, and run once, before a customer needs it (DESIGN.md §5).

Two steps, for Celery's prefork pool: ``models_load`` in the worker's main process before it forks
(``worker_init``), so the children share the models' pages; ``warm_up`` in each child
(``worker_process_init``), for the per-process first-run costs.
"""

import contextlib
import importlib.util

import numpy as np
from django.conf import settings

from .embedding import (
    CROP_SIZE,
    SFACE,
    Frame,
    _recognition_model,
    aligned_crop,
    model_name,
    vector_of,
)
from .faces import _boxes_on, _dlib_models, face_at, proposals_in_use, proposed_faces
from .liveness import antispoof_load, antispoof_warm_up
from .sface import _net, arcface_crop, sface_vector
from .yunet import _yunet


def models_load(*, liveness: bool = True) -> None:
    """Put weights in place and load every model, without running any.

    Safe before a fork: Celery's ``worker_init`` calls it in the worker's main process, so the
    prefork children inherit the loaded models and share their pages instead of each loading its
    own. Nothing here starts a thread (OpenCV is set to one thread, dlib has none, and the
    anti-spoofing network is only built, not run), which a forked child would not inherit.
    """
    runtimes_single_threaded()
    _dlib_models()
    if proposals_in_use() or settings.BIOMETRICS_DETECTOR == "yunet":
        _yunet()  # the detector, or what proposes where dlib's detector looks
    if model_name() == SFACE:
        _net()
    else:
        _recognition_model()
    if liveness:
        antispoof_load()


def runtimes_single_threaded() -> None:
    """One thread per process for the network runtimes.

    A worker process decides one customer at a time and the pool's processes already share the
    cores: more threads only contend (two threads were 2–3× slower under load on this 2-core
    machine). And a thread pool does not survive a fork: a prefork child whose parent had started
    PyTorch's threads hangs on its first pass (seen with the anti-spoofing network), while with one
    thread no pool is ever started. OpenCV's setting is set where the SFace net is loaded.
    """
    if importlib.util.find_spec("torch") is None:
        return  # anti-spoofing without PyTorch: nothing to set
    import torch

    torch.set_num_threads(1)
    # Refused once inter-op work ran in this process: it then stays as it is.
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)


def warm_up(*, liveness: bool = True) -> None:
    """Load every model (``models_load``) and run each once, so no customer pays a first run.

    The first pass of each model allocates its buffers (and PyTorch picks its kernels): per
    process, so Celery's ``worker_process_init`` calls this in every child. A blank picture is
    enough: detection finds nothing in it, and the landmarks, the crops and the networks run on
    fixed boxes. ``liveness=False``: only what an embedding needs (a command or benchmark).
    """
    models_load(liveness=liveness)
    blank = np.full((480, 640, 3), 128, dtype=np.uint8)
    _boxes_on(blank, upsample=False)
    proposed_faces(blank)
    face = face_at(blank, (220, 140, 420, 340))
    aligned_crop(blank, face)
    if model_name() == SFACE:
        sface_vector(arcface_crop(blank, face))
    else:
        vector_of(np.full((CROP_SIZE, CROP_SIZE, 3), 128, dtype=np.uint8))
    if liveness:
        antispoof_warm_up(Frame(blank, face))
