"""Hand-made extracts for every rule of domain.md sections 3 and 4, run through the CLI.

Each test states its extract, then derives the expected counts by hand in comments from
the rules of domain.md (section numbers cited), never from running the code.

Conventions of the extracts below (see `conftest.zaak`):
    zaak(zaak_id, persoon_id, procedure, aanvraagdatum, besluitdatum, besluit, referent_id)
Persons are P00, P01, ...; P01 is usually a refugee with an own asylum permit; P02 is
usually the referent B whose first step F1 decides whether X is stacked.

Unless a test says otherwise, the window is START..END = 2020-01-01..2022-12-31 with
peildatum 2023-06-30, so the years are 2020, 2021, 2022, and the set-up events (own asylum,
first steps) are filed in 2017-2019, before the window, so that they do not show up in
`nareis_totaal` or in the stacked counts.
"""

from __future__ import annotations

import pytest

from conftest import (
    FORMS,
    assert_tables_equal,
    cells,
    check_invariants,
    expected_table,
    run_tables,
    zaak,
)

START, END, PEIL = "2020-01-01", "2022-12-31", "2023-06-30"
YEARS = (2020, 2021, 2022)
WINDOW = dict(start=START, end=END, peildatum=PEIL, forms=FORMS)


def refugee(pid: str = "P01", zid: str = "Z001", granted: str = "2018-06-01") -> dict:
    """An own asylum application, granted: the person holds an asylum permit from `granted`."""
    return zaak(zid, pid, "asiel", "2018-01-10", granted, "inwilliging")


def run(tmp_path, rows, **options):
    opts = {**WINDOW, **options}
    result = run_tables(tmp_path, rows, **opts)
    check_invariants(result.tabel, opts["forms"])
    return result


def totaal(jaar: int, aanvragen: int = 0, inwilligingen: int = 0) -> dict:
    return {("nareis_totaal", jaar, "aanvragen"): aanvragen, ("nareis_totaal", jaar, "inwilligingen"): inwilligingen}


# --------------------------------------------------------------------------- the four forms

OUTCOME_MEASURE = {
    "inwilliging": "inwilligingen",
    "afwijzing": "afwijzingen",
    "intrekking": "overig_beeindigd",
    "buitenbehandeling": "overig_beeindigd",
    "": "lopend",
}


@pytest.mark.parametrize(
    "first_step, x_procedure, x_filed, x_decided, x_besluit, form",
    [
        # F1 = nareis, X = nareis -> nareis op nareis; X granted in 2021.
        ("nareis", "nareis", "2021-03-01", "2021-09-01", "inwilliging", "nareis_op_nareis"),
        # F1 = 8evrm bij asiel, X = nareis -> nareis na 8 EVRM; X rejected in 2020.
        ("8evrm", "nareis", "2020-05-04", "2020-11-20", "afwijzing", "nareis_na_8evrm"),
        # F1 = nareis, X = 8evrm -> 8 EVRM na nareis; X still pending (no decision) in 2022.
        ("nareis", "8evrm", "2022-02-01", "", "", "8evrm_na_nareis"),
        # F1 = 8evrm bij asiel, X = 8evrm -> 8 EVRM na 8 EVRM; X withdrawn in 2021.
        ("8evrm", "8evrm", "2021-06-01", "2021-07-01", "intrekking", "8evrm_na_8evrm"),
    ],
)
def test_each_form_is_named_after_x_and_its_first_step(
    tmp_path, first_step, x_procedure, x_filed, x_decided, x_besluit, form
):
    rows = [
        # P01 holds an asylum permit from 2018-06-01.
        refugee(),
        # Z002 is B's (P02) only family-reunification grant. If it is an 8evrm it is "bij asiel":
        # its referent P01 held an asylum permit (2018-06-01) on its application date
        # (2018-09-01). So Z002 is the only candidate and F1 = Z002, decided 2019-02-01
        # (domain.md section 3). Z002 itself is filed in 2018: outside the window.
        zaak("Z002", "P02", first_step, "2018-09-01", "2019-02-01", "inwilliging", "P01"),
        # X: referent B = P02; F1 decided 2019-02-01 <= X's application date -> stacked,
        # form from (X, F1) per the table of section 3.
        zaak("Z003", "P03", x_procedure, x_filed, x_decided, x_besluit, "P02"),
    ]
    result = run(tmp_path, rows)

    year = int(x_filed[:4])
    measure = OUTCOME_MEASURE[x_besluit]
    # One stacked application in `year`, referent P02: aanvragen 1, one outcome measure 1,
    # personen 1; `alle` is the same (one form, one referent).
    expected = {
        **cells(form, year, aanvragen=1, personen=1, **{measure: 1}),
        **cells("alle", year, aanvragen=1, personen=1, **{measure: 1}),
    }
    if x_procedure == "nareis":
        # nareis_totaal: X is the only nareis application in the window (Z002 is from 2018).
        expected.update(totaal(year, 1, 1 if x_besluit == "inwilliging" else 0))
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))
    # Depth: F1's referent P01 was not admitted through family reunification -> depth 2.
    assert result.diepte == {"2": 1}


