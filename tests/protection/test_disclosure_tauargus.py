"""Independent check with tau-ARGUS (pytauargus 0.6.0, pinned): its audit of the main table
of protected pages, given the intervals the pages publish (`tauargus_audit`), agrees that
no hidden cell keeps fewer than 5 possible values; and every exact integer range of the
project's audit lies inside tau-ARGUS's range (a linear program over the main table only,
so never narrower)."""

from __future__ import annotations

import pytest

from gestapeld import config
from gestapeld.engine import counts, synth
from gestapeld.protection import disclosure
from gestapeld.protection import disclosure_audit as da
from gestapeld.publication import report
from tauargus_audit import audit, main_table, possible

CASES = [(2, 0.02, "v1"), (5, 0.05, "v2"), (1003, 0.01, "v3")]


@pytest.mark.slow  # seconds per page: protection and two audits
@pytest.mark.parametrize("seed,scale,iteration", CASES)
def test_tauargus_audit_agrees_no_hidden_cell_is_too_narrow(seed, scale, iteration):
    it = config.iteration(iteration)
    res = counts.compute(synth.generate(seed=seed, scale=scale), it)
    page, _ = report.protect_result(res)
    _, exact, struct = report.page_cells(res, disclosure.DEFAULT)
    tau = audit(page, exact, list(it.vormen))
    hidden = [k for k in main_table(page, list(it.vormen)) if page[k] in ("<10", "x")]
    assert hidden and set(hidden) <= tau.keys()
    narrow = [k for k in hidden if tau[k][1] > 0 and possible(*tau[k]) < disclosure.DEFAULT.min_values]
    assert narrow == []
    ours = da.lp_ranges(page, struct, disclosure.DEFAULT, only_unsafe=False, exact=exact)
    outside = [k for k in hidden if not (tau[k][0] - 1e-6 <= ours[k][0] <= ours[k][1] <= tau[k][1] + 1e-6)]
    assert outside == []


def test_tauargus_audit_sees_a_narrow_cell():
    # total 10 (10..14) = 2019 10 (10..14) + 2020 <10: tau-ARGUS narrows 2020 to 0..4 over
    # the reals (1..4 in integers): the check is not blind
    page = {("f", "2019", "aanvragen"): "10", ("f", "2020", "aanvragen"): "<10", ("f", "totaal", "aanvragen"): "10"}
    exact = {("f", "2019", "aanvragen"): 10, ("f", "2020", "aanvragen"): 2, ("f", "totaal", "aanvragen"): 12}
    tau = audit(page, exact, ["f"])
    lo, hi = tau[("f", "2020", "aanvragen")]
    assert possible(lo, hi) < 5 and hi > 0
