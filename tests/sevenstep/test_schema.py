"""The OpenAPI schema documents every endpoint, its errors, and paginates every list."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_the_schema_is_served_as_openapi_3() -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_swagger_ui_is_served_without_a_cdn() -> None:
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"cdn.jsdelivr" not in response.content


def test_the_schema_lists_the_account_endpoints(schema) -> None:
    for path in ["/api/auth/register/", "/api/auth/login/", "/api/auth/logout/", "/api/me/"]:
        assert path in schema["paths"]


def test_every_operation_documents_its_errors_in_the_error_shape(schema) -> None:
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert "404" in responses, (path, method)
        if method in {"post", "put", "patch"}:
            assert "400" in responses, (path, method)
        ref = responses["404"]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/Error"), (path, method)


def test_every_list_endpoint_is_paginated(schema) -> None:
    for path, method, operation in _operations(schema):
        ok = operation["responses"].get("200", {})
        body = ok.get("content", {}).get("application/json", {}).get("schema", {})
        assert body.get("type") != "array", f"{method.upper()} {path} returns a bare list"


def test_the_browser_app_is_built_against_the_current_schema(tmp_path) -> None:
    """frontend/openapi.yml (from which src/api/schema.d.ts is generated) matches the API.

    Generated as `npm run schema` does it: on the embedded defaults, since integer limits in
    the schema follow the database backend. When this fails, run `npm run schema` in frontend/.
    """
    import os
    import subprocess
    import sys

    import yaml

    from tests.support.servers import ROOT

    env = {**os.environ, "PYTHONPATH": str(ROOT / "platform"), "DJANGO_ENV": "test"}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    generated = tmp_path / "openapi.yml"
    subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--file", str(generated)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    committed = yaml.safe_load((ROOT / "frontend" / "openapi.yml").read_text())
    assert committed == yaml.safe_load(generated.read_text()), (
        "frontend/openapi.yml is stale: run `npm run schema` in frontend/"
    )
