"""What the notebooks call: one function per cell, published (protected) values only.

The extract is found through the environment (GESTAPELD_DATA, set by `gestapeld run`)
or is the synthetic default, so no path of the build machine enters a notebook.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .. import config, provenance
from ..config import FORM_LABELS, MEASURES, Iteration
from ..engine import counts, extract
from ..engine.counts import Result
from ..protection import disclosure
from . import digest

MEASURE_LABELS = {
    "aanvragen": "aanvragen",
    "inwilligingen": "inwilligingen",
    "afwijzingen": "afwijzingen",
    "overig_beeindigd": "overig beëindigd",
    "lopend": "lopend",
    "personen": "personen (referenten)",
}


def setup() -> None:
    """How the notebooks show tables (a notebook without figures needs no matplotlib)."""
    pd.set_option("display.max_colwidth", None)  # no "..." in the tables of the book


def data_path() -> Path:
    env = os.environ.get("GESTAPELD_DATA")
    return Path(env) if env else config.default_data_path()


def is_synthetic() -> bool:
    """The synthetic default unless an extract was given (GESTAPELD_DATA, set by the runner)."""
    return "GESTAPELD_DATA" not in os.environ


def data_source() -> dict[str, str]:
    """Which data every label of a build names: the synthetic default or the IND's extract.

    Keys: `bron` ('synthetisch' or 'extract'), `label` (Dutch, for pages, captions and the
    information sheet), `label_en`, `sha256`, `peildatum` (the last date in the extract,
    ISO) and `kort` (short form for figure captions and footers).
    """
    path = data_path()
    sha = provenance.data_fingerprint(path)
    latest = [v for v in extract.summary(extract_path())["latest"].values() if v]
    peil = max(latest) if latest else ""
    if is_synthetic():
        return {
            "bron": "synthetisch",
            "sha256": sha,
            "peildatum": peil,
            "kort": "synthetische gegevens",
            "label": "synthetisch extract (standaard), geen gegevens van de IND",
            "label_en": "synthetic extract (default), not IND data",
        }
    return {
        "bron": "extract",
        "sha256": sha,
        "peildatum": peil,
        "kort": f"extract van de IND, gegevens t/m {peil}",
        "label": f"extract van de IND, gegevens tot en met {peil} (sha256 {sha[:12]}…)",
        "label_en": f"extract of the IND, data up to {peil} (sha256 {sha[:12]}…)",
    }


#: Published symbols in words (prose, captions, the English page).
SYMBOL_WORDS = {"nl": {"<": "minder dan ", "x": "afgeschermd"}, "en": {"<": "fewer than ", "x": "suppressed"}}


def published_text(value: int | str, *, lang: str = "nl") -> str:
    """A published value for prose: digits as they are, `<10` as 'minder dan 10', `x` as
    'afgeschermd'. Glue this text (format `:s`), never an int that may be suppressed."""
    text = str(value)
    words = SYMBOL_WORDS[lang]
    if text.startswith("<"):
        return words["<"] + text[1:]
    if text.strip().lower() == "x":
        return words["x"]
    if lang == "nl":
        return nl_number(text)
    return f"{int(text):,}" if re.fullmatch(r"-?\d{4,}", text) else text  # English: 1,240


@lru_cache(maxsize=2)
def _extract(path: str, fingerprint: str) -> Path:
    return extract.prepare(path)


def extract_path() -> Path:
    """The validated, typed copy of the extract (private cache; validated once per extract).

    The cache keeps only the most recently used copies: when another process (or a test)
    pruned this one since it was prepared, it is prepared again."""
    path = data_path()
    typed = _extract(str(path), provenance.data_fingerprint(path))
    if not typed.is_file():
        _extract.cache_clear()
        typed = _extract(str(path), provenance.data_fingerprint(path))
    return typed


def load_extract() -> pd.DataFrame:
    """The validated extract as a DataFrame (the engine reads `extract_path()` instead)."""
    return pd.read_parquet(extract_path())


def resolve(iteration: str | Iteration) -> Iteration:
    return iteration if isinstance(iteration, Iteration) else config.iteration(iteration)


def _engine_fingerprint() -> str:
    # mutation testing switches mutants at run time in the same files: a kept result
    # belongs to one of them only
    return _code_fingerprint() + os.environ.get("MUTANT_UNDER_TEST", "").replace("/", "_")


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    return provenance.code_fingerprint()[:16]


@lru_cache(maxsize=16)
def _template_fingerprint(template: Path) -> str:
    """The code fingerprint with one notebook template (read once per kernel: a page cites
    it under every number it glues)."""
    return provenance.code_fingerprint(template)


def _kept_entry(kind: str, what: tuple) -> Path:
    from ..engine import cache

    key = kind + "-" + hashlib.sha256(repr(what).encode()).hexdigest()[:16] + "-" + _engine_fingerprint()
    return cache.result_entry(extract_path(), key)


def _load_kept(stored: Path, what: tuple):
    """(True, value) when `what` is kept at `stored`, else (False, None)."""
    from ..engine import cache

    got = cache.load_result(stored)
    return (True, got[1]) if got is not None and got[0] == what else (False, None)


def _kept(kind: str, what: tuple, compute):
    """The notebooks of one build run in separate kernels and ask for the same parameter
    sets (a reconciliation needs its two ends): a result is computed once per extract,
    parameters and code, and kept in the private cache beside the typed copy."""
    from ..engine import cache

    stored = _kept_entry(kind, what)
    found, value = _load_kept(stored, what)
    if not found:
        value = compute()
        cache.store_result(stored, (what, value))
    return value


def _parameters(it: Iteration) -> tuple:
    """What a count depends on (method, forms, period, peildatum), not the name of the set:
    the last combination of a reconciliation is the second iteration under another name."""
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in sorted(it.params().items()))


def _named(res: Result, it: Iteration) -> Result:
    return res if res.iteration == it else dataclasses.replace(res, iteration=it)


@lru_cache(maxsize=64)
def _result(it: Iteration, fingerprint: str) -> Result:
    return _named(_kept("telling", (_parameters(it),), lambda: counts.compute(extract_path(), it)), it)


def prefetch(iterations: Iterable[str | Iteration]) -> None:
    """Compute the exact results of several parameter sets together and keep them: one read
    of the extract, and one linkage for the sets that share method and peildatum
    (`counts.compute_many`). A reconciliation asks for eight sets that differ in only three
    parameters; `result` then reads each from the private cache."""
    from ..engine import cache

    missing: dict[tuple, tuple[Iteration, Path]] = {}
    for it in map(resolve, iterations):
        what = (_parameters(it),)
        entry = _kept_entry("telling", what)
        if what not in missing and not _load_kept(entry, what)[0]:
            missing[what] = (it, entry)
    if missing:
        sets = [it for it, _ in missing.values()]
        for (what, (_, entry)), res in zip(missing.items(), counts.compute_many(extract_path(), sets), strict=True):
            cache.store_result(entry, (what, res))


def result(iteration: str | Iteration) -> Result:
    """Exact counts (internal): only ever shown through `published_*` functions."""
    return _result(resolve(iteration), provenance.data_fingerprint(data_path()))


# ------------------------------------------------------------------- published values


GAP_CLASSES = ("0-11 maanden", "12-23 maanden", "24-35 maanden", "36-59 maanden", "60 maanden of meer")
DEPTH_CLASSES = {"diepte:2": "2", "diepte:3+": "3 of meer", "diepte:cyclus": "cyclus (fout in de gegevens)"}
OWN_PERMIT = {"eigen_vergunning:ja": True, "eigen_vergunning:nee": False}
#: The subtotal the text quotes beside the IND's published figures (domain.md section 6).
SUBTOTAL = ("2019-2022", dt.date(2022, 12, 31))


def _has_subtotal(it: Iteration) -> bool:
    """The 2019-2022 subtotal belongs to a page whose period starts on 1 January 2019 and
    runs past 2022 (every iteration of the YAML)."""
    return it.start == dt.date(2019, 1, 1) and it.end > SUBTOTAL[1]


def _cells(res: Result, policy: disclosure.Policy):
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
    spans = [("totaal", None)] + ([SUBTOTAL] if _has_subtotal(it) else [])
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

    cells, exact, struct = _cells(res, policy)
    prev = None
    if previous is not None:
        prev_res, prev_cells = previous
        _, prev_exact, prev_struct = _cells(prev_res, policy)
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
        if _parameters(other) == _parameters(it):
            return its[i - 1] if i else None
    return None


def disclosure_table() -> pd.DataFrame:
    """Per edition, what the disclosure control hides (page `beveiliging`): cells published,
    shown as `<10` (primary), hidden as `x` (secondary: the information lost), and the
    share of cells hidden as `x`. Counts of cells only: the sum of what an `x` hides would
    reveal it, so that goes only to the output checker's report (never published)."""
    pol = disclosure.DEFAULT
    rows = []
    for it in config.iterations().values():
        cells = protected_cells(it)
        n_x = sum(v == pol.secondary for v in cells.values())
        rows.append(
            {
                "editie": it.id,
                "gepubliceerde cellen": len(cells),
                f"als '{pol.symbol}'": sum(v.startswith("<") for v in cells.values()),
                f"extra afgeschermd ('{pol.secondary}')": n_x,
                f"aandeel '{pol.secondary}'": percent(n_x / len(cells)) if cells else "–",
            }
        )
    return pd.DataFrame(rows).set_index("editie")


