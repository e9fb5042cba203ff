import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from vendingstore.celery import app as celery_app

# Fixtures every folder may use (a test imports their plain helpers, never another folder's).
pytest_plugins = [
    "tests.fixtures.folders",
    "tests.fixtures.world",
    "tests.fixtures.faces",
    "tests.fixtures.snapcar",
    "tests.fixtures.returns",
]

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made
# from that thread by fixtures and the live server are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks queued (on commit or at once) run in-process through Celery, as a worker would run them."""
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


# Debian's chromium, never a browser Playwright downloads; no background traffic (the machine
# is offline, and Chromium's own update and sync calls would only fail).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], tmp_path_factory) -> dict[str, Any]:
    args = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    video = fake_camera_video(tmp_path_factory.mktemp("camera") / "face.y4m")
    if video is not None:
        args.append(f"--use-file-for-fake-video-capture={video}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


def fake_camera_video(path: Path) -> Path | None:
    """A Y4M clip for Chromium's fake camera: a shared photo of a face looking to one side, then its
    mirror image, looping, as a customer turning their head would give. None without the photos."""
    from django.conf import settings
    from PIL import Image, ImageOps

    source = Path(settings.SHARED_DIR) / "faces" / "img59.jpg"
    if not source.exists():
        return None
    face = ImageOps.pad(ImageOps.exif_transpose(Image.open(source)).convert("RGB"), (640, 480))
    frames = [face] * 4 + [ImageOps.mirror(face)] * 4
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F5:1 Ip A1:1 C420jpeg\n")
        for frame in frames:
            y, u, v = frame.convert("YCbCr").split()
            out.write(b"FRAME\n" + y.tobytes())
            out.write(u.resize((320, 240)).tobytes() + v.resize((320, 240)).tobytes())
    return path


@pytest.fixture
def chinese_catalogue(settings) -> None:
    """Compile the Chinese catalogue when its .mo is missing or stale (bin/test compiles it too).

    Re-assigning LOCALE_PATHS fires setting_changed, which drops Django's loaded catalogues.
    """
    po = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command(
            "compilemessages", locale=["zh_Hans"], ignore_patterns=[".venv/*", "node_modules/*"], verbosity=0
        )
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)


# --- Browser pages: no CSP violation, no uncaught error, none left open (issue 13) ----------


@pytest.fixture(autouse=True)
def browser_console_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """For a browser test: fail it when any page it opened logged a Content-Security-Policy
    violation or threw an uncaught error, and close every page and context it opened itself.

    Every context made during the test (pytest-playwright's ``page`` and ``context``, or the
    test's own ``browser.new_context``/``new_page``) is watched. Closing matters: a page left open
    keeps polling the session-wide live server (the kiosk polls every 2 s), and the templates that
    server thread renders are captured by Django's test client as if they were part of whatever
    request another test is making at that moment: ``response.context["messages"]`` then came from
    the kiosk's request, empty (the flaky admin double-click test, issue 13 item 10).
    """
    # A test's own parameter may be called "page" (a page number): only Playwright's fixtures count.
    parametrized = set(getattr(getattr(request.node, "callspec", None), "params", {}))
    if not ({"page", "context", "browser"} & set(request.fixturenames)) - parametrized:
        yield
        return
    browser = request.getfixturevalue("browser")
    problems: list[str] = []
    opened: list[Any] = []
    closed: set[int] = set()

    def watch_page(page: Any) -> None:
        page.on("pageerror", lambda error: problems.append(f"{page.url}: uncaught {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )

    def watched(make: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            made = make(*args, **kwargs)
            opened.append(made)
            made.on("close", lambda _closed: closed.add(id(made)))
            if hasattr(made, "pages"):  # a context: its pages now and later
                made.on("page", watch_page)
                for page in made.pages:
                    watch_page(page)
            else:
                watch_page(made)
            return made

        return wrapper

    monkeypatch.setattr(browser, "new_context", watched(browser.new_context))
    monkeypatch.setattr(browser, "new_page", watched(browser.new_page))
    yield
    for made in reversed(opened):
        if id(made) not in closed:  # pytest-playwright closes its own context, the test may close more
            made.close()
    assert not problems, "the browser reported:\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Every test starts with an empty cache: the per-address and per-number counters of the
    rate limits live there, and one test's requests must not spend another's allowance."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Every test starts in the default language: a test (or a request the test client made)
    that activated Chinese in this thread must not make the next test read its messages in it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
