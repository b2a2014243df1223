"""Unit cases for the small functions around the counts: the SQL runner (linkage.py), the
result helpers (counts.py) and the reconciliation arithmetic (reconcile.py).

Written so that a mutant of these functions (`make mutate`) changes an asserted value;
expected values are derived by hand in the comments.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import write_csv, write_parquet, zaak
from gestapeld import config
from gestapeld.engine import counts, linkage
from gestapeld.publication import reconcile, report

D = dt.date.fromisoformat

ROWS = [
    zaak("Z001", "P01", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
    zaak("Z002", "P02", "nareis", "2018-07-01", "2019-02-01", "inwilliging", "P01"),
    zaak("Z003", "P03", "nareis", "2021-03-01", "2021-09-01", "inwilliging", "P02"),
    zaak("Z004", "P04", "8evrm", "2021-04-01", "", "", "P02"),
]


def _stacked(con) -> list[tuple]:
    return con.execute("SELECT zaak_id, vorm_ruw FROM gestapeld ORDER BY zaak_id").fetchall()


def _link(con, methode="longitudinal"):
    return linkage.link(con, methode=methode, peildatum=D("2023-06-30"), start=D("2020-01-01"), end=D("2022-12-31"))


# --------------------------------------------------------------------------- linkage


@pytest.mark.parametrize("fmt", ["csv", "parquet", "frame"])
def test_connect_reads_csv_parquet_and_frames_alike(tmp_path, fmt):
    # Z003 (nareis) and Z004 (8evrm) on P02, whose F1 is the nareis Z002 (section 3).
    folder = tmp_path / "it's here"  # a quote in the path must not break the view
    if fmt == "csv":
        source = write_csv(folder / "x.csv", ROWS)
    elif fmt == "parquet":
        source = write_parquet(folder / "x.parquet", ROWS, typed_dates=True)
    else:
        source = pd.DataFrame(ROWS).replace("", None)
    con = linkage.connect(source)
    try:
        assert _stacked(_link(con)) == [("Z003", "nareis_op_nareis"), ("Z004", "8evrm_na_nareis")]
        # depth: P02's F1 referent P01 was not admitted through family reunification
        assert con.execute("SELECT referent_id, niveau, cyclus FROM diepte").fetchall() == [("P02", 1, False)]
    finally:
        con.close()


def test_connect_sets_threads_only_when_asked():
    con = linkage.connect(pd.DataFrame(ROWS), threads=1)
    assert con.execute("SELECT current_setting('threads')").fetchall() == [(1,)]
    con.close()
    con = linkage.connect(pd.DataFrame(ROWS))  # None: DuckDB's default, no error
    assert con.execute("SELECT current_setting('threads')").fetchall()[0][0] >= 1
    con.close()


def test_connections_share_no_tables_and_leave_nothing_behind():
    # Connections come from one database per process; two open at once must each see
    # their own extract and tables, and a closed one must leave nothing for the next.
    one = linkage.connect(pd.DataFrame(ROWS).replace("", None))
    other = linkage.connect(pd.DataFrame(ROWS[:2]).replace("", None))
    try:
        _link(one)
        assert _stacked(one) == [("Z003", "nareis_op_nareis"), ("Z004", "8evrm_na_nareis")]
        assert other.execute("SELECT COUNT(*) FROM extract").fetchall() == [(2,)]
        _link(other)
        assert _stacked(other) == []
        assert _stacked(one) == [("Z003", "nareis_op_nareis"), ("Z004", "8evrm_na_nareis")]
    finally:
        one.close()
        other.close()
    fresh = linkage.connect(pd.DataFrame(ROWS[:1]).replace("", None))
    try:
        names = {r[0] for r in fresh.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert not names & {"zaken", "eerste_stap", "gestapeld", "diepte"}
        assert fresh.execute("SELECT COUNT(*) FROM extract").fetchall() == [(1,)]
    finally:
        fresh.close()


def test_cross_sectional_link_leaves_an_empty_depth_table():
    con = linkage.connect(pd.DataFrame(ROWS).replace("", None))
    try:
        _link(con, methode="cross_sectional")
        # v0: P02's current permit is the nareis Z002 -> both X are stacked, no depth walk.
        assert _stacked(con) == [("Z003", "nareis_op_nareis"), ("Z004", "8evrm_na_nareis")]
        cols = con.execute("SELECT * FROM diepte").description
        assert [c[0] for c in cols] == ["referent_id", "niveau", "cyclus"]
        assert con.execute("SELECT COUNT(*) FROM diepte").fetchall() == [(0,)]
    finally:
        con.close()


def test_statements_drop_comments_and_split_on_semicolons(monkeypatch):
    text = (
        "-- a comment; with a semicolon\nSELECT 1; -- trailing; comment\n\n"
        "SELECT 2\n  ;\n-- only a comment;\nSELECT 3 -- a comment -- with two; marks\n;\n"
    )
    monkeypatch.setattr(linkage, "sql", lambda name: text)
    assert linkage.statements("any") == ["SELECT 1", "SELECT 2", "SELECT 3"]


def test_sql_reads_the_method_files():
    # zaken.sql: the table, the form macro, the months macro and the class macro
    stmts = linkage.statements("zaken")
    assert len(stmts) == 4 and all(s.startswith("CREATE OR REPLACE TEMP") for s in stmts)
    assert linkage.sql("zaken") == (config.SQL_DIR / "zaken.sql").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- counts helpers


def _result() -> counts.Result:
    it = config.iteration("v3").replace(start=D("2020-01-01"), end=D("2022-12-31"), peildatum=D("2023-06-30"))
    return counts.compute(pd.DataFrame(ROWS).replace("", None), it, threads=1)


def test_result_value_sums_years_but_never_persons():
    res = _result()
    # 2021: Z003 (nareis op nareis, granted), Z004 (8 EVRM na nareis, pending), referent P02
    assert res.value("alle", "aanvragen") == 2
    assert res.value("alle", "aanvragen", 2021) == 2
    assert res.value("alle", "aanvragen", 2020) == 0
    assert res.value("alle", "inwilligingen") == 1
    assert res.value("alle", "personen", 2021) == 1
    assert res.value("nareis_totaal", "aanvragen") == 1  # Z003; Z002 is from 2018
    with pytest.raises(ValueError, match="^personen cannot be summed over years"):
        res.value("alle", "personen")


def test_result_tables_are_typed_and_ordered():
    res = _result()
    assert res.iteration.vormen == config.FORMS and res.iteration.end == D("2022-12-31")
    assert list(res.tabel.columns) == ["categorie", "jaar", "maat", "aantal"]
    assert res.tabel["aantal"].dtype == "int64"
    # grid: (4 forms + alle) x 3 years x 6 measures + nareis_totaal x 3 years x 2 measures
    assert len(res.tabel) == 5 * 3 * 6 + 3 * 2
    assert list(res.tabel["categorie"].unique()) == [*config.FORMS, "alle", "nareis_totaal"]
    assert list(res.diepte.itertuples(index=False, name=None)) == [("2", 2)]
    # F1 decided 2019-02-01; X filed 2021-03-01 (25 months) and 2021-04-01 (26 months)
    assert list(res.tussentijd.itertuples(index=False, name=None)) == [
        ("8evrm_na_nareis", "24-35 maanden", 1),
        ("nareis_op_nareis", "24-35 maanden", 1),
    ]
    assert list(res.eigen_vergunning.itertuples(index=False, name=None)) == [
        ("8evrm_na_nareis", False, 1),
        ("nareis_op_nareis", False, 1),
    ]


def test_years_run_from_start_year_to_end_year():
    it = config.iteration("v3").replace(start=D("2019-06-01"), end=D("2021-01-31"))
    assert counts.years(it) == [2019, 2020, 2021]


def test_depth_rows_sort_numerically_with_cycles_last():
    d = pd.DataFrame({"diepte": ["cyclus", "10", "3", "2"], "aantal": [1, 2, 3, 4]})
    out = counts.sort_depth(d)
    assert list(out["diepte"]) == ["2", "3", "10", "cyclus"]
    assert list(out["aantal"]) == [4, 3, 2, 1] and out["aantal"].dtype == "int64"
    assert list(out.index) == [0, 1, 2, 3]


def test_forms_sql_accepts_only_known_forms():
    assert counts.forms_sql(("nareis_op_nareis", "8evrm_na_8evrm")) == "'nareis_op_nareis', '8evrm_na_8evrm'"
    with pytest.raises(AssertionError):
        counts.forms_sql(("x'; DROP TABLE zaken; --",))


def test_with_parameters_overrides_only_what_is_given():
    v1 = config.iteration("v1")
    assert counts.with_parameters(v1) is v1
    moved = counts.with_parameters(v1, peildatum=D("2023-09-30"))
    # v1's end is its peildatum (`end: peildatum` in the YAML): it moves along
    assert (moved.peildatum, moved.end, moved.start) == (D("2023-09-30"), D("2023-09-30"), v1.start)
    other = counts.with_parameters(
        v1, start=D("2020-01-01"), end=D("2022-12-31"), vormen=("8evrm_na_8evrm",), methode="cross_sectional"
    )
    assert (other.start, other.end, other.vormen, other.methode, other.peildatum) == (
        D("2020-01-01"),
        D("2022-12-31"),
        ("8evrm_na_8evrm",),
        "cross_sectional",
        v1.peildatum,
    )


# --------------------------------------------------------------------------- reconcile


def test_reconciliation_path_moves_one_parameter_group_at_a_time():
    a, b = config.iteration("v1"), config.iteration("v3")
    steps = reconcile.path(a, b)
    assert [name for name, _ in steps] == ["start", "definitie", "peildatum", "periode"]
    assert steps[0][1] is a
    got = [(it.id, it.methode, it.vormen, it.peildatum, it.start, it.end) for _, it in steps[1:]]
    # definitie: forms and method of v3, v1's peildatum and period (end 2023-07-31);
    # peildatum: v3's 2024-01-15, period still v1's; periode: v3's 2019-01-01..2023-12-31.
    assert got == [
        ("v1>definitie", "longitudinal", b.vormen, D("2023-07-31"), D("2019-01-01"), D("2023-07-31")),
        ("v1>definitie+peildatum", "longitudinal", b.vormen, D("2024-01-15"), D("2019-01-01"), D("2023-07-31")),
        ("v1>definitie+peildatum+periode", "longitudinal", b.vormen, D("2024-01-15"), D("2019-01-01"), D("2023-12-31")),
    ]
    v0 = config.iteration("v0")
    assert reconcile.path(v0, b)[1][1].methode == "longitudinal"


def _effects(dec: pd.DataFrame) -> list:
    return [None if v is None or v != v else v for v in dec["effect"]]


def _fake_totals(monkeypatch, totals: dict[tuple[str, str], int | str]):
    def total(it, categorie, maat):
        assert categorie == "alle"
        return totals[(it.id, maat)]

    monkeypatch.setattr(report, "total", total)


def test_decomposition_effects_are_differences_of_published_totals(monkeypatch):
    a, b = config.iteration("v1"), config.iteration("v3")
    _fake_totals(
        monkeypatch,
        {
            ("v1", "aanvragen"): 100,
            ("v1>definitie", "aanvragen"): 130,
            ("v1>definitie+peildatum", "aanvragen"): 150,
            ("v1>definitie+peildatum+periode", "aanvragen"): 200,
            ("v3", "aanvragen"): 200,
            ("v1", "inwilligingen"): 40,
            ("v1>definitie", "inwilligingen"): "<10",
            ("v1>definitie+peildatum", "inwilligingen"): 60,
            ("v1>definitie+peildatum+periode", "inwilligingen"): 90,
            ("v3", "inwilligingen"): 80,
        },
    )
    dec = reconcile.decomposition(a, b)
    # effects: 130 - 100, 150 - 130, 200 - 150
    assert list(dec["totaal"]) == [100, 130, 150, 200]
    assert _effects(dec) == [None, 30, 20, 50]
    assert list(dec["stap"]) == ["start", "definitie", "peildatum", "periode"]
    assert list(dec["vormen"])[:2] == ["nareis_op_nareis", "+".join(config.FORMS)]
    assert list(dec["methode"]) == ["longitudinal"] * 4
    assert list(dec["peildatum"]) == ["2023-07-31", "2023-07-31", "2024-01-15", "2024-01-15"]
    assert dec["periode"].iloc[0] == "2019-01-01 t/m 2023-07-31"
    assert dec["periode"].iloc[-1] == "2019-01-01 t/m 2023-12-31"
    assert reconcile.check_lands_on_b(dec, b)
    steps = reconcile.waterfall_steps(dec, "v1", "v3")
    assert steps.to_dict("records") == [
        {"stap": "v1", "waarde": 100, "soort": "totaal"},
        {"stap": "definitie", "waarde": 30, "soort": "effect"},
        {"stap": "peildatum", "waarde": 20, "soort": "effect"},
        {"stap": "periode", "waarde": 50, "soort": "effect"},
        {"stap": "v3", "waarde": 200, "soort": "totaal"},
    ]
    # A suppressed total ('<10') gives no effect into or out of it; the others still do.
    inw = reconcile.decomposition(a, b, maat="inwilligingen")
    assert list(inw["totaal"]) == [40, "<10", 60, 90]
    assert _effects(inw) == [None, None, None, 30]
    fall = reconcile.waterfall_steps(inw, "v1", "v3").to_dict("records")
    assert (fall[0]["waarde"], fall[3]["waarde"], fall[4]["waarde"]) == (40, 30, 90)
    # v3's own published total (80) differs from the last step (90): flagged.
    assert not reconcile.check_lands_on_b(inw, b, maat="inwilligingen")


def test_a_parameter_that_changes_nothing_has_effect_zero(monkeypatch):
    a, b = config.iteration("v1"), config.iteration("v3")
    # the peildatum step leaves the total at 130: its effect is 0, drawn as 0
    _fake_totals(
        monkeypatch,
        {
            ("v1", "aanvragen"): 100,
            ("v1>definitie", "aanvragen"): 130,
            ("v1>definitie+peildatum", "aanvragen"): 130,
            ("v1>definitie+peildatum+periode", "aanvragen"): 170,
        },
    )
    dec = reconcile.decomposition(a, b)
    assert _effects(dec) == [None, 30, 0, 40]
    assert [r["waarde"] for r in reconcile.waterfall_steps(dec, "v1", "v3").to_dict("records")] == [100, 30, 0, 40, 170]


@pytest.mark.parametrize("pair", [("v0", "v3"), ("v1", "v2"), ("v2", "v3")])
def test_compute_many_equals_compute_for_every_combination_of_a_reconciliation(pair):
    # The 8 parameter sets of a reconciliation share linkages (same method and peildatum)
    # over the union of their periods; every set must still count exactly its own period,
    # forms, method and peildatum. v0 -> v3 mixes the cross-sectional and the time-series
    # method; a small synthetic extract has stacked cases in every year.
    from gestapeld.engine import synth

    df = synth.generate(seed=5, scale=0.05)
    a, b = (config.iteration(i) for i in pair)
    sets = list(reconcile.combinations(a, b).values())
    assert len({(it.methode, it.peildatum) for it in sets}) < len(sets)  # something is shared
    together = counts.compute_many(df, sets)
    for it, res in zip(sets, together, strict=True):
        alone = counts.compute(df, it)
        assert res.iteration == it
        for part in ("tabel", "diepte", "tussentijd", "eigen_vergunning"):
            pd.testing.assert_frame_equal(getattr(res, part), getattr(alone, part), obj=f"{it.id} {part}")
    totals = {res.value("alle", "aanvragen") for res in together}
    assert len(totals) > 1  # the sets really differ (no test passes by counting one set 8 times)
