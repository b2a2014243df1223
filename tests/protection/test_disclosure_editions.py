"""Editions protected together (issue 24), and the output checker's report.

A reader of two editions knows what both publish, and that a later peildatum never removes
an application, a decision or a referent (same definitions: the count of a cell can only
grow). The audit of an edition is one integer program over both editions; the growth of
such a cell is a count of a group of applications and must not be pinned either."""

from __future__ import annotations

import pytest

from gestapeld import config
from gestapeld.engine import counts, synth
from gestapeld.protection import checker_report, disclosure
from gestapeld.protection import disclosure_audit as da
from gestapeld.publication import report

POLICY = disclosure.DEFAULT


def test_a_growth_between_editions_is_audited_in_the_program():
    # the same cell in two editions: 10 (10..14), then 10 (10..14). It can only grow:
    # the growth is 0..4, five values: just enough for the default policy, a finding when
    # six are required. `<10` in the later edition would contradict growth: no table.
    key = ("f", "2019", "aanvragen")
    struct = da.structure({key: "10"}, ["f"])
    prev = da.Previous({key: "10"}, {key: 12}, struct, growing=(key,))
    got = da.joint_feasible({key: "10"}, struct, POLICY, exact={key: 13}, previous=prev)
    assert got[("groei", key)] == da.Feasible(0, 4, 5)
    strict = disclosure.Policy(min_values=6)
    problems = da.audit(
        [("a", {key: "10"}, {key: 12}, struct), ("b", {key: "10"}, {key: 13}, struct)],
        strict,
        growing_keys=lambda a, b: (key,),
    )
    assert problems == [f"a -> b: cell {key} grows by a small number between the editions"]
    # without the growth relation (other definitions) the two cells are unrelated
    assert da.audit([("a", {key: "10"}, {key: 12}, struct), ("b", {key: "10"}, {key: 13}, struct)], strict) == []
    with pytest.raises(ValueError, match="contradict"):
        da.joint_feasible({key: "<10"}, struct, POLICY, previous=prev)


def test_growing_cells_need_the_same_definitions_and_a_later_peildatum():
    v1, v2, v3 = (config.iteration(i) for i in ("v1", "v2", "v3"))
    keys = {("alle", "2019", "aanvragen"), ("alle", "2019", "lopend"), ("nareis_op_nareis", "totaal", "inwilligingen")}
    assert set(da.growing(v2, v3, keys)) == {
        ("alle", "2019", "aanvragen"),
        ("nareis_op_nareis", "totaal", "inwilligingen"),
    }
    assert da.growing(v3, v2, keys) == ()  # an earlier peildatum
    assert da.growing(config.iteration("v0"), v1, keys) == ()  # another method


@pytest.fixture(scope="module")
def chain():
    """v0..v3 of one small extract, each edition protected with the one before it."""
    df = synth.generate(seed=2, scale=0.02)
    its = list(config.iterations().values())
    pages, previous = [], None
    for it, res in zip(its, counts.compute_many(df, its)):
        cells, _ = report.protect_result(res, previous=previous)
        _, exact, struct = report.page_cells(res, POLICY)
        pages.append((it.id, cells, exact, struct))
        previous = (res, cells)
    return its, pages


@pytest.mark.slow  # four protections and the joint audit of three pairs
def test_editions_protected_together_pass_the_joint_audit(chain):
    its, pages = chain
    by_id = {it.id: it for it in its}
    keys = {pid: set(c) for pid, c, *_ in pages}
    grows = lambda a, b: da.growing(by_id[a], by_id[b], keys[a] & keys[b])  # noqa: E731
    assert da.audit(pages, POLICY, growing_keys=grows) == []
    assert any(grows(a[0], b[0]) for a, b in zip(pages, pages[1:]))
    # an earlier edition's hidden cell stays hidden where its exact count did not change
    for (_, ca, ea, _), (_, cb, eb, _) in zip(pages, pages[1:]):
        for k, text in ca.items():
            if text == POLICY.secondary and k in cb and ea[k] == eb[k]:
                assert cb[k] == POLICY.secondary, k


@pytest.mark.slow
def test_the_output_checker_report_lists_every_hidden_cell_with_its_range(chain):
    _, pages = chain
    text = checker_report.render(pages, POLICY)
    assert text.startswith("# Controle van de statistische beveiliging (niet publiceren)")
    for pid, cells, exact, _ in pages:
        assert f"## Pagina {pid}" in text
        for k, v in cells.items():
            if v == POLICY.secondary or v.startswith("<"):
                row = next(
                    line for line in text.splitlines() if line.startswith(f"| {' / '.join(k)} | {v} | {exact[k]} |")
                )
                lo, hi = row.split("|")[4].split()[0].split("..")
                assert int(lo) <= exact[k] <= int(hi)
    assert "Verschillen met v2:" in text and "informatieverlies door extra afscherming" in text
