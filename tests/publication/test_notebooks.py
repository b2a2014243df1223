"""Templates are stored without outputs; executed notebooks carry provenance; runner cache."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_templates_have_no_outputs():
    proc = subprocess.run(
        [sys.executable, "-m", "nbstripout", "--verify", *map(str, (ROOT / "notebooks").glob("*.ipynb"))],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_executed_notebooks_have_fingerprint_and_no_volatile_metadata():
    books = sorted((ROOT / "book").rglob("*.ipynb"))
    assert len(books) >= 9
    for nb_path in books:
        nb = json.loads(nb_path.read_text())
        meta = nb["metadata"]
        assert len(meta["gestapeld"]["fingerprint"]) == 64, nb_path
        assert set(meta.get("papermill", {})) <= {"parameters"}, nb_path
        text = nb_path.read_text()
        assert str(ROOT) not in text and "start_time" not in text, nb_path
        assert "sha256 van het extract" in text, nb_path


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow  # runs the notebook runner on the default extract
def test_second_run_executes_nothing(tmp_path):
    """`gestapeld run` on the committed notebooks re-executes nothing and changes no byte.

    It runs in a copy of the project (GESTAPELD_ROOT points the package at it), so a
    regression cannot overwrite the repository's executed notebooks.
    """
    data = ROOT / "data" / "synthetisch.parquet"
    assert data.is_file(), "run `make data` first"
    root = tmp_path / "project"
    shutil.copytree(ROOT / "book", root / "book", ignore=shutil.ignore_patterns(".*.tmp.ipynb", ".*.input.ipynb"))
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, root / name)
    (root / "data").mkdir()
    shutil.copy2(data, root / "data" / data.name)
    env = {**os.environ, "GESTAPELD_ROOT": str(root)}
    env.pop("GESTAPELD_DATA", None)
    before = _hashes(root / "book")
    proc = subprocess.run([sys.executable, "-m", "gestapeld", "run"], capture_output=True, text=True, cwd=root, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "nothing re-executed" in proc.stderr
    assert _hashes(root / "book") == before


def test_schedule_starts_the_longest_first_and_keeps_concurrent_jobs_apart():
    # LPT order (reconciliations first), every job exactly once; with two workers the job
    # started next shares no iteration with the one just started when such a job is left
    # among the equally long ones; with one worker the book's order breaks ties.
    from gestapeld.publication import runner

    todo = [(job, f"fp-{job.name}") for job in runner.jobs()]
    for workers in (1, 2):
        order = runner.schedule(todo, workers)
        assert sorted(order, key=lambda t: t[0].name) == sorted(todo, key=lambda t: t[0].name)
        costs = [runner.COST.get(job.template, 1) for job, _ in order]
        assert costs == sorted(costs, reverse=True)
        assert order[0][0].template == "verschil.ipynb"
    one = [job.name for job, _ in runner.schedule(todo, 1)]
    assert one == [job.name for job, _ in sorted(todo, key=lambda t: -runner.COST.get(t[0].template, 1))]
    two = [job for job, _ in runner.schedule(todo, 2)]
    recs = [job for job in two if job.template == "verschil.ipynb"]
    assert not set(recs[0].iterations) & set(recs[1].iterations)  # e.g. v0_v1 beside v2_v3
