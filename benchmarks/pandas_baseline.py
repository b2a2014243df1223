"""The counting rules of domain.md sections 3-4 written in plain vectorised pandas.

This is the yardstick for the engine (GitHub issue 6): the good version an analyst would
write with merges and group-bys, no Python loops over rows. It is written from the rules
in domain.md, not by calling the engine, and must give *identical* results:
`benchmarks/bench.py` compares them at every scale and stops when they differ.

`compute(extract, iteration)` mirrors `gestapeld.engine.counts.compute`: the same `Result` with
`tabel` (categorie, jaar, maat, aantal; zeros included), `diepte`, `tussentijd` and
`eigen_vergunning`. Only the iteration's parameters (dates, forms, method) are taken
from the package; measure names are spelled out here.

Self-check, no pytest needed (random small extracts with ties, cycles and late decisions,
then the scale-1 synthetic extract, every iteration):

    .venv/bin/python benchmarks/pandas_baseline.py
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

FAMILY = ("nareis", "8evrm")
MEASURES = ("aanvragen", "inwilligingen", "afwijzingen", "overig_beeindigd", "lopend", "personen")
REFERENCE_MEASURES = ("aanvragen", "inwilligingen")
COLUMNS = ["zaak_id", "persoon_id", "referent_id", "procedure", "aanvraagdatum", "besluitdatum", "besluit"]
FORM_OF = {  # (procedure of X, procedure of F1) -> form (domain.md section 3)
    ("nareis", "nareis"): "nareis_op_nareis",
    ("nareis", "8evrm"): "nareis_na_8evrm",
    ("8evrm", "nareis"): "8evrm_na_nareis",
    ("8evrm", "8evrm"): "8evrm_na_8evrm",
}


# --------------------------------------------------------------------------- input


def read(extract: pd.DataFrame | Path | str) -> pd.DataFrame:
    """The columns the rules need, dates as datetime64; `registratiedatum` equal to
    `aanvraagdatum` where the extract has none (domain.md section 7)."""
    if isinstance(extract, pd.DataFrame):
        given = [c for c in (*COLUMNS, "registratiedatum") if c in extract.columns]
        df = extract[given].copy()
    elif str(extract).lower().endswith((".parquet", ".pq")):
        import pyarrow.parquet as pq
        names = set(pq.ParquetFile(extract).schema_arrow.names)
        given = [c for c in (*COLUMNS, "registratiedatum") if c in names]
        df = pd.read_parquet(extract, columns=given, to_pandas_kwargs={"date_as_object": False})
    else:
        df = pd.read_csv(extract, dtype=str)
        df = df[[c for c in (*COLUMNS, "registratiedatum") if c in df.columns]]
    if "registratiedatum" not in df.columns:
        df["registratiedatum"] = df["aanvraagdatum"]
    for c in ("aanvraagdatum", "besluitdatum", "registratiedatum"):
        df[c] = pd.to_datetime(df[c])
    df["registratiedatum"] = df["registratiedatum"].fillna(df["aanvraagdatum"])
    for c in ("zaak_id", "persoon_id", "referent_id", "procedure", "besluit"):
        if df[c].dtype != "str":  # a validated frame has pd.NA strings: NaN semantics as read
            df[c] = df[c].astype("str")
    return df


def as_of(df: pd.DataFrame, peildatum: dt.date) -> pd.DataFrame:
    """Section 4: filed and registered on or before the peildatum; later decisions are invisible."""
    peil = pd.Timestamp(peildatum)
    z = df[(df["aanvraagdatum"] <= peil) & (df["registratiedatum"] <= peil)].drop(columns="registratiedatum")
    hidden = ~(z["besluitdatum"] <= peil)  # also True where there is no decision
    z["besluitdatum"] = z["besluitdatum"].mask(hidden)
    z["besluit"] = z["besluit"].mask(hidden)
    # "ties: smallest zaak_id": numerically when the identifiers are numbers, else as text
    ids = z["zaak_id"]
    numeric = ids.str.isdigit() | (ids.str[:1].isin(("+", "-")) & ids.str[1:].str.isdigit())
    z["zaak_nr"] = pd.to_numeric(ids.where(numeric), errors="coerce")
    return z


# --------------------------------------------------------------------------- linkage


def first_steps(z: pd.DataFrame) -> pd.DataFrame:
    """F1 per person: the earliest granted nareis, or 8evrm bij asiel (section 3)."""
    granted = z[z["besluit"] == "inwilliging"]
    permit = (granted[granted["procedure"].isin(("asiel", "nareis"))]
              .groupby("persoon_id", as_index=False)["besluitdatum"].min()
              .rename(columns={"persoon_id": "referent_id", "besluitdatum": "referent_sinds"}))
    fam = granted[granted["procedure"].isin(FAMILY)].merge(permit, on="referent_id", how="left")
    bij_asiel = (fam["procedure"] == "nareis") | (fam["referent_sinds"] <= fam["aanvraagdatum"])
    cand = fam[bij_asiel]
    f1 = (cand.sort_values(["persoon_id", "besluitdatum", "zaak_nr", "zaak_id"], na_position="last")
              .drop_duplicates("persoon_id"))
    return f1.rename(columns={"zaak_id": "f1_zaak_id", "procedure": "f1_procedure",
                              "referent_id": "f1_referent_id", "besluitdatum": "f1_besluitdatum"}
                     )[["persoon_id", "f1_zaak_id", "f1_procedure", "f1_referent_id", "f1_besluitdatum"]]


def _in_window(z: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    return z[z["aanvraagdatum"].between(pd.Timestamp(start), pd.Timestamp(end))]


def stacked(z: pd.DataFrame, f1: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The stacked applications X of all forms (section 3), with the F1 they build on."""
    x = _in_window(z[z["procedure"].isin(FAMILY)], start, end)
    g = x.merge(f1, left_on="referent_id", right_on="persoon_id", suffixes=("", "_b"))
    g = g[g["f1_besluitdatum"] <= g["aanvraagdatum"]].drop(columns="persoon_id_b")
    g["vorm"] = _form(g["procedure"], g["f1_procedure"])
    # B obtained an own asylum permit between F1 and X: reported, not a condition.
    own = z.loc[(z["procedure"] == "asiel") & (z["besluit"] == "inwilliging"), ["persoon_id", "besluitdatum"]]
    hit = g[["zaak_id", "referent_id", "f1_besluitdatum", "aanvraagdatum"]].merge(
        own, left_on="referent_id", right_on="persoon_id")
    hit = hit[hit["besluitdatum"].between(hit["f1_besluitdatum"], hit["aanvraagdatum"])]
    g["eigen_asielvergunning"] = g["zaak_id"].isin(hit["zaak_id"])
    return g


