"""Worked examples for the book: tiny made-up extracts and what the engine makes of them.

Invented persons (A, B, C, ...), not data: these are shown exactly, without disclosure
control, because they describe no one.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import pandas as pd

from ..config import FORM_LABELS, Iteration
from . import counts, extract

COLUMNS = ["zaak_id", "persoon_id", "referent_id", "procedure", "aanvraagdatum", "besluitdatum", "besluit"]

# Every case is possible under the rules of domain.md sections 2-3: a referent of a `nareis`
# holds an own asylum permit (a granted `asiel`) on the application date; `8evrm` needs no
# asylum permit of the referent. Together they cover each rule of the method page.
CASES: dict[str, dict] = {
    "nareis_op_nareis": {
        "titel": "Nareis op nareis via een eigen asielvergunning",
        "uitleg": "A krijgt asiel; B komt via nareis bij A; B krijgt later een eigen asielvergunning en "
        "vraagt nareis aan voor C. De aanvraag van C is gestapeld, want B kwam zelf via nareis.",
        "rijen": [
            ("1", "A", "", "asiel", "2016-01-10", "2016-06-01", "inwilliging"),
            ("2", "B", "A", "nareis", "2016-07-01", "2017-01-15", "inwilliging"),
            ("3", "B", "", "asiel", "2019-03-01", "2020-02-01", "inwilliging"),
            ("4", "C", "B", "nareis", "2020-05-01", "2020-11-01", "inwilliging"),
        ],
    },
    "nareis_na_8evrm": {
        "titel": "Nareis na 8 EVRM (8 EVRM bij asiel)",
        "uitleg": "A krijgt asiel. B komt via 8 EVRM bij A; omdat A op B's aanvraagdatum al een "
        "asielvergunning had, is dat gezinshereniging *bij asiel*. B krijgt later een eigen "
        "asielvergunning en vraagt nareis aan voor C: nareis na 8 EVRM.",
        "rijen": [
            ("1", "A", "", "asiel", "2015-01-10", "2015-06-01", "inwilliging"),
            ("2", "B", "A", "8evrm", "2016-01-10", "2016-09-01", "inwilliging"),
            ("3", "B", "", "asiel", "2018-02-01", "2019-01-10", "inwilliging"),
            ("4", "C", "B", "nareis", "2019-06-01", "2019-12-01", "inwilliging"),
        ],
    },
    "8evrm_na_nareis": {
        "titel": "8 EVRM na nareis",
        "uitleg": "A krijgt asiel; B komt via nareis bij A. B heeft alleen een afgeleide vergunning en kan "
        "dus geen nareis aanvragen, maar wel 8 EVRM: daarvoor is geen eigen asielvergunning "
        "nodig. B vraagt 8 EVRM aan voor C: 8 EVRM na nareis.",
        "rijen": [
            ("1", "A", "", "asiel", "2015-03-01", "2015-09-01", "inwilliging"),
            ("2", "B", "A", "nareis", "2015-10-01", "2016-04-01", "inwilliging"),
            ("3", "C", "B", "8evrm", "2020-03-01", "2020-10-01", "inwilliging"),
        ],
    },
    "8evrm_na_8evrm": {
        "titel": "8 EVRM na 8 EVRM",
        "uitleg": "A krijgt asiel; B komt via 8 EVRM bij A (bij asiel); later vraagt B 8 EVRM aan voor C. "
        "Op de peildatum is daarop nog niet beslist: de aanvraag telt mee als lopend.",
        "rijen": [
            ("1", "A", "", "asiel", "2014-05-01", "2014-11-01", "inwilliging"),
            ("2", "B", "A", "8evrm", "2015-02-01", "2015-12-01", "inwilliging"),
            ("3", "C", "B", "8evrm", "2023-09-01", "", ""),
        ],
    },
    "te_vroeg": {
        "titel": "Aangevraagd voordat de eerste stap besloten was",
        "uitleg": "D vraagt 8 EVRM aan met B als referent, maar dat gebeurt voordat B's eigen nareis "
        "is ingewilligd. Op de aanvraagdatum was B nog niet via gezinshereniging toegelaten: "
        "niet gestapeld.",
        "rijen": [
            ("1", "A", "", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
            ("2", "B", "A", "nareis", "2018-07-01", "2019-03-01", "inwilliging"),
            ("3", "D", "B", "8evrm", "2019-02-01", "2019-08-01", "afwijzing"),
        ],
    },
    "buiten_asiel": {
        "titel": "8 EVRM met een Nederlandse referent telt niet",
        "uitleg": "E komt via 8 EVRM bij N, een Nederlander zonder asielvergunning. Als E later F laat "
        "overkomen, is dat gewone gezinsmigratie, geen gestapelde gezinshereniging bij asiel.",
        "rijen": [
            ("1", "E", "N", "8evrm", "2017-03-01", "2017-09-01", "inwilliging"),
            ("2", "F", "E", "8evrm", "2020-01-15", "2020-07-01", "inwilliging"),
        ],
    },
    "gelijke_besluitdatum": {
        "titel": "Twee eerste stappen op dezelfde dag",
        "uitleg": "B heeft twee ingewilligde aanvragen als gezinslid van A, met dezelfde besluitdatum: "
        "een 8 EVRM (zaak 2) en een nareis (zaak 3). De eerste stap is dan de zaak met het "
        "kleinste zaaknummer, zaak 2. De latere nareis voor C heet daarom nareis na 8 EVRM, "
        "niet nareis op nareis, en telt één keer.",
        "rijen": [
            ("1", "A", "", "asiel", "2015-01-10", "2015-06-01", "inwilliging"),
            ("2", "B", "A", "8evrm", "2015-08-01", "2016-05-01", "inwilliging"),
            ("3", "B", "A", "nareis", "2015-09-01", "2016-05-01", "inwilliging"),
            ("4", "B", "", "asiel", "2017-01-10", "2018-03-01", "inwilliging"),
            ("5", "C", "B", "nareis", "2019-09-01", "2020-03-01", "inwilliging"),
        ],
    },
    "minder_personen": {
        "titel": "Minder personen dan aanvragen",
        "uitleg": "B kwam via nareis bij A, kreeg een eigen asielvergunning en vraagt daarna nareis aan "
        "voor twee gezinsleden, C en D. Dat zijn twee gestapelde aanvragen, maar één referent: "
        "de maat *personen* telt B één keer.",
        "rijen": [
            ("1", "A", "", "asiel", "2015-01-10", "2015-06-01", "inwilliging"),
            ("2", "B", "A", "nareis", "2015-07-01", "2016-01-15", "inwilliging"),
            ("3", "B", "", "asiel", "2018-03-01", "2019-02-01", "inwilliging"),
            ("4", "C", "B", "nareis", "2019-05-01", "2019-11-01", "inwilliging"),
            ("5", "D", "B", "nareis", "2019-05-01", "2020-01-10", "afwijzing"),
        ],
    },
    "keten": {
        "titel": "Een keten van diepte 3: nareis op nareis op nareis",
        "uitleg": "A krijgt asiel; B komt via nareis bij A en krijgt later een eigen asielvergunning; C "
        "komt via nareis bij B en krijgt ook een eigen asielvergunning; daarna vraagt C nareis "
        "aan voor D. De aanvraag voor C heeft diepte 2, die voor D diepte 3 (op de peildatum "
        "nog niet beslist).",
        "rijen": [
            ("1", "A", "", "asiel", "2013-01-10", "2013-06-01", "inwilliging"),
            ("2", "B", "A", "nareis", "2013-07-01", "2014-01-15", "inwilliging"),
            ("3", "B", "", "asiel", "2017-02-01", "2018-10-01", "inwilliging"),
            ("4", "C", "B", "nareis", "2019-04-01", "2019-10-01", "inwilliging"),
            ("5", "C", "", "asiel", "2020-01-10", "2021-01-20", "inwilliging"),
            ("6", "D", "C", "nareis", "2021-06-01", "", ""),
        ],
    },
}

PARAMS = dict(
    id="voorbeeld",
    titel="voorbeeld",
    verzoek="",
    tijdlijn="",
    rationale="",
    vormen=("nareis_op_nareis", "nareis_na_8evrm", "8evrm_na_nareis", "8evrm_na_8evrm"),
    start=dt.date(2019, 1, 1),
    end=dt.date(2023, 12, 31),
    peildatum=dt.date(2024, 1, 15),
)


def case_input(name: str) -> pd.DataFrame:
    return pd.DataFrame(CASES[name]["rijen"], columns=COLUMNS)


def case_result(name: str, methode: str = "longitudinal") -> pd.DataFrame:
    """Per form and year of application (only where there are stacked applications): applications,
    grants, pending and distinct referents (`personen`, counted per year as in the tables)."""
    t = _case(name, methode).tabel
    keep = ["aanvragen", "inwilligingen", "lopend", "personen"]
    t = t[(t["maat"].isin(keep)) & (t["categorie"] != "nareis_totaal")]
    out = t.pivot_table(index=["categorie", "jaar"], columns="maat", values="aantal", aggfunc="sum", sort=False)
    out = out.reset_index()
    out = out[(out["aanvragen"] > 0) | ((out["categorie"] == "alle") & (out["jaar"] == out["jaar"].min()))]
    if int(out["aanvragen"].sum()) > 0:
        out = out[out["aanvragen"] > 0]
    out["categorie"] = out["categorie"].map(lambda c: FORM_LABELS.get(c, c))
    out = out.rename(columns={"categorie": "vorm", "personen": "personen (referenten)"})
    out = out.set_index(["vorm", "jaar"])[["aanvragen", "inwilligingen", "lopend", "personen (referenten)"]]
    return out.rename_axis(columns=None)


def case_depths(name: str) -> dict[str, int]:
    res = _case(name, "longitudinal")
    return dict(zip(res.diepte["diepte"], res.diepte["aantal"]))


@cache
def _case(name: str, methode: str) -> counts.Result:
    """One case through validation and the engine (the page shows its table and its depths)."""
    return counts.compute(extract.validate(case_input(name)), Iteration(methode=methode, **PARAMS))