# --------------------------------------------------------------------------- 8 EVRM first step


@pytest.mark.parametrize(
    "sponsor_rows",
    [
        # P01 has no record at all: a Dutch citizen (or other non-asylum resident).
        pytest.param([], id="dutch_citizen"),
        # P01's asylum application was rejected: no asylum permit.
        pytest.param([zaak("Z001", "P01", "asiel", "2018-01-10", "2018-06-01", "afwijzing")], id="asylum_rejected"),
        # P01's asylum application is still pending: no asylum permit.
        pytest.param([zaak("Z001", "P01", "asiel", "2018-01-10")], id="asylum_pending"),
        # P01's asylum permit was decided 2018-09-02, a day AFTER the 8evrm application
        # (2018-09-01): not "decided on or before that application's date".
        pytest.param(
            [zaak("Z001", "P01", "asiel", "2018-01-10", "2018-09-02", "inwilliging")],
            id="permit_after_8evrm_application",
        ),
        # P01 was admitted through a regular 8evrm (sponsor P00 without asylum): that is a
        # residence permit, not an asylum permit (a granted asiel or nareis).
        pytest.param(
            [zaak("Z001", "P01", "8evrm", "2017-03-01", "2017-09-01", "inwilliging", "P00")],
            id="sponsor_admitted_by_regular_8evrm",
        ),
    ],
)
def test_8evrm_first_step_outside_asylum_is_not_a_first_step(tmp_path, sponsor_rows):
    rows = [
        *sponsor_rows,
        # B = P02 admitted through 8evrm with referent P01 who held no asylum permit on
        # 2018-09-01: ordinary family migration, never a candidate (section 3).
        zaak("Z002", "P02", "8evrm", "2018-09-01", "2019-02-01", "inwilliging", "P01"),
        # X: referent P02 has no candidate -> not stacked; both an 8evrm and a nareis X.
        zaak("Z003", "P03", "nareis", "2021-03-01", "2021-09-01", "afwijzing", "P02"),
        zaak("Z004", "P04", "8evrm", "2021-04-01", "2021-10-01", "inwilliging", "P02"),
    ]
    result = run(tmp_path, rows)
    # Nothing stacked. nareis_totaal 2021: Z003 is a nareis application in the window,
    # rejected -> aanvragen 1, inwilligingen 0. (Z004 is 8evrm, not nareis.)
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, totaal(2021, 1, 0)))
    assert result.diepte == {}


@pytest.mark.parametrize(
    "sponsor_rows, depth",
    [
        # P01's asylum permit decided the same day as the 8evrm application: "on or before".
        pytest.param(
            [zaak("Z001", "P01", "asiel", "2018-01-10", "2018-09-01", "inwilliging")], "2", id="permit_same_day"
        ),
        # Decided the day before.
        pytest.param(
            [zaak("Z001", "P01", "asiel", "2018-01-10", "2018-08-31", "inwilliging")], "2", id="permit_day_before"
        ),
        # P01 holds a derived asylum permit: a granted nareis (sponsor P00, a refugee),
        # decided 2018-05-01 <= 2018-09-01. "a granted asiel or nareis of A" (section 3).
        # P01 was thus admitted through family reunification -> X has depth 3.
        pytest.param(
            [
                zaak("Z000", "P00", "asiel", "2017-03-01", "2017-08-01", "inwilliging"),
                zaak("Z001", "P01", "nareis", "2017-09-01", "2018-05-01", "inwilliging", "P00"),
            ],
            "3",
            id="derived_permit_by_nareis",
        ),
    ],
)
def test_8evrm_first_step_bij_asiel_is_a_first_step(tmp_path, sponsor_rows, depth):
    rows = [
        *sponsor_rows,
        # Z002: 8evrm of B = P02, referent P01 with asylum permit on 2018-09-01 -> candidate.
        zaak("Z002", "P02", "8evrm", "2018-09-01", "2019-02-01", "inwilliging", "P01"),
        # X: nareis with referent P02, F1 = Z002 (8evrm) decided 2019-02-01 <= 2021-03-01
        # -> nareis_na_8evrm, 2021, rejected.
        zaak("Z003", "P03", "nareis", "2021-03-01", "2021-09-01", "afwijzing", "P02"),
    ]
    result = run(tmp_path, rows)
    expected = {
        **cells("nareis_na_8evrm", 2021, aanvragen=1, afwijzingen=1, personen=1),
        **cells("alle", 2021, aanvragen=1, afwijzingen=1, personen=1),
        # nareis_totaal: X is the only nareis filed in the window (Z001 is from 2017).
        **totaal(2021, 1, 0),
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))
    # Depth of X: F1 = Z002 has referent P01. P01 not admitted through family reunification
    # -> 2; P01 admitted by nareis Z001 -> 3 (section 3, "and so on").
    assert result.diepte == {depth: 1}


