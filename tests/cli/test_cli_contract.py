"""The `gestapeld tables` contract: iteration defaults and overrides, the output files.

Iteration parameters (domain.md section 5, as given to the command):
    v0  cross-sectional, nareis_op_nareis,  2019-01-01 .. peildatum 2023-05-31
    v1  longitudinal,    nareis_op_nareis,  2019-01-01 .. peildatum 2023-07-31
    v2  longitudinal,    all four forms,    2019-01-01 .. peildatum 2023-10-31
    v3  longitudinal,    all four forms,    2019-01-01 .. 2023-12-31, peildatum 2024-01-15
    (v3 is the default when no --iteration is given)
"""

from __future__ import annotations

import csv

import pytest

from conftest import (
    FORMS,
    assert_tables_equal,
    cells,
    check_invariants,
    expected_table,
    run_cli,
    run_tables,
    tables_args,
    write_csv,
    zaak,
)

YEARS_2019_2023 = (2019, 2020, 2021, 2022, 2023)

ITERATION_ROWS = [
    zaak("Z001", "P01", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
    # F1 of P02: nareis, decided 2018-12-01.
    zaak("Z002", "P02", "nareis", "2018-07-01", "2018-12-01", "inwilliging", "P01"),
    # Stacked applications on P02 (F1 decided long before each of them):
    zaak("Z007", "P07", "nareis", "2019-03-01", "2019-08-01", "inwilliging", "P02"),
    zaak("Z003", "P03", "nareis", "2023-07-20", "2023-11-10", "inwilliging", "P02"),
    zaak("Z004", "P04", "nareis", "2023-08-15", "2024-01-10", "afwijzing", "P02"),
    zaak("Z005", "P05", "8evrm", "2023-12-20", "", "", "P02"),
    zaak("Z006", "P06", "nareis", "2024-01-05", "", "", "P02"),
    # Not stacked (P01 was not admitted through family reunification); only nareis_totaal.
    zaak("Z008", "P08", "nareis", "2023-06-01", "2023-07-01", "inwilliging", "P01"),
]


@pytest.fixture(scope="module")
def iteration_extract(tmp_path_factory):
    return write_csv(tmp_path_factory.mktemp("iter") / "extract.csv", ITERATION_ROWS)


def test_iteration_v1(tmp_path, iteration_extract):
    r = run_tables(tmp_path, data=iteration_extract, iteration="v1")
    # v1: nareis op nareis only, 2019-01-01 .. 2023-07-31, peildatum 2023-07-31.
    #   2019: Z007 granted.
    #   2023: Z003 filed 2023-07-20, decision 2023-11-10 invisible -> lopend.
    #         Z004 (2023-08-15), Z005, Z006 are after the end/peildatum.
    #   nareis_totaal 2019: Z007 (granted); 2023: Z003 (pending) and Z008 (granted).
    expected = {
        **cells("nareis_op_nareis", 2019, aanvragen=1, inwilligingen=1, personen=1),
        **cells("alle", 2019, aanvragen=1, inwilligingen=1, personen=1),
        **cells("nareis_op_nareis", 2023, aanvragen=1, lopend=1, personen=1),
        **cells("alle", 2023, aanvragen=1, lopend=1, personen=1),
        ("nareis_totaal", 2019, "aanvragen"): 1,
        ("nareis_totaal", 2019, "inwilligingen"): 1,
        ("nareis_totaal", 2023, "aanvragen"): 2,
        ("nareis_totaal", 2023, "inwilligingen"): 1,
    }
    assert_tables_equal(r.tabel, expected_table(["nareis_op_nareis"], YEARS_2019_2023, expected))


def test_iteration_v2(tmp_path, iteration_extract):
    r = run_tables(tmp_path, data=iteration_extract, iteration="v2")
    # v2: all four forms, 2019-01-01 .. 2023-10-31, peildatum 2023-10-31.
    #   2019: Z007 granted.
    #   2023: Z003 and Z004 filed, both decided after 2023-10-31 -> lopend; Z005 after the end.
    #   nareis_totaal 2023: Z003, Z004, Z008 -> 3, of which Z008 granted.
    expected = {
        **cells("nareis_op_nareis", 2019, aanvragen=1, inwilligingen=1, personen=1),
        **cells("alle", 2019, aanvragen=1, inwilligingen=1, personen=1),
        **cells("nareis_op_nareis", 2023, aanvragen=2, lopend=2, personen=1),
        **cells("alle", 2023, aanvragen=2, lopend=2, personen=1),
        ("nareis_totaal", 2019, "aanvragen"): 1,
        ("nareis_totaal", 2019, "inwilligingen"): 1,
        ("nareis_totaal", 2023, "aanvragen"): 3,
        ("nareis_totaal", 2023, "inwilligingen"): 1,
    }
    assert_tables_equal(r.tabel, expected_table(FORMS, YEARS_2019_2023, expected))


V3_EXPECTED = {
    # v3: all four forms, 2019-01-01 .. 2023-12-31, peildatum 2024-01-15.
    #   2019: Z007 granted.
    #   2023 nareis op nareis: Z003 granted (2023-11-10), Z004 rejected (2024-01-10 <= peildatum).
    #   2023 8 EVRM na nareis: Z005 pending.
    #   Z006 (2024-01-05) is after the end: not counted although before the peildatum.
    #   nareis_totaal 2023: Z003, Z004, Z008 -> 3; grants Z003, Z008 -> 2.
    **cells("nareis_op_nareis", 2019, aanvragen=1, inwilligingen=1, personen=1),
    **cells("alle", 2019, aanvragen=1, inwilligingen=1, personen=1),
    **cells("nareis_op_nareis", 2023, aanvragen=2, inwilligingen=1, afwijzingen=1, personen=1),
    **cells("8evrm_na_nareis", 2023, aanvragen=1, lopend=1, personen=1),
    **cells("alle", 2023, aanvragen=3, inwilligingen=1, afwijzingen=1, lopend=1, personen=1),
    ("nareis_totaal", 2019, "aanvragen"): 1,
    ("nareis_totaal", 2019, "inwilligingen"): 1,
    ("nareis_totaal", 2023, "aanvragen"): 3,
    ("nareis_totaal", 2023, "inwilligingen"): 2,
}


@pytest.mark.parametrize("iteration", [None, "v3"], ids=["default", "v3"])
def test_iteration_v3_is_the_default(tmp_path, iteration_extract, iteration):
    r = run_tables(tmp_path, data=iteration_extract, iteration=iteration)
    assert_tables_equal(r.tabel, expected_table(FORMS, YEARS_2019_2023, V3_EXPECTED))
    # Stacked in the v3 window: Z007, Z003, Z004, Z005, all depth 2.
    assert r.diepte == {"2": 4}


def test_options_override_the_iteration(tmp_path, iteration_extract):
    forms = ["nareis_op_nareis", "8evrm_na_nareis"]
    r = run_tables(
        tmp_path,
        data=iteration_extract,
        iteration="v1",
        forms=forms,
        start="2023-01-01",
        end="2023-12-31",
        peildatum="2024-01-15",
    )
    # v1 with every parameter moved: window 2023 only, the v3 peildatum, two forms.
    # Same 2023 counts as v3 (Z003, Z004, Z005); 2019 is no longer in the table.
    expected = {k: v for k, v in V3_EXPECTED.items() if k[1] == 2023}
    assert_tables_equal(r.tabel, expected_table(forms, (2023,), expected))
    check_invariants(r.tabel, forms)


def test_v0_cross_sectional_misses_referent_with_own_asylum_permit(tmp_path):
    # domain.md section 5: "a referent who arrived by nareis and later won an independent
    # asylum case shows up with an own asylum permit, so a query on the current permit
    # misses almost every stacked case."
    rows = [
        zaak("Z001", "P01", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
        zaak("Z002", "P02", "nareis", "2018-07-01", "2019-01-15", "inwilliging", "P01"),
        # P02's independent asylum case, granted 2020-06-01: P02's current permit at the v0
        # peildatum (2023-05-31) is an own asylum permit.
        zaak("Z005", "P02", "asiel", "2019-06-01", "2020-06-01", "inwilliging"),
        # X: nareis op nareis on P02 in 2021 (longitudinal: F1 = Z002).
        zaak("Z003", "P03", "nareis", "2021-03-01", "2021-09-01", "inwilliging", "P02"),
    ]
    data = write_csv(tmp_path / "extract.csv", rows)
    v1 = run_tables(tmp_path, data=data, iteration="v1")
    v0 = run_tables(tmp_path, data=data, iteration="v0")
    assert v1.tabel[("nareis_op_nareis", 2021, "aanvragen")] == 1
    # v0 has the same table shape (nareis op nareis, 2019-2023) and does not see X.
    assert {k[0] for k in v0.tabel} == {"nareis_op_nareis", "alle", "nareis_totaal"}
    assert {k[1] for k in v0.tabel} == set(YEARS_2019_2023)
    assert sum(v for (c, _, m), v in v0.tabel.items() if c == "nareis_op_nareis" and m == "aanvragen") == 0
    check_invariants(v0.tabel, ["nareis_op_nareis"])


# --------------------------------------------------------------------------- output files

OUTPUT_ROWS = [
    # Canary-looking identifiers: they must never appear in any output.
    zaak("CANARYZ001", "CANARYP001", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
    zaak("CANARYZ002", "CANARYP002", "nareis", "2018-07-01", "2019-01-15", "inwilliging", "CANARYP001"),
    zaak("CANARYZ003", "CANARYP003", "nareis", "2021-03-01", "2021-09-01", "inwilliging", "CANARYP002"),
    zaak("CANARYZ004", "CANARYP004", "nareis", "2021-04-01", "", "", "CANARYP002"),
    zaak("CANARYZ005", "CANARYP005", "8evrm", "2022-04-01", "2022-05-01", "afwijzing", "CANARYP002"),
]
OUTPUT_WINDOW = dict(start="2020-01-01", end="2022-12-31", peildatum="2023-06-30")


def test_without_intern_only_the_protected_table_is_written(tmp_path):
    data = write_csv(tmp_path / "extract.csv", OUTPUT_ROWS)
    out = tmp_path / "out"
    proc = run_cli(*tables_args(data, out, intern=False, **OUTPUT_WINDOW))
    assert proc.returncode == 0, proc.stderr
    # besides the table only the record of what `tables` wrote there (it replaces nothing else)
    assert sorted(p.name for p in out.iterdir()) == [".gestapeld-tables", "tabel.csv"]


# Exact counts of OUTPUT_ROWS in OUTPUT_WINDOW (domain.md sections 3-4): F1 of CANARYP002 is
# CANARYZ002 (nareis, decided 2019-01-15). 2021: nareis op nareis CANARYZ003 (granted) and
# CANARYZ004 (pending), one referent; both are nareis -> nareis_totaal 2 applications, 1
# grant. 2022: 8 EVRM na nareis CANARYZ005 (rejected); an 8evrm is not in nareis_totaal.
OUTPUT_EXPECTED = {
    **cells("nareis_op_nareis", 2021, aanvragen=2, inwilligingen=1, lopend=1, personen=1),
    **cells("alle", 2021, aanvragen=2, inwilligingen=1, lopend=1, personen=1),
    **cells("8evrm_na_nareis", 2022, aanvragen=1, afwijzingen=1, personen=1),
    **cells("alle", 2022, aanvragen=1, afwijzingen=1, personen=1),
    ("nareis_totaal", 2021, "aanvragen"): 2,
    ("nareis_totaal", 2021, "inwilligingen"): 1,
}


def test_published_table_is_protected_and_complete(tmp_path):
    r = run_tables(tmp_path, OUTPUT_ROWS, **OUTPUT_WINDOW)
    exact = expected_table(FORMS, (2020, 2021, 2022), OUTPUT_EXPECTED)
    assert_tables_equal(r.tabel, exact)
    # The policy (book page beveiliging): every measure of a category-year with 1..9
    # applications is published as '<10', zeros included; a category-year without
    # applications is all true zeros, published '0'. Here every population is 0, 1 or 2.
    expected = {}
    for cat, year, maat in exact:
        population = exact[(cat, year, "aanvragen")]
        expected[(cat, year, maat)] = "<10" if population else "0"
    per_year = {k: v.strip() for k, v in r.published.items() if k[1] != "totaal"}
    assert per_year == expected
    # ...and the period totals the page shows (jaar 'totaal': every measure but personen,
    # which is counted per year): the same rule on the period's population.
    totals = {k: v.strip() for k, v in r.published.items() if k[1] == "totaal"}
    assert set(totals) == {(c, "totaal", m) for c, _, m in r.tabel if m != "personen"}
    for (cat, _, maat), text in totals.items():
        population = sum(exact[(cat, y, "aanvragen")] for y in (2020, 2021, 2022))
        assert text == ("<10" if population else "0"), (cat, maat, text)
    for key, text in r.published.items():
        text = text.strip()
        # ...and never shows a count that is not a multiple of ten (rounded to tens; small
        # cells protected by a marker such as "<10" or an empty cell).
        if text.lstrip("-").isdigit():
            assert int(text) % 10 == 0, f"unprotected published count {key}: {text}"
    # Small non-zero cells are certainly not published exactly.
    assert r.published[("nareis_op_nareis", 2021, "aanvragen")].strip() != "2"
    assert r.published[("8evrm_na_nareis", 2022, "afwijzingen")].strip() != "1"


def test_outputs_are_deterministic_and_carry_no_identifiers(tmp_path):
    first = run_tables(tmp_path, OUTPUT_ROWS, **OUTPUT_WINDOW)
    second = run_tables(tmp_path, OUTPUT_ROWS, **OUTPUT_WINDOW)
    for name in ("tabel.csv", "tabel_intern.csv", "diepte_intern.csv"):
        a = (first.out / name).read_bytes()
        assert a == (second.out / name).read_bytes(), f"{name} differs between two runs"
        assert b"CANARY" not in a, f"{name} contains an identifier"
    for run in (first, second):
        assert "CANARY" not in run.proc.stdout + run.proc.stderr


def test_tabel_intern_is_readable_as_a_plain_table(tmp_path):
    # Read with the standard library only: a header of four columns, then one row per cell
    # with an integer year and count; the values are the hand-derived exact counts.
    r = run_tables(tmp_path, OUTPUT_ROWS, **OUTPUT_WINDOW)
    with open(r.out / "tabel_intern.csv", encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    assert header == ["categorie", "jaar", "maat", "aantal"]
    plain = {(c, int(j), m): int(a) for c, j, m, a in rows}
    assert len(plain) == len(rows), "duplicate rows"
    assert plain == expected_table(FORMS, (2020, 2021, 2022), OUTPUT_EXPECTED)
    check_invariants(plain, FORMS)