def glue_disclosure(table: pd.DataFrame) -> None:
    """Numbers of `disclosure_table` for the text: per edition `<id>_cellen`, `<id>_x`,
    `<id>_aandeel_x`, and the same for the newest edition as `nieuwste_...` (with its id)."""
    pol = disclosure.DEFAULT
    for eid, row in table.iterrows():
        for prefix in (eid, "nieuwste") if eid == table.index[-1] else (eid,):
            _glue(f"{prefix}_cellen", int(row["gepubliceerde cellen"]))
            _glue(f"{prefix}_x", int(row[f"extra afgeschermd ('{pol.secondary}')"]))
            _glue(f"{prefix}_aandeel_x", row[f"aandeel '{pol.secondary}'"])
    _glue("nieuwste_editie", str(table.index[-1]))


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
        return _kept("beveiligd", (_parameters(it), policy, _digest(res)), lambda: protect_result(res, policy))
    # editions are protected together: the earlier edition's published cells come first
    prev_cells = _protected(prev, fingerprint, policy)[0]
    prev_res = result(prev)
    what = (_parameters(it), policy, _digest(res), _parameters(prev), _digest(prev_res), sorted(prev_cells.items()))
    return _kept("beveiligd", what, lambda: protect_result(res, policy, previous=(prev_res, prev_cells)))


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


