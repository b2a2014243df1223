"""Templates are stored without outputs; executed notebooks carry provenance; runner cache."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_templates_have_no_outputs():
    proc = subprocess.run([sys.executable, "-m", "nbstripout", "--verify", *map(str, (ROOT / "notebooks").glob("*.ipynb"))],
                          capture_output=True, text=True)
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


def test_second_run_executes_nothing():
    proc = subprocess.run([sys.executable, "-m", "gestapeld", "run"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "nothing re-executed" in proc.stderr