# --------------------------------------------------------------------------- F1 must be granted


@pytest.mark.parametrize(
    "besluitdatum, besluit",
    [("2019-02-01", "afwijzing"), ("2019-02-01", "intrekking"), ("2019-02-01", "buitenbehandeling"), ("", "")],
    ids=["rejected", "withdrawn", "not_processed", "pending"],
)
def test_first_step_that_was_not_granted_is_not_a_first_step(tmp_path, besluitdatum, besluit):
    rows = [
        refugee(),
        # B = P02's only family-reunification application was not granted: candidates need
        # decision `inwilliging` (section 3), so B has no F1.
        zaak("Z002", "P02", "nareis", "2018-07-01", besluitdatum, besluit, "P01"),
        # X: nareis with referent P02 -> not stacked.
        zaak("Z003", "P03", "nareis", "2021-03-01", "2021-09-01", "inwilliging", "P02"),
    ]
    result = run(tmp_path, rows)
    # Only the reference total: X is a nareis in 2021, granted 2021-09-01 <= peildatum.
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, totaal(2021, 1, 1)))
    assert result.diepte == {}


# --------------------------------------------------------------------------- timing of X vs F1


@pytest.mark.parametrize(
    "x_filed, stacked",
    [("2020-03-09", False), ("2020-03-10", True), ("2020-03-11", True)],
    ids=["day_before_f1_decision", "same_day", "day_after"],
)
def test_x_is_stacked_only_when_filed_on_or_after_f1_decision(tmp_path, x_filed, stacked):
    rows = [
        refugee(),
        # F1 of P02: nareis filed 2019-06-01 (before the window), granted 2020-03-10.
        zaak("Z002", "P02", "nareis", "2019-06-01", "2020-03-10", "inwilliging", "P01"),
        # X: nareis with referent P02, pending. Stacked iff F1's decision date (2020-03-10)
        # <= X's application date (section 3).
        zaak("Z003", "P03", "nareis", x_filed, "", "", "P02"),
    ]
    result = run(tmp_path, rows)
    # X is a nareis in the window in any case: nareis_totaal 2020 aanvragen 1, no grant.
    expected = totaal(2020, 1, 0)
    if stacked:
        # nareis op nareis, 2020, pending, referent P02.
        expected.update(cells("nareis_op_nareis", 2020, aanvragen=1, lopend=1, personen=1))
        expected.update(cells("alle", 2020, aanvragen=1, lopend=1, personen=1))
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))
    assert result.diepte == ({"2": 1} if stacked else {})


# --------------------------------------------------------------------------- choice of F1


def test_earliest_candidate_by_decision_date_is_f1_and_names_the_form(tmp_path):
    rows = [
        refugee(granted="2018-03-01"),
        # Two candidates for B = P02 (both granted, both bij asiel):
        #   Z002 nareis, filed first (2018-04-01) but decided LATER  (2019-09-01);
        #   Z003 8evrm, filed 2018-10-01 (P01's permit 2018-03-01 is older), decided 2019-05-01.
        # F1 is the earliest by DECISION date: Z003, an 8evrm (section 3).
        zaak("Z002", "P02", "nareis", "2018-04-01", "2019-09-01", "inwilliging", "P01"),
        zaak("Z003", "P02", "8evrm", "2018-10-01", "2019-05-01", "inwilliging", "P01"),
        # X: nareis, referent P02, 2021, granted -> nareis_na_8evrm (not nareis_op_nareis).
        zaak("Z004", "P03", "nareis", "2021-01-15", "2021-06-01", "inwilliging", "P02"),
    ]
    result = run(tmp_path, rows)
    expected = {
        **cells("nareis_na_8evrm", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **cells("alle", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **totaal(2021, 1, 1),  # X is the only nareis filed in the window
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))
    assert result.diepte == {"2": 1}


def test_earlier_grant_that_is_no_candidate_is_passed_over(tmp_path):
    rows = [
        refugee(granted="2018-03-01"),
        # B = P02's first grant is an 8evrm with a Dutch sponsor P09 (no records): ordinary
        # family migration, never a candidate, even though it is the earliest grant.
        zaak("Z002", "P02", "8evrm", "2018-02-01", "2018-06-01", "inwilliging", "P09"),
        # The only candidate: nareis with refugee P01, granted 2019-04-01 -> F1.
        zaak("Z003", "P02", "nareis", "2018-07-01", "2019-04-01", "inwilliging", "P01"),
        # X: 8evrm with referent P02 in 2021, pending -> 8evrm_na_nareis.
        zaak("Z004", "P03", "8evrm", "2021-02-01", "", "", "P02"),
    ]
    result = run(tmp_path, rows)
    expected = {
        **cells("8evrm_na_nareis", 2021, aanvragen=1, lopend=1, personen=1),
        **cells("alle", 2021, aanvragen=1, lopend=1, personen=1),
        # no nareis filed in the window
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))
    assert result.diepte == {"2": 1}


