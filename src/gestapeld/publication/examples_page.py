"""The worked examples (voorbeelden): invented applications and what each iteration counts.

Reader labels for the example extracts, their result under every iteration's parameters
(glued per edition) and the parameters in words.
"""

from __future__ import annotations

import pandas as pd

from .. import config
from ..config import FORM_LABELS, Iteration
from ..engine import counts, extract
from .glue import glue
from .source import METHOD_LABELS, resolve

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
    return _result_table(counts.compute(extract.validate(examples.case_input(name)), it), it)


def _result_table(res: counts.Result, it: Iteration) -> pd.DataFrame:
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
    `voorbeeld_<name>_<id>`: each edition's page pastes the one of its own iteration. The
    example is validated once and counted for all iterations in one pass (`compute_many`
    gives what `compute` gives for each)."""
    from ..engine import examples

    its = list(config.iterations().values())
    results = counts.compute_many(extract.validate(examples.case_input(name)), its)
    for it, res in zip(its, results):
        glue(f"voorbeeld_{name}_{it.id}", _result_table(res, it))


def example_parameters(iteration: str | Iteration) -> str:
    """'iteratie v0 (dwarsdoorsnede; alleen nareis op nareis; periode ...; peildatum ...)'."""
    it = resolve(iteration)
    vormen = "alle vier de vormen" if len(it.vormen) == 4 else ", ".join(FORM_LABELS[f] for f in it.vormen)
    return (
        f"iteratie {it.id} ({METHOD_LABELS.get(it.methode, it.methode)}; {vormen}; periode "
        f"{config.datum_nl(it.start)} tot en met {config.datum_nl(it.end)}; peildatum {config.datum_nl(it.peildatum)})"
    )
