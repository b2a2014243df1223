"""Every glued number on two text pages leads to the executed notebook cell that made it.

For each `{glue:text}` reference on the page, the first `{ref}` after it (same or next line)
must point to the source label of that notebook (`report.anchor`); the executed notebook
must define that label in a markdown cell, and the code cell right after it must have glued
that very key (a scrapbook output named after it) and list it in its sources table with a
citation that names the page anchor and the data fingerprint.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gestapeld import config, provenance
from gestapeld.publication import report

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
GLUE = re.compile(r"\{glue:text\}`([^`:]+\.ipynb)::([A-Za-z0-9_]+)(?::[^`]*)?`")
REF = re.compile(r"\{ref\}`[^`<]*<([^>`]+)>`")


def _references(page: str) -> list[tuple[str, str, str]]:
    """(notebook, key, label of the first ref after it) for every glued number on a page."""
    text = (BOOK / page).read_text(encoding="utf-8")
    out = []
    for m in GLUE.finditer(text):
        rest = text[m.end() :]
        window = "\n".join(rest.split("\n")[:2])  # the same line and the next one
        ref = REF.search(window)
        out.append((m.group(1), m.group(2), ref.group(1) if ref else ""))
    return out


def _producing_cell(nb_path: Path, label: str) -> dict | None:
    cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and f"({label})=" in "".join(cell["source"]):
            following = [c for c in cells[i + 1 :] if c["cell_type"] == "code"]
            return following[0] if following else None
    return None


def _glued_keys(cell: dict) -> set[str]:
    return {o.get("metadata", {}).get("scrapbook", {}).get("name") for o in cell.get("outputs", [])} - {None}


def _output_text(cell: dict) -> str:
    return "".join("".join(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", []))


@pytest.mark.parametrize("page", ["index.md", "verschillen.md"])
def test_every_glued_number_links_to_the_cell_that_made_it(page):
    refs = _references(page)
    assert len(refs) >= 10, "the page should quote numbers"
    data_sha = provenance.data_fingerprint(config.default_data_path())[:12]
    for notebook, key, label in refs:
        name = notebook.removesuffix(".ipynb")
        if key.startswith(report.IND_FIGURE_PREFIX):
            # an IND figure cites the IND's document, never the notebook that repeats it (issue 25)
            assert label == "vergelijking-ind-bron", f"{page}: the IND figure {key} does not link to its IND source"
            continue
        assert label == report.anchor(name), f"{page}: {notebook}::{key} is not followed by its source link"
        cell = _producing_cell(BOOK / notebook, label)
        assert cell is not None, f"{notebook} has no cell under label {label}"
        assert key in _glued_keys(cell), f"{notebook}: the cell under {label} did not glue {key}"
        shown = _output_text(cell)
        assert key in shown and f"{name}.html#{label}" in shown and data_sha in shown, (notebook, key)


def test_citation_names_edition_page_notebook_and_fingerprints():
    text = report.citation("verschillen/v1_v3", "shapley_peildatum")
    assert "editie v3" in text
    assert "verschillen/v1_v3.html#bron-verschillen-v1-v3" in text
    assert "notebook verschillen/v1_v3.ipynb" in text
    assert "'shapley_peildatum'" in text
    assert provenance.data_fingerprint(config.default_data_path())[:12] in text
    assert report.anchor("iteraties/v3.ipynb") == "bron-iteraties-v3"


@pytest.mark.parametrize("value", [1234, "<10", "x", 0.3125, "12,5%"])
def test_glue_writes_what_myst_nb_writes(monkeypatch, value):
    # report.glue writes glue outputs without importing myst_nb's glue module (slow to
    # import); the book reads them with myst_nb, so they must be exactly what myst_nb writes.
    import IPython.display
    import myst_nb.ext.glue as mg

    shown = {}
    monkeypatch.setattr(mg, "ipy_display", lambda *a, **k: shown.setdefault("myst_nb", (a, k)))
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.setdefault("report", (a, k)))
    mg.glue("sleutel", value, display=False)
    report.glue("sleutel", value)
    report.GLUED.clear()
    assert shown["report"] == shown["myst_nb"]
    assert set(shown["report"][0][0]) == {mg.GLUE_PREFIX + "text/plain"}
