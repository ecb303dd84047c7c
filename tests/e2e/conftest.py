"""Browser end-to-end fixtures: the real ASGI server with the built bundle, Debian's Chromium.

The bundle is built by bin/bootstrap (npm run build); the browser is /usr/bin/chromium from
apt (.ci/run installs it). Without either the tests skip and say why; REQUIRE_SERVICES=1
turns that into a failure. Screenshots land in test-artifacts/e2e/.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.support.servers import ROOT, AsgiServer, asgi_server, celery_worker, process_env

CHROMIUM = Path("/usr/bin/chromium")
DIST = ROOT / "frontend" / "dist" / "index.html"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every test logs in from 127.0.0.1, so the production throttle would lock the suite out; the
# report is rebuilt as soon as a scorecard is released instead of after the batching pause.
SERVER_ENV = {
    "LOGIN_RATE": "10000/min",
    "REGISTER_RATE": "10000/min",
    "PASSWORD_RESET_RATE": "10000/min",
    "EMAIL_VERIFICATION_RATE": "10000/min",
    "MAIL_PER_EMAIL_PER_HOUR": "10000",
    "REPORT_DEBOUNCE_SECONDS": "0",
}


def _missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))


# Data migrations that fill reference data; each is idempotent.
REFERENCE_DATA = [
    ("interviews.migrations.0003_question_bank", "load"),
    ("scoring.migrations.0003_rubric_v1", "publish"),
]


@pytest.fixture(autouse=True)
def reference_data(transactional_db: None) -> None:
    """Put back the question bank and rubric v1 that the flush after each browser test removed.

    (serialized_rollback would too, but it races with the live server writing between the
    flush and the restore.)
    """
    from django.apps import apps

    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _server_done_writing(transactional_db: None) -> Iterator[None]:
    """After a test, wait until the server has finished the writes its closing pages caused.

    A page closing ends its sockets, and the server records that (a participant leaving the
    call is a timeline event): a flush of the test database racing with that write deadlocks.
    Torn down after the pages close and before the flush; PostgreSQL only (the browser tests
    run there), quiet for half a second in a row, at most ten.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    quiet_since, deadline = None, time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            busy = cursor.fetchone()[0]
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= 0.5:
            return
        time.sleep(0.05)


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the server (and its worker) write the emails they send, one file per message."""
    return tmp_path_factory.mktemp("e2e-mail")


@pytest.fixture(scope="session")
def e2e_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory, mail_dir: Path
) -> Iterator[AsgiServer]:
    """One server for the session, serving the built bundle through whitenoise."""
    if not DIST.is_file():
        _missing("the browser app is not built: run bin/bootstrap (npm run build in frontend/)")
    from django.conf import settings

    var_dir = tmp_path_factory.mktemp("e2e-var")
    # With Redis, jobs (the report rebuild) go to a real worker on a queue of this session's own.
    queue = f"e2e-{os.getpid()}"
    mail = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    env = {"SEVENSTEP_VAR_DIR": str(var_dir), "CELERY_QUEUE": queue, **SERVER_ENV, **mail}
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=process_env(**env),
        check=True,
    )
    with contextlib.ExitStack() as stack:
        if settings.REDIS_URL:
            stack.enter_context(celery_worker(queue, **SERVER_ENV, **mail))
        yield stack.enter_context(asgi_server(env))


@pytest.fixture(scope="module")
def _orm_beside_playwright() -> Iterator[None]:
    """Let the test's own ORM calls run while Playwright's sync API holds an event loop.

    Module-scoped, so the loop and this allowance end before other test modules run.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_orm_beside_playwright: None) -> Iterator[object]:
    if not CHROMIUM.exists():
        _missing("Debian's Chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, e2e_server: AsgiServer) -> Iterator[Callable[..., object]]:
    """Open a page in a fresh browser context (its own cookies), laptop-sized by default."""
    contexts = []

    def make(width: int = 1366, height: int = 900, base_url: str | None = None):
        context = browser.new_context(
            base_url=base_url or e2e_server.http_url, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        # Every error status the page received: the browser logs each one in the console.
        page.failed_requests = []
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and page.failed_requests.append(f"{response.status} {response.url}")
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Write a screenshot as a test artefact: the full page, or what is on screen (a dialog)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page, email: str, password: str, next_path: str = "/") -> None:
    """Log in through the form, as a person would."""
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == next_path.split("?")[0])


def mailed_link(mail_dir: Path, to: str, path: str, timeout: float = 15.0) -> str:
    """The newest link to `path` in a message the server sent to `to` (waiting for the job)."""
    import re
    import time

    deadline = time.monotonic() + timeout
    pattern = re.compile(rf"https?://\S+?({re.escape(path)}\S+)")
    while time.monotonic() < deadline:
        for file in sorted(mail_dir.glob("*.log"), key=lambda f: f.stat().st_mtime, reverse=True):
            text = file.read_text()
            for message in reversed(text.split("\n" + "-" * 79 + "\n")):
                if f"To: {to}" in message and (found := pattern.search(message)):
                    return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no email to {to} with a {path} link")


def assert_fits_width(page) -> None:
    """The page does not scroll sideways at its width; else name the elements that stick out."""
    limit = page.viewport_size["width"]
    width = page.evaluate("() => document.documentElement.scrollWidth")
    wide = page.evaluate(
        """(limit) => [...document.querySelectorAll('main *')]
            .filter((el) => el.getBoundingClientRect().right > limit + 1).slice(0, 5)
            .map((el) => `${el.tagName}.${el.className} ${el.getBoundingClientRect().right}`)""",
        limit,
    )
    assert width <= limit, (width, wide)
