"""Shared helpers: write a small extract, run the `gestapeld` command, read its tables.

The tests talk to the package through its command-line contract only:

    gestapeld validate PATH
    gestapeld tables --data PATH --out DIR [--iteration ID] [--peildatum D] [--start D]
                     [--end D] [--forms f1,f2,...] [--intern]

so they do not depend on how the engine is organised inside. Test modules import these
helpers with `from conftest import ...` (this folder is put on sys.path below, so that works
whatever pytest import mode is configured).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import itertools
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
REPO = TESTS_DIR.parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

# Extract schema (domain.md section 7): required columns, in the order we write them.
COLUMNS = (
    "zaak_id",
    "persoon_id",
    "referent_id",
    "procedure",
    "aanvraagdatum",
    "besluitdatum",
    "besluit",
)
OPTIONAL_COLUMNS = ("relatie", "nationaliteit", "geboortejaar")
DATE_COLUMNS = ("aanvraagdatum", "besluitdatum")

# Forms of stacking (domain.md section 3), in the order of the table in that section.
FORMS = ("nareis_op_nareis", "nareis_na_8evrm", "8evrm_na_nareis", "8evrm_na_8evrm")
# (procedure of X, procedure of F1) -> form
FORM_OF = {
    ("nareis", "nareis"): "nareis_op_nareis",
    ("nareis", "8evrm"): "nareis_na_8evrm",
    ("8evrm", "nareis"): "8evrm_na_nareis",
    ("8evrm", "8evrm"): "8evrm_na_8evrm",
}
# Measures (domain.md section 4); `nareis_totaal` has only the first two.
MEASURES = ("aanvragen", "inwilligingen", "afwijzingen", "overig_beeindigd", "lopend", "personen")
REFERENCE_MEASURES = ("aanvragen", "inwilligingen")
OUTCOME_MEASURES = ("inwilligingen", "afwijzingen", "overig_beeindigd", "lopend")

Key = tuple[str, int, str]  # (categorie, jaar, maat)
Table = dict[Key, int]


# --------------------------------------------------------------------------- xdist


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the tests that share an expensive fixture on one worker (`-n 2 --dist loadgroup`).

    A module- or session-scoped fixture of this project (a built site, a protected extract,
    a browser) is made once per worker that runs a test needing it. Tests that share one get
    the same `xdist_group` mark, so it is made once per session; every other test is handed
    to whichever worker is free. Tests joined by any shared fixture form one group."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    keys_of: dict[int, list[str]] = {}
    for i, item in enumerate(items):
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        keys = []
        for name in item.fixturenames:
            for fd in info.name2fixturedefs.get(name, ()):
                if not fd.baseid:  # pytest's and plugins' own (tmp_path_factory, ...)
                    continue
                if fd.scope == "module":
                    keys.append(f"module:{item.nodeid.split('::', 1)[0]}")
                elif fd.scope in ("session", "package"):
                    keys.append(f"{fd.scope}:{fd.baseid}::{name}")
        if keys:
            keys_of[i] = keys
            for key in keys[1:]:
                parent[find(key)] = find(keys[0])
    for i, keys in keys_of.items():
        items[i].add_marker(pytest.mark.xdist_group(find(keys[0]).split(":", 1)[1]))
    # xdist hands the work units (a group, or one test) out in collection order
    # (`--no-loadscope-reorder`): the heaviest first, then the other groups (a group is
    # several tests on one worker), then single tests, so that no worker is left idle at the
    # end while the other runs a long unit. Otherwise every test keeps its place.
    grouped = {items[i].nodeid for i in keys_of}
    rank = {}
    for item in items:
        heavy = next((n for n, p in enumerate(HEAVY_FIRST) if item.nodeid.startswith(p)), len(HEAVY_FIRST))
        rank[item.nodeid] = (heavy, item.nodeid not in grouped)
    items.sort(key=lambda item: rank[item.nodeid])


#: The heaviest work units on two workers, heaviest first (`make test` with --durations; a
#: unit is a module whose tests share a built site, or one long test). Only the order in which
#: xdist starts them: a stale entry costs time, never a result.
HEAVY_FIRST = (
    "tests/publication/test_verify.py",  # the `real_site` group: its build, two rebuilds, Ctrl-C
    "tests/protection/test_disclosure_property.py",
    "tests/site/test_browser.py",
    "tests/publication/test_publish.py",
    "tests/publication/test_real_extract.py::test_large",
    "tests/site/test_no_leaks.py::test_end_to_end",
    "tests/publication/test_notebooks.py",
    "tests/publication/test_consistency.py",
    "tests/engine/test_properties.py",
)


# --------------------------------------------------------------------------- the shared site


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory):
    """One site, every edition, built with `gestapeld book --data` from a small extract in
    the format an analyst receives (Dutch Excel CSV, canary identifiers), in a clone with a
    private cache (real_format.py). Shared by the site checks of test_real_extract, the
    reviewer's checks of test_verify and the Ctrl-C test: tests copy what they change."""
    import real_format

    return real_format.build(tmp_path_factory.mktemp("real_site"))


