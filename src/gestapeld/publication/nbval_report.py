"""A pytest plugin for `gestapeld verify`'s nbval re-run: writes, for every cell that fails,
the notebook, the cell and the output that differs (published vs recomputed) to a JSON file
in the folder named by $GESTAPELD_NBVAL_REPORT, so verify can name them instead of nbval's coloured dump.

Loaded with `-p gestapeld.publication.nbval_report`. It wraps nbval's `format_output_compare`
(called with the key, the reference output and the newly computed one) to keep the values.
"""

from __future__ import annotations

import json
import os
import re

import pytest

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_FAILURES: list[dict] = []


def _short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text


def pytest_runtest_setup(item) -> None:
    if not hasattr(item, "format_output_compare"):
        return
    original = item.format_output_compare

    def keep(key, left, right):
        item._gestapeld_mismatch = (key, _short(left), _short(right))
        return original(key, left, right)

    item.format_output_compare = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or not hasattr(item, "cell_num"):
        return
    exc = call.excinfo.value if call.excinfo else None
    entry = {
        "notebook": str(item.fspath),
        "cell": item.cell_num,
        "cell_id": item.cell.get("id", ""),
        "message": _ANSI.sub("", str(exc) if exc else "failed"),
    }
    mismatch = getattr(item, "_gestapeld_mismatch", None)
    if mismatch:
        entry["output"], entry["published"], entry["recomputed"] = mismatch
    else:
        detail = getattr(exc, "inner_traceback", None) or ""
        entry["detail"] = _ANSI.sub("", str(detail))[-600:]
    _FAILURES.append(entry)


def pytest_sessionfinish(session, exitstatus) -> None:
    """One file per process in the folder $GESTAPELD_NBVAL_REPORT (pytest-xdist runs workers)."""
    folder = os.environ.get("GESTAPELD_NBVAL_REPORT")
    if folder and _FAILURES:
        path = os.path.join(folder, f"failures-{os.getpid()}.json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(_FAILURES, fh, ensure_ascii=False, indent=1)