def nl_number(value) -> str:
    """A count as the book writes it: Dutch thousands separator (2.180); symbols (`<10`) as they are."""
    text = str(value)
    return f"{int(text):,}".replace(",", ".") if re.fullmatch(r"-?\d{4,}", text) else text


def display_table(wide: pd.DataFrame) -> pd.DataFrame:
    """Dutch labels for display; a cell with no value (referents have no period total) shows a dash."""
    out = wide.copy().replace("", "–")
    for m in MEASURES:
        if m in out.columns:
            out[m] = out[m].map(nl_number)
    out["categorie"] = out["categorie"].map(lambda c: FORM_LABELS.get(c, c))
    return out.rename(columns={**MEASURE_LABELS, "categorie": "vorm", "jaar": "jaar"}).set_index(["vorm", "jaar"])


def total(iteration: str | Iteration, categorie: str, maat: str, *, jaar: str = "totaal") -> int | str:
    """A published period total: the same cell as in the tables (int), or a symbol (str).

    Read from the protected cells, so a total hidden in a table is hidden in the text too.
    """
    text = protected_cells(iteration)[(categorie, jaar, maat)]
    return int(text) if text.isdigit() else text


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def share(iteration: str | Iteration, *, end: dt.date | None = None) -> float:
    """Granted nareis-op-nareis applications as a share of all granted nareis ones, from the
    PUBLISHED (rounded) counts of the page; NaN when a count is hidden or zero (the share
    would narrow it). `end` 2022-12-31 gives the 2019-2022 subtotal the text quotes."""
    it = resolve(iteration)
    label = "totaal"
    if end is not None:
        if end == SUBTOTAL[1] and _has_subtotal(it):
            label = SUBTOTAL[0]
        elif end != it.end:
            it = it.replace(end=end)
    if "nareis_op_nareis" not in it.vormen:
        return float("nan")
    cells = protected_cells(it)
    num = _number(cells[("nareis_op_nareis", label, "inwilligingen")])
    den = _number(cells[("nareis_totaal", label, "inwilligingen")])
    if num is None or not den:
        return float("nan")
    return num / den


NOT_APPLICABLE = "niet van toepassing"


def has_depth(iteration: str | Iteration) -> bool:
    """Only a time series follows a person over procedures, so only it can know a chain's
    depth; the cross-sectional query (v0) cannot, and shows 'niet van toepassing', never 0."""
    return resolve(iteration).methode == "longitudinal"


def depth_table(iteration: str | Iteration) -> pd.DataFrame:
    """Chain depth ('nareis op nareis op nareis' is depth 3 or more), protected."""
    cells = protected_cells(iteration)
    known = has_depth(iteration)
    return pd.DataFrame(
        {
            "ketendiepte": list(DEPTH_CLASSES.values()),
            "aanvragen": [nl_number(cells[("alle", "totaal", m)]) if known else NOT_APPLICABLE for m in DEPTH_CLASSES],
        }
    ).set_index("ketendiepte")


def gap_table(iteration: str | Iteration) -> pd.DataFrame:
    """Months between the first step's decision and the second step's application, protected
    (the classes of a form sum to its applications: the audit knows)."""
    it = resolve(iteration)
    cells = protected_cells(it)
    pivot = pd.DataFrame(
        {FORM_LABELS[f]: [nl_number(cells[(f, "totaal", f"tussentijd:{k}")]) for k in GAP_CLASSES] for f in it.vormen},
        index=pd.Index(GAP_CLASSES, name="maanden tussen de stappen"),
    )
    return pivot


def own_permit_table(iteration: str | Iteration) -> pd.DataFrame:
    """Whether the referent held an own asylum permit between the two steps, protected."""
    it = resolve(iteration)
    cells = protected_cells(it)
    return pd.DataFrame(
        {
            "met eigen asielvergunning": [nl_number(cells[(f, "totaal", "eigen_vergunning:ja")]) for f in it.vormen],
            "zonder eigen asielvergunning": [
                nl_number(cells[(f, "totaal", "eigen_vergunning:nee")]) for f in it.vormen
            ],
        },
        index=[FORM_LABELS[f] for f in it.vormen],
    )


def peak_year(iteration: str | Iteration, categorie: str, maat: str, years: list[int]) -> str:
    """The year with the highest PUBLISHED count; a tie is shown as a tie ('2020 en 2021').
    Hidden cells are below every shown number of 10 or more; if the top is hidden, there is no
    peak to show."""
    cells = protected_cells(iteration)
    values = {j: _number(cells[(categorie, str(j), maat)]) for j in years}
    shown = [v for v in values.values() if v is not None]
    if not shown or max(shown) == 0 or len(shown) < len(values) and max(shown) < disclosure.DEFAULT.threshold:
        return "niet te bepalen"
    top = [str(j) for j, v in values.items() if v == max(shown)]
    return " en ".join([", ".join(top[:-1]), top[-1]]) if len(top) > 1 else top[0]


def parameters_table(iteration: str | Iteration) -> pd.DataFrame:
    it = resolve(iteration)
    rows = [
        ("iteratie", it.id),
        ("cijfervraag", it.verzoek),
        ("plaats in de tijdlijn", it.tijdlijn),
        ("methode", PARAMETER_METHOD_LABELS.get(it.methode, it.methode)),
        ("vormen", ", ".join(FORM_LABELS[f] for f in it.vormen)),
        ("periode (aanvraagdatum)", f"{it.start.isoformat()} t/m {it.end.isoformat()}"),
        ("peildatum", it.peildatum.isoformat()),
    ]
    return pd.DataFrame(rows, columns=["parameter", "waarde"]).set_index("parameter")