# --------------------------------------------------------------------------- extracts


def zaak(
    zaak_id: str,
    persoon_id: str,
    procedure: str,
    aanvraagdatum: str,
    besluitdatum: str = "",
    besluit: str = "",
    referent_id: str = "",
) -> dict[str, str]:
    """One application (one row of the extract). Dates ISO; empty strings for 'none'."""
    return {
        "zaak_id": zaak_id,
        "persoon_id": persoon_id,
        "referent_id": referent_id,
        "procedure": procedure,
        "aanvraagdatum": aanvraagdatum,
        "besluitdatum": besluitdatum,
        "besluit": besluit,
    }


def _dd_mm_yyyy(value: str) -> str:
    if not value:
        return value
    return dt.date.fromisoformat(value).strftime("%d-%m-%Y")


def write_csv(
    path: Path,
    rows: Sequence[Mapping[str, object]],
    *,
    sep: str = ",",
    bom: bool = False,
    dates: str = "iso",
    columns: Sequence[str] | None = None,
    line_end: str = "\n",
) -> Path:
    """Write rows as an extract CSV. `dates="dmy"` writes dd-mm-yyyy; `columns` picks/orders."""
    cols = list(columns) if columns is not None else list(COLUMNS)
    for r in rows:  # keep optional columns a row carries, unless columns were given
        if columns is None:
            cols += [k for k in r if k not in cols]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=sep, lineterminator=line_end)
        w.writerow(cols)
        for r in rows:
            out = []
            for c in cols:
                v = "" if r.get(c) is None else str(r.get(c, ""))
                if dates == "dmy" and c in DATE_COLUMNS:
                    v = _dd_mm_yyyy(v)
                out.append(v)
            w.writerow(out)
    return path


def write_parquet(
    path: Path, rows: Sequence[Mapping[str, object]], *, typed_dates: bool = False, columns: Sequence[str] | None = None
) -> Path:
    """Write rows as a Parquet extract; `typed_dates` stores the dates as date32 (nulls for none)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = list(columns) if columns is not None else list(COLUMNS)
    arrays = {}
    for c in cols:
        values = [r.get(c, "") for r in rows]
        if typed_dates and c in DATE_COLUMNS:
            arrays[c] = pa.array([dt.date.fromisoformat(v) if v else None for v in values], type=pa.date32())
        else:
            arrays[c] = pa.array([None if v in ("", None) else str(v) for v in values], type=pa.string())
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(arrays), path)
    return path


# --------------------------------------------------------------------------- running


def gestapeld_command() -> list[str]:
    """The console script next to this interpreter, else `python -m gestapeld`."""
    script = Path(sys.executable).with_name("gestapeld")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "gestapeld"]


def run_cli(*args: object, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `gestapeld ARGS` from the repository root in its own process; stdout/stderr
    captured as text (quick commands are forked from a preloaded interpreter: cli_fork.py)."""
    import cli_fork

    env = dict(os.environ)
    env.pop("GESTAPELD_DEBUG", None)  # a developer's debug switch must not change what we test
    return cli_fork.run(args, cwd=REPO, env=env, timeout=timeout)


