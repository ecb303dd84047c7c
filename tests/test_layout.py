"""`platform/` is a source root: the standard library's `platform` module is never shadowed."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import uuid
from pathlib import Path

import pytest

from tests.support.servers import ROOT, celery_worker, process_env

STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()


def test_platform_folder_is_not_a_package() -> None:
    assert (ROOT / "platform").is_dir()
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_import_platform_is_the_standard_library_in_the_test_process() -> None:
    import platform

    assert Path(platform.__file__).resolve().parent == STDLIB
    assert platform.python_implementation() == "CPython"


def test_import_platform_is_the_standard_library_in_manage_py() -> None:
    code = "import platform; print(platform.python_implementation(), platform.__file__)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=process_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    implementation, path = result.stdout.strip().splitlines()[-1].split()
    assert implementation == "CPython"
    assert Path(path).resolve().parent == STDLIB


@pytest.mark.redis
def test_import_platform_is_the_standard_library_in_a_celery_worker() -> None:
    from sevenstep.tasks import ping

    queue = f"test-{uuid.uuid4().hex[:8]}"
    with celery_worker(queue):
        result = ping.apply_async(args=[41], queue=queue).get(timeout=60)
    assert result["value"] == 41
    assert result["python_implementation"] == "CPython"
    assert Path(result["platform_file"]).resolve().parent == STDLIB
    assert json.dumps(result)  # the result crossed the broker as JSON
