"""Disclosure control: threshold, deterministic rounding, differencing audit."""

import pandas as pd

from gestapeld.protection import disclosure, disclosure_audit


def test_rounding_half_up_and_threshold():
    p = disclosure.Policy()
    assert [disclosure.publish_value(n, p) for n in (0, 1, 9, 10, 14, 15, 24, 25, 995)] == [
        "0",
        "<10",
        "<10",
        "10",
        "10",
        "20",
        "20",
        "30",
        "1000",
    ]
    assert disclosure.publish_value(50, disclosure.Policy(threshold=20, base=5)) == "50"
    assert disclosure.publish_value(12, disclosure.Policy(threshold=20, base=5)) == "<20"


def test_small_population_hides_all_its_measures():
    t = pd.DataFrame(
        {
            "categorie": ["a"] * 3,
            "jaar": [2020] * 3,
            "maat": ["aanvragen", "afwijzingen", "lopend"],
            "aantal": [4, 0, 4],
        }
    )
    out = disclosure.protect(t)
    assert list(out["aantal"]) == ["<10", "<10", "<10"]  # the zero too: it is based on 4 applications


def _cells(values):
    return {("f", "2020", m): v for m, v in values.items()}


def test_audit_finds_a_cell_recoverable_by_subtraction():
    # aanvragen 10 (10..14) = inwilligingen 10 (10..14) + afwijzingen <10 + 0 + 0
    # -> afwijzingen in [0, 4]: 5 possible values. With min_values 6 that is a finding,
    # with the default 5 it is just enough protection.
    cells = _cells(
        {"aanvragen": "10", "inwilligingen": "10", "afwijzingen": "<10", "overig_beeindigd": "0", "lopend": "0"}
    )
    found = disclosure_audit.findings(cells, ["f"], threshold=10, base=10, min_values=6)
    assert [k for k, _ in found] == [("f", "2020", "afwijzingen")]
    assert found[0][1] == (0, 4)
    assert disclosure_audit.findings(cells, ["f"], threshold=10, base=10) == []


def test_secondary_suppression_removes_the_finding():
    cells = _cells(
        {"aanvragen": "10", "inwilligingen": "10", "afwijzingen": "<10", "overig_beeindigd": "0", "lopend": "0"}
    )
    exact = {k: v for k, v in zip(cells, (12, 10, 2, 0, 0))}
    fixed, first = disclosure_audit.secondary_suppression(cells, exact, ["f"], threshold=10, base=10, min_values=6)
    assert first and not disclosure_audit.findings(fixed, ["f"], threshold=10, base=10, min_values=6)
    assert fixed[("f", "2020", "inwilligingen")] == disclosure_audit.SECONDARY


def test_wide_intervals_are_not_findings():
    cells = _cells(
        {"aanvragen": "100", "inwilligingen": "50", "afwijzingen": "<10", "overig_beeindigd": "40", "lopend": "0"}
    )
    # 95..104 - (45..54) - (35..44) -> afwijzingen in [0, 24] ∩ [0, 9]: still 10 values
    assert disclosure_audit.findings(cells, ["f"], threshold=10, base=10) == []


def test_edition_differencing_flags_a_small_certain_change():
    # earlier edition publishes 0, later edition "<10" for the same cell of a population
    # that both show: the change is 0..9; only a certainly-nonzero small change is flagged.
    key = ("alle", "2021", "inwilligingen")
    assert disclosure_audit.edition_findings({key: "0"}, {key: "<10"}, threshold=10, base=10) == []
    # with exact small published numbers (base 1, threshold 10: no rounding) 20 -> 23 pins 3
    assert disclosure_audit.edition_findings({key: "20"}, {key: "23"}, threshold=10, base=1) == [key]
    # rounding to tens keeps every difference of published values ambiguous
    assert disclosure_audit.edition_findings({key: "20"}, {key: "30"}, threshold=10, base=10) == []