@pytest.mark.parametrize(
    "nareis_id, evrm_id, form",
    [
        # Same decision date; smallest zaak_id is the nareis Z002 -> nareis op nareis.
        ("Z002", "Z003", "nareis_op_nareis"),
        # Same decision date; smallest zaak_id is the 8evrm Z002 -> nareis na 8 EVRM.
        # (The 8evrm is written after the nareis in the file: row order must not decide.)
        ("Z003", "Z002", "nareis_na_8evrm"),
    ],
)
def test_tie_on_decision_date_smallest_zaak_id_is_f1(tmp_path, nareis_id, evrm_id, form):
    rows = [
        refugee(granted="2018-03-01"),
        # Two candidates of B = P02, both decided 2019-05-01 (the 8evrm is bij asiel: P01's
        # permit 2018-03-01 <= 2018-10-01). Tie -> smallest zaak_id (section 3).
        zaak(nareis_id, "P02", "nareis", "2018-04-01", "2019-05-01", "inwilliging", "P01"),
        zaak(evrm_id, "P02", "8evrm", "2018-10-01", "2019-05-01", "inwilliging", "P01"),
        # X: nareis with referent P02 in 2021, pending.
        zaak("Z004", "P03", "nareis", "2021-01-15", "", "", "P02"),
    ]
    result = run(tmp_path, rows)
    expected = {
        **cells(form, 2021, aanvragen=1, lopend=1, personen=1),
        **cells("alle", 2021, aanvragen=1, lopend=1, personen=1),
        **totaal(2021, 1, 0),
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))


# --------------------------------------------------------------------------- personen


def test_personen_counts_distinct_referents_and_alle_is_not_a_sum(tmp_path):
    rows = [
        refugee(),
        # Two referents, both admitted by nareis from refugee P01 (in 2018/2019, outside the
        # window): F1(P02) = Z002 decided 2019-01-15; F1(P07) = Z007 decided 2019-02-01.
        zaak("Z002", "P02", "nareis", "2018-07-01", "2019-01-15", "inwilliging", "P01"),
        zaak("Z007", "P07", "nareis", "2018-08-01", "2019-02-01", "inwilliging", "P01"),
        # Referent P02, 2021: two nareis (one granted, one rejected) and one pending 8evrm.
        zaak("Z003", "P03", "nareis", "2021-02-01", "2021-08-01", "inwilliging", "P02"),
        zaak("Z004", "P04", "nareis", "2021-04-01", "2021-10-01", "afwijzing", "P02"),
        zaak("Z005", "P05", "8evrm", "2021-05-01", "", "", "P02"),
        # Referent P02, 2022: one granted nareis.
        zaak("Z006", "P06", "nareis", "2022-01-10", "2022-05-01", "inwilliging", "P02"),
        # Referent P07, 2021: one granted 8evrm.
        zaak("Z008", "P08", "8evrm", "2021-07-01", "2021-12-01", "inwilliging", "P07"),
    ]
    result = run(tmp_path, rows)
    expected = {
        # 2021 nareis op nareis: Z003 (granted), Z004 (rejected); one referent P02.
        **cells("nareis_op_nareis", 2021, aanvragen=2, inwilligingen=1, afwijzingen=1, personen=1),
        # 2021 8 EVRM na nareis: Z005 (pending, P02), Z008 (granted, P07): two referents.
        **cells("8evrm_na_nareis", 2021, aanvragen=2, inwilligingen=1, lopend=1, personen=2),
        # 2021 alle: 4 applications; referents {P02, P07} = 2 (the sum of forms would be 3).
        **cells("alle", 2021, aanvragen=4, inwilligingen=2, afwijzingen=1, lopend=1, personen=2),
        # 2022: Z006 only.
        **cells("nareis_op_nareis", 2022, aanvragen=1, inwilligingen=1, personen=1),
        **cells("alle", 2022, aanvragen=1, inwilligingen=1, personen=1),
        # nareis_totaal: 2021 Z003, Z004 (one grant); 2022 Z006 (granted).
        **totaal(2021, 2, 1),
        **totaal(2022, 1, 1),
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))
    # Five stacked applications in the window, all on referents whose F1 referent (P01) was
    # not admitted through family reunification: all depth 2.
    assert result.diepte == {"2": 5}


