"""PostgreSQL briefly unavailable: the API answers 503 in the error shape and recovers by itself."""

from __future__ import annotations

import time

import httpx
import pytest
from django.db import connection

from accounts.services import api_token_create
from tests.support.faults import cuttable_proxy
from tests.support.servers import asgi_server

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


# Once the database is back, requests succeed again within this long, with no restart.
RECOVERY_SECONDS = 5.0


@pytest.mark.parametrize("pool_size", ["10", "0"], ids=["pooled", "unpooled"])
def test_api_answers_503_while_postgres_is_away_and_recovers(candidate, pool_size) -> None:
    token = api_token_create(user=candidate, name="faults")[1]
    db = connection.settings_dict
    with cuttable_proxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)) as proxy:
        url = f"postgres://{db.get('USER') or 'postgres'}@127.0.0.1:{proxy.port}/{db['NAME']}"
        with asgi_server({"DATABASE_URL": url, "DATABASE_POOL_SIZE": pool_size}) as server:
            headers = {"Authorization": f"Token {token}"}
            with httpx.Client(base_url=server.http_url, headers=headers, timeout=10) as http:
                assert http.get("/api/me/").status_code == 200

                proxy.cut()
                during = http.get("/api/me/")
                assert during.status_code == 503
                assert during.json()["error"]["code"] == "service_unavailable"
                ready = http.get("/readyz")
                assert ready.status_code == 503
                assert ready.json()["checks"]["database"]["ok"] is False

                # An outage longer than the pool's reconnect attempts.
                time.sleep(7)
                assert http.get("/api/me/").status_code == 503

                proxy.restore()
                back = time.monotonic()
                after = http.get("/api/me/")
                while after.status_code == 503 and time.monotonic() - back < RECOVERY_SECONDS:
                    time.sleep(0.2)
                    after = http.get("/api/me/")
                assert after.status_code == 200
                assert after.json()["email"] == candidate.email
                assert http.get("/readyz").status_code == 200
