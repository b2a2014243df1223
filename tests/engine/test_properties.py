"""Property tests on small random valid extracts (a few persons, random chains).

Invariants (house style principle 6, domain.md sections 3-4):
- the order of the rows does not change the tables;
- the broad definition (four forms) never counts fewer than the narrow one (nareis op
  nareis only), and `alle` is at least each form;
- a later peildatum never removes an application;
- in every cell aanvragen = inwilligingen + afwijzingen + overig_beeindigd + lopend, and
  personen <= aanvragen;
- the tables agree with a small reference model written here from domain.md section 3-4.

For speed the command is called in-process (`gestapeld.cli.main(argv)`, same arguments and
output files as the console script); without it the console script is run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import tempfile
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    FORM_OF,
    FORMS,
    MEASURES,
    OUTCOME_MEASURES,
    Table,
    assert_tables_equal,
    check_invariants,
    read_depth,
    read_table,
    run_cli,
    tables_args,
    write_csv,
    years_between,
    zero_table,
)

# A fixed seed (derandomize): every run tries the same examples, so a failure is reproducible
# and a boundary the generators reach is reached every run. `make test` tries 30 examples of
# each property; the inner loop (`make test-fast`) 10 (GESTAPELD_PROPERTY_EXAMPLES=10), with
# the same fixed seed (hypothesis plans its examples by their number, so these are not simply
# the first 10 of the 30). The boundary cases below: 120 in `make test`, 60 in the inner loop
# (GESTAPELD_BOUNDARY_EXAMPLES=60); either way the test fails unless every kind of boundary
# is reached.
PROPERTY_EXAMPLES = int(os.environ.get("GESTAPELD_PROPERTY_EXAMPLES", "30"))
PROPERTY_SETTINGS = settings(
    max_examples=PROPERTY_EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

START, END = "2019-01-01", "2023-12-31"
DAY0 = dt.date(2018, 1, 1)
LAST_FILED = dt.date(2024, 6, 30)
PEOPLE = [f"P{i:02d}" for i in range(7)]
ENDINGS = ["inwilliging", "afwijzing", "intrekking", "buitenbehandeling", ""]


# --------------------------------------------------------------------------- running

_counter = itertools.count()


def _in_process_main():
    try:
        from gestapeld.cli import main
    except ImportError:
        return None
    return main


def tables(rows, **options) -> tuple[Table, dict[str, int]]:
    """`gestapeld tables --intern` on `rows`; returns (tabel_intern, diepte_intern)."""
    with tempfile.TemporaryDirectory(prefix="gestapeld-prop-") as tmp:
        n = next(_counter)
        data = write_csv(Path(tmp) / f"extract_{n}.csv", rows)
        out = Path(tmp) / f"out_{n}"
        args = tables_args(data, out, **options)
        main = _in_process_main()
        if main is not None:
            try:
                rc = main(args)
            except SystemExit as exc:  # argparse errors
                rc = exc.code
        else:
            proc = run_cli(*args)
            rc = proc.returncode
        assert rc in (0, None), f"gestapeld {' '.join(args)} exited {rc}"
        return read_table(out / "tabel_intern.csv"), read_depth(out / "diepte_intern.csv")


# --------------------------------------------------------------------------- random extracts


def _iso(day: int) -> str:
    return (DAY0 + dt.timedelta(days=day)).isoformat()


@st.composite
def extracts(draw) -> list[dict[str, str]]:
    """A valid extract: own asylum cases, one random chain of sponsorships, random noise.

    Valid means: unique zaak_id, known codes, decision date >= application date, decision
    and date together, a referent for every nareis/8evrm, nobody their own referent.
    Dates stay before 2026 (no dates in the future of the test machine's clock).
    """
    rows: list[dict[str, str]] = []

    def add(persoon, procedure, filed, ending, delay, referent=""):
        decided = _iso(filed + delay) if ending else ""
        rows.append(
            {
                "zaak_id": f"Z{len(rows) + 1:03d}",
                "persoon_id": persoon,
                "referent_id": referent,
                "procedure": procedure,
                "aanvraagdatum": _iso(filed),
                "besluitdatum": decided,
                "besluit": ending,
            }
        )

    span = (LAST_FILED - DAY0).days
    person = st.sampled_from(PEOPLE)
    ending = st.sampled_from(ENDINGS)
    # Own asylum applications (these make 8evrm first steps "bij asiel").
    for _ in range(draw(st.integers(0, 4))):
        add(
            draw(person),
            "asiel",
            draw(st.integers(0, span)),
            draw(st.sampled_from(["inwilliging", "inwilliging", "afwijzing", ""])),
            draw(st.integers(0, 400)),
        )
    # A chain p0 -> p1 -> p2 ...: each member filed after the previous one was (mostly) admitted.
    chain = draw(st.lists(person, min_size=3, max_size=5, unique=True))
    t = draw(st.integers(0, 900))
    if draw(st.sampled_from([True, True, True, False])):
        # The head of the chain is a refugee: granted asylum before the first link is filed.
        add(chain[0], "asiel", 0, "inwilliging", t)
    for sponsor, member in zip(chain, chain[1:]):
        filed = t + draw(st.integers(0, 150))
        delay = draw(st.integers(0, 250))
        add(
            member,
            draw(st.sampled_from(["nareis", "8evrm"])),
            filed,
            draw(st.sampled_from(["inwilliging"] * 8 + ENDINGS)),
            delay,
            sponsor,
        )
        t = filed + delay
    # Noise: random family applications between random persons (cycles possible).
    for _ in range(draw(st.integers(0, 8))):
        member, sponsor = draw(st.lists(person, min_size=2, max_size=2, unique=True))
        add(
            member,
            draw(st.sampled_from(["nareis", "8evrm"])),
            draw(st.integers(0, span)),
            draw(ending),
            draw(st.integers(0, 400)),
            sponsor,
        )
    return rows


peildatums = st.integers(
    min_value=(dt.date(2020, 6, 30) - DAY0).days,
    max_value=(dt.date(2025, 6, 30) - DAY0).days,
).map(_iso)


# --------------------------------------------------------------------------- reference model


@dataclasses.dataclass(frozen=True)
class _Zaak:
    zaak_id: str
    persoon: str
    referent: str
    procedure: str
    filed: dt.date
    decided: dt.date | None
    besluit: str


def zaak_id_order(zaak_id: str) -> tuple:
    """ "Ties: smallest zaak_id" (section 3): numbers compare as numbers ("9" < "10"), other
    identifiers as text, after the numbers."""
    return (0, int(zaak_id), zaak_id) if zaak_id.isdigit() else (1, 0, zaak_id)


def months_elapsed(van: dt.date, tot: dt.date) -> int:
    """Whole months from `van` to `tot`, counted like an age (domain.md section 4): the
    month is complete on the same day of the month (or the 1st after, when it is missing)."""
    return (tot.year - van.year) * 12 + tot.month - van.month - (1 if tot.day < van.day else 0)


def gap_class(months: int) -> str:
    for upper, label in ((12, "0-11"), (24, "12-23"), (36, "24-35"), (60, "36-59")):
        if months < upper:
            return f"{label} maanden"
    return "60 maanden of meer"


def reference_table(rows, *, forms, start, end, peildatum) -> Table:
    return reference(rows, forms=forms, start=start, end=end, peildatum=peildatum)[0]


def reference(rows, *, forms, start, end, peildatum) -> tuple[Table, dict, dict]:
    """domain.md sections 3-4, written out directly (no depth): the measures, the time
    between the steps {(form, klasse): n} and the own asylum permit {(form, bool): n}."""
    peil = dt.date.fromisoformat(peildatum)
    lo, hi = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    zaken = [
        _Zaak(
            r["zaak_id"],
            r["persoon_id"],
            r["referent_id"],
            r["procedure"],
            dt.date.fromisoformat(r["aanvraagdatum"]),
            dt.date.fromisoformat(r["besluitdatum"]) if r["besluitdatum"] else None,
            r["besluit"],
        )
        for r in rows
    ]
    # An application exists only if filed on or before the peildatum; a decision only if
    # decided on or before it (section 4).
    zaken = [z for z in zaken if z.filed <= peil]

    def besluit(z: _Zaak) -> str:
        return z.besluit if z.decided is not None and z.decided <= peil else ""

    # Asylum permits: granted asiel or nareis, with their decision dates.
    permits = defaultdict(list)
    own_asylum = defaultdict(list)
    for z in zaken:
        if z.procedure in ("asiel", "nareis") and besluit(z) == "inwilliging":
            permits[z.persoon].append(z.decided)
        if z.procedure == "asiel" and besluit(z) == "inwilliging":
            own_asylum[z.persoon].append(z.decided)
    # Candidates for F1: granted family reunification "bij asiel" (section 3).
    candidates = defaultdict(list)
    for z in zaken:
        if z.procedure in ("nareis", "8evrm") and besluit(z) == "inwilliging":
            if z.procedure == "nareis" or any(d <= z.filed for d in permits[z.referent]):
                candidates[z.persoon].append(z)
    first_step = {b: min(c, key=lambda z: (z.decided, *zaak_id_order(z.zaak_id))) for b, c in candidates.items()}

    table = zero_table(forms, years_between(start, end))
    gaps: dict = defaultdict(int)
    own: dict = defaultdict(int)
    referents = defaultdict(set)
    measure = {
        "inwilliging": "inwilligingen",
        "afwijzing": "afwijzingen",
        "intrekking": "overig_beeindigd",
        "buitenbehandeling": "overig_beeindigd",
        "": "lopend",
    }
    for x in zaken:
        if x.procedure not in ("nareis", "8evrm") or not lo <= x.filed <= hi:
            continue
        year = x.filed.year
        if x.procedure == "nareis":
            table[("nareis_totaal", year, "aanvragen")] += 1
            if besluit(x) == "inwilliging":
                table[("nareis_totaal", year, "inwilligingen")] += 1
        f1 = first_step.get(x.referent)
        if f1 is None or f1.decided > x.filed:
            continue
        form = FORM_OF[(x.procedure, f1.procedure)]
        if form not in forms:
            continue
        for cat in (form, "alle"):
            table[(cat, year, "aanvragen")] += 1
            table[(cat, year, measure[besluit(x)])] += 1
            referents[(cat, year)].add(x.referent)
        gaps[(form, gap_class(months_elapsed(f1.decided, x.filed)))] += 1
        # own asylum permit granted between F1's decision and X's application, both included
        own[(form, any(f1.decided <= d <= x.filed for d in own_asylum[x.referent]))] += 1
    for (cat, year), who in referents.items():
        table[(cat, year, "personen")] = len(who)
    return table, dict(gaps), dict(own)


# --------------------------------------------------------------------------- properties


@PROPERTY_SETTINGS
@given(rows=extracts(), peildatum=peildatums)
def test_every_cell_adds_up(rows, peildatum):
    tabel, diepte = tables(rows, start=START, end=END, peildatum=peildatum, forms=FORMS)
    check_invariants(tabel, FORMS)
    # Each stacked application in the window has exactly one depth (2, 3, ... or cyclus).
    assert sum(diepte.values()) == sum(v for (c, _, m), v in tabel.items() if c == "alle" and m == "aanvragen")
    assert all(k == "cyclus" or (k.isdigit() and int(k) >= 2) for k in diepte), diepte


@PROPERTY_SETTINGS
@given(rows=extracts(), peildatum=peildatums)
def test_agrees_with_reference_model(rows, peildatum):
    tabel, _ = tables(rows, start=START, end=END, peildatum=peildatum, forms=FORMS)
    expected = reference_table(rows, forms=FORMS, start=START, end=END, peildatum=peildatum)
    # Compare on the reference grid (every year START..END; a year the command leaves out
    # must then be all zero in the reference) - the grid itself is tested in
    # test_linkage_cases.test_years_run_from_start_year_to_end_year.
    assert set(tabel) <= set(expected), sorted(set(tabel) - set(expected))[:10]
    assert_tables_equal({k: tabel.get(k, 0) for k in expected}, expected)


@PROPERTY_SETTINGS
@given(rows=extracts(), peildatum=peildatums, data=st.data())
def test_row_order_does_not_change_tables(rows, peildatum, data):
    shuffled = data.draw(st.permutations(rows))
    opts = dict(start=START, end=END, peildatum=peildatum, forms=FORMS)
    a = tables(rows, **opts)
    b = tables(shuffled, **opts)
    assert_tables_equal(b[0], a[0])
    assert b[1] == a[1]


@PROPERTY_SETTINGS
@given(rows=extracts(), peildatum=peildatums)
def test_broad_definition_never_counts_fewer_than_narrow(rows, peildatum):
    opts = dict(start=START, end=END, peildatum=peildatum)
    narrow, _ = tables(rows, forms=["nareis_op_nareis"], **opts)
    broad, _ = tables(rows, forms=FORMS, **opts)
    for (cat, year, maat), v in narrow.items():
        if cat == "alle":
            # alle over four forms >= alle over one form (personen too: a superset of referents)
            assert broad[(cat, year, maat)] >= v, (cat, year, maat)
        if cat == "nareis_op_nareis" and maat == "aanvragen":
            assert broad[(cat, year, maat)] >= v, (cat, year, maat)
        if cat in ("nareis_op_nareis", "nareis_totaal"):
            # Stronger, from section 3: F1 and the form do not depend on which forms are
            # tabulated, so the nareis-op-nareis cells (and the reference totals) are equal.
            assert broad[(cat, year, maat)] == v, (cat, year, maat)
    for year in {k[1] for k in broad}:
        for form in FORMS:
            for maat in MEASURES:
                assert broad[("alle", year, maat)] >= broad[(form, year, maat)], (form, year, maat)


@PROPERTY_SETTINGS
@given(rows=extracts(), p1=peildatums, p2=peildatums)
def test_later_peildatum_never_removes_an_application(rows, p1, p2):
    early, late = sorted([p1, p2])
    opts = dict(start=START, end=END, forms=FORMS)
    a, _ = tables(rows, peildatum=early, **opts)
    b, _ = tables(rows, peildatum=late, **opts)
    for (cat, year, maat), v in a.items():
        if maat == "aanvragen":
            assert b[(cat, year, maat)] >= v, (cat, year, early, late)
        if maat in ("inwilligingen", "afwijzingen", "overig_beeindigd"):
            # a visible decision stays visible
            assert b[(cat, year, maat)] >= v, (cat, year, maat, early, late)
    # And, per form and year, the decided applications of the early table are still decided.
    for cat, year, maat in a:
        if maat == "aanvragen" and cat != "nareis_totaal":
            decided = sum(a[(cat, year, m)] for m in OUTCOME_MEASURES if m != "lopend")
            assert sum(b[(cat, year, m)] for m in OUTCOME_MEASURES if m != "lopend") >= decided


# --------------------------------------------------------------------------- boundaries on purpose


def add_months(day: dt.date, n: int) -> dt.date:
    """The same day of the month n months later (clamped to the month's last day)."""
    y, m = divmod(day.month - 1 + n, 12)
    y, m = day.year + y, m + 1
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m, min(day.day, last))


BOUNDARY_START, BOUNDARY_END = "2019-01-01", "2025-12-31"
# Every kind of boundary the generator below must reach within BOUNDARY_SETTINGS' examples;
# the test fails when one is missing, so "rarely hit" cannot happen silently.
BOUNDARY_HITS = {
    "x_on_peildatum",
    "x_day_after_peildatum",
    "decision_on_peildatum",
    "x_on_f1_decision",
    "x_day_before_f1",
    "x_day_after_f1",
    "same_day_decision",
    "numeric_ids",
    "text_ids",
    "one_form",
    "tie_on_decision_date",
    "permit_on_f1_day",
    "permit_day_before_f1",
    "permit_on_x_day",
    "permit_day_after_x",
    "gap_on_class_boundary",
    "gap_day_before_boundary",
    "8evrm_sponsor_permit_same_day",
    "8evrm_sponsor_permit_day_after",
}
BOUNDARY_SETTINGS = settings(
    max_examples=int(os.environ.get("GESTAPELD_BOUNDARY_EXAMPLES", "120")),
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclasses.dataclass
class BoundaryCase:
    rows: list
    peildatum: str
    forms: list
    hits: set


@st.composite
def boundary_cases(draw) -> BoundaryCase:
    """A refugee P01, a referent B = P02 with one or two first-step candidates, and one to
    four applications X on B, placed ON the boundaries of domain.md sections 3-4: X filed on
    F1's decision date or a day either side, on or a day before a whole number of months
    (12, 24, 36, 60) after it; decisions on the day of application; B's own asylum permit on
    F1's decision day, on X's application day or a day either side; the peildatum on an
    application or decision date; numeric or text case numbers; one-form iterations."""
    hits: set[str] = set()
    rows: list[dict] = []
    numeric = draw(st.booleans())
    hits.add("numeric_ids" if numeric else "text_ids")
    numbers = iter(draw(st.permutations(list(range(1, 13)) + [99, 100, 101, 999, 1000])))

    def add(persoon, procedure, filed, decided=None, besluit="", referent=""):
        n = next(numbers)
        rows.append(
            {
                "zaak_id": str(n) if numeric else f"Z{n}",
                "persoon_id": persoon,
                "referent_id": referent,
                "procedure": procedure,
                "aanvraagdatum": filed.isoformat(),
                "besluitdatum": decided.isoformat() if decided else "",
                "besluit": besluit if decided else "",
            }
        )

    permit = dt.date(2019, 1, 1) + dt.timedelta(days=draw(st.integers(0, 500)))
    add("P01", "asiel", permit - dt.timedelta(days=100), permit, "inwilliging")
    # B's first candidate: an 8evrm filed around the sponsor's permit date (bij asiel only
    # when the permit is decided on or before the filing date), or a nareis.
    procedure = draw(st.sampled_from(["nareis", "8evrm"]))
    shift = draw(st.sampled_from([-1, 0, 1, 30]))
    filed = permit + dt.timedelta(days=shift)
    if procedure == "8evrm" and shift in (0, -1):
        hits.add("8evrm_sponsor_permit_same_day" if shift == 0 else "8evrm_sponsor_permit_day_after")
    delay = draw(st.sampled_from([0, 1, 90]))
    if delay == 0:
        hits.add("same_day_decision")
    anchor = filed + dt.timedelta(days=delay)
    add("P02", procedure, filed, anchor, "inwilliging", "P01")
    if draw(st.booleans()):
        # A second candidate of the other procedure, decided the same day (a tie) or a day apart.
        other = "8evrm" if procedure == "nareis" else "nareis"
        apart = draw(st.sampled_from([0, 0, -1, 1]))
        if apart == 0:
            hits.add("tie_on_decision_date")
        # (filed a day earlier, so that a decision a day before the anchor is still valid)
        add("P02", other, filed - dt.timedelta(days=1), anchor + dt.timedelta(days=apart), "inwilliging", "P01")
    # The applications X on B.
    xs = []
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["days", "months"]))
        if kind == "days":
            d = draw(st.sampled_from([-1, 0, 1]))
            x_filed = anchor + dt.timedelta(days=d)
            hits.add({-1: "x_day_before_f1", 0: "x_on_f1_decision", 1: "x_day_after_f1"}[d])
        else:
            on = add_months(anchor, draw(st.sampled_from([12, 24, 36, 60])))
            before = draw(st.booleans())
            x_filed = on - dt.timedelta(days=1) if before else on
            if on.day == anchor.day:  # a clamped month end is not exactly on the boundary
                hits.add("gap_day_before_boundary" if before else "gap_on_class_boundary")
        ending = draw(st.sampled_from([("", None), ("inwilliging", 0), ("afwijzing", 30), ("intrekking", 200)]))
        x_decided = None if ending[1] is None else x_filed + dt.timedelta(days=ending[1])
        add(f"K{i}", draw(st.sampled_from(["nareis", "8evrm"])), x_filed, x_decided, ending[0], "P02")
        xs.append((x_filed, x_decided))
    # B's own asylum permit, on a boundary of the window F1 decision .. X application.
    where = draw(st.sampled_from(["none", "f1-1", "f1", "x", "x+1"]))
    if where != "none":
        x0 = xs[0][0]
        granted = {"f1-1": anchor - dt.timedelta(days=1), "f1": anchor, "x": x0, "x+1": x0 + dt.timedelta(days=1)}[
            where
        ]
        if x0 >= anchor:
            hits.add(
                {
                    "f1-1": "permit_day_before_f1",
                    "f1": "permit_on_f1_day",
                    "x": "permit_on_x_day",
                    "x+1": "permit_day_after_x",
                }[where]
            )
        add("P02", "asiel", min(granted, anchor) - dt.timedelta(days=60), granted, "inwilliging")
    # The peildatum: on an application, the day before one, on a decision, or late.
    choice = draw(st.sampled_from(["x", "x-1", "decision", "late"]))
    x_filed, x_decided = draw(st.sampled_from(xs))
    if choice == "x" or (choice == "decision" and x_decided is None):
        peil = x_filed
        hits.add("x_on_peildatum")
    elif choice == "x-1":
        peil = x_filed - dt.timedelta(days=1)
        hits.add("x_day_after_peildatum")
    elif choice == "decision":
        peil = x_decided
        hits.add("decision_on_peildatum")
    else:
        peil = dt.date(2026, 6, 30)
    peil = min(peil, dt.date(2026, 6, 30))
    forms = draw(st.lists(st.sampled_from(FORMS), min_size=1, max_size=4, unique=True))
    if len(forms) == 1:
        hits.add("one_form")
    return BoundaryCase(rows, peil.isoformat(), forms, hits)


def test_boundary_cases_agree_with_reference_model():
    from test_numbers import as_dict, as_table, compute

    seen: set[str] = set()

    @BOUNDARY_SETTINGS
    @given(case=boundary_cases())
    def check(case):
        seen.update(case.hits)
        res = compute(case.rows, forms=case.forms, start=BOUNDARY_START, end=BOUNDARY_END, peildatum=case.peildatum)
        table, gaps, own = reference(
            case.rows, forms=case.forms, start=BOUNDARY_START, end=BOUNDARY_END, peildatum=case.peildatum
        )
        assert_tables_equal(as_table(res), table)
        assert {(c, k): v for (c, k), v in as_dict(res.tussentijd, "categorie", "klasse").items()} == gaps
        assert {
            (c, bool(b)): v for (c, b), v in as_dict(res.eigen_vergunning, "categorie", "eigen_asielvergunning").items()
        } == own

    check()
    missing = BOUNDARY_HITS - seen
    assert not missing, f"the generator did not reach these boundaries: {sorted(missing)}"