def test_forms_option_restricts_categories_and_alle(tmp_path):
    rows = [
        refugee(),
        # F1(P02) = Z002 nareis; F1(P05) = Z005 8evrm bij asiel (P01's permit 2018-06-01).
        zaak("Z002", "P02", "nareis", "2018-07-01", "2019-01-15", "inwilliging", "P01"),
        zaak("Z005", "P05", "8evrm", "2018-08-01", "2019-03-01", "inwilliging", "P01"),
        # 2021: X1 nareis on P02 (granted) -> nareis_op_nareis
        #       X2 nareis on P05 (rejected) -> nareis_na_8evrm
        #       X3 8evrm on P02 (pending)   -> 8evrm_na_nareis
        zaak("Z010", "P10", "nareis", "2021-02-01", "2021-06-01", "inwilliging", "P02"),
        zaak("Z011", "P11", "nareis", "2021-03-01", "2021-07-01", "afwijzing", "P05"),
        zaak("Z012", "P12", "8evrm", "2021-04-01", "", "", "P02"),
    ]
    # Narrow: only nareis op nareis. Categories: that form, alle, nareis_totaal.
    narrow = run(tmp_path, rows, forms=["nareis_op_nareis"])
    expected = {
        **cells("nareis_op_nareis", 2021, aanvragen=1, inwilligingen=1, personen=1),
        # alle sums the INCLUDED forms only: X1.
        **cells("alle", 2021, aanvragen=1, inwilligingen=1, personen=1),
        # nareis_totaal does not depend on the forms: X1 and X2 are nareis; X1 granted.
        **totaal(2021, 2, 1),
    }
    assert_tables_equal(narrow.tabel, expected_table(["nareis_op_nareis"], YEARS, expected))

    # Two forms, given in a different order than the canonical one.
    two = ["8evrm_na_nareis", "nareis_op_nareis"]
    both = run(tmp_path, rows, forms=two)
    expected = {
        **cells("nareis_op_nareis", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **cells("8evrm_na_nareis", 2021, aanvragen=1, lopend=1, personen=1),
        # alle: X1 + X3, both on referent P02 -> personen 1.
        **cells("alle", 2021, aanvragen=2, inwilligingen=1, lopend=1, personen=1),
        **totaal(2021, 2, 1),
    }
    assert_tables_equal(both.tabel, expected_table(two, YEARS, expected))


# --------------------------------------------------------------------------- peildatum, window

PEIL_ROWS = [
    refugee(),
    # F1 of P02, decided 2019-02-01.
    zaak("Z002", "P02", "nareis", "2018-07-01", "2019-02-01", "inwilliging", "P01"),
    # Filed 2019-12-31, the day before START: outside the window, counted nowhere.
    zaak("Z010", "P10", "nareis", "2019-12-31", "2020-02-01", "inwilliging", "P02"),
    # Filed on START: inside.
    zaak("Z011", "P11", "nareis", "2020-01-01", "2020-06-01", "inwilliging", "P02"),
    # Filed 2021-11-01, granted 2022-02-01: counted in 2021, the year of the APPLICATION.
    zaak("Z008", "P08", "nareis", "2021-11-01", "2022-02-01", "inwilliging", "P02"),
    # 2022 applications with referent P02:
    zaak("Z003", "P03", "nareis", "2022-03-01", "2022-12-01", "inwilliging", "P02"),
    zaak("Z005", "P05", "8evrm", "2022-05-01", "2022-10-31", "afwijzing", "P02"),
    zaak("Z004", "P04", "nareis", "2022-11-15", "", "", "P02"),
    zaak("Z006", "P06", "nareis", "2022-12-31", "2023-01-20", "intrekking", "P02"),
    # Filed 2023-01-02, after END (but before the later peildatum): counted nowhere.
    zaak("Z007", "P07", "nareis", "2023-01-02", "2023-03-01", "inwilliging", "P02"),
]


def test_decisions_and_applications_after_the_peildatum_are_invisible(tmp_path):
    result = run(tmp_path, PEIL_ROWS, peildatum="2022-10-31")
    # Peildatum 2022-10-31 (section 4):
    #   2020: Z011 granted 2020-06-01.
    #   2021: Z008 granted 2022-02-01 (<= peildatum), counted in 2021.
    #   2022: Z003 filed, but its decision 2022-12-01 is after the peildatum -> lopend;
    #         Z005 rejected ON the peildatum -> visible -> afwijzing (8 EVRM na nareis);
    #         Z004 (2022-11-15) and Z006 (2022-12-31) are filed after the peildatum -> absent.
    #   nareis_totaal: 2020 Z011 (granted); 2021 Z008 (granted); 2022 Z003 (not yet granted).
    expected = {
        **cells("nareis_op_nareis", 2020, aanvragen=1, inwilligingen=1, personen=1),
        **cells("alle", 2020, aanvragen=1, inwilligingen=1, personen=1),
        **cells("nareis_op_nareis", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **cells("alle", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **cells("nareis_op_nareis", 2022, aanvragen=1, lopend=1, personen=1),
        **cells("8evrm_na_nareis", 2022, aanvragen=1, afwijzingen=1, personen=1),
        **cells("alle", 2022, aanvragen=2, afwijzingen=1, lopend=1, personen=1),
        **totaal(2020, 1, 1),
        **totaal(2021, 1, 1),
        **totaal(2022, 1, 0),
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))
    # Stacked in the window as of 2022-10-31: Z011, Z008, Z003, Z005, all depth 2.
    assert result.diepte == {"2": 4}


def test_later_peildatum_shows_more_decisions_and_applications(tmp_path):
    result = run(tmp_path, PEIL_ROWS, peildatum="2023-06-30")
    # Peildatum 2023-06-30, same window 2020-01-01..2022-12-31:
    #   2020, 2021: as before (Z011, Z008).
    #   2022 nareis op nareis: Z003 granted, Z004 pending, Z006 withdrawn (intrekking ->
    #        overig_beeindigd, and filed on END: inside) -> 3 applications, referent P02.
    #   2022 8 EVRM na nareis: Z005 rejected.
    #   Z010 (before START) and Z007 (after END) stay out.
    #   nareis_totaal 2022: Z003, Z004, Z006 -> 3, of which Z003 granted.
    expected = {
        **cells("nareis_op_nareis", 2020, aanvragen=1, inwilligingen=1, personen=1),
        **cells("alle", 2020, aanvragen=1, inwilligingen=1, personen=1),
        **cells("nareis_op_nareis", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **cells("alle", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **cells("nareis_op_nareis", 2022, aanvragen=3, inwilligingen=1, overig_beeindigd=1, lopend=1, personen=1),
        **cells("8evrm_na_nareis", 2022, aanvragen=1, afwijzingen=1, personen=1),
        **cells("alle", 2022, aanvragen=4, inwilligingen=1, afwijzingen=1, overig_beeindigd=1, lopend=1, personen=1),
        **totaal(2020, 1, 1),
        **totaal(2021, 1, 1),
        **totaal(2022, 3, 1),
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))
    # Stacked in the window: Z011, Z008, Z003, Z005, Z004, Z006 -> six, all depth 2.
    assert result.diepte == {"2": 6}


def test_withdrawn_and_not_processed_count_as_overig_beeindigd(tmp_path):
    rows = [
        refugee(),
        zaak("Z002", "P02", "nareis", "2018-07-01", "2019-01-15", "inwilliging", "P01"),
        # Two stacked nareis on P02 in 2021: one withdrawn, one not processed.
        zaak("Z003", "P03", "nareis", "2021-02-01", "2021-04-01", "intrekking", "P02"),
        zaak("Z004", "P04", "nareis", "2021-03-01", "2021-05-01", "buitenbehandeling", "P02"),
    ]
    result = run(tmp_path, rows)
    expected = {
        # Both end neither granted nor rejected: overig_beeindigd 2 (section 4).
        **cells("nareis_op_nareis", 2021, aanvragen=2, overig_beeindigd=2, personen=1),
        **cells("alle", 2021, aanvragen=2, overig_beeindigd=2, personen=1),
        **totaal(2021, 2, 0),
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))


def test_years_run_from_start_year_to_end_year(tmp_path):
    # Contract: every year from the start year to the end year appears, zeros included,
    # also when the peildatum lies before the end (then the later years are all zero).
    rows = [
        refugee(),
        zaak("Z002", "P02", "nareis", "2018-07-01", "2019-01-15", "inwilliging", "P01"),
        zaak("Z003", "P03", "nareis", "2021-02-01", "2021-04-01", "inwilliging", "P02"),
    ]
    result = run(tmp_path, rows, peildatum="2021-06-30")
    expected = {
        **cells("nareis_op_nareis", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **cells("alle", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **totaal(2021, 1, 1),
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))


# --------------------------------------------------------------------------- own asylum permit


@pytest.mark.parametrize("own_asylum", [False, True], ids=["without_own_asylum", "with_own_asylum"])
def test_own_asylum_permit_is_not_a_condition_for_counting(tmp_path, own_asylum):
    rows = [
        refugee(),
        # B = P02 admitted by nareis (derived permit), F1 = Z002 decided 2019-01-15.
        zaak("Z002", "P02", "nareis", "2018-07-01", "2019-01-15", "inwilliging", "P01"),
        # X1, X2: nareis with referent P02. Without an own asylum permit P02 may not sponsor
        # nareis, but a filed application is counted anyway (section 3); X1 was rejected.
        zaak("Z003", "P03", "nareis", "2021-03-01", "2021-09-01", "afwijzing", "P02"),
        zaak("Z004", "P04", "nareis", "2021-10-01", "2022-03-01", "inwilliging", "P02"),
    ]
    if own_asylum:
        # The usual path: an independent asylum application of P02, granted in 2020. It is an
        # `asiel` application: never a stacked application, not in nareis_totaal; and it does
        # not change F1 (F1 is a family-reunification grant).
        rows.append(zaak("Z005", "P02", "asiel", "2020-01-10", "2020-06-01", "inwilliging"))
    result = run(tmp_path, rows)
    expected = {
        # Both X in 2021 (X2 granted in 2022, counted in its application year 2021).
        **cells("nareis_op_nareis", 2021, aanvragen=2, inwilligingen=1, afwijzingen=1, personen=1),
        **cells("alle", 2021, aanvragen=2, inwilligingen=1, afwijzingen=1, personen=1),
        **totaal(2021, 2, 1),
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))
    assert result.diepte == {"2": 2}


# --------------------------------------------------------------------------- nareis_totaal


def test_nareis_totaal_counts_all_nareis_in_the_window_and_their_grants(tmp_path):
    rows = [
        refugee(),
        # 2020: N1 granted (not stacked: P01 was not admitted by family reunification),
        #       N2 rejected.
        zaak("Z010", "P02", "nareis", "2020-02-01", "2020-08-01", "inwilliging", "P01"),
        zaak("Z011", "P03", "nareis", "2020-03-01", "2020-09-01", "afwijzing", "P01"),
        # Before the window: counted nowhere, although granted in 2020.
        zaak("Z012", "P08", "nareis", "2019-12-31", "2020-03-01", "inwilliging", "P01"),
        # 2021: N3 granted only after the peildatum -> application yes, grant no.
        zaak("Z013", "P04", "nareis", "2021-01-05", "2023-09-01", "inwilliging", "P01"),
        # 2021: N4 stacked (referent P02, F1 = Z010 decided 2020-08-01 <= 2021-06-01), granted.
        zaak("Z014", "P05", "nareis", "2021-06-01", "2021-12-01", "inwilliging", "P02"),
        # 2021: N5 filed 2021-11-01, granted 2022-02-01 -> a grant of a 2021 application.
        zaak("Z017", "P10", "nareis", "2021-11-01", "2022-02-01", "inwilliging", "P01"),
        # 2021: an 8evrm and an asiel: not nareis, not in nareis_totaal (and not stacked).
        zaak("Z015", "P06", "8evrm", "2021-02-01", "2021-05-01", "inwilliging", "P01"),
        zaak("Z016", "P07", "asiel", "2021-03-01", "2021-08-01", "inwilliging"),
        # 2022: N6 pending, filed on END.
        zaak("Z018", "P09", "nareis", "2022-12-31", "", "", "P01"),
    ]
    result = run(tmp_path, rows)
    expected = {
        # nareis_totaal (section 4, reference totals):
        #   2020: Z010, Z011 -> 2 applications, 1 grant (Z010).
        #   2021: Z013, Z014, Z017 -> 3 applications, 2 grants (Z014, Z017; Z013's grant is
        #         after the peildatum).
        #   2022: Z018 -> 1 application, 0 grants.
        **totaal(2020, 2, 1),
        **totaal(2021, 3, 2),
        **totaal(2022, 1, 0),
        # The one stacked application: Z014, nareis op nareis, 2021, granted, referent P02.
        **cells("nareis_op_nareis", 2021, aanvragen=1, inwilligingen=1, personen=1),
        **cells("alle", 2021, aanvragen=1, inwilligingen=1, personen=1),
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))
    assert result.diepte == {"2": 1}


# --------------------------------------------------------------------------- depth, chains, cycles


def test_chain_depths(tmp_path):
    rows = [
        # P01 refugee (own asylum) -> P02 (nareis) -> P03 (nareis) -> P04 (nareis) -> P06.
        refugee(granted="2018-02-01"),
        # Z002: P02 admitted by nareis with referent P01 (no family reunification): depth 1,
        # not stacked.
        zaak("Z002", "P02", "nareis", "2018-03-01", "2018-09-01", "inwilliging", "P01"),
        # Z003: referent P02, F1(P02) = Z002 decided 2018-09-01 <= 2019-01-10: stacked,
        # depth 2 (P01 not admitted by family reunification). Filed in 2019: outside window.
        zaak("Z003", "P03", "nareis", "2019-01-10", "2019-06-01", "inwilliging", "P02"),
        # Z004: referent P03, F1(P03) = Z003 decided 2019-06-01 <= 2021-04-01: stacked,
        # nareis op nareis 2021, granted. Depth 3: F1's referent P02 was admitted by family
        # reunification (Z002), whose referent P01 was not.
        zaak("Z004", "P04", "nareis", "2021-04-01", "2021-10-01", "inwilliging", "P03"),
        # Z005: 8evrm, referent P02, F1(P02) = Z002 -> 8 EVRM na nareis 2021, pending, depth 2.
        zaak("Z005", "P05", "8evrm", "2021-05-01", "", "", "P02"),
        # Z006: referent P04, F1(P04) = Z004 decided 2021-10-01 <= 2022-03-01: nareis op
        # nareis 2022, rejected; depth 4 (P04 <- P03 <- P02 <- P01).
        zaak("Z006", "P06", "nareis", "2022-03-01", "2022-06-01", "afwijzing", "P04"),
    ]
    result = run(tmp_path, rows)
    expected = {
        **cells("nareis_op_nareis", 2021, aanvragen=1, inwilligingen=1, personen=1),  # Z004 (P03)
        **cells("8evrm_na_nareis", 2021, aanvragen=1, lopend=1, personen=1),  # Z005 (P02)
        **cells("alle", 2021, aanvragen=2, inwilligingen=1, lopend=1, personen=2),  # P03, P02
        **cells("nareis_op_nareis", 2022, aanvragen=1, afwijzingen=1, personen=1),  # Z006 (P04)
        **cells("alle", 2022, aanvragen=1, afwijzingen=1, personen=1),
        # nareis in the window: Z004 (granted) in 2021, Z006 (rejected) in 2022.
        **totaal(2021, 1, 1),
        **totaal(2022, 1, 0),
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, YEARS, expected))
    # Each stacked application in the window once, by its depth: Z005 -> 2, Z004 -> 3,
    # Z006 -> 4 ("nareis op nareis op nareis" is depth >= 3).
    assert result.diepte == {"2": 1, "3": 1, "4": 1}