PARAMETER_METHOD_LABELS = {
    "longitudinal": "tijdreeks (longitudinaal)",
    "cross_sectional": "dwarsdoorsnede (huidige vergunning)",
}


def parameters_text(it: Iteration) -> str:
    """The parameters that determine the counts, in reader words (no code names)."""
    return (
        f"methode {PARAMETER_METHOD_LABELS.get(it.methode, it.methode)}; vormen "
        f"{', '.join(FORM_LABELS[f] for f in it.vormen)}; aanvraagdatum {it.start.isoformat()} "
        f"t/m {it.end.isoformat()}; peildatum {it.peildatum.isoformat()}"
    )


def provenance_table(iteration: str | Iteration | None, template: str) -> pd.DataFrame:
    """Parameters, data fingerprint, code fingerprint and versions: nothing volatile."""
    tpl = config.project_root() / "notebooks" / template
    rows = []
    if iteration is not None:
        it = resolve(iteration)
        rows += [("parameters", parameters_text(it))]
    rows += [
        ("gegevens", data_source()["label"]),
        ("sha256 van het extract", provenance.data_fingerprint(data_path())),
        ("vingerafdruk van de code", _template_fingerprint(tpl)),
        ("sjabloon", f"notebooks/{template}"),
    ]
    rows += [(f"versie {k}", v) for k, v in provenance.versions().items()]
    return pd.DataFrame(rows, columns=["herkomst", "waarde"]).set_index("herkomst")


def write_downloads(iteration: str | Iteration, folder: Path | str = ".") -> list[str]:
    """The publishable table as CSV and XLSX next to the notebook (deterministic bytes)."""
    from .downloads import write_csv, write_xlsx

    it = resolve(iteration)
    folder = Path(folder)
    long = published_long(it)
    names = [f"{it.id}_tabel.csv", f"{it.id}_tabel.xlsx"]
    write_csv(long, folder / names[0])
    write_xlsx({"tabel": long, "toelichting": disclosure_note(it)}, folder / names[1])
    return names


def disclosure_note(it: Iteration) -> pd.DataFrame:
    lines = [
        f"Iteratie {it.id}: {it.titel}",
        f"Peildatum {it.peildatum.isoformat()}; periode {it.start.isoformat()} t/m {it.end.isoformat()}.",
        f"Statistische beveiliging: {disclosure.DEFAULT.describe()}.",
        "Afgeronde delen tellen niet altijd op tot het afgeronde totaal.",
        "Standaardgegevens zijn synthetisch: dit zijn geen cijfers van de IND."
        if is_synthetic()
        else f"Gegevens: {data_source()['label']}.",
    ]
    return pd.DataFrame({"toelichting": lines})


# ------------------------------------------------------------------- notebook helpers


def data_notice():
    """The notice above every page with figures: synthetic or real, in plain words."""
    from IPython.display import Markdown

    if is_synthetic():
        return Markdown(
            "**Let op: synthetische gegevens.** De aantallen op deze pagina komen uit een synthetisch extract "
            "(een simulatie, zie Gegevens en Kalibratie), niet uit de gegevens van de IND. "
            "Cijfers van de IND staan, voor zover openbaar, naast de iteratie waar ze bij horen."
        )
    return Markdown(
        f"**Gegevens:** {data_source()['label']}. Alle aantallen zijn beveiligd (zie Statistische beveiliging)."
    )


def numeric_wide(wide: pd.DataFrame) -> pd.DataFrame:
    """A published wide table as numbers for figures: suppressed cells (`<10`, `x`) are
    missing (NaN, drawn as missing, never as 0), year totals dropped."""
    out = wide[wide["jaar"] != "totaal"].copy()
    out["jaar"] = out["jaar"].astype(int)
    for m in MEASURES:
        if m in out.columns:
            out[m] = pd.to_numeric(out[m].astype(str).str.strip(), errors="coerce").astype(float)
    return out


def share_text(it: Iteration, value: float) -> str:
    """A share as printed: computed from published counts; not shown when one is hidden."""
    if value == value:
        return percent(value)
    return "niet van toepassing" if "nareis_op_nareis" not in it.vormen else "niet te tonen (afgeschermd)"


def share_table(iteration: str | Iteration) -> pd.DataFrame:
    it = resolve(iteration)
    rows = [("hele periode van de iteratie", share(it))]
    if it.start.year <= 2019 and it.end >= dt.date(2022, 12, 31):
        rows.append(("2019 t/m 2022", share(it, end=dt.date(2022, 12, 31))))
    return pd.DataFrame({"periode": [r[0] for r in rows], "aandeel": [share_text(it, r[1]) for r in rows]}).set_index(
        "periode"
    )


#: myst_nb's prefix for glued data that is not displayed (`myst_nb.ext.glue.GLUE_PREFIX`)
GLUE_PREFIX = "application/papermill.record/"


