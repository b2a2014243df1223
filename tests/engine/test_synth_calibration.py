"""The synthetic default must stay near the published figures (domain.md section 6).

Targets and tolerance live in gestapeld.engine.synth.TARGETS/TOLERANCE; the achieved values are
computed by the engine on the default extract. This fails when the default drifts away.
"""

import hashlib
import json
from pathlib import Path

import pytest

from gestapeld import config
from gestapeld.engine import calibration, extract, synth


@pytest.fixture(scope="module")
def default_extract():
    path = config.default_data_path()
    assert path.exists(), "run `make data` first"
    return extract.load(path)


def test_every_calibration_target_within_tolerance(default_extract):
    table = calibration.achieved(default_extract)
    off = table[~table["binnen_marge"]]
    assert off.empty, f"synthetic default drifted from the published figures:\n{off.to_string()}"
    # the published figures themselves, written here independently of the code
    published = dict(zip(table["doel"], table["gepubliceerd"]))
    assert published["nareis_op_nareis_aanvragen_2019_2023"] == 880
    assert published["nareis_op_nareis_inwilligingen_2019_2023"] == 350
    assert published["alle_inwilligingen_2019_2022"] == 780
    assert published["eerste_asielaanvragen_2021"] == 24_740
    assert published["nareis_inwilligingen_2020"] == 3_865


def test_synth_is_deterministic_and_scales(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    synth.write(a, seed=7, scale=0.02)
    synth.write(b, seed=7, scale=0.02)
    synth.write(c, seed=8, scale=0.02)
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(a) == digest(b)
    assert digest(a) != digest(c)
    n_small = sum(1 for _ in a.open()) - 1
    synth.write(tmp_path / "d.csv", seed=7, scale=0.04)
    n_double = sum(1 for _ in (tmp_path / "d.csv").open()) - 1
    assert 1.8 < n_double / n_small < 2.2
    extract.load(a)  # the synthetic extract passes its own validation


def test_the_default_extract_is_the_one_every_committed_notebook_was_executed_on(tmp_path):
    """The default extract as `make data` writes it with this code has the sha256 that every
    executed notebook in book/ records: a change to the generator that alters one byte of the
    default (an identifier's width, a date) fails here, in the fast loop, unless the notebooks
    were re-executed with it."""
    out = tmp_path / "synthetisch.parquet"
    synth.write(out)  # what `gestapeld synth --out data/synthetisch.parquet` does
    book = Path(__file__).resolve().parents[2] / "book"
    recorded = {
        nb.relative_to(book).as_posix(): json.loads(nb.read_text(encoding="utf-8"))["metadata"]["gestapeld"]["data"]
        for nb in sorted(book.rglob("*.ipynb"))
    }
    assert len(recorded) >= 9
    written = hashlib.sha256(out.read_bytes()).hexdigest()
    stale = {name: data for name, data in recorded.items() if data != {"bron": "synthetisch", "sha256": written}}
    assert stale == {}, f"the default extract is now {written}; executed on another: {sorted(stale)}"
