"""Disclosure control on extracts of any size, checked from the outside: the attacker of
`disclosure_attacker` (written from the published policy, its own integer program, feasible
values probed) on the pages of a few extracts. The property test over 200 random extracts
is in test_disclosure_property.py.
"""

from __future__ import annotations

import functools

import pytest

from disclosure_attacker import unsafe_cells
from gestapeld import config
from gestapeld.engine import counts, synth
from gestapeld.publication import report

_EXTRACTS: dict = {}


def extract(seed: int, scale: float):
    if (seed, scale) not in _EXTRACTS:
        _EXTRACTS.clear()  # one at a time: memory stays small
        _EXTRACTS[(seed, scale)] = synth.generate(seed=seed, scale=scale)
    return _EXTRACTS[(seed, scale)]


@functools.cache
def page_1001():
    """Seed 1001, scale 0.02, v1: the iteration, its exact result, the page's cells (primary
    suppression), exact values and structure, and the protected page with the first findings
    (computed once for the tests that read it)."""
    it = config.iteration("v1")
    res = counts.compute(extract(1001, 0.02), it)
    cells, exact, struct = report.page_cells(res, report.disclosure.DEFAULT)
    page, first = report.protect_result(res)
    return it, res, cells, exact, struct, page, first


def test_attacker_is_not_blind():
    # the attacker finds what the unprotected page of a small extract gives away
    it = config.iteration("v2")
    res = counts.compute(extract(2, 0.02), it)
    cells, exact, _ = report.page_cells(res, report.disclosure.DEFAULT)
    assert unsafe_cells(cells, list(it.vormen), chains=True, exact=exact)


@pytest.mark.slow  # seconds per page: protection and the attacker's integer programs
@pytest.mark.parametrize(
    "seed,scale,iteration",
    [
        (2, 0.02, "v2"),
        (2, 0.02, "v3"),
        (5, 0.05, "v3"),
        (7, 0.01, "v1"),
        (8, 0.03, "v0"),
        (9, 0.2, "v2"),
    ],
)
def test_attacker_finds_no_narrow_cell_on_the_published_page(seed, scale, iteration):
    it = config.iteration(iteration)
    res = counts.compute(extract(seed, scale), it)
    page, _ = report.protect_result(res)
    # the download carries the same cells as the page's main table, totals included
    long = report.long_table(res, page)
    assert {(c, j, m): a for c, j, m, a in long.itertuples(index=False)}.items() <= page.items()
    assert {j for j in long["jaar"]} >= {"totaal"}
    _, exact, _ = report.page_cells(res, report.disclosure.DEFAULT)
    assert unsafe_cells(page, list(it.vormen), chains=it.methode == "longitudinal", exact=exact) == []


def test_where_one_hidden_cell_is_enough_one_is_hidden():
    """Secondary suppression hides as little as it needs: on this page (synthetic extract,
    seed 1001, scale 0.02, v1) the attacker finds a cell whose hiding alone protects the page,
    so the protection may hide one cell, not more. The candidates are the published cells
    (numbers, `<10`, 0) of the forms the primary suppression leaves disclosed, period totals
    included (a search for one such cell: the attacker, not the protection, judges each).
    Hiding a period total is the one-cell answer here: a protection that never chooses totals
    hides three."""
    it, _, cells, exact, _, page, first = page_1001()
    forms, chains = list(it.vormen), it.methode == "longitudinal"
    assert first, "the primary suppression alone discloses nothing here: not the case this test is about"
    disclosed = {k[0] for k in first}
    # the cells in the findings' own periods first: only the order of the search (and its time)
    periods = {k[1] for k in first}
    candidates = sorted(
        (k for k, v in cells.items() if k[0] in disclosed and v != "x"), key=lambda k: (k[1] not in periods, k)
    )
    one = next((c for c in candidates if not unsafe_cells({**cells, c: "x"}, forms, chains=chains, exact=exact)), None)
    assert one is not None, "no single cell protects this page: not the case this test is about"
    hidden = sorted(k for k, v in page.items() if v == "x" and cells[k] != "x")
    assert len(hidden) == 1, f"hiding {one} alone protects the page; the protection hid {len(hidden)}: {hidden}"


def test_the_ranges_for_the_output_checker_are_the_attackers():
    """The checker's report (`gestapeld book --data`) shows, per hidden cell, the smallest and
    largest value a reader can still infer (`lp_values`, full). The audit takes an end from a
    checked table where one already lies on the cell's own bound, and solves for it otherwise;
    each end must be the one the test's own attacker finds by minimising and maximising that
    cell (seed 1001, scale 0.02, v1: 75 hidden cells, 33 of them at least 1)."""
    import numpy as np

    from disclosure_attacker import Attacker
    from gestapeld.protection import disclosure, disclosure_audit

    it, _, _, exact, struct, page, _ = page_1001()
    got = disclosure_audit.lp_values(page, struct, disclosure.DEFAULT, exact=exact, full=True)
    att = Attacker(page, list(it.vormen), chains=True)
    assert len(got) > 50 and sum(f.lo > 0 for f in got.values()) > 20
    for key, f in sorted(got.items()):
        c = np.zeros(att.n)
        c[att.ix[key]] = 1
        ends = (int(att.solve(c)[att.ix[key]]), int(att.solve(-c)[att.ix[key]]))
        assert (f.lo, f.hi) == ends, key