def _glue(key: str, value) -> None:
    """`myst_nb.glue(key, value, display=False)`: the same output, written the same way.

    myst_nb's glue module imports nbformat and jsonschema, half a second in every kernel
    that glues; this is its body (myst-nb 1.4.0, pinned) with IPython only. The test
    `test_glue_writes_what_myst_nb_writes` compares the two outputs, so a new myst-nb that
    glues differently fails the tests instead of the book.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    if hasattr(value, "item"):  # numpy scalars render as 'np.int64(7)' otherwise
        value = value.item()
    mimebundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": key, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + k: v for k, v in mimebundle.items()}, raw=True, metadata=metadata)
    _GLUED[key] = value  # listed, with its citation, by `sources` in the same cell


def glue_iteration(iteration: str | Iteration) -> None:
    """Numbers the text pages quote from this iteration (published values)."""
    it = resolve(iteration)
    for cat in ("alle", *it.vormen):
        for m in ("aanvragen", "inwilligingen"):
            _glue(f"{cat}_{m}", total(it, cat, m))
            _glue(f"{cat}_{m}_tekst", published_text(total(it, cat, m)))
    _glue("nareis_totaal_inwilligingen", total(it, "nareis_totaal", "inwilligingen"))
    # the published text: a nonzero share never reads 0,0%, an unknown one never 0
    _glue("aandeel", share_text(it, share(it)))
    # a cross-sectional query sees no chains: their depth is unknown there, not 0
    _glue("diepte3", protected_cells(it)[("alle", "totaal", "diepte:3+")] if has_depth(it) else NOT_APPLICABLE)
    _glue("peildatum", it.peildatum.isoformat())
    _glue_source()


def _glue_source() -> None:
    """The data-source texts of this build, for pages outside the notebooks."""
    src = data_source()
    _glue("bron", src["bron"])
    _glue("bron_label", src["label"])
    _glue("bron_kort", src["kort"])
    _glue("bron_label_en", src["label_en"])


METHOD_LABELS = {"longitudinal": "tijdreeks", "cross_sectional": "dwarsdoorsnede"}


def percent(value: float, decimals: int = 1) -> str:
    """A share in Dutch notation: 0.0123 -> '1,2%'. A nonzero share never prints as zero:
    one that would round to 0 reads 'minder dan 0,1%' (10 of 36.040 is not '0,0%')."""
    text = f"{value:.{decimals}%}"
    if value > 0 and float(text.rstrip("%")) == 0:
        return f"minder dan {10**-decimals:.{decimals}f}%".replace(".", ",")
    return text.replace(".", ",")


def display_steps(dec: pd.DataFrame) -> pd.DataFrame:
    out = dec.copy()
    out["methode"] = out["methode"].map(METHOD_LABELS)
    out["effect"] = out["effect"].map(lambda v: "–" if v is None or v != v else f"{int(v):+,d}".replace(",", "."))
    if "totaal" in out.columns:
        out["totaal"] = out["totaal"].map(nl_number)
    out["vormen"] = out["vormen"].map(lambda v: ", ".join(FORM_LABELS[f] for f in v.split("+")))
    return out.set_index("stap")


NOT_COMPUTABLE = "n.b."  # niet te berekenen: the effect depends on a suppressed total


def effect_text(value, *, sign: bool = True, lang: str = "nl") -> str:
    """An effect in Dutch notation: whole numbers as is, Shapley fractions to one decimal
    ('+1.233,3'); NOT_COMPUTABLE when it depends on a suppressed total. `lang="en"` for the
    English page (English separators, 'unknown' in words)."""
    if value is None or (isinstance(value, float) and value != value):
        return NOT_COMPUTABLE if lang == "nl" else "unknown (a total is suppressed)"
    value = Fraction(value)
    if value.denominator == 1:
        text = f"{int(value):+,d}" if sign else f"{int(value):,d}"
    else:
        text = f"{float(value):+,.1f}" if sign else f"{float(value):,.1f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".") if lang == "nl" else text


def display_orderfree(of: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation table: stated order, Shapley (mean over the six orders), range."""
    rows = []
    for r in of.itertuples():
        rows.append(
            {
                "stap": "totaal verschil" if r.stap == "totaal" else r.stap,
                "in de gekozen volgorde": effect_text(r.volgorde),
                "gemiddeld over de 6 volgordes (Shapley)": effect_text(r.shapley),
                "kleinste effect": "–" if r.stap == "totaal" else effect_text(r.laagste),
                "grootste effect": "–" if r.stap == "totaal" else effect_text(r.hoogste),
            }
        )
    return pd.DataFrame(rows).set_index("stap")


def glue_reconciliation(
    dec: pd.DataFrame, dec_inw: pd.DataFrame, of: pd.DataFrame | None = None, of_inw: pd.DataFrame | None = None
) -> None:
    """Numbers of one reconciliation for the text: totals and effects in the stated order
    (int, 0 when not computable, as before) and, when given, the order-free decomposition
    as published text (`shapley_<stap>`, `laagste_<stap>`, `hoogste_<stap>`, suffix `_inw`
    for grants), which may be fractional or NOT_COMPUTABLE."""
    for suffix, d, o in (("", dec, of), ("_inw", dec_inw, of_inw)):
        _glue(f"totaal_van{suffix}", d.iloc[0]["totaal"])
        _glue(f"totaal_naar{suffix}", d.iloc[-1]["totaal"])
        _glue(f"totaal_van{suffix}_tekst", published_text(d.iloc[0]["totaal"]))
        _glue(f"totaal_naar{suffix}_tekst", published_text(d.iloc[-1]["totaal"]))
        for _, r in d.iloc[1:].iterrows():
            v = r["effect"]
            _glue(f"effect_{r['stap']}{suffix}", int(v) if v == v and v is not None else 0)
            _glue(f"effect_{r['stap']}{suffix}_tekst", effect_text(v))
        if o is None:
            continue
        for r in o.itertuples():
            if r.stap == "totaal":
                _glue(f"verschil{suffix}", effect_text(r.volgorde))
                continue
            _glue(f"volgorde_{r.stap}{suffix}", effect_text(r.volgorde))
            _glue(f"shapley_{r.stap}{suffix}", effect_text(r.shapley))
            _glue(f"laagste_{r.stap}{suffix}", effect_text(r.laagste))
            _glue(f"hoogste_{r.stap}{suffix}", effect_text(r.hoogste))


