"""The attacker's audit (integer programming) and secondary suppression that cannot fail.

Hand-made tables, the right answer derived in the comments from the published policy
(book/beveiliging.md): a rounded v stands for v-5 .. v+4 (and at least 10), `<10` on a
count of applications for 1..9, `x` for any count (0 or more), `0` for 0.
"""

from __future__ import annotations

import pytest

from gestapeld.protection import disclosure
from gestapeld.protection import disclosure_audit as da

POLICY = disclosure.DEFAULT
OUT = ("inwilligingen", "afwijzingen", "overig_beeindigd", "lopend")


def group(cat: str, jaar: str, **texts: str) -> dict:
    return {(cat, jaar, m): t for m, t in texts.items()}


def test_a_cell_pinned_through_a_total_whose_other_part_is_shown():
    # period total 10 (10..14) = 2019 10 (10..14) + 2020 <10 (1..9): 2020 is 1..4, four
    # values. The interval audit reads `<10` as 0..9 and gets 0..4 (five values): no finding.
    cells = {("f", "2019", "aanvragen"): "10", ("f", "2020", "aanvragen"): "<10", ("f", "totaal", "aanvragen"): "10"}
    struct = da.structure(cells, ["f"])
    assert da.lp_ranges(cells, struct, POLICY, only_unsafe=False)[("f", "2020", "aanvragen")] == (1, 4)
    assert da.lp_findings(cells, struct, POLICY) == [("f", "2020", "aanvragen")]
    assert da.findings(cells, ["f"], threshold=10, base=10) == []
    # Hiding the cheaper part (x: any count) leaves 2020 at 10..14 - x: 1..9 again.
    exact = {("f", "2019", "aanvragen"): 10, ("f", "2020", "aanvragen"): 2, ("f", "totaal", "aanvragen"): 12}
    protected, first = da.protect(cells, exact, struct, POLICY)
    assert first == [("f", "2020", "aanvragen")]
    assert protected == {
        ("f", "2019", "aanvragen"): "x",
        ("f", "2020", "aanvragen"): "<10",
        ("f", "totaal", "aanvragen"): "10",
    }
    assert da.lp_findings(protected, struct, POLICY) == []


def test_small_cells_pinned_by_each_other_get_a_total_or_a_small_cell_hidden():
    # A total <10 (1..9) over six years of <10 (each 1..9): each year is at most 9 - 5 = 4,
    # so 1..4, and the total at least 6: 6..9. No number is published, so hiding
    # numbers (all the old greedy could do) cannot help.
    years = [str(y) for y in range(2015, 2021)]
    cells = {("f", y, "aanvragen"): "<10" for y in years} | {("f", "totaal", "aanvragen"): "<10"}
    exact = {("f", y, "aanvragen"): 1 for y in years} | {("f", "totaal", "aanvragen"): 6}
    struct = da.structure(cells, ["f"])
    assert da.lp_findings(cells, struct, POLICY) == sorted(cells)
    protected, _ = da.protect(cells, exact, struct, POLICY)
    assert da.lp_findings(protected, struct, POLICY) == []
    assert "x" in protected.values()


def test_single_form_identity_alle_equals_the_form():
    # One form: alle = f for every measure. alle's year: 10 = 10 + 0 + 0 + <10, so alle's
    # lopend is 1..4; f's outcomes are hidden (x) except lopend <10, which equals alle's.
    cells = {
        **group(
            "alle", "2019", aanvragen="10", inwilligingen="10", afwijzingen="0", overig_beeindigd="0", lopend="<10"
        ),
        **group("f", "2019", aanvragen="x", inwilligingen="x", afwijzingen="0", overig_beeindigd="0", lopend="<10"),
    }
    struct = da.structure(cells, ["f"])
    assert (("alle", "2019", "lopend"), (("f", "2019", "lopend"),)) in struct.equalities
    found = da.lp_findings(cells, struct, POLICY)
    assert ("f", "2019", "lopend") in found and ("alle", "2019", "lopend") in found
    # every measure but personen (distinct referents) has the identity
    ident = {t for t, parts in struct.equalities if t[0] == "alle" and parts == ((("f",) + t[1:]),)}
    assert ident == {("alle", "2019", m) for m in ("aanvragen", *OUT)}


def test_small_count_symbol_means_one_to_nine():
    # aanvragen <10 is 1..9 (never 0); its measures (a small group) may be 0..9, but never
    # more than aanvragen, and personen is at least 1 when there are applications.
    cells = group(
        "f",
        "2020",
        aanvragen="<10",
        inwilligingen="<10",
        afwijzingen="<10",
        overig_beeindigd="<10",
        lopend="<10",
        personen="<10",
    )
    r = da.lp_ranges(cells, da.structure(cells, ["f"]), POLICY, only_unsafe=False)
    assert r[("f", "2020", "aanvragen")] == (1, 9)
    assert r[("f", "2020", "lopend")] == (0, 9)
    assert r[("f", "2020", "personen")] == (1, 9)
    # a measure of a group whose applications are shown as a number: 1..9
    cells = group("f", "2020", aanvragen="20", inwilligingen="10", afwijzingen="<10", overig_beeindigd="0", lopend="0")
    # 15..24 = 10..14 + afw: afw in 1..14, and <10: 1..9
    assert da.lp_ranges(cells, da.structure(cells, ["f"]), POLICY, only_unsafe=False)[("f", "2020", "afwijzingen")] == (
        1,
        9,
    )


