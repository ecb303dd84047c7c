"""docker-compose.yml runs the same commands the tests exercise, with health checks everywhere."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.conftest import _missing
from tests.support.servers import ROOT

COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_has_every_component(compose) -> None:  # type: ignore[no-untyped-def]
    assert {"postgres", "redis", "web", "worker", "beat", "proxy"} <= set(compose["services"])


def test_long_running_services_have_health_checks(compose) -> None:  # type: ignore[no-untyped-def]
    for name in ("postgres", "redis", "web", "worker", "proxy"):
        assert "healthcheck" in compose["services"][name], name


def test_web_and_worker_run_what_the_tests_run(compose) -> None:  # type: ignore[no-untyped-def]
    web = compose["services"]["web"]["command"]
    assert web[:3] == ["granian", "--interface", "asgi"]
    assert web[-1] == "config.asgi:application"
    assert "--ws" in web
    assert compose["services"]["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    servers = (ROOT / "tests" / "support" / "servers.py").read_text()
    assert '"config.asgi:application"' in servers
    assert '"config",\n            "worker"' in servers


def test_web_is_not_bound_to_a_host_port_so_it_can_scale(compose) -> None:  # type: ignore[no-untyped-def]
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
    merge_keys = [
        f"line {key.start_mark.line + 1}"
        for key, _ in _mapping_items(yaml.compose(COMPOSE.read_text()))
        if key.value == "<<"
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