def reconciliation_parameters(van: str | Iteration, naar: str | Iteration) -> pd.DataFrame:
    """The parameters of both iterations of a reconciliation, side by side."""
    a, b = resolve(van), resolve(naar)
    return pd.DataFrame({a.id: parameters_table(a)["waarde"], b.id: parameters_table(b)["waarde"]})


# ------------------------------------------------------------------- the source of a number

#: Values glued in this kernel since the last `sources` call (key -> value).
_GLUED: dict[str, object] = {}


def anchor(notebook: str) -> str:
    """The label (HTML anchor) of the cell that glues a notebook's numbers:
    'verschillen/v1_v3' -> 'bron-verschillen-v1-v3'. Text pages link to it after each number."""
    name = notebook.removesuffix(".ipynb").lower()
    return "bron-" + re.sub(r"[^a-z0-9]+", "-", name).strip("-")


def _template_of(notebook: str) -> str:
    name = notebook.removesuffix(".ipynb")
    folder = name.split("/")[0] if "/" in name else ""
    return {"iteraties": "iteratie.ipynb", "verschillen": "verschil.ipynb"}.get(folder, f"{name}.ipynb")


#: Glued keys that carry a figure the IND published (overview.glue_overview), not one this
#: publication computed: they cite the IND's document, never the notebook that repeats them.
IND_FIGURE_PREFIX = "pub_"
IND_CITATION = (
    "Immigratie- en Naturalisatiedienst, Informatieblad analyse gestapelde gezinshereniging bij asiel, "
    "16 februari 2024 (ind.nl, documenten/02-2024); getal zoals de NOS het op 16 februari 2024 weergaf, "
    "pagina niet na te gaan (overgenomen uit de berichtgeving). Cijfer van de IND: niet berekend of "
    "beveiligd door deze publicatie."
)


def citation(notebook: str, key: str | None = None, *, edition: str | None = None) -> str:
    """A short source line to paste under a quoted number: edition, page, notebook cell,
    data and code fingerprints (12 characters each; the full ones are in the provenance
    table of the notebook) and the site digest (whole; written as its placeholder and stamped
    after the build, digest.py). `notebook` like 'verschillen/v1_v3', `key` a glued name."""
    name = notebook.removesuffix(".ipynb")
    if key is not None and key.startswith(IND_FIGURE_PREFIX):
        return IND_CITATION
    edition = edition or list(config.iterations())[-1]
    tpl = config.project_root() / "notebooks" / _template_of(name)
    data = provenance.data_fingerprint(data_path())[:12]
    code = _template_fingerprint(tpl)[:12]
    gegevens = "synthetische gegevens" if is_synthetic() else "extract van de IND"
    getal = f", getal '{key}'" if key else ""
    return (
        f"Gestapelde gezinshereniging, editie {edition}, pagina {name}.html#{anchor(name)}{getal}; "
        f"notebook {name}.ipynb; {gegevens} sha256 {data}; code {code}; site {digest.PLACEHOLDER}."
    )


def _shown(value) -> str:
    if isinstance(value, float):
        return percent(value) if 0 <= value < 1 else nl_number(f"{value:g}")
    return nl_number(value)  # 36.040, not 36040 (issue 25); text such as '<10' as it is


def sources(notebook: str) -> pd.DataFrame:
    """The numbers this cell glued, each with the citation to paste under it; shown on the
    page under the label `anchor(notebook)`, so every number on a text page links here."""
    rows = [(key, _shown(value), citation(notebook, key)) for key, value in _GLUED.items()]
    # every number is listed, also in the plain-text rendering (pandas cuts long tables)
    pd.set_option("display.max_rows", max(int(pd.get_option("display.max_rows") or 0), len(rows) + 1))
    _GLUED.clear()
    return pd.DataFrame(rows, columns=["getal", "waarde", "citeer als"]).set_index("getal")


