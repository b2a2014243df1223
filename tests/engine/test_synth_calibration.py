"""The synthetic default must stay near the published figures (domain.md section 6).

Targets and tolerance live in gestapeld.engine.synth.TARGETS/TOLERANCE; the achieved values are
computed by the engine on the default extract. This fails when the default drifts away.
"""

import hashlib

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
