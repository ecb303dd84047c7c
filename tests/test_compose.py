"""docker-compose.yml runs the same commands the tests exercise, with health checks everywhere."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import _missing
from tests.support.servers import ROOT

COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_has_every_component(compose) -> None:
    assert {"postgres", "redis", "web", "worker", "beat", "proxy", "turn"} <= set(
        compose["services"]
    )


def test_long_running_services_have_health_checks(compose) -> None:
    for name in ("postgres", "redis", "web", "worker", "proxy"):
        assert "healthcheck" in compose["services"][name], name


def test_web_and_worker_run_what_the_tests_run(compose) -> None:
    web = compose["services"]["web"]["command"]
    assert web[:3] == ["granian", "--interface", "asgi"]
    assert web[-1] == "config.asgi:application"
    assert "--ws" in web
    assert compose["services"]["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    servers = (ROOT / "tests" / "support" / "servers.py").read_text()
    assert '"config.asgi:application"' in servers
    assert '"config",\n            "worker"' in servers


def test_the_stack_loads_no_demo_data_and_creates_an_admin_only_from_its_environment(
    compose,
) -> None:
    """The demo users' password is in the README: a production stack must never create them."""
    for name, service in compose["services"].items():
        assert "seed_demo" not in json.dumps(service.get("command", "")), name
    assert "manage.py ensure_admin" in compose["services"]["migrate"]["command"][-1]


def test_only_the_one_shot_migrate_service_holds_the_admin_password(compose) -> None:
    app_env = compose["x-app-env"]
    migrate_env = compose["services"]["migrate"]["environment"]
    assert {k: v for k, v in migrate_env.items() if k in app_env} == app_env
    assert set(migrate_env) - set(app_env) == {
        "DJANGO_SUPERUSER_EMAIL",
        "DJANGO_SUPERUSER_PASSWORD",
    }
    for name in ("web", "worker", "beat"):
        assert "DJANGO_SUPERUSER_PASSWORD" not in compose["services"][name]["environment"], name


def test_every_long_running_service_is_restarted_when_it_dies(compose) -> None:
    for name, service in compose["services"].items():
        if name == "migrate":
            assert service["restart"] == "no"  # a one-shot: done is done, failed is for a human
        else:
            assert service.get("restart") in {"unless-stopped", "always", "on-failure"}, name


def test_every_way_to_start_the_web_server_replaces_a_worker_that_dies(compose) -> None:
    """Without --respawn-failed-workers granian answers one dead worker by stopping the rest."""
    cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M)
    assert cmd is not None, "the Dockerfile has no exec-form CMD"
    starters = {
        "docker-compose.yml": compose["services"]["web"]["command"],
        "Dockerfile": json.loads(cmd.group(1)),
    }
    for path in ("bin/run", "tests/support/servers.py", "bench/http_load.py", "bench/rooms/run.py"):
        starters[path] = (ROOT / path).read_text()
    for path, command in starters.items():
        assert "granian" in command, path
        assert "--respawn-failed-workers" in command, path


def test_web_is_not_bound_to_a_host_port_so_it_can_scale(compose) -> None:
    assert "ports" not in compose["services"]["web"]
    proxy = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade" in proxy