def stacked_cross_sectional(z: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Iteration v0 (section 5): only the referent's current permit, no history."""
    granted = z[z["besluit"] == "inwilliging"]
    current = (granted.sort_values(["persoon_id", "besluitdatum", "zaak_nr", "zaak_id"],
                                   ascending=[True, False, False, False], na_position="first")
                      .drop_duplicates("persoon_id"))
    current = current.loc[current["procedure"].isin(FAMILY), ["persoon_id", "procedure", "besluitdatum"]]
    current = current.rename(columns={"persoon_id": "referent_id", "procedure": "f1_procedure",
                                      "besluitdatum": "f1_besluitdatum"})
    x = _in_window(z[z["procedure"].isin(FAMILY)], start, end)
    g = x.merge(current, on="referent_id")
    g["vorm"] = _form(g["procedure"], g["f1_procedure"])
    g["eigen_asielvergunning"] = False
    return g


def _form(x_procedure: pd.Series, f1_procedure: pd.Series) -> pd.Series:
    key = x_procedure.astype(object) + "|" + f1_procedure.astype(object)
    return key.map({f"{a}|{b}": v for (a, b), v in FORM_OF.items()})


def depth(f1: pd.DataFrame, referents: pd.Series) -> pd.DataFrame:
    """Chain depth per referent B (section 3): walk B -> F1 referent A -> A's F1 referent ...

    One merge per step of the walk (all referents at once), never a loop over rows.
    `niveau` counts the persons with a first step on the walk; meeting a person already
    passed is a cycle, reported and not followed.
    """
    persons = pd.Index(f1["persoon_id"])
    referent_of = f1["f1_referent_id"].to_numpy()
    candidates = pd.Index(referents.dropna().unique())
    starts = candidates[persons.get_indexer(candidates) >= 0]
    walk = pd.DataFrame({"start": starts, "cur": referent_of[persons.get_indexer(starts)]})
    walk["niveau"], walk["cyclus"] = 1, walk["cur"] == walk["start"]
    passed = pd.DataFrame({"start": starts, "persoon": starts})  # every walk passed its start
    done = [walk]
    while len(walk):
        at = persons.get_indexer(walk["cur"])  # -1: the current person has no first step
        keep = ~walk["cyclus"].to_numpy() & (at >= 0)
        walk, at = walk[keep], at[keep]
        passed = pd.concat([passed, walk[["start", "cur"]].rename(columns={"cur": "persoon"})])
        walk = walk.assign(cur=referent_of[at], niveau=walk["niveau"] + 1)
        seen = walk.merge(passed, left_on=["start", "cur"], right_on=["start", "persoon"])["start"]
        walk = walk.assign(cyclus=walk["start"].isin(seen))
        done.append(walk)
    all_steps = pd.concat(done)
    return (all_steps.groupby("start").agg(niveau=("niveau", "max"), cyclus=("cyclus", "any"))
                     .rename_axis("referent_id").reset_index())


# --------------------------------------------------------------------------- measures


def _years(iteration) -> list[int]:
    last = min(iteration.end, iteration.peildatum)
    return list(range(iteration.start.year, max(last.year, iteration.start.year) + 1))


def _measures(g: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    b = g["besluit"]
    frame = pd.DataFrame({
        "categorie": key.to_numpy(), "jaar": g["aanvraagdatum"].dt.year.to_numpy(),
        "aanvragen": 1,
        "inwilligingen": (b == "inwilliging").to_numpy(dtype=int),
        "afwijzingen": (b == "afwijzing").to_numpy(dtype=int),
        "overig_beeindigd": b.isin(("intrekking", "buitenbehandeling")).to_numpy(dtype=int),
        "lopend": b.isna().to_numpy(dtype=int),
        "referent_id": g["referent_id"].to_numpy(),
    })
    return frame.groupby(["categorie", "jaar"]).agg(
        aanvragen=("aanvragen", "sum"), inwilligingen=("inwilligingen", "sum"),
        afwijzingen=("afwijzingen", "sum"), overig_beeindigd=("overig_beeindigd", "sum"),
        lopend=("lopend", "sum"), personen=("referent_id", "nunique")).reset_index()


def compute(extract: pd.DataFrame | Path | str, iteration):
    """Measures per form and year as of the peildatum, like `gestapeld.engine.counts.compute`."""
    from gestapeld.engine.counts import Result  # the container only, no engine code

    z = as_of(read(extract), iteration.peildatum)
    if iteration.methode == "cross_sectional":
        g = stacked_cross_sectional(z, iteration.start, iteration.end)
        d = pd.DataFrame({"referent_id": pd.Series(dtype=object), "niveau": pd.Series(dtype="int64"),
                          "cyclus": pd.Series(dtype=bool)})
    else:
        f1 = first_steps(z)
        g = stacked(z, f1, iteration.start, iteration.end)
        d = depth(f1, g["referent_id"])
    g = g[g["vorm"].isin(iteration.vormen)]

    wide = pd.concat([_measures(g, g["vorm"]), _measures(g, pd.Series("alle", index=g.index))])
    ref = _in_window(z[z["procedure"] == "nareis"], iteration.start, iteration.end)
    wide_ref = _measures(ref, pd.Series("nareis_totaal", index=ref.index))[["categorie", "jaar", *REFERENCE_MEASURES]]
    long = pd.concat([wide, wide_ref]).melt(id_vars=["categorie", "jaar"], var_name="maat", value_name="aantal")
    years = _years(iteration)
    grid = pd.DataFrame(
        [(c, j, m) for c in (*iteration.vormen, "alle") for j in years for m in MEASURES]
        + [("nareis_totaal", j, m) for j in years for m in REFERENCE_MEASURES],
        columns=["categorie", "jaar", "maat"])
    tabel = grid.merge(long, on=["categorie", "jaar", "maat"], how="left")
    tabel["aantal"] = tabel["aantal"].fillna(0).astype("int64")

    gd = g.merge(d, on="referent_id")
    diepte = (gd.assign(diepte=np.where(gd["cyclus"], "cyclus", (gd["niveau"] + 1).astype(str)))
                .groupby("diepte").size().rename("aantal").reset_index())
    # whole months elapsed, counted like an age: a month is complete on the same day of the month
    months = ((g["aanvraagdatum"].dt.year - g["f1_besluitdatum"].dt.year) * 12
              + g["aanvraagdatum"].dt.month - g["f1_besluitdatum"].dt.month
              - (g["aanvraagdatum"].dt.day < g["f1_besluitdatum"].dt.day).astype(int))
    klasse = pd.cut(months, [-np.inf, 12, 24, 36, 60, np.inf], right=False,
                    labels=["0-11 maanden", "12-23 maanden", "24-35 maanden", "36-59 maanden",
                            "60 maanden of meer"]).astype(object)
    tussentijd = (pd.DataFrame({"categorie": g["vorm"].to_numpy(), "klasse": klasse.to_numpy()})
                  .groupby(["categorie", "klasse"]).size().rename("aantal").reset_index())
    eigen = (g.groupby(["vorm", "eigen_asielvergunning"]).size().rename("aantal").reset_index()
              .rename(columns={"vorm": "categorie"}))
    return Result(iteration=iteration, tabel=tabel, diepte=diepte, tussentijd=tussentijd,
                  eigen_vergunning=eigen)


# --------------------------------------------------------------------------- comparison


def _canon(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if c == "aantal" or c == "jaar":
            out[c] = out[c].astype("int64")
        elif c == "eigen_asielvergunning":
            out[c] = out[c].astype(bool)
        else:
            out[c] = out[c].astype(object).astype(str)
    out = out[out["aantal"] != 0] if "jaar" not in out.columns else out
    return out.sort_values(list(out.columns)).reset_index(drop=True)


def differences(engine, baseline) -> list[str]:
    """Empty when the two results agree cell for cell; else readable differences."""
    problems: list[str] = []
    for part in ("tabel", "diepte", "tussentijd", "eigen_vergunning"):
        a, b = _canon(getattr(engine, part)), _canon(getattr(baseline, part))
        keys = [c for c in a.columns if c != "aantal"]
        m = a.merge(b, on=keys, how="outer", suffixes=("_engine", "_pandas"), indicator=True)
        bad = m[(m["_merge"] != "both") | (m["aantal_engine"] != m["aantal_pandas"])]
        if len(bad):
            problems.append(f"{part}: {len(bad)} cells differ\n{bad.drop(columns='_merge').head(20).to_string()}")
    return problems


def _random_extract(rng: np.random.Generator, n_persons: int = 40, n_cases: int = 160) -> pd.DataFrame:
    """A small valid extract with ties, numeric and text zaak_ids, cycles, Dutch sponsors."""
    persons = [f"P{i:02d}" for i in range(n_persons)] + ["NL1", "NL2"]  # NL*: no record of their own
    rows = []
    for _ in range(n_cases):
        pid = persons[rng.integers(0, n_persons)]
        proc = rng.choice(["asiel", "nareis", "8evrm"], p=[0.3, 0.45, 0.25])
        ref = None
        if proc != "asiel":
            ref = pid
            while ref == pid:
                ref = persons[rng.integers(0, len(persons))]
        filed = dt.date(2016, 1, 1) + dt.timedelta(days=int(rng.integers(0, 9 * 365)))
        if rng.random() < 0.15:
            besluit, decided = None, None
        else:
            besluit = rng.choice(["inwilliging", "afwijzing", "intrekking", "buitenbehandeling"],
                                 p=[0.6, 0.25, 0.1, 0.05])
            # coarse decision dates (first of a month) so that ties on the decision date occur
            d = filed + dt.timedelta(days=int(rng.integers(0, 700)))
            decided = dt.date(d.year, d.month, 1) if dt.date(d.year, d.month, 1) >= filed else d
        rows.append((pid, ref, str(proc), filed.isoformat(), decided.isoformat() if decided else "",
                     str(besluit) if besluit else ""))
    # zaak_ids: numbers of different lengths ("9" < "10" numerically, not as text), and some text
    numbers = rng.permutation(n_cases) + 1
    ids = [str(n) if rng.random() < 0.7 else f"Z{n}" for n in numbers]
    rows = [(zid, *row) for zid, row in zip(ids, rows)]
    return pd.DataFrame(rows, columns=COLUMNS)


def self_check(scale1_path: Path | None = None, *, n_random: int = 60) -> int:
    """Compare with the engine on random small extracts and (optionally) scale 1."""
    from gestapeld import config
    from gestapeld.engine import counts, extract

    its = config.iterations()
    failures = 0
    rng = np.random.default_rng(6)
    for i in range(n_random):
        df = extract.validate(_random_extract(rng))
        for it in its.values():
            probs = differences(counts.compute(df, it), compute(df, it))
            if probs:
                failures += 1
                print(f"random extract {i}, iteration {it.id}: DIFFERENT\n" + "\n".join(probs))
    print(f"random small extracts: {n_random} x {len(its)} iterations, {failures} different")
    if scale1_path is not None:
        for it in its.values():
            probs = differences(counts.compute(scale1_path, it), compute(scale1_path, it))
            failures += bool(probs)
            print(f"scale 1, iteration {it.id}: {'DIFFERENT' if probs else 'identical'}")
            for p in probs:
                print(p)
    return failures


def main() -> int:
    from gestapeld import config  # the synthetic default (scale 1), written by `make data`
    path = config.default_data_path()
    if not path.exists():
        print(f"no {path}: run `make data` first", file=sys.stderr)
        return 2
    failures = self_check(path)
    print("SELF-CHECK " + ("FAILED" if failures else "OK: pandas baseline identical to the engine"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
