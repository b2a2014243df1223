"""The protected cells of an iteration page: what a page may publish.

`page_cells` lists every cell a page publishes (main table, period totals, the 2019-2022
subtotal, depth, time and own-permit classes) with the relations among them;
`protect_result` applies primary and secondary suppression (protection layer), each edition
together with the one before it. `total`, `share`, `published_wide` and `published_long`
read those cells, so a value hidden in a table is hidden in the text too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache

import pandas as pd

from .. import config, provenance
from ..config import MEASURES, Iteration
from ..engine import counts
from ..engine.counts import Result
from ..protection import disclosure
from .kept_results import kept, parameter_key, result
from .source import data_path, resolve

GAP_CLASSES = ("0-11 maanden", "12-23 maanden", "24-35 maanden", "36-59 maanden", "60 maanden of meer")


DEPTH_CLASSES = {"diepte:2": "2", "diepte:3+": "3 of meer", "diepte:cyclus": "cyclus (fout in de gegevens)"}


OWN_PERMIT = {"eigen_vergunning:ja": True, "eigen_vergunning:nee": False}


#: The subtotal the text quotes beside the IND's published figures (domain.md section 6).
SUBTOTAL = ("2019-2022", dt.date(2022, 12, 31))


def has_subtotal(it: Iteration) -> bool:
    """The 2019-2022 subtotal belongs to a page whose period starts on 1 January 2019 and
    runs past 2022 (every iteration of the YAML)."""
    return it.start == dt.date(2019, 1, 1) and it.end > SUBTOTAL[1]


def page_cells(res: Result, policy: disclosure.Policy):
    """Everything an iteration page publishes, as cells (categorie, jaar, maat): the
    published text (primary suppression only), the exact value, and the relations among them.

    jaar is a year, 'totaal' (the period) or '2019-2022' (the subtotal the text quotes);
    besides the measures, maat is a depth class ('diepte:...', on 'alle'), a time class
    ('tussentijd:...') or an own-permit class ('eigen_vergunning:...') of each form.
    """
    from ..protection import disclosure_audit

    it = res.iteration
    prot = disclosure.protect(res.tabel, policy)
    cells = {(c, str(j), m): a for c, j, m, a in prot.itertuples(index=False)}
    exact = {(c, str(j), m): int(a) for c, j, m, a in res.tabel.itertuples(index=False)}
    spans = [("totaal", None)] + ([SUBTOTAL] if has_subtotal(it) else [])
    for label, end in spans:
        yrs = [j for j in counts.years(it) if end is None or j <= end.year]
        for cat in (*it.vormen, "alle", "nareis_totaal"):
            if label == "totaal":
                measures = (
                    config.REFERENCE_MEASURES if cat == "nareis_totaal" else [m for m in MEASURES if m != "personen"]
                )
            elif cat in ("alle", "nareis_totaal", "nareis_op_nareis"):
                measures = ["inwilligingen"]
            else:
                continue
            pop = sum(exact[(cat, str(j), "aanvragen")] for j in yrs)
            for m in measures:
                n = sum(exact[(cat, str(j), m)] for j in yrs)
                exact[(cat, label, m)] = n
                # the threshold rule holds for totals too: all measures of a small population are hidden
                small = m != "aanvragen" and 0 < pop < policy.threshold
                cells[(cat, label, m)] = disclosure.publish_value(n, policy, suppressed=small)
    extra = []
    d = res.diepte
    depth = {
        "diepte:2": int(d.loc[d["diepte"] == "2", "aantal"].sum()),
        "diepte:3+": int(d.loc[~d["diepte"].isin(["2", "cyclus"]), "aantal"].sum()),
        "diepte:cyclus": int(d.loc[d["diepte"] == "cyclus", "aantal"].sum()),
    }
    for m, n in depth.items():
        exact[("alle", "totaal", m)] = n
        cells[("alle", "totaal", m)] = disclosure.publish_value(n, policy)
    if it.methode == "longitudinal":  # the cross-sectional query has no chains
        extra.append((("alle", "totaal", "aanvragen"), tuple(("alle", "totaal", m) for m in depth)))
    gaps = _sums(res.tussentijd, ["categorie", "klasse"])
    own = _sums(res.eigen_vergunning, ["categorie", "eigen_asielvergunning"])
    for f in it.vormen:
        gap_keys = []
        for klasse in GAP_CLASSES:
            key = (f, "totaal", f"tussentijd:{klasse}")
            n = gaps.get((f, klasse), 0)
            exact[key], cells[key] = n, disclosure.publish_value(n, policy)
            gap_keys.append(key)
        extra.append(((f, "totaal", "aanvragen"), tuple(gap_keys)))
        own_keys = []
        for m, flag in OWN_PERMIT.items():
            key = (f, "totaal", m)
            n = own.get((f, flag), 0)
            exact[key], cells[key] = n, disclosure.publish_value(n, policy)
            own_keys.append(key)
        extra.append(((f, "totaal", "aanvragen"), tuple(own_keys)))
    struct = disclosure_audit.structure(cells, list(it.vormen), extra_equalities=tuple(extra))
    return cells, exact, struct


def _sums(table: pd.DataFrame, keys: list[str]) -> dict[tuple, int]:
    """`aantal` summed per combination of `keys` (absent combinations are 0 to the caller)."""
    out: dict[tuple, int] = {}
    for *key, n in table[[*keys, "aantal"]].itertuples(index=False):
        out[tuple(key)] = out.get(tuple(key), 0) + int(n)
    return out


def protect_result(
    res: Result, policy: disclosure.Policy = disclosure.DEFAULT, *, previous: tuple[Result, dict] | None = None
) -> tuple[dict, list]:
    """All published cells of one iteration page (primary and secondary suppression), and
    the attacker's findings before secondary suppression (cells, never counts).

    `previous`: the exact result and the published cells of the edition before it; the two
    are then protected together (issue 24: its pattern kept where counts did not change,
    the audit over what both publish)."""
    from ..protection import disclosure_audit

    cells, exact, struct = page_cells(res, policy)
    prev = None
    if previous is not None:
        prev_res, prev_cells = previous
        _, prev_exact, prev_struct = page_cells(prev_res, policy)
        grows = disclosure_audit.growing(prev_res.iteration, res.iteration, set(prev_cells) & set(cells))
        prev = disclosure_audit.Previous(prev_cells, prev_exact, prev_struct, grows)
    return disclosure_audit.protect(cells, exact, struct, policy, table=f"iteratie {res.iteration.id}", previous=prev)


def previous_edition(it: Iteration) -> Iteration | None:
    """The edition published before the one with `it`'s parameters; None for the first
    edition and for a parameter set no edition publishes (an intermediate step of a
    reconciliation). By parameters, not by name: the same parameter set re-published under
    another name gets the same protected cells."""
    its = list(config.iterations().values())
    for i, other in enumerate(its):
        if parameter_key(other) == parameter_key(it):
            return its[i - 1] if i else None
    return None


def is_measure_cell(key: tuple) -> bool:
    """A cell of the main table (a measure per year or over the period), not of a side table."""
    return key[2] in MEASURES and (key[1].isdigit() or key[1] == "totaal")


def long_table(res: Result, cells: dict) -> pd.DataFrame:
    """The publishable long table (tabel.csv) from protected cells: every year and the
    period total (jaar 'totaal'), as on the page."""
    it = res.iteration
    rows = []
    for cat in (*it.vormen, "alle", "nareis_totaal"):
        for jaar in [*map(str, counts.years(it)), "totaal"]:
            for m in MEASURES:
                if (cat, jaar, m) in cells:
                    rows.append((cat, jaar, m, cells[(cat, jaar, m)]))
    return pd.DataFrame(rows, columns=["categorie", "jaar", "maat", "aantal"])


@lru_cache(maxsize=64)
def _protected(it: Iteration, fingerprint: str, policy: disclosure.Policy) -> tuple[dict, list]:
    res = result(it)  # kept under what was protected, not only the parameters that gave it
    prev = previous_edition(it)
    if prev is None:
        return kept("beveiligd", (parameter_key(it), policy, _digest(res)), lambda: protect_result(res, policy))
    # editions are protected together: the earlier edition's published cells come first
    prev_cells = _protected(prev, fingerprint, policy)[0]
    prev_res = result(prev)
    what = (parameter_key(it), policy, _digest(res), parameter_key(prev), _digest(prev_res), sorted(prev_cells.items()))
    return kept("beveiligd", what, lambda: protect_result(res, policy, previous=(prev_res, prev_cells)))


def _digest(res: Result) -> str:
    h = hashlib.sha256()
    for part in (res.tabel, res.diepte, res.tussentijd, res.eigen_vergunning):
        h.update(pd.util.hash_pandas_object(part, index=True).values.tobytes())
        h.update(",".join(map(str, part.columns)).encode())
    return h.hexdigest()


def protected_cells(iteration: str | Iteration, policy: disclosure.Policy = disclosure.DEFAULT) -> dict:
    """Every published cell of an iteration after primary and secondary suppression."""
    it = resolve(iteration)
    return _protected(it, provenance.data_fingerprint(data_path()), policy)[0]


def published_long(iteration: str | Iteration, policy: disclosure.Policy = disclosure.DEFAULT) -> pd.DataFrame:
    """The publishable long table (tabel.csv): categorie, jaar, maat, aantal (text)."""
    it = resolve(iteration)
    return long_table(result(it), protected_cells(it, policy))


def published_wide(iteration: str | Iteration) -> pd.DataFrame:
    """Per category and year (and the period total), one column per measure; published text.

    Totals over the period are rounded from exact totals (so parts need not add up);
    `personen` has no period total (persons are counted per year).
    """
    it = resolve(iteration)
    cells = protected_cells(it)
    order = {c: i for i, c in enumerate((*it.vormen, "alle", "nareis_totaal"))}
    rows: dict[tuple, dict] = {}
    for (cat, jaar, m), text in cells.items():
        if not is_measure_cell((cat, jaar, m)):
            continue
        rows.setdefault((cat, jaar), {"categorie": cat, "jaar": jaar})[m] = text
    out = pd.DataFrame(sorted(rows.values(), key=lambda r: (order[r["categorie"]], r["jaar"] == "totaal", r["jaar"])))
    cols = ["categorie", "jaar", *[m for m in MEASURES if m in out.columns]]
    return out[cols].fillna("").reset_index(drop=True)


def total(iteration: str | Iteration, categorie: str, maat: str, *, jaar: str = "totaal") -> int | str:
    """A published period total: the same cell as in the tables (int), or a symbol (str).

    Read from the protected cells, so a total hidden in a table is hidden in the text too.
    """
    text = protected_cells(iteration)[(categorie, jaar, maat)]
    return int(text) if text.isdigit() else text


def published_number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def share(iteration: str | Iteration, *, end: dt.date | None = None) -> float:
    """Granted nareis-op-nareis applications as a share of all granted nareis ones, from the
    PUBLISHED (rounded) counts of the page; NaN when a count is hidden or zero (the share
    would narrow it). `end` 2022-12-31 gives the 2019-2022 subtotal the text quotes."""
    it = resolve(iteration)
    label = "totaal"
    if end is not None:
        if end == SUBTOTAL[1] and has_subtotal(it):
            label = SUBTOTAL[0]
        elif end != it.end:
            it = it.replace(end=end)
    if "nareis_op_nareis" not in it.vormen:
        return float("nan")
    cells = protected_cells(it)
    num = published_number(cells[("nareis_op_nareis", label, "inwilligingen")])
    den = published_number(cells[("nareis_totaal", label, "inwilligingen")])
    if num is None or not den:
        return float("nan")
    return num / den


def clear_cache() -> None:
    """Forget what this process keeps in memory (a fresh kernel); the private cache stays."""
    _protected.cache_clear()
