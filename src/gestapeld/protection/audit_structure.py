"""What the definitions say about the cells of a page, as the audit's attacker knows them.

The definitions add (`Structure`): aanvragen = inwilligingen + afwijzingen +
overig_beeindigd + lopend; `alle` = the sum of the forms (every measure but personen; with
one form, `alle` equals it); a period total or subtotal = the sum of its years; the depth
classes sum to alle's applications, the time classes and the own-permit classes to each
form's; personen <= aanvragen and at least 1 when there are applications; a form's personen
<= alle's personen <= the sum of the forms'; all nareis applications (and grants) >= those
of the nareis forms. With the previous edition (`Previous`), the cells that can only grow
between them (`growing`: same definitions, later peildatum) are linked. `Feasible` holds
what the audit found possible for one hidden cell.
"""

from __future__ import annotations

import dataclasses

from ..config import MEASURES

Key = tuple[str, str, str]


OUTCOMES = ("inwilligingen", "afwijzingen", "overig_beeindigd", "lopend")


#: The largest value the program lets an unbounded cell (an `x` no relation bounds) take.
#: A cap can only remove possible tables, so the audit counts fewer possible values than a
#: reader could, never more: it errs on the safe side. Big-M coefficients are NOT this
#: cap but each population's own upper bound (`AuditProgram._disjunctions`).
CAP = 10**6


#: Checked points kept between the audits of one secondary suppression.
POOL = 1500


#: Measures that a later peildatum can only raise for the same cell (domain.md section 4:
#: an application, a decision and a referent, once visible, stay visible; `lopend` does not).
GROWING = ("aanvragen", "inwilligingen", "afwijzingen", "overig_beeindigd", "personen")


class AuditError(RuntimeError):
    """The solver returned a table that breaks the policy or the definitions: a bug in the
    audit, never an answer (the message names the check, no count)."""


@dataclasses.dataclass(frozen=True)
class Structure:
    """What the definitions say about the cells of one iteration page.

    equalities: total = sum(parts); inequalities: sum(lhs) <= sum(rhs);
    population: a measure -> the applications of its group (for the meaning of `<10`);
    hidden: variables that are not published (e.g. a subtotal's applications).
    """

    equalities: tuple[tuple[Key, tuple[Key, ...]], ...]
    inequalities: tuple[tuple[tuple[Key, ...], tuple[Key, ...]], ...]
    population: tuple[tuple[Key, Key], ...]
    hidden: tuple[Key, ...]


@dataclasses.dataclass(frozen=True)
class Feasible:
    """What a reader can know of one hidden cell: its smallest and largest possible value
    and how many values are possible (counted exactly below `complete_below`, the
    policy's minimum; at or above it, at least that many)."""

    lo: int
    hi: int
    values: int

    def disclosed(self, min_values: int) -> bool:
        # a certain 0 singles out no one
        return self.hi > 0 and self.values < min_values


@dataclasses.dataclass(frozen=True)
class Previous:
    """The edition published before this one: its published cells, their exact values, its
    structure, and the cells of both editions that can only grow from it to this one."""

    cells: dict
    exact: dict
    struct: Structure
    growing: tuple[Key, ...] = ()


def _span(label: str, years: list[str]) -> list[str] | None:
    """Years summed by a period label: 'totaal' (all years) or 'YYYY-YYYY' (a subtotal)."""
    if label == "totaal":
        return years
    a, sep, b = label.partition("-")
    if sep and a.isdigit() and b.isdigit():
        return [y for y in years if int(a) <= int(y) <= int(b)]
    return None


