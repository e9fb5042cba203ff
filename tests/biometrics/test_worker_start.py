"""Face models at a worker's start: loaded in the main process before the prefork pool forks
(children share them), and run once in each child; a forked child decides with them at once."""

import multiprocessing

from celery.signals import worker_init, worker_process_init

from biometrics import receivers
from biometrics.engine import embed, models_load
from biometrics.engine.antispoof import antispoof_model
from biometrics.engine.faces import _dlib_models
from biometrics.engine.liveness import antispoof_load
from biometrics.engine.sface import _net
from tests.fixtures.faces import FACES, needs_faces


def test_the_workers_main_process_loads_the_models_before_it_forks(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(receivers, "models_load", lambda: calls.append("load"))

    receivers.face_models_load()

    assert calls == ["load"]
    assert any(ref() is receivers.face_models_load for _, ref in worker_init.receivers)


def test_loading_before_the_fork_can_be_turned_off(monkeypatch, settings) -> None:
    settings.BIOMETRICS_LOAD_BEFORE_FORK = False
    calls = []
    monkeypatch.setattr(receivers, "models_load", lambda: calls.append("load"))

    receivers.face_models_load()

    assert calls == []


def test_each_pool_process_runs_the_models_once_at_its_start(monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(receivers, "warm_up", lambda: calls.append("warm"))

    receivers.face_engine_warm_up()

    assert calls == ["warm"]
    assert any(ref() is receivers.face_engine_warm_up for _, ref in worker_process_init.receivers)


def test_models_load_loads_every_model(engine) -> None:
    models_load()

    assert _dlib_models.cache_info().currsize == 1
    assert _net.cache_info().currsize == 1
    if antispoof_load():
        assert antispoof_model.cache_info().currsize == 1


def _child_decides(queue) -> None:
    from biometrics.engine import warm_up

    warm_up()
    queue.put(len(embed(FACES / "img1.jpg").vector))


@needs_faces
def test_a_child_forked_after_the_models_loaded_decides_with_them(engine) -> None:
    # PyTorch's thread pool, started before a fork, hung the child's first anti-spoofing pass.
    models_load()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_decides, args=(queue,))
    child.start()
    child.join(timeout=120)
    if child.is_alive():
        child.kill()

    assert child.exitcode == 0
    assert queue.get(timeout=1) == 128