def calibration_table() -> pd.DataFrame:
    """Calibration targets beside the synthetic values as PUBLISHED (rounded, protected, the
    same cells as on the v3 page); the ratio and the margin are computed from those too."""
    from ..engine import calibration
    from ..engine.synth import TOLERANCE

    it = resolve("v3")
    cut = calibration.upto_2022(it)
    prefetch([it, cut])  # one linkage for both; the v3 page reads the same kept result
    kal = calibration.achieved(extract_path(), it, results=(result(it), result(cut)))
    v3 = protected_cells(it)
    upto = dt.date(2022, 12, 31)
    from_page = {
        "nareis_op_nareis_aanvragen_2019_2023": v3[("nareis_op_nareis", "totaal", "aanvragen")],
        "nareis_op_nareis_inwilligingen_2019_2023": v3[("nareis_op_nareis", "totaal", "inwilligingen")],
        "alle_inwilligingen_2019_2022": v3[("alle", SUBTOTAL[0], "inwilligingen")],
        "aandeel_nareis_op_nareis_in_nareis_inwilligingen_2019_2022": share("v3", end=upto),
        "piekjaar_alle_inwilligingen": peak_year("v3", "alle", "inwilligingen", list(range(2019, upto.year + 1))),
    }

    def synthetic(doel: str, v):
        return from_page[doel] if doel in from_page else disclosure.publish_value(int(v))

    def shown(doel: str, v) -> str:
        if doel.startswith("aandeel"):
            return "niet te tonen" if v != v else percent(v)
        return str(v)

    def ratio(doel: str, pub, syn):
        if doel.startswith("piekjaar"):
            return None
        syn = syn if isinstance(syn, float) else _number(syn)
        return None if syn is None or syn != syn else syn / pub

    syn = [synthetic(d, v) for d, v in zip(kal["doel"], kal["synthetisch"])]
    ratios = [ratio(d, p, v) for d, p, v in zip(kal["doel"], kal["gepubliceerd"], syn)]
    kal["binnen_marge"] = [
        calibration_met(d, p, v, tolerance=TOLERANCE) for d, p, v in zip(kal["doel"], kal["gepubliceerd"], syn)
    ]

    def target(doel: str, v) -> str:  # the IND's and CBS's own published figures
        if doel.startswith("aandeel"):
            return percent(v)
        if doel.startswith("piekjaar"):
            return str(int(v))
        if doel.startswith(("eerste", "nareis_inw")):
            return f"{int(v):,}".replace(",", ".")
        return disclosure.publish_value(int(v))

    kal["gepubliceerd"] = [target(d, v) for d, v in zip(kal["doel"], kal["gepubliceerd"])]
    kal["synthetisch"] = [
        nl_number(shown(d, v)) if not d.startswith("piekjaar") else shown(d, v) for d, v in zip(kal["doel"], syn)
    ]
    kal["binnen_marge"] = kal["binnen_marge"].map({True: "ja", False: "nee"})
    kal["verhouding"] = [("–" if r is None else f"{r:.2f}".replace(".", ",")) for r in ratios]
    kal["doel"] = [calibration_label(d) for d in kal["doel"]]
    columns = dict(CALIBRATION_COLUMNS)
    if not is_synthetic():  # a real extract: a comparison with the published figures
        columns["synthetisch"] = "dit extract (beveiligd)"
    return kal.set_index("doel").rename_axis("gegeven").rename(columns=columns)


def calibration_met(doel: str, published, ours, *, tolerance: float) -> bool:
    """Whether this publication's value meets a calibration target (computed, never typed).

    A peak year (`piekjaar_*`) is met when our peak is that one year: `published` may arrive
    as a float from a mixed column (2021.0), `ours` is the published text of `peak_year`
    ('2021', a tie '2020 en 2021', or 'niet te bepalen'), so both are compared as years, not
    as strings. Every other target is met when ours / published lies within `tolerance` of 1;
    a suppressed or undeterminable value ('<10', NaN) never meets a target."""
    if doel.startswith("piekjaar"):
        text = str(ours).strip()
        try:
            return text.isdigit() and int(text) == int(float(published))
        except (TypeError, ValueError):
            return False
    value = ours if isinstance(ours, (int, float)) and not isinstance(ours, bool) else _number(ours)
    if value is None or value != value or not published:
        return False
    return abs(float(value) / float(published) - 1) <= tolerance


# Reader labels of the calibration table (no code names on the page).
CALIBRATION_COLUMNS = {
    "gepubliceerd": "gepubliceerd (IND of CBS)",
    "synthetisch": "synthetisch extract (beveiligd)",
    "verhouding": "verhouding",
    "binnen_marge": "binnen 20%",
}


def calibration_label(doel: str) -> str:
    fixed = {
        "nareis_op_nareis_aanvragen_2019_2023": "IND: aanvragen nareis op nareis, 2019-2023",
        "nareis_op_nareis_inwilligingen_2019_2023": "IND: ingewilligd nareis op nareis, 2019-2023",
        "alle_inwilligingen_2019_2022": "IND: ingewilligd, alle vormen, 2019-2022",
        "aandeel_nareis_op_nareis_in_nareis_inwilligingen_2019_2022": "IND: aandeel nareis op nareis in ingewilligde nareis, 2019-2022",
        "piekjaar_alle_inwilligingen": "IND: jaar met de meeste inwilligingen, alle vormen",
    }
    if doel in fixed:
        return fixed[doel]
    if doel.startswith("eerste_asielaanvragen_"):
        return f"CBS: eerste asielaanvragen (personen), {doel.rsplit('_', 1)[1]}"
    if doel.startswith("nareis_inwilligingen_"):
        ours = "synthetisch" if is_synthetic() else "dit extract"
        return (
            f"CBS: aangekomen nareizigers (personen), {doel.rsplit('_', 1)[1]}; "
            f"{ours}: ingewilligde nareisaanvragen in dat besluitjaar"
        )
    return doel


