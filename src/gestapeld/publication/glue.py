"""Glue and citations: how a number leaves a notebook for the text pages.

`glue` writes MyST-NB glue outputs (the same bytes as `myst_nb.glue`, without its slow
import); `glue_iteration`, `glue_reconciliation` and `glue_disclosure` glue what the text
pages quote. `sources` lists the numbers a cell glued, each with the `citation` to paste
under it (edition, page, data and code fingerprints, site digest).
"""

from __future__ import annotations

import re

import pandas as pd

from .. import config, provenance
from ..config import Iteration
from ..protection import disclosure
from . import digest
from .kept_results import template_fingerprint
from .page_tables import NOT_APPLICABLE, has_depth, share_text
from .protected import protected_cells, share, total
from .source import data_path, data_source, effect_text, is_synthetic, nl_number, percent, published_text, resolve


def glue_disclosure(table: pd.DataFrame) -> None:
    """Numbers of `disclosure_table` for the text: per edition `<id>_cellen`, `<id>_x`,
    `<id>_aandeel_x`, and the same for the newest edition as `nieuwste_...` (with its id)."""
    pol = disclosure.DEFAULT
    for eid, row in table.iterrows():
        for prefix in (eid, "nieuwste") if eid == table.index[-1] else (eid,):
            glue(f"{prefix}_cellen", int(row["gepubliceerde cellen"]))
            glue(f"{prefix}_x", int(row[f"extra afgeschermd ('{pol.secondary}')"]))
            glue(f"{prefix}_aandeel_x", row[f"aandeel '{pol.secondary}'"])
    glue("nieuwste_editie", str(table.index[-1]))


#: myst_nb's prefix for glued data that is not displayed (`myst_nb.ext.glue.GLUE_PREFIX`)
GLUE_PREFIX = "application/papermill.record/"


def glue(key: str, value) -> None:
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
    GLUED[key] = value  # listed, with its citation, by `sources` in the same cell


def glue_iteration(iteration: str | Iteration) -> None:
    """Numbers the text pages quote from this iteration (published values)."""
    it = resolve(iteration)
    for cat in ("alle", *it.vormen):
        for m in ("aanvragen", "inwilligingen"):
            glue(f"{cat}_{m}", total(it, cat, m))
            glue(f"{cat}_{m}_tekst", published_text(total(it, cat, m)))
    glue("nareis_totaal_inwilligingen", total(it, "nareis_totaal", "inwilligingen"))
    # the published text: a nonzero share never reads 0,0%, an unknown one never 0
    glue("aandeel", share_text(it, share(it)))
    # a cross-sectional query sees no chains: their depth is unknown there, not 0
    glue("diepte3", protected_cells(it)[("alle", "totaal", "diepte:3+")] if has_depth(it) else NOT_APPLICABLE)
    glue("peildatum", it.peildatum.isoformat())
    glue_source()


def glue_source() -> None:
    """The data-source texts of this build, for pages outside the notebooks."""
    src = data_source()
    glue("bron", src["bron"])
    glue("bron_label", src["label"])
    glue("bron_kort", src["kort"])
    glue("bron_label_en", src["label_en"])


def glue_reconciliation(
    dec: pd.DataFrame, dec_inw: pd.DataFrame, of: pd.DataFrame | None = None, of_inw: pd.DataFrame | None = None
) -> None:
    """Numbers of one reconciliation for the text: totals and effects in the stated order
    (int, 0 when not computable, as before) and, when given, the order-free decomposition
    as published text (`shapley_<stap>`, `laagste_<stap>`, `hoogste_<stap>`, suffix `_inw`
    for grants), which may be fractional or NOT_COMPUTABLE."""
    for suffix, d, o in (("", dec, of), ("_inw", dec_inw, of_inw)):
        glue(f"totaal_van{suffix}", d.iloc[0]["totaal"])
        glue(f"totaal_naar{suffix}", d.iloc[-1]["totaal"])
        glue(f"totaal_van{suffix}_tekst", published_text(d.iloc[0]["totaal"]))
        glue(f"totaal_naar{suffix}_tekst", published_text(d.iloc[-1]["totaal"]))
        for _, r in d.iloc[1:].iterrows():
            v = r["effect"]
            glue(f"effect_{r['stap']}{suffix}", int(v) if v == v and v is not None else 0)
            glue(f"effect_{r['stap']}{suffix}_tekst", effect_text(v))
        if o is None:
            continue
        for r in o.itertuples():
            if r.stap == "totaal":
                glue(f"verschil{suffix}", effect_text(r.volgorde))
                continue
            glue(f"volgorde_{r.stap}{suffix}", effect_text(r.volgorde))
            glue(f"shapley_{r.stap}{suffix}", effect_text(r.shapley))
            glue(f"laagste_{r.stap}{suffix}", effect_text(r.laagste))
            glue(f"hoogste_{r.stap}{suffix}", effect_text(r.hoogste))


#: Values glued in this kernel since the last `sources` call (key -> value).
GLUED: dict[str, object] = {}


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
    code = template_fingerprint(tpl)[:12]
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
    rows = [(key, _shown(value), citation(notebook, key)) for key, value in GLUED.items()]
    # every number is listed, also in the plain-text rendering (pandas cuts long tables)
    pd.set_option("display.max_rows", max(int(pd.get_option("display.max_rows") or 0), len(rows) + 1))
    GLUED.clear()
    return pd.DataFrame(rows, columns=["getal", "waarde", "citeer als"]).set_index("getal")
