"""The engine's one in-memory DuckDB database per process survives a fork: a child (for
example a worker of a process pool started with `fork`) opens its own database and never
closes the parent's, which it inherits without the threads behind it (closing it there
crashed the child with a segmentation fault)."""

from __future__ import annotations

import os

import pandas as pd

from conftest import zaak
from gestapeld.engine import linkage


def test_a_forked_child_counts_with_a_database_of_its_own():
    frame = pd.DataFrame([zaak("Z1", "A", "asiel", "2019-01-10"), zaak("Z2", "B", "asiel", "2019-02-10")])
    for c in ("aanvraagdatum", "besluitdatum"):
        frame[c] = pd.to_datetime(frame[c]).dt.date
    parent = linkage.connect(frame)  # the parent's database exists
    assert parent.execute("SELECT count(*) FROM extract").fetchone()[0] == 2
    parent.close()  # as after a computation: only the engine holds the database now
    pid = os.fork()
    if pid == 0:  # the child: must not crash on the inherited database
        code = 1
        try:
            con = linkage.connect(frame)
            code = 0 if con.execute("SELECT count(*) FROM extract").fetchone()[0] == 2 else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status), f"the child died by signal {os.WTERMSIG(status) if os.WIFSIGNALED(status) else '?'}"
    assert os.WEXITSTATUS(status) == 0