def tables_args(
    data: Path,
    out: Path,
    *,
    iteration: str | None = None,
    peildatum: str | None = None,
    start: str | None = None,
    end: str | None = None,
    forms: Iterable[str] | None = None,
    intern: bool = True,
) -> list[str]:
    args = ["tables", "--data", str(data), "--out", str(out)]
    if iteration is not None:
        args += ["--iteration", iteration]
    if peildatum is not None:
        args += ["--peildatum", peildatum]
    if start is not None:
        args += ["--start", start]
    if end is not None:
        args += ["--end", end]
    if forms is not None:
        args += ["--forms", ",".join(forms)]
    if intern:
        args.append("--intern")
    return args


@dataclasses.dataclass
class Tables:
    """What one `gestapeld tables --intern` run produced."""

    tabel: Table  # tabel_intern.csv: exact counts
    diepte: dict[str, int]  # diepte_intern.csv: depth -> count
    published: dict[Key, str]  # tabel.csv: protected values, as text
    out: Path
    proc: subprocess.CompletedProcess


_counter = itertools.count()


def run_tables(
    tmp_path: Path, rows: Sequence[Mapping[str, object]] | None = None, *, data: Path | None = None, **options
) -> Tables:
    """Write `rows` (or use `data`), run `gestapeld tables --intern`, read the three files."""
    n = next(_counter)
    if data is None:
        data = write_csv(tmp_path / f"extract_{n}.csv", rows or [])
    out = tmp_path / f"out_{n}"
    proc = run_cli(*tables_args(data, out, **options))
    assert proc.returncode == 0, (
        f"gestapeld tables failed (exit {proc.returncode})\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    return Tables(
        tabel=read_table(out / "tabel_intern.csv"),
        diepte=read_depth(out / "diepte_intern.csv"),
        published=read_published(out / "tabel.csv"),
        out=out,
        proc=proc,
    )


# --------------------------------------------------------------------------- reading


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_table(path: Path) -> Table:
    """tabel_intern.csv -> {(categorie, jaar, maat): aantal}; fails on duplicate keys."""
    rows = _rows(path)
    out: Table = {}
    for r in rows:
        assert set(r) == {"categorie", "jaar", "maat", "aantal"}, f"{path.name}: columns {sorted(r)}"
        key = (r["categorie"], int(r["jaar"]), r["maat"])
        assert key not in out, f"{path.name}: duplicate row {key}"
        out[key] = int(r["aantal"])
    return out


def read_published(path: Path) -> dict[Key, str]:
    """tabel.csv -> {(categorie, jaar, maat): published text}; jaar is a year (int) or
    'totaal' (the period total, which the page shows too)."""
    out: dict[Key, str] = {}
    for r in _rows(path):
        assert set(r) == {"categorie", "jaar", "maat", "aantal"}, f"{path.name}: columns {sorted(r)}"
        assert r["jaar"].isdigit() or r["jaar"] == "totaal", f"{path.name}: jaar {r['jaar']!r}"
        key = (r["categorie"], int(r["jaar"]) if r["jaar"].isdigit() else r["jaar"], r["maat"])
        assert key not in out, f"{path.name}: duplicate row {key}"
        out[key] = r["aantal"]
    return out


def read_depth(path: Path) -> dict[str, int]:
    """diepte_intern.csv -> {'2': n, '3': n, ..., 'cyclus': n} (empty file or header only: {})."""
    if not path.exists() or path.stat().st_size == 0:
        assert path.exists(), f"{path.name} was not written"
        return {}
    out: dict[str, int] = {}
    for r in _rows(path):
        assert set(r) == {"diepte", "aantal"}, f"{path.name}: columns {sorted(r)}"
        key = r["diepte"].strip()
        assert key not in out, f"{path.name}: duplicate depth {key}"
        out[key] = int(r["aantal"])
    return out