def glue_calibration(kal: pd.DataFrame) -> None:
    _glue("kal_gehaald", int((kal[CALIBRATION_COLUMNS["binnen_marge"]] == "ja").sum()))
    _glue("kal_doelen", int(len(kal)))
    # the number of rows of the extract is a count too: rounded like every other
    _glue("kal_rijen", disclosure.round_count(int(extract.summary(extract_path())["rows"])))
    gehaald, doelen = int((kal[CALIBRATION_COLUMNS["binnen_marge"]] == "ja").sum()), int(len(kal))
    if is_synthetic():
        zin = f"haalt het synthetische extract {gehaald} van de {doelen} doelen binnen een marge van 20%."
    else:
        zin = (
            f"liggen {gehaald} van de {doelen} cijfers van dit extract binnen 20% van de eerder gepubliceerde cijfers."
        )
    _glue("kal_zin", zin)
    _glue_source()


def iterations_overview() -> pd.DataFrame:
    rows = []
    for it in config.iterations().values():
        rows.append(
            {
                "iteratie": it.id,
                "peildatum": it.peildatum.isoformat(),
                "periode": f"{it.start.isoformat()} t/m {it.end.isoformat()}",
                "vormen": len(it.vormen),
                "aanvragen (alle vormen)": total(it, "alle", "aanvragen"),
                "inwilligingen (alle vormen)": total(it, "alle", "inwilligingen"),
                "aanvragen nareis op nareis": total(it, "nareis_op_nareis", "aanvragen")
                if "nareis_op_nareis" in it.vormen
                else "",
            }
        )
    return pd.DataFrame(rows).set_index("iteratie").astype(str).map(nl_number)


# ------------------------------------------------------------------- worked examples (voorbeelden)

#: Reader labels of the example extracts (no column names or codes on the page).
EXAMPLE_COLUMNS = {
    "zaak_id": "zaak",
    "persoon_id": "persoon",
    "referent_id": "referent",
    "procedure": "procedure",
    "aanvraagdatum": "aanvraagdatum",
    "besluitdatum": "besluitdatum",
    "besluit": "besluit",
}
PROCEDURE_LABELS = {"asiel": "asiel", "nareis": "nareis", "8evrm": "8 EVRM"}


def example_input(name: str) -> pd.DataFrame:
    """One worked example's invented applications, with reader labels: the case number as
    the row label (no 0-based index), procedures as words, an empty field as '–'."""
    from ..engine import examples

    df = examples.case_input(name).copy()
    df["procedure"] = df["procedure"].map(lambda p: PROCEDURE_LABELS.get(p, p))
    df = df.replace("", "–").rename(columns=EXAMPLE_COLUMNS)
    return df.set_index("zaak")


def example_result(name: str, iteration: str | Iteration) -> pd.DataFrame:
    """What the engine makes of one worked example under the parameters of `iteration`
    (its method, forms, period and peildatum): per form and year, exact (invented persons)."""
    from ..engine import examples

    it = resolve(iteration)
    res = counts.compute(extract.validate(examples.case_input(name)), it)
    t = res.tabel
    keep = ["aanvragen", "inwilligingen", "lopend", "personen"]
    t = t[(t["maat"].isin(keep)) & (t["categorie"] != "nareis_totaal")]
    out = t.pivot_table(index=["categorie", "jaar"], columns="maat", values="aantal", aggfunc="sum", sort=False)
    out = out.reset_index()
    stacked = out[out["aanvragen"] > 0]
    if stacked.empty:  # nothing counted under these parameters: say so in one row
        return pd.DataFrame(
            {"uitkomst": [f"niets geteld met de parameters van {it.id}"]},
            index=pd.Index([it.id], name="iteratie"),
        )
    stacked = stacked.assign(categorie=stacked["categorie"].map(lambda c: FORM_LABELS.get(c, c)))
    stacked = stacked.rename(columns={"categorie": "vorm", "personen": "personen (referenten)"})
    cols = ["aanvragen", "inwilligingen", "lopend", "personen (referenten)"]
    return stacked.set_index(["vorm", "jaar"])[cols].rename_axis(columns=None)


def glue_examples(name: str) -> None:
    """The example's result under the parameters of every iteration, glued as
    `voorbeeld_<name>_<id>`: each edition's page pastes the one of its own iteration."""
    for it in config.iterations().values():
        _glue(f"voorbeeld_{name}_{it.id}", example_result(name, it))


def series_title(iteration: str | Iteration) -> str:
    """The title of an iteration's bar chart in the words of its date: before the definition
    was broadened (one form) the request knew only 'nareis op nareis', not 'gestapeld'."""
    it = resolve(iteration)
    if len(it.vormen) == 1:
        return f"Aanvragen {FORM_LABELS[it.vormen[0]]} per jaar ({it.id})"
    return f"Gestapelde aanvragen per jaar ({it.id})"


def example_parameters(iteration: str | Iteration) -> str:
    """'iteratie v0 (dwarsdoorsnede; alleen nareis op nareis; periode ...; peildatum ...)'."""
    it = resolve(iteration)
    vormen = "alle vier de vormen" if len(it.vormen) == 4 else ", ".join(FORM_LABELS[f] for f in it.vormen)
    return (
        f"iteratie {it.id} ({METHOD_LABELS.get(it.methode, it.methode)}; {vormen}; periode "
        f"{config.datum_nl(it.start)} tot en met {config.datum_nl(it.end)}; peildatum {config.datum_nl(it.peildatum)})"
    )