def test_cycle_terminates_and_is_reported(tmp_path):
    # Bad data: P01 and P02 sponsor each other. All on one day, so the cycle is consistent
    # with the date rules whatever way the depth walk treats dates.
    rows = [
        zaak("Z001", "P01", "nareis", "2019-05-01", "2019-05-01", "inwilliging", "P02"),
        zaak("Z002", "P02", "nareis", "2019-05-01", "2019-05-01", "inwilliging", "P01"),
        # X: P03's nareis with referent P02 in 2021, pending. F1(P02) = Z002 (decided
        # 2019-05-01 <= 2021-03-01) -> nareis op nareis, stacked. Its chain goes
        # P02 <- P01 <- P02 <- ...: a cycle, reported as depth `cyclus` (section 3).
        zaak("Z003", "P03", "nareis", "2021-03-01", "", "", "P02"),
    ]
    # Window from 2021, so the cycle's own applications (2019) are outside it.
    result = run(tmp_path, rows, start="2021-01-01")  # run_cli has a timeout: must terminate
    expected = {
        **cells("nareis_op_nareis", 2021, aanvragen=1, lopend=1, personen=1),
        **cells("alle", 2021, aanvragen=1, lopend=1, personen=1),
        **totaal(2021, 1, 0),
    }
    assert_tables_equal(result.tabel, expected_table(FORMS, (2021, 2022), expected))
    assert result.diepte == {"cyclus": 1}
