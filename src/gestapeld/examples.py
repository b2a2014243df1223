"""Worked examples for the book: tiny made-up extracts and what the engine makes of them.

Invented persons (A, B, C, ...), not data: these are shown exactly, without disclosure
control, because they describe no one.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from . import counts, extract
from .config import FORM_LABELS, Iteration

COLUMNS = ["zaak_id", "persoon_id", "referent_id", "procedure", "aanvraagdatum", "besluitdatum", "besluit"]

CASES: dict[str, dict] = {
    "nareis_op_nareis": {
        "titel": "Nareis op nareis via een eigen asielvergunning",
        "uitleg": "A krijgt asiel; B komt via nareis bij A; B krijgt later een eigen asielvergunning en "
                  "vraagt nareis aan voor C. De aanvraag van C is gestapeld: B kwam zelf via nareis.",
        "rijen": [
            ("1", "A", "", "asiel", "2016-01-10", "2016-06-01", "inwilliging"),
            ("2", "B", "A", "nareis", "2016-07-01", "2017-01-15", "inwilliging"),
            ("3", "B", "", "asiel", "2019-03-01", "2020-02-01", "inwilliging"),
            ("4", "C", "B", "nareis", "2020-05-01", "2020-11-01", "inwilliging"),
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
        "uitleg": "E komt via 8 EVRM bij N, een Nederlander zonder asielvergunning. Als E later iemand "
                  "laat overkomen, is dat gewone gezinsmigratie, geen gestapelde gezinshereniging bij asiel.",
        "rijen": [
            ("1", "E", "N", "8evrm", "2017-03-01", "2017-09-01", "inwilliging"),
            ("2", "F", "E", "8evrm", "2020-01-15", "2020-07-01", "inwilliging"),
        ],
    },
    "keten": {
        "titel": "Een keten van diepte 3: nareis op nareis op nareis",
        "uitleg": "A krijgt asiel; B komt via nareis bij A; C via nareis bij B; daarna vraagt D nareis aan "
                  "bij C. De aanvraag van C heeft diepte 2, die van D diepte 3.",
        "rijen": [
            ("1", "A", "", "asiel", "2014-01-10", "2014-06-01", "inwilliging"),
            ("2", "B", "A", "nareis", "2014-07-01", "2015-01-15", "inwilliging"),
            ("3", "C", "B", "nareis", "2019-04-01", "2019-10-01", "inwilliging"),
            ("4", "D", "C", "nareis", "2021-02-01", "", ""),
        ],
    },
}

PARAMS = dict(id="voorbeeld", titel="voorbeeld", verzoek="", tijdlijn="", rationale="",
              vormen=("nareis_op_nareis", "nareis_na_8evrm", "8evrm_na_nareis", "8evrm_na_8evrm"),
              start=dt.date(2019, 1, 1), end=dt.date(2023, 12, 31), peildatum=dt.date(2024, 1, 15))


def case_input(name: str) -> pd.DataFrame:
    return pd.DataFrame(CASES[name]["rijen"], columns=COLUMNS)


def case_result(name: str, methode: str = "longitudinal") -> pd.DataFrame:
    """Per form: applications and grants over 2019-2023, and the depths found."""
    df = extract.validate(case_input(name))
    res = counts.compute(df, Iteration(methode=methode, **PARAMS))
    t = res.tabel
    t = t[(t["maat"].isin(["aanvragen", "inwilligingen"])) & (t["categorie"] != "nareis_totaal")]
    out = t.groupby(["categorie", "maat"], sort=False)["aantal"].sum().unstack("maat").reset_index()
    out["categorie"] = out["categorie"].map(lambda c: FORM_LABELS.get(c, c))
    out = out.rename(columns={"categorie": "vorm"}).set_index("vorm")[["aanvragen", "inwilligingen"]]
    return out


def case_depths(name: str) -> dict[str, int]:
    df = extract.validate(case_input(name))
    res = counts.compute(df, Iteration(methode="longitudinal", **PARAMS))
    return dict(zip(res.diepte["diepte"], res.diepte["aantal"]))