# --------------------------------------------------------------------------- expectations


def years_between(start: str, end: str) -> list[int]:
    return list(range(int(start[:4]), int(end[:4]) + 1))


def zero_table(forms: Sequence[str], years: Sequence[int]) -> Table:
    """Every cell the contract requires, all zero: forms + alle (six measures), nareis_totaal (two)."""
    t: Table = {}
    for cat in (*forms, "alle"):
        for y in years:
            for m in MEASURES:
                t[(cat, y, m)] = 0
    for y in years:
        for m in REFERENCE_MEASURES:
            t[("nareis_totaal", y, m)] = 0
    return t


def expected_table(forms: Sequence[str], years: Sequence[int], cells: Mapping[Key, int]) -> Table:
    """The full expected table: zeros everywhere except the hand-derived `cells`."""
    t = zero_table(forms, years)
    unknown = [k for k in cells if k not in t]
    assert not unknown, f"test bug: cells outside the table grid: {unknown}"
    t.update(cells)
    return t


def cells(categorie: str, jaar: int, **measures: int) -> dict[Key, int]:
    """Shorthand: cells('alle', 2021, aanvragen=2, lopend=2, personen=1)."""
    for m in measures:
        assert m in MEASURES, f"test bug: unknown measure {m}"
    return {(categorie, jaar, m): v for m, v in measures.items()}


def assert_tables_equal(actual: Table, expected: Table) -> None:
    """Equal key sets and values; on failure list only the cells that differ."""
    missing = sorted(k for k in expected if k not in actual)
    extra = sorted(k for k in actual if k not in expected)
    differ = sorted((k, actual[k], expected[k]) for k in expected if k in actual and actual[k] != expected[k])
    problems = []
    if missing:
        problems.append(f"missing cells ({len(missing)}): {missing[:20]}")
    if extra:
        problems.append(f"unexpected cells ({len(extra)}): {extra[:20]}")
    if differ:
        problems.append("cells (key, actual, expected) that differ:\n  " + "\n  ".join(map(str, differ)))
    assert not problems, "\n".join(problems)


def check_invariants(table: Table, forms: Sequence[str]) -> None:
    """Identities every table must satisfy (domain.md section 4)."""
    years = sorted({k[1] for k in table})
    for (cat, year, maat), v in table.items():
        assert v >= 0, f"negative count at {(cat, year, maat)}"
    for year in years:
        for cat in (*forms, "alle"):
            c = {m: table[(cat, year, m)] for m in MEASURES}
            # every application is granted, rejected, otherwise ended or still pending
            assert c["aanvragen"] == sum(c[m] for m in OUTCOME_MEASURES), (cat, year, c)
            # personen counts referents with at least one application
            assert c["personen"] <= c["aanvragen"], (cat, year, c)
            assert (c["personen"] == 0) == (c["aanvragen"] == 0), (cat, year, c)
        # alle sums the applications over the included forms...
        for m in ("aanvragen", *OUTCOME_MEASURES):
            assert table[("alle", year, m)] == sum(table[(f, year, m)] for f in forms), (year, m)
        # ...but personen is distinct over the forms: between the largest form and the sum
        p = [table[(f, year, "personen")] for f in forms]
        assert max(p) <= table[("alle", year, "personen")] <= sum(p), (year, p)
        # nareis_totaal: all nareis applications in the window, stacked ones among them
        tot_a = table[("nareis_totaal", year, "aanvragen")]
        tot_i = table[("nareis_totaal", year, "inwilligingen")]
        assert tot_i <= tot_a, year
        nareis_forms = [f for f in forms if f.startswith("nareis_")]
        assert tot_a >= sum(table[(f, year, "aanvragen")] for f in nareis_forms), year
        assert tot_i >= sum(table[(f, year, "inwilligingen")] for f in nareis_forms), year
