"""The test loop's own contract: under `-n 2 --dist loadgroup` (the Makefile's PYTEST_OPTS),
tests that share a module- or session-scoped fixture run on one worker, so the fixture (a
built site, a clone, a browser) is made once per session, and the heaviest units start first.

pytest 9 ignores the group suffix pytest-xdist 3.8 writes into `item._nodeid`, which
silently split every group over both workers (each built its own site); this test fails
when such a combination comes back.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

CONFTEST = f"""
import importlib.util
import sys

_spec = importlib.util.spec_from_file_location("project_conftest", {str(TESTS / "conftest.py")!r})
_mod = importlib.util.module_from_spec(_spec)
sys.modules["project_conftest"] = _mod  # its dataclasses look their module up
_spec.loader.exec_module(_mod)
pytest_collection_modifyitems = _mod.pytest_collection_modifyitems
"""

SHARED = """
import os
import pytest

LOG = os.environ["GROUP_LOG"]


def note(*words):
    with open(LOG, "a") as f:
        f.write(" ".join(map(str, words)) + "\\n")


@pytest.fixture(scope="{scope}")
def made(tmp_path_factory):
    note("made", "{name}", os.getpid())
    return os.getpid()


@pytest.mark.parametrize("i", range(6))
def test_uses(made, i):
    note("ran", "{name}", os.getpid())
"""


@pytest.mark.slow  # a pytest session of its own on two workers: `make test`, not the inner loop
def test_tests_sharing_a_fixture_run_on_one_worker_and_the_fixture_is_made_once(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_module_scope.py").write_text(SHARED.format(scope="module", name="module"))
    (tmp_path / "test_session_scope.py").write_text(SHARED.format(scope="session", name="session"))
    (tmp_path / "test_free.py").write_text(
        "\n".join(f"def test_free_{i}():\n    pass\n" for i in range(12)), encoding="utf-8"
    )
    log = tmp_path / "log.txt"
    options = "-q -p no:cacheprovider -n 2 --dist loadgroup --no-loadscope-reorder"  # as PYTEST_OPTS
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *options.split(), str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, "GROUP_LOG": str(log)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "24 passed" in proc.stdout, proc.stdout[-500:]
    lines = [line.split() for line in log.read_text().splitlines()]
    for name in ("module", "session"):
        made = [pid for what, n, pid in lines if what == "made" and n == name]
        ran = {pid for what, n, pid in lines if what == "ran" and n == name}
        assert len(made) == 1, f"the {name}-scoped fixture was made {len(made)} times: {lines}"
        assert ran == set(made), f"the {name} group ran on workers {sorted(ran)}"