def test_a_hidden_measure_is_at_most_its_applications():
    # aanvragen 10 stands for 10..14; personen (distinct referents) and an outcome shown only
    # as x (any count) can still not exceed the applications: personen 1..14 (at least one
    # referent when there are applications), lopend 0..14. Without `measure <= aanvragen` the
    # audit would believe them unbounded, and a pinned cell could pass as safe.
    cells = group("f", "2020", aanvragen="10", personen="x", lopend="x")
    r = da.lp_ranges(cells, da.structure(cells, ["f"]), POLICY, only_unsafe=False)
    assert r[("f", "2020", "personen")] == (1, 14)
    assert r[("f", "2020", "lopend")] == (0, 14)


def test_personen_bounds_between_forms():
    # a form's personen <= alle's <= the sum of the forms': alle 10 (10..14), f <10, g 10
    # -> nothing pinned (f 1..4 would need alle - g; but alle <= f + g only bounds from above)
    cells = {("alle", "2021", "personen"): "10", ("f", "2021", "personen"): "<10", ("g", "2021", "personen"): "10"}
    struct = da.structure(cells, ["f", "g"])
    assert ((("f", "2021", "personen"),), (("alle", "2021", "personen"),)) in struct.inequalities
    assert da.lp_ranges(cells, struct, POLICY, only_unsafe=False)[("f", "2021", "personen")] == (1, 9)
    # alle 20 (15..24) <= f + g (10..14): f >= 1 .. f 1..9 still: 15 - 14 = 1
    # with g 10 and alle 30 (25..34): f >= 25 - 14 = 11 contradicts <10: no such table
    cells[("alle", "2021", "personen")] = "30"
    with pytest.raises(ValueError, match="contradict"):
        da.lp_ranges(cells, da.structure(cells, ["f", "g"]), POLICY)


def test_a_certain_zero_is_not_a_finding():
    # a small group hides its measures, but aanvragen 1..9 = lopend + 0s: inwilligingen is
    # certainly 0 when the outcomes are published 0 ... here a hidden cell forced to 0 by a 0 total
    cells = {("f", "2019", "lopend"): "<10", ("f", "2020", "lopend"): "<10", ("f", "totaal", "lopend"): "0"}
    # (inconsistent with the policy: <10 on lopend without a group means 1..9) -> no table
    with pytest.raises(ValueError):
        da.lp_ranges(cells, da.structure(cells, ["f"]), POLICY)
    cells = {
        **group(
            "f", "2019", aanvragen="<10", inwilligingen="<10", afwijzingen="<10", overig_beeindigd="<10", lopend="<10"
        ),
        **group(
            "f", "totaal", aanvragen="<10", inwilligingen="<10", afwijzingen="<10", overig_beeindigd="<10", lopend="<10"
        ),
    }
    assert da.lp_findings(cells, da.structure(cells, ["f"]), POLICY) == []


def test_an_unprotectable_table_raises_a_domain_error_naming_it():
    # With every cell hidden a cell is 0..CAP; a policy that asks for more possible values
    # than that cannot be met, and the error names the table (and no count).
    cells = {("f", "2019", "aanvragen"): "10", ("f", "totaal", "aanvragen"): "10"}
    exact = {("f", "2019", "aanvragen"): 13, ("f", "totaal", "aanvragen"): 13}
    greedy = disclosure.Policy(min_values=da.CAP + 2)
    cells[("f", "2019", "aanvragen")] = "x"
    with pytest.raises(disclosure.ProtectionError, match="iteratie vX") as err:
        da.protect(cells, exact, da.structure(cells, ["f"]), greedy, table="iteratie vX")
    assert "13" not in str(err.value)


def test_protection_is_deterministic_and_only_widens():
    cells = {
        ("f", "2019", "aanvragen"): "10",
        ("f", "2020", "aanvragen"): "<10",
        ("f", "2021", "aanvragen"): "30",
        ("f", "totaal", "aanvragen"): "40",
    }
    exact = {
        ("f", "2019", "aanvragen"): 12,
        ("f", "2020", "aanvragen"): 1,
        ("f", "2021", "aanvragen"): 30,
        ("f", "totaal", "aanvragen"): 43,
    }
    struct = da.structure(cells, ["f"])
    a = da.protect(cells, exact, struct, POLICY)
    b = da.protect(dict(reversed(list(cells.items()))), exact, struct, POLICY)
    assert a == b
    # 35..44 - 10..14 - 25..34 -> 2020 in 1..9: already safe, nothing hidden
    assert a[0] == cells and a[1] == []


def test_cli_reports_an_unprotectable_table_as_a_user_error(tmp_path, monkeypatch, capsys):
    from conftest import write_csv, zaak
    from gestapeld import cli
    from gestapeld.publication import report

    protect = report.protect_result

    def refuse(res, policy=POLICY, **kw):  # v3 cannot be protected (the editions before it can)
        if res.iteration.id == "v3":
            raise disclosure.ProtectionError(f"iteratie {res.iteration.id}: cannot be protected")
        return protect(res, policy, **kw)

    monkeypatch.setattr(report, "protect_result", refuse)
    data = write_csv(
        tmp_path / "extract.csv",
        [
            zaak("Z1", "P1", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
            zaak("Z2", "P2", "nareis", "2018-07-01", "2018-12-01", "inwilliging", "P1"),
            zaak("Z3", "P3", "nareis", "2020-03-01", "2020-08-01", "inwilliging", "P2"),
        ],
    )
    code = cli.main(["tables", "--data", str(data), "--out", str(tmp_path / "out"), "--iteration", "v3"])
    err = capsys.readouterr().err
    assert code == 2
    assert "iteratie v3" in err and "internal error" not in err
    assert not (tmp_path / "out" / "tabel.csv").exists()
