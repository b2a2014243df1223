"""The same cell has the same published value in every table, page and download (issue 5)."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gestapeld import config
from gestapeld.publication import report

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # `tables` on the default extract, every iteration


def _glued(nb_path: Path) -> dict[str, str]:
    out = {}
    for cell in json.loads(nb_path.read_text())["cells"]:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                prefix = o["metadata"]["scrapbook"].get("mime_prefix", "")
                text = o.get("data", {}).get(f"{prefix}text/plain")
                if text is not None:
                    out[name] = text.strip("'\"")
    return out


@pytest.mark.parametrize("it", ["v0", "v1", "v2", "v3"])
def test_cli_table_download_and_notebook_agree(it, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "gestapeld", "tables", "--iteration", it, "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    cli = pd.read_csv(tmp_path / "tabel.csv", dtype=str)
    download = pd.read_csv(ROOT / "book" / "iteraties" / f"{it}_tabel.csv", dtype=str)
    assert cli.equals(download)
    published = report.published_long(it).astype(str)
    assert cli.reset_index(drop=True).equals(published.reset_index(drop=True))
    # the numbers the text pages paste are the period totals of the same table
    glued = _glued(ROOT / "book" / "iteraties" / f"{it}.ipynb")
    wide = report.published_wide(it)
    totals = wide[wide["jaar"] == "totaal"].set_index("categorie")
    for cat in ("alle", *config.iteration(it).vormen):
        for m in ("aanvragen", "inwilligingen"):
            assert glued[f"{cat}_{m}"] == totals.loc[cat, m], (it, cat, m)
    # nothing below the threshold is ever published as a number
    numbers = pd.to_numeric(cli["aantal"], errors="coerce").dropna()
    assert ((numbers == 0) | (numbers >= 10)).all()
    assert (numbers % 10 == 0).all()
