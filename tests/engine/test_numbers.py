"""Hand-derived cases for every table the site publishes, computed in-process.

test_linkage_cases.py checks the measures through the command line. This module covers
what the command does not write: the time between the two steps, the own asylum permit,
chain depth, the cross-sectional v0, the published (protected) tables, the edition audit,
and the `zaak_id` tie-breaks. It calls the engine in-process (`counts.compute`) so that
tests/engine/test_hand_mutants.py can swap in a mutated SQL text and show these tests fail, and so
that `make mutate` (mutmut) sees which functions they exercise.

Every expected value is derived by hand in the comments from domain.md (sections cited),
never by running the code. Conventions as in test_linkage_cases.py:
    zaak(zaak_id, persoon_id, procedure, aanvraagdatum, besluitdatum, besluit, referent_id)
Window START..END = 2020-01-01..2022-12-31, peildatum 2023-06-30, all four forms, unless a
test says otherwise. Set-up events are filed before 2020, outside the window.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import FORMS, Table, assert_tables_equal, cells, expected_table, write_csv, zaak
from gestapeld import config
from gestapeld.engine import counts, extract, linkage
from gestapeld.protection import disclosure, disclosure_audit
from gestapeld.publication import protected, report

START, END, PEIL = "2020-01-01", "2022-12-31", "2023-06-30"
YEARS = (2020, 2021, 2022)
D = dt.date.fromisoformat


def compute(
    rows, *, iteration: str = "v3", forms=FORMS, start: str = START, end: str = END, peildatum: str = PEIL
) -> counts.Result:
    """Write `rows` as a CSV extract, read and validate it, and count one parameter set."""
    it = config.iteration(iteration).replace(vormen=tuple(forms), start=D(start), end=D(end), peildatum=D(peildatum))
    with tempfile.TemporaryDirectory(prefix="gestapeld-numbers-") as tmp:
        df = extract.load(write_csv(Path(tmp) / "extract.csv", rows))
    return counts.compute(df, it)


def as_table(res: counts.Result) -> Table:
    return {(c, int(j), m): int(a) for c, j, m, a in res.tabel.itertuples(index=False)}


def as_dict(frame: pd.DataFrame, *key: str) -> dict:
    return {tuple(r[k] for k in key): int(r["aantal"]) for _, r in frame.iterrows()}


def totaal(jaar: int, aanvragen: int = 0, inwilligingen: int = 0) -> Table:
    return {("nareis_totaal", jaar, "aanvragen"): aanvragen, ("nareis_totaal", jaar, "inwilligingen"): inwilligingen}


# --------------------------------------------------------------------------- months elapsed


@pytest.mark.parametrize(
    "van, tot, months",
    [
        # domain.md section 4: "10 March 2019 to 9 March 2020 is 11 months, to 10 March 2020 is 12"
        ("2019-03-10", "2020-03-09", 11),
        ("2019-03-10", "2020-03-10", 12),
        ("2019-03-10", "2019-03-10", 0),  # same day
        ("2019-12-31", "2020-01-01", 0),  # a calendar-month boundary is not a month
        ("2019-03-10", "2019-04-09", 0),
        ("2019-03-10", "2019-04-10", 1),
        # Month ends, the age rule: a month is complete on the same day of the month, or, when
        # that day does not exist, on the 1st of the month after.
        ("2019-01-31", "2019-02-28", 0),
        ("2020-01-31", "2020-02-29", 0),  # leap year: still before the 31st
        ("2019-01-31", "2019-03-01", 1),
        ("2019-01-31", "2019-03-30", 1),
        ("2019-01-31", "2019-03-31", 2),
        ("2019-01-30", "2019-03-01", 1),
        ("2020-02-29", "2021-02-28", 11),  # born 29 February: one year on 1 March
        ("2020-02-29", "2021-03-01", 12),
        ("2019-02-28", "2019-03-28", 1),
        ("2015-06-15", "2022-06-14", 83),  # 7 years less a day: 84 - 1
    ],
)
def test_months_elapsed_are_counted_like_an_age(van, tot, months):
    # the macro is defined with the extract as of a peildatum (sql/zaken.sql): any extract will do
    con = linkage.connect(
        pd.DataFrame(
            {
                "zaak_id": ["1"],
                "persoon_id": ["P"],
                "referent_id": [""],
                "procedure": ["asiel"],
                "aanvraagdatum": [van],
                "besluitdatum": [tot],
                "besluit": ["inwilliging"],
            }
        )
    )
    try:
        linkage.run_statements(con, "zaken", {"peildatum": D(tot)})
        got = con.execute("SELECT maanden_verstreken($a, $b)", {"a": D(van), "b": D(tot)}).fetchall()[0][0]
    finally:
        con.close()
    assert got == months


# --------------------------------------------------------------------------- time between steps

GAP_ROWS = [
    # Refugees: P00 asylum permit 2016-01-05, P01 asylum permit 2018-06-01.
    zaak("Z000", "P00", "asiel", "2015-06-01", "2016-01-05", "inwilliging"),
    zaak("Z001", "P01", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
    # F1(P02) = Z002, nareis, decided 2019-03-10.
    zaak("Z002", "P02", "nareis", "2018-09-01", "2019-03-10", "inwilliging", "P01"),
    # F1(P05) = Z005, 8evrm bij asiel (P00's permit 2016-01-05 <= 2016-06-01), decided 2017-03-10.
    zaak("Z005", "P05", "8evrm", "2016-06-01", "2017-03-10", "inwilliging", "P00"),
    # F1(P07) = Z007, nareis, decided on a month end: 2020-01-31.
    zaak("Z007", "P07", "nareis", "2019-08-01", "2020-01-31", "inwilliging", "P01"),
    # X on P02 (nareis op nareis), pending; months elapsed since 2019-03-10:
    zaak("Z010", "P10", "nareis", "2020-03-09", "", "", "P02"),  # 11 -> 0-11
    zaak("Z011", "P11", "nareis", "2020-03-10", "", "", "P02"),  # 12 -> 12-23
    zaak("Z012", "P12", "nareis", "2021-03-09", "", "", "P02"),  # 23 -> 12-23
    zaak("Z013", "P13", "nareis", "2021-03-10", "", "", "P02"),  # 24 -> 24-35
    zaak("Z014", "P14", "nareis", "2022-03-09", "", "", "P02"),  # 35 -> 24-35
    zaak("Z015", "P15", "nareis", "2022-03-10", "", "", "P02"),  # 36 -> 36-59
    # X on P07 (nareis op nareis); since 2020-01-31:
    zaak("Z016", "P16", "nareis", "2021-01-30", "", "", "P07"),  # 12 - 1 = 11 -> 0-11
    zaak("Z017", "P17", "nareis", "2021-01-31", "", "", "P07"),  # 12 -> 12-23
    zaak("Z018", "P18", "nareis", "2020-01-31", "", "", "P07"),  # same day: 0 -> 0-11
    zaak("Z019", "P19", "nareis", "2020-02-29", "", "", "P07"),  # 29 < 31: 0 -> 0-11
    # X on P05 (nareis na 8 EVRM); since 2017-03-10:
    zaak("Z020", "P20", "nareis", "2022-03-09", "", "", "P05"),  # 60 - 1 = 59 -> 36-59
    zaak("Z021", "P21", "nareis", "2022-03-10", "", "", "P05"),  # 60 -> 60 of meer
]


def test_time_between_steps_classes_and_boundaries():
    res = compute(GAP_ROWS)
    # Counting the classes above (section 4: whole months like an age; 0-11, 12-23, 24-35,
    # 36-59, 60+). Calendar-month boundaries would put Z010, Z016 in 12-23, Z012 in 24-35,
    # Z014 in 36-59 and Z020 in 60+: each is one day short of the next class.
    expected = {
        ("nareis_op_nareis", "0-11 maanden"): 4,  # Z010, Z016, Z018, Z019
        ("nareis_op_nareis", "12-23 maanden"): 3,  # Z011, Z012, Z017
        ("nareis_op_nareis", "24-35 maanden"): 2,  # Z013, Z014
        ("nareis_op_nareis", "36-59 maanden"): 1,  # Z015
        ("nareis_na_8evrm", "36-59 maanden"): 1,  # Z020
        ("nareis_na_8evrm", "60 maanden of meer"): 1,  # Z021
    }
    assert as_dict(res.tussentijd, "categorie", "klasse") == expected
    # The measures of the same extract: 14 pending stacked nareis applications.
    #   nareis op nareis 2020: Z010, Z011, Z018, Z019 (referents P02, P07)
    #                    2021: Z012, Z013, Z016, Z017 (P02, P07); 2022: Z014, Z015 (P02)
    #   nareis na 8 EVRM 2022: Z020, Z021 (P05)
    #   nareis_totaal: every X is a nareis filed in the window, none granted.
    want = {
        **cells("nareis_op_nareis", 2020, aanvragen=4, lopend=4, personen=2),
        **cells("nareis_op_nareis", 2021, aanvragen=4, lopend=4, personen=2),
        **cells("nareis_op_nareis", 2022, aanvragen=2, lopend=2, personen=1),
        **cells("nareis_na_8evrm", 2022, aanvragen=2, lopend=2, personen=1),
        **cells("alle", 2020, aanvragen=4, lopend=4, personen=2),
        **cells("alle", 2021, aanvragen=4, lopend=4, personen=2),
        **cells("alle", 2022, aanvragen=4, lopend=4, personen=2),
        **totaal(2020, 4),
        **totaal(2021, 4),
        **totaal(2022, 4),
    }
    assert_tables_equal(as_table(res), expected_table(FORMS, YEARS, want))


# --------------------------------------------------------------------------- own asylum permit


def _own_permit_rows(granted: dict[str, str | None]) -> list[dict]:
    """Referents R1.. with F1 = a nareis decided 2019-03-10 and one pending nareis X filed
    2021-06-15; `granted[R]` is the decision date of R's own asylum application (granted),
    'afwijzing' for a rejected one, None for none."""
    rows = [zaak("Z001", "P01", "asiel", "2018-01-10", "2018-06-01", "inwilliging")]
    for i, (ref, when) in enumerate(granted.items(), start=1):
        rows.append(zaak(f"F{i}", ref, "nareis", "2018-09-01", "2019-03-10", "inwilliging", "P01"))
        rows.append(zaak(f"X{i}", f"K{i}", "nareis", "2021-06-15", "", "", ref))
        if when == "afwijzing":
            rows.append(zaak(f"A{i}", ref, "asiel", "2018-11-01", "2020-01-01", "afwijzing"))
        elif when:
            rows.append(zaak(f"A{i}", ref, "asiel", "2018-11-01", when, "inwilliging"))
    return rows


def test_own_asylum_permit_table():
    # Section 4: an own asylum permit granted between F1's decision (2019-03-10) and X's
    # application (2021-06-15), both days included.
    rows = _own_permit_rows(
        {
            "R1": "2019-03-09",  # the day before F1: no
            "R2": "2019-03-10",  # on F1's decision day: yes
            "R3": "2020-01-01",  # in between: yes
            "R4": "2021-06-15",  # on X's application day: yes
            "R5": "2021-06-16",  # the day after X's application: no
            "R6": None,  # no asylum application: no
            "R7": "afwijzing",  # asylum rejected: no
        }
    )
    res = compute(rows)
    assert as_dict(res.eigen_vergunning, "categorie", "eigen_asielvergunning") == {
        ("nareis_op_nareis", False): 4,  # R1, R5, R6, R7
        ("nareis_op_nareis", True): 3,  # R2, R3, R4
    }
    # Counting is not conditional on the permit (section 3): all seven X are stacked.
    want = {
        **cells("nareis_op_nareis", 2021, aanvragen=7, lopend=7, personen=7),
        **cells("alle", 2021, aanvragen=7, lopend=7, personen=7),
        **totaal(2021, 7),
    }
    assert_tables_equal(as_table(res), expected_table(FORMS, YEARS, want))


@pytest.mark.parametrize(
    "granted, has_permit",
    [
        ("2018-12-01", False),
        ("2019-03-09", False),
        ("2019-03-10", True),
        ("2019-03-11", True),
        ("2021-06-14", True),
        ("2021-06-15", True),
        ("2021-06-16", False),
        # granted after the peildatum: invisible on the peildatum (section 4), and after X anyway
        ("2023-07-01", False),
    ],
)
def test_own_asylum_permit_window_includes_both_days(granted, has_permit):
    res = compute(_own_permit_rows({"R1": granted}))
    assert as_dict(res.eigen_vergunning, "categorie", "eigen_asielvergunning") == {("nareis_op_nareis", has_permit): 1}


# --------------------------------------------------------------------------- chain depth


def _depth_rows() -> list[dict]:
    """12 stacked applications of depth 2 and 25 of depth 3 or more (in 2021)."""
    rows = [
        zaak("Z001", "P01", "asiel", "2018-01-10", "2018-02-01", "inwilliging"),
        # P02 admitted by nareis from refugee P01; P03 by nareis from P02; P04 from P03.
        zaak("Z002", "P02", "nareis", "2018-03-01", "2018-09-01", "inwilliging", "P01"),
        zaak("Z003", "P03", "nareis", "2019-01-10", "2019-06-01", "inwilliging", "P02"),
        zaak("Z004", "P04", "nareis", "2019-07-01", "2019-10-01", "inwilliging", "P03"),
    ]
    # On P02 (F1 referent P01 not admitted by family reunification): depth 2, twelve times.
    rows += [zaak(f"A{i:02d}", f"KA{i:02d}", "nareis", "2021-02-01", "", "", "P02") for i in range(12)]
    # On P03 (P03 <- P02 <- P01): depth 3, twenty times; on P04: depth 4, five times.
    rows += [zaak(f"B{i:02d}", f"KB{i:02d}", "8evrm", "2021-03-01", "", "", "P03") for i in range(20)]
    rows += [zaak(f"C{i:02d}", f"KC{i:02d}", "8evrm", "2021-04-01", "", "", "P04") for i in range(5)]
    return rows


def test_chain_depth_table():
    res = compute(_depth_rows())
    # Section 3: depth 2 when A (F1's referent) was not admitted through family
    # reunification, 3 when A was, and so on. Z003 and Z004 (2019) are outside the window.
    assert as_dict(res.diepte, "diepte") == {("2",): 12, ("3",): 20, ("4",): 5}


def test_published_depth_table(monkeypatch):
    res = compute(_depth_rows())
    # Published (report.depth_table): '3 of meer' = 20 + 5 = 25 -> 30 (half up, not 20);
    # 12 -> 10; no cycle -> a true zero, published as 0.
    monkeypatch.setattr(protected, "result", lambda iteration: res)
    published = report.depth_table(res.iteration)
    assert published["aanvragen"].to_dict() == {"2": "10", "3 of meer": "30", "cyclus (fout in de gegevens)": "0"}


@pytest.fixture(autouse=True)
def _fresh_report_caches():
    """report caches protected cells per (iteration, data fingerprint); these cases swap
    `report.result` for hand-made extracts, so every test starts and ends with empty caches."""
    report.clear_caches()
    yield
    report.clear_caches()


def test_published_gap_and_own_permit_tables(monkeypatch):
    res = compute(GAP_ROWS)
    monkeypatch.setattr(protected, "result", lambda iteration: res)
    gap = report.gap_table(res.iteration)
    # From test_time_between_steps_classes_and_boundaries: every count is 1..9 -> '<10';
    # a class a form does not have is a true zero -> '0'. The page's protection may hide
    # any of them further as 'x' (secondary suppression, book page beveiliging), but it
    # never shows another value; forms without stacked applications are all true zeros.
    primary = {
        "nareis op nareis": {
            "0-11 maanden": "<10",
            "12-23 maanden": "<10",
            "24-35 maanden": "<10",
            "36-59 maanden": "<10",
            "60 maanden of meer": "0",
        },
        "nareis na 8 EVRM": {
            "0-11 maanden": "0",
            "12-23 maanden": "0",
            "24-35 maanden": "0",
            "36-59 maanden": "<10",
            "60 maanden of meer": "<10",
        },
    }
    shown = gap.to_dict()
    assert set(primary) <= set(shown)
    for form, classes in shown.items():
        assert set(classes) == set(primary["nareis op nareis"]), form
        for klasse, text in classes.items():
            assert text in (primary.get(form, {}).get(klasse, "0"), "x"), (form, klasse, text)
    # the small cells themselves are never shown as numbers
    assert shown["nareis op nareis"]["0-11 maanden"] in ("<10", "x")
    own = report.own_permit_table(res.iteration)
    # GAP_ROWS has no own asylum application of any referent: 10 + 2 without.
    expected_own = {
        "met eigen asielvergunning": {"nareis op nareis": "0", "nareis na 8 EVRM": "0"},
        "zonder eigen asielvergunning": {"nareis op nareis": "10", "nareis na 8 EVRM": "<10"},
    }
    got_own = own.to_dict()
    for column, rows in expected_own.items():
        for form, text in rows.items():
            assert got_own[column][form] in (text, "x"), (column, form)


# --------------------------------------------------------------------------- v0 cross-section

V0_ROWS = [
    zaak("Z001", "P01", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
    # P02: admitted by nareis, nothing later. Current permit on the peildatum: nareis.
    zaak("Z002", "P02", "nareis", "2018-07-01", "2019-03-10", "inwilliging", "P01"),
    # P03: admitted by nareis, then an own asylum permit (2020-05-01): current permit asiel.
    zaak("Z003", "P03", "nareis", "2018-07-01", "2019-04-01", "inwilliging", "P01"),
    zaak("Z004", "P03", "asiel", "2019-10-01", "2020-05-01", "inwilliging"),
    # P04: admitted by nareis; own asylum granted 2023-08-01, AFTER the peildatum
    # 2023-06-30: invisible, so the current permit on the peildatum is still the nareis.
    zaak("Z005", "P04", "nareis", "2018-07-01", "2019-05-01", "inwilliging", "P01"),
    zaak("Z006", "P04", "asiel", "2022-10-01", "2023-08-01", "inwilliging"),
    # X applications (nareis):
    zaak("Z010", "P10", "nareis", "2021-03-01", "2021-09-01", "inwilliging", "P02"),
    zaak("Z011", "P11", "nareis", "2021-04-01", "", "", "P03"),
    zaak("Z012", "P12", "nareis", "2022-02-01", "2022-06-01", "afwijzing", "P04"),
    # Referent P01's current permit is asiel: never counted by v0.
    zaak("Z013", "P13", "nareis", "2022-03-01", "", "", "P01"),
]


def test_v0_counts_referents_whose_current_permit_is_family_reunification():
    res = compute(V0_ROWS, iteration="v0", forms=["nareis_op_nareis"])
    # v0 (section 5): X counted when the referent's current permit (latest grant on the
    # peildatum) is a nareis or 8evrm; form from (X, that permit).
    #   Z010 on P02 (current nareis) -> nareis op nareis 2021, granted.
    #   Z011 on P03 (current asiel)  -> not counted (the case v0 misses).
    #   Z012 on P04 (current nareis on the peildatum) -> nareis op nareis 2022, rejected.
    #   Z013 on P01 (asiel)          -> not counted.
    # nareis_totaal: 2021 Z010, Z011 (one grant); 2022 Z012, Z013 (no grant).
    want = {
        **cells("nareis_op_nareis", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **cells("alle", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **cells("nareis_op_nareis", 2022, aanvragen=1, afwijzingen=1, personen=1),
        **cells("alle", 2022, aanvragen=1, afwijzingen=1, personen=1),
        **totaal(2021, 2, 1),
        **totaal(2022, 2, 0),
    }
    assert_tables_equal(as_table(res), expected_table(["nareis_op_nareis"], YEARS, want))


def test_v0_misses_a_referent_with_a_later_own_asylum_permit():
    # Negative case: only P03 and its X. The longitudinal method counts Z011 (F1 = Z003,
    # nareis, decided 2019-04-01 <= 2021-04-01); v0 sees P03's current permit asiel and
    # counts nothing stacked.
    rows = [V0_ROWS[0], V0_ROWS[2], V0_ROWS[3], V0_ROWS[7]]
    only_total = totaal(2021, 1, 0)
    v0 = compute(rows, iteration="v0", forms=["nareis_op_nareis"])
    assert_tables_equal(as_table(v0), expected_table(["nareis_op_nareis"], YEARS, only_total))
    v1 = compute(rows, iteration="v1", forms=["nareis_op_nareis"])
    want = {
        **cells("nareis_op_nareis", 2021, aanvragen=1, lopend=1, personen=1),
        **cells("alle", 2021, aanvragen=1, lopend=1, personen=1),
        **only_total,
    }
    assert_tables_equal(as_table(v1), expected_table(["nareis_op_nareis"], YEARS, want))


# --------------------------------------------------------------------------- zaak_id tie-breaks


def _tie_rows(nareis_id: str, evrm_id: str) -> list[dict]:
    return [
        zaak("1", "P01", "asiel", "2018-01-10", "2018-03-01", "inwilliging"),
        # Two candidates of B = P02 decided the same day 2019-05-01; the 8evrm is bij asiel
        # (P01's permit 2018-03-01 <= 2018-10-01). Tie -> smallest zaak_id (section 3).
        zaak(nareis_id, "P02", "nareis", "2018-04-01", "2019-05-01", "inwilliging", "P01"),
        zaak(evrm_id, "P02", "8evrm", "2018-10-01", "2019-05-01", "inwilliging", "P01"),
        # X: nareis with referent P02 in 2021, pending.
        zaak("400", "P03", "nareis", "2021-01-15", "", "", "P02"),
    ]


@pytest.mark.parametrize(
    "nareis_id, evrm_id, form",
    [
        # numeric identifiers compare as numbers: 9 < 10 (as text "10" < "9")
        ("9", "10", "nareis_op_nareis"),
        ("10", "9", "nareis_na_8evrm"),
        ("99", "100", "nareis_op_nareis"),
    ],
)
def test_tie_break_numeric_zaak_id(nareis_id, evrm_id, form):
    res = compute(_tie_rows(nareis_id, evrm_id))
    want = {
        **cells(form, 2021, aanvragen=1, lopend=1, personen=1),
        **cells("alle", 2021, aanvragen=1, lopend=1, personen=1),
        **totaal(2021, 1, 0),
    }
    assert_tables_equal(as_table(res), expected_table(FORMS, YEARS, want))


@pytest.mark.parametrize(
    "nareis_id, evrm_id, form",
    [
        # text identifiers compare as text: "Z10" < "Z9"
        ("Z10", "Z9", "nareis_op_nareis"),
        ("Z9", "Z10", "nareis_na_8evrm"),
    ],
)
def test_tie_break_text_zaak_id(nareis_id, evrm_id, form):
    res = compute(_tie_rows(nareis_id, evrm_id))
    want = {
        **cells(form, 2021, aanvragen=1, lopend=1, personen=1),
        **cells("alle", 2021, aanvragen=1, lopend=1, personen=1),
        **totaal(2021, 1, 0),
    }
    assert_tables_equal(as_table(res), expected_table(FORMS, YEARS, want))


def test_tie_break_numeric_zaak_id_9_before_10():
    """The named case for the text-comparison mutant (tests/MUTANTS.md)."""
    test_tie_break_numeric_zaak_id("9", "10", "nareis_op_nareis")


# --------------------------------------------------------------------------- peildatum


def test_application_filed_on_the_peildatum_is_counted():
    rows = [
        zaak("Z001", "P01", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
        zaak("Z002", "P02", "nareis", "2018-07-01", "2019-02-01", "inwilliging", "P01"),
        # Filed ON the peildatum 2022-10-31: exists (aanvraagdatum <= peildatum, section 4).
        zaak("Z003", "P03", "nareis", "2022-10-31", "2022-12-01", "inwilliging", "P02"),
        # Filed the day before, decided ON the peildatum: decision visible.
        zaak("Z004", "P04", "8evrm", "2022-10-30", "2022-10-31", "afwijzing", "P02"),
        # Filed the day after the peildatum: does not exist yet.
        zaak("Z005", "P05", "nareis", "2022-11-01", "", "", "P02"),
    ]
    res = compute(rows, peildatum="2022-10-31")
    # 2022: Z003 nareis op nareis, its decision (2022-12-01) after the peildatum -> lopend;
    #       Z004 8 EVRM na nareis, rejected. Both on referent P02.
    # nareis_totaal 2022: Z003 only, not (yet) granted.
    want = {
        **cells("nareis_op_nareis", 2022, aanvragen=1, lopend=1, personen=1),
        **cells("8evrm_na_nareis", 2022, aanvragen=1, afwijzingen=1, personen=1),
        **cells("alle", 2022, aanvragen=2, afwijzingen=1, lopend=1, personen=1),
        **totaal(2022, 1, 0),
    }
    assert_tables_equal(as_table(res), expected_table(FORMS, YEARS, want))


# --------------------------------------------------------------------------- published table


def _protection_rows() -> list[dict]:
    """Twelve referents R01..R12, each admitted by nareis (F1 decided 2019-02-01), then:
    2021: 25 stacked nareis (two on each referent, a third on R01): 15 granted, 6 rejected,
          4 pending (in that order);
    2022: 7 stacked 8evrm on R01..R07: 3 granted, 4 rejected."""
    rows = [zaak("Z000", "P01", "asiel", "2018-01-10", "2018-06-01", "inwilliging")]
    refs = [f"R{i:02d}" for i in range(1, 13)]
    rows += [zaak(f"F{r}", r, "nareis", "2018-08-01", "2019-02-01", "inwilliging", "P01") for r in refs]
    on = refs + refs + ["R01"]
    outcome = [("2021-09-01", "inwilliging")] * 15 + [("2021-10-01", "afwijzing")] * 6 + [("", "")] * 4
    rows += [
        zaak(f"X{i:02d}", f"K{i:02d}", "nareis", "2021-05-01", d, b, r)
        for i, (r, (d, b)) in enumerate(zip(on, outcome))
    ]
    outcome = [("2022-09-01", "inwilliging")] * 3 + [("2022-10-01", "afwijzing")] * 4
    rows += [
        zaak(f"Y{i:02d}", f"L{i:02d}", "8evrm", "2022-05-01", d, b, r)
        for i, (r, (d, b)) in enumerate(zip(refs[:7], outcome))
    ]
    return rows


def test_published_table_after_protection():
    res = compute(_protection_rows())
    # Exact counts (derived from the docstring of _protection_rows):
    want = {
        **cells("nareis_op_nareis", 2021, aanvragen=25, inwilligingen=15, afwijzingen=6, lopend=4, personen=12),
        **cells("alle", 2021, aanvragen=25, inwilligingen=15, afwijzingen=6, lopend=4, personen=12),
        **cells("8evrm_na_nareis", 2022, aanvragen=7, inwilligingen=3, afwijzingen=4, personen=7),
        **cells("alle", 2022, aanvragen=7, inwilligingen=3, afwijzingen=4, personen=7),
        **totaal(2021, 25, 15),
    }
    assert_tables_equal(as_table(res), expected_table(FORMS, YEARS, want))
    # The policy (disclosure.py, book page beveiliging): threshold 10, rounding half up to
    # tens, 1..9 -> '<10', every measure of a form-year with fewer than 10 (but some)
    # applications -> '<10', a true zero -> '0'.
    published = {(c, int(j), m): a for c, j, m, a in disclosure.protect(res.tabel).itertuples(index=False)}
    expected = {k: "0" for k in expected_table(FORMS, YEARS, {})}  # 2020 and empty forms: 0
    expected.update(
        {
            # 25 -> 30 (half up), 15 -> 20, 6 -> <10, 0 -> 0 (a zero in a population of 25),
            # 4 -> <10, 12 -> 10.
            ("nareis_op_nareis", 2021, "aanvragen"): "30",
            ("nareis_op_nareis", 2021, "inwilligingen"): "20",
            ("nareis_op_nareis", 2021, "afwijzingen"): "<10",
            ("nareis_op_nareis", 2021, "lopend"): "<10",
            ("nareis_op_nareis", 2021, "personen"): "10",
            ("alle", 2021, "aanvragen"): "30",
            ("alle", 2021, "inwilligingen"): "20",
            ("alle", 2021, "afwijzingen"): "<10",
            ("alle", 2021, "lopend"): "<10",
            ("alle", 2021, "personen"): "10",
            ("nareis_totaal", 2021, "aanvragen"): "30",
            ("nareis_totaal", 2021, "inwilligingen"): "20",
        }
    )
    # 2022: 7 applications -> all six measures '<10', the zeros (overig, lopend) too.
    for cat in ("8evrm_na_nareis", "alle"):
        expected.update(
            {
                (cat, 2022, m): "<10"
                for m in ("aanvragen", "inwilligingen", "afwijzingen", "overig_beeindigd", "lopend", "personen")
            }
        )
    assert published == expected


def test_true_zeros_of_an_empty_form_year_are_published_as_zero():
    # A form-year without applications: every measure is a true zero, published '0' (it
    # reveals no person), not '<10'. Only the 2021 population of 4 hides its zeros.
    t = pd.DataFrame(
        [("f", 2020, m, 0) for m in ("aanvragen", "inwilligingen", "lopend", "personen")]
        + [
            ("f", 2021, "aanvragen", 4),
            ("f", 2021, "inwilligingen", 4),
            ("f", 2021, "lopend", 0),
            ("f", 2021, "personen", 1),
            ("g", 2021, "aanvragen", 40),
            ("g", 2021, "lopend", 0),
        ],
        columns=["categorie", "jaar", "maat", "aantal"],
    )
    out = disclosure.protect(t)
    assert list(out["aantal"]) == ["0", "0", "0", "0", "<10", "<10", "<10", "<10", "40", "0"]
    assert list(t["aantal"]) == [0, 0, 0, 0, 4, 4, 0, 1, 40, 0]  # the input is not changed


def test_protection_at_the_threshold_and_with_another_policy():
    t = pd.DataFrame(
        # a population of exactly 10 is published (not below the threshold), so are its
        # measures: 10 -> 10, 0 -> 0, a part of 1..9 -> <10;
        [
            ("f", 2020, "aanvragen", 10),
            ("f", 2020, "inwilligingen", 10),
            ("f", 2020, "lopend", 0),
            # a population of 25 with a measure of exactly 10 (published) and one of 1 (<10);
            ("f", 2021, "aanvragen", 25),
            ("f", 2021, "inwilligingen", 10),
            ("f", 2021, "lopend", 1),
            # a population of 1: its true zero is hidden too (it is based on one application);
            ("f", 2022, "aanvragen", 1),
            ("f", 2022, "lopend", 0),
            # a category-year without an aanvragen row is judged on its own counts
            ("g", 2022, "personen", 0),
            ("g", 2022, "lopend", 12),
        ],
        columns=["categorie", "jaar", "maat", "aantal"],
    )
    assert list(disclosure.protect(t)["aantal"]) == ["10", "10", "0", "30", "10", "<10", "<10", "<10", "0", "10"]
    # Another policy is applied throughout (threshold 5, base 5): 10 -> 10, 12 -> 10,
    # 25 -> 25, 1 -> <5; the 2022 population of 1 hides its zero.
    p = disclosure.Policy(threshold=5, base=5)
    assert list(disclosure.protect(t, p)["aantal"]) == ["10", "10", "0", "25", "10", "<5", "<5", "<5", "0", "10"]


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0"),
        (1, "<10"),
        (9, "<10"),
        (10, "10"),
        (14, "10"),
        (15, "20"),
        (24, "20"),
        (25, "30"),
        (35, "40"),
        (44, "40"),
        (45, "50"),
        (104, "100"),
        (105, "110"),
        (995, "1000"),
    ],
)
def test_publish_value_rounds_half_up_with_threshold(n, text):
    assert disclosure.publish_value(n) == text
    assert disclosure.publish_value(n, suppressed=True) == "<10"


def test_round_count_and_policy_with_other_parameters():
    p = disclosure.Policy(threshold=5, base=5)
    # base 5: half up at 2.5 -> 12 -> 10, 13 -> 15; threshold 5: 4 -> '<5', 5 -> '5'
    assert [disclosure.round_count(n, p) for n in (0, 2, 3, 12, 13)] == [0, 0, 5, 10, 15]
    assert [disclosure.publish_value(n, p) for n in (0, 4, 5, 7, 8)] == ["0", "<5", "5", "5", "10"]
    assert p.symbol == "<5"
    assert disclosure.Policy().describe() == (
        "afgerond op 10-tallen; aantallen kleiner dan 10 weergegeven als '<10'; cellen die een "
        "afgeschermd aantal zouden verraden, weergegeven als 'x'"
    )


def test_numeric_reads_published_text():
    s = pd.Series(["10", "<10", "0", "x", "120"])
    got = disclosure.numeric(s)
    assert got.iloc[0] == 10 and got.iloc[2] == 0 and got.iloc[4] == 120
    assert got.iloc[1] != got.iloc[1] and got.iloc[3] != got.iloc[3]  # NaN: suppressed


# --------------------------------------------------------------------------- edition audit

KEY = ("alle", "2021", "inwilligingen")


def test_edition_audit_finds_a_small_certain_increase():
    # base 5, threshold 10: '10' stands for 10..12, '15' for 13..17 (half up, at least 10).
    # 10..12 -> 13..17: the change is 1..7, certainly nonzero and below 10: disclosed.
    assert disclosure_audit.edition_findings({KEY: "10"}, {KEY: "15"}, threshold=10, base=5) == [KEY]


def test_edition_audit_finds_a_small_certain_decrease():
    # The same pair the other way round: 13..17 -> 10..12 is a decrease of 1..7.
    assert disclosure_audit.edition_findings({KEY: "15"}, {KEY: "10"}, threshold=10, base=5) == [KEY]
    # Without rounding (base 1): 23 -> 20 pins 3 applications that left the cell.
    assert disclosure_audit.edition_findings({KEY: "23"}, {KEY: "20"}, threshold=10, base=1) == [KEY]


@pytest.mark.parametrize(
    "earlier, later",
    [
        ("20", "20"),  # no change
        ("20", "30"),  # base 10: 15..24 -> 25..34 is 1..19, possibly >= 10
        ("30", "20"),
        ("0", "<10"),  # 0..9: possibly no change
        ("<10", "0"),
        ("20", "10"),  # base 10: 15..24 -> 10..14 is -14..-1, possibly <= -10
    ],
)
def test_edition_audit_passes_changes_that_pin_nothing(earlier, later):
    assert disclosure_audit.edition_findings({KEY: earlier}, {KEY: later}, threshold=10, base=10) == []


@pytest.mark.parametrize("earlier, later", [("20", "30"), ("30", "20"), ("20", "20")])
def test_edition_audit_change_of_threshold_or_zero_is_no_finding_without_rounding(earlier, later):
    # base 1: a change of exactly 10 is not below the threshold; no change pins nobody.
    assert disclosure_audit.edition_findings({KEY: earlier}, {KEY: later}, threshold=10, base=1) == []


def test_edition_audit_compares_only_cells_in_both_editions():
    earlier = {KEY: "23", ("alle", "2020", "aanvragen"): "40"}
    later = {KEY: "20", ("alle", "2022", "aanvragen"): "12"}
    assert disclosure_audit.edition_findings(earlier, later, threshold=10, base=1) == [KEY]