def test_compose_file_is_valid_for_the_docker_client() -> None:
    command = None
    if shutil.which("docker-compose"):
        command = ["docker-compose", "config", "-q"]
    elif (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        command = ["docker", "compose", "config", "-q"]
    if command is None:
        _missing("no docker compose client on this machine (CI installs docker-compose)")
    result = subprocess.run(
        command,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin"},  # no variables set, as a new user has
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_no_plain_scalar_in_a_flow_collection_holds_a_colon() -> None:
    """Compose v2's YAML parser (go-yaml, after libyaml) reads ':' inside [...] or {...} as a
    key separator unless the scalar is quoted, where PyYAML and compose v1 read one string:
    `[pgdata:/var/lib/postgresql/data]` is valid for one client and rejected by the other."""
    depth, offenders = 0, []
    for token in yaml.scan(COMPOSE.read_text()):
        if isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
            depth += 1
        elif isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken):
            depth -= 1
        elif depth and isinstance(token, yaml.ScalarToken) and token.plain and ":" in token.value:
            offenders.append(f"line {token.start_mark.line + 1}: {token.value}")
    assert not offenders, offenders


def test_no_yaml_merge_keys() -> None:
    """`<<` merge keys are a YAML 1.1 extension; YAML 1.2 parsers, which newer compose clients
    use, need not accept them. Shared settings go through plain aliases instead."""
    tree = yaml.compose(COMPOSE.read_text())
    assert tree is not None
    merge_keys = [
        f"line {key.start_mark.line + 1}" for key, _ in _mapping_items(tree) if key.value == "<<"
    ]
    assert not merge_keys, merge_keys


def _mapping_items(node: yaml.Node) -> list[tuple[yaml.ScalarNode, yaml.Node]]:
    """Every key/value pair of every mapping in a YAML node tree."""
    items: list[tuple[yaml.ScalarNode, yaml.Node]] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            items.append((key, value))
            items += _mapping_items(value)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            items += _mapping_items(child)
    return items


def test_web_signs_turn_credentials_with_the_secret_the_relay_checks(compose) -> None:
    turn = compose["services"]["turn"]["command"]
    web = compose["services"]["web"]["environment"]
    assert "--use-auth-secret" in turn
    secret = next(arg.split("=", 1)[1] for arg in turn if arg.startswith("--static-auth-secret="))
    assert secret == web["CALL_TURN_SECRET"]
    assert all(url.split(":")[0] in {"turn", "turns"} for url in web["CALL_TURN_URLS"].split(","))
    # The relay must not become a way into the deployment's own network.
    assert any(arg.startswith("--denied-peer-ip=10.") for arg in turn)
    assert any(arg.startswith("--denied-peer-ip=127.") for arg in turn)


def test_web_and_worker_keep_recordings_in_one_place(compose) -> None:
    # Any web process takes a chunk, any other serves it, the worker's purge deletes it.
    web, worker = compose["services"]["web"], compose["services"]["worker"]
    assert "recordings:/app/var/media" in web["volumes"]
    assert web["volumes"] == worker["volumes"]
    storage = {key: value for key, value in web["environment"].items() if "RECORDING" in key}
    assert storage["RECORDING_STORAGE"] == "${RECORDING_STORAGE:-files}"
    assert {key for key in storage} >= {"RECORDING_S3_BUCKET", "RECORDING_S3_ENDPOINT_URL"}
    assert all(worker["environment"][key] == value for key, value in storage.items())


def test_prometheus_scrapes_every_web_replica_with_the_metrics_token(compose) -> None:
    prometheus = compose["services"]["prometheus"]
    config = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    (job,) = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    # One target per replica: `web` resolves to each of them.
    assert job["dns_sd_configs"] == [
        {"names": ["web"], "type": "A", "port": 8000, "refresh_interval": "30s"}
    ]
    token_file = job["authorization"]["credentials_file"]
    assert job["authorization"]["type"] == "Bearer"
    assert f'"$$METRICS_TOKEN" > {token_file}' in prometheus["command"][0]
    assert prometheus["environment"]["METRICS_TOKEN"] == "${METRICS_TOKEN:-}"
    assert compose["services"]["web"]["environment"]["METRICS_TOKEN"] == "${METRICS_TOKEN:-}"
    # Its UI has no login: loopback only. The proxy never passes /metrics on.
    assert all(port.startswith("127.0.0.1:") for port in prometheus["ports"])
    assert "location = /metrics" in (ROOT / "deploy" / "nginx.conf").read_text()


def test_each_start_of_web_begins_with_an_empty_metrics_directory(compose) -> None:
    assert "/app/var/prometheus" in compose["services"]["web"]["tmpfs"]
