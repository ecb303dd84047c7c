"""The settings `make run` and a deployment give: SITE_URL from HOST/PORT, any DATABASE_URL."""

from __future__ import annotations

import subprocess

import httpx
import pytest

from tests.support.servers import ROOT, asgi_server


def site_url_of_run(**env: str) -> str:
    """The SITE_URL bin/run exports for an environment (its own lines, run by bash)."""
    lines = (ROOT / "bin" / "run").read_text().splitlines()
    start = lines.index(
        "# Links in emails and invites point at this server unless SITE_URL says otherwise."
    )
    block = "\n".join(lines[start : lines.index("fi", start) + 1])
    script = f'HOST="${{HOST:-127.0.0.1}}"\nPORT="${{PORT:-8000}}"\n{block}\necho "$SITE_URL"'
    clean = {"PATH": "/usr/bin:/bin", **env}
    return subprocess.run(
        ["bash", "-c", script], env=clean, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_make_run_links_emails_to_the_host_and_port_it_serves() -> None:
    assert site_url_of_run() == "http://127.0.0.1:8000"
    assert site_url_of_run(HOST="192.168.1.20", PORT="9000") == "http://192.168.1.20:9000"
    # Listening everywhere: links use a name a browser on this machine can open.
    assert site_url_of_run(HOST="0.0.0.0", PORT="8080") == "http://localhost:8080"
    assert site_url_of_run(HOST="::1", PORT="8080") == "http://[::1]:8080"


def test_make_run_keeps_a_site_url_it_is_given() -> None:
    assert (
        site_url_of_run(SITE_URL="https://practice.example", PORT="9000")
        == "https://practice.example"
    )


@pytest.mark.django_db(transaction=True)
def test_the_web_server_uses_a_sqlite_database_url(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'url.sqlite3'}"
    # The server pools connections by default; SQLite's driver refuses a pool option.
    with asgi_server({"DATABASE_URL": url, "DATABASE_POOL_SIZE": "10"}) as server:
        ready = httpx.get(f"{server.http_url}/readyz", timeout=10)
    assert ready.json()["checks"]["database"]["ok"] is True, ready.text
    assert ready.status_code == 200