def structure(keys, forms: list[str], *, extra_equalities: tuple[tuple[Key, tuple[Key, ...]], ...] = ()) -> Structure:
    """The definitional relations among `keys` (categorie, jaar, maat) of one iteration."""
    keys = set(keys)
    years = sorted({k[1] for k in keys if k[1].isdigit()})
    labels = sorted({k[1] for k in keys if not k[1].isdigit()})
    cats = [*forms, "alle"]
    hidden: set[Key] = set()
    # a subtotal's applications: not published, but a reader can sum them from the years
    for c, j, m in list(keys):
        if m in MEASURES and m != "aanvragen" and not j.isdigit() and (c, j, "aanvragen") not in keys:
            if all((c, y, "aanvragen") in keys for y in _span(j, years) or []):
                hidden.add((c, j, "aanvragen"))
    allkeys = keys | hidden
    eq: list = []
    for cat in cats:
        for j in [*years, *labels]:
            parts = tuple((cat, j, m) for m in OUTCOMES)
            if (cat, j, "aanvragen") in allkeys and all(p in allkeys for p in parts):
                eq.append(((cat, j, "aanvragen"), parts))
    for j in [*years, *labels]:
        for m in MEASURES:
            parts = tuple((f, j, m) for f in forms)
            if m != "personen" and ("alle", j, m) in allkeys and all(p in allkeys for p in parts):
                eq.append((("alle", j, m), parts))  # with one form: alle is that form
    for c, j, m in sorted(allkeys):
        span = _span(j, years)
        if span is not None and m in MEASURES and m != "personen":
            parts = tuple((c, y, m) for y in span)
            if parts and all(p in allkeys for p in parts):
                eq.append(((c, j, m), parts))
    eq.extend(extra_equalities)
    ineq: list = []
    for c, j, m in sorted(allkeys):
        if m in (*OUTCOMES, "personen") and (c, j, "aanvragen") in allkeys:
            ineq.append((((c, j, m),), ((c, j, "aanvragen"),)))
    for j in years:
        if ("alle", j, "personen") in keys:
            fp = tuple((f, j, "personen") for f in forms if (f, j, "personen") in keys)
            for p in fp:
                ineq.append(((p,), (("alle", j, "personen"),)))
            if len(fp) == len(forms):
                ineq.append(((("alle", j, "personen"),), fp))
    nareis_forms = [f for f in forms if f.startswith("nareis_")]
    for j in [*years, *labels]:
        for m in ("aanvragen", "inwilligingen"):
            parts = tuple((f, j, m) for f in nareis_forms)
            if ("nareis_totaal", j, m) in allkeys and parts and all(p in allkeys for p in parts):
                ineq.append((parts, (("nareis_totaal", j, m),)))
    pop = tuple(
        ((c, j, m), (c, j, "aanvragen"))
        for (c, j, m) in sorted(allkeys)
        if m in MEASURES and m != "aanvragen" and (c, j, "aanvragen") in allkeys
    )
    return Structure(tuple(eq), tuple(ineq), pop, tuple(sorted(hidden)))


def _window(it, jaar: str) -> tuple | None:
    """The application dates a cell of `it` counts: its year (or period label) cut to the period."""
    import datetime as dt

    if jaar == "totaal":
        return (it.start, it.end)
    a, _, b = jaar.partition("-")
    if not a.isdigit():
        return None
    lo, hi = max(it.start, dt.date(int(a), 1, 1)), min(it.end, dt.date(int(b or a), 12, 31))
    return (lo, hi) if lo <= hi else None


def growing(earlier, later, keys) -> tuple[Key, ...]:
    """Cells published by two editions (`config.Iteration`s) whose count can only grow from
    the earlier to the later one: the same method, the earlier forms among the later ones, a
    later peildatum, and the later cell's application dates cover the earlier's. A reader
    who knows the definitions knows this too, so the joint audit uses it."""
    if earlier.methode != later.methode or not set(earlier.vormen) <= set(later.vormen):
        return ()
    if later.peildatum < earlier.peildatum:
        return ()
    out = []
    for c, j, m in sorted(keys):
        if m not in GROWING or c not in (*earlier.vormen, "alle", "nareis_totaal"):
            continue
        wa, wb = _window(earlier, j), _window(later, j)
        if wa and wb and wb[0] <= wa[0] and wa[1] <= wb[1]:
            out.append((c, j, m))
    return tuple(out)
