"""Issue 5, "Bad input and faults": every file of the catalogue tests/engine/malformed/ is refused.

For each malformed extract, `gestapeld validate` and `gestapeld tables` must exit with status
2 and print on stderr the rule and the column that are broken (`rule '<id>'`, `column
'<name>'`), with no traceback, no value of the extract (every identifier in the catalogue is a
canary, "CANARY...") and, for `tables`, nothing written to --out. `gestapeld run --data` must
refuse a malformed extract before touching book/. A valid tiny extract is the control case.

The catalogue and its expected rules are described in tests/engine/malformed/README.md.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import cli_fork

TESTS = Path(__file__).resolve().parent  # tests/engine
REPO = TESTS.parents[1]
MALFORMED = TESTS / "malformed"
CANARY = "canary"  # compared case-insensitively

# file -> (rule id, column named in the message, values of the file that must not be echoed)
CASES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "01_missing_column.csv": ("missing_column", "besluit", ()),
    "02_unknown_procedure.csv": ("unknown_procedure", "procedure", ("asylum",)),
    "03_unknown_besluit.csv": ("unknown_besluit", "besluit", ("toegewezen",)),
    "04_unparseable_date.csv": ("unparseable_date", "aanvraagdatum", ("2021-13-45",)),
    "05_duplicate_zaak_id.csv": ("duplicate_zaak_id", "zaak_id", ()),
    "06_besluitdatum_before_aanvraagdatum.csv": (
        "decision_before_application",
        "besluitdatum",
        ("2021-01-15", "2021-04-01"),
    ),
    "07_besluit_without_date.csv": ("decision_without_date", "besluitdatum", ()),
    "08_date_without_besluit.csv": ("date_without_decision", "besluit", ("2021-10-01",)),
    "09_nareis_without_referent.csv": ("family_without_referent", "referent_id", ()),
    "10_8evrm_without_referent.csv": ("family_without_referent", "referent_id", ()),
    "11_own_referent.csv": ("own_referent", "referent_id", ()),
    "12_empty_file.csv": ("empty_extract", "*", ()),
    "13_header_only.csv": ("empty_extract", "*", ()),
    "14_latin1_encoding.csv": ("encoding", "*", ("Guin",)),
    "15_excel_semicolon_decimal_comma.csv": ("wrong_type", "geboortejaar", ("1985,0",)),
    "16_date_in_future.csv": ("date_in_future", "aanvraagdatum", ("2099",)),
    "17_truncated.parquet": ("unreadable_parquet", "*", ()),
    "18_ragged_row_long.csv": ("ragged_row", "*", ()),
    "19_geboortejaar_text.csv": ("wrong_type", "geboortejaar", ("negentig",)),
    "20_aanvraagdatum_integer.parquet": ("unparseable_date", "aanvraagdatum", ("20190201", "20210401")),
    "21_missing_persoon_id.csv": ("missing_value", "persoon_id", ()),
    "22_unsupported_type.xls": ("file_type", "*", ()),
    "23_unsupported_type.json": ("file_type", "*", ()),
    "24_missing_aanvraagdatum.csv": ("missing_date", "aanvraagdatum", ()),
    "25_missing_zaak_id.csv": ("missing_value", "zaak_id", ()),
    "26_invalid_calendar_date_dutch.csv": ("unparseable_date", "aanvraagdatum", ("31-02-2021",)),
    "27_zaak_id_float.parquet": ("wrong_type", "zaak_id", ()),
    "28_parquet_missing_column.parquet": ("missing_column", "procedure", ()),
    "29_ragged_row_short.csv": ("ragged_row", "*", ()),
    "30_duplicate_column_header.csv": ("duplicate_column", "zaak_id", ()),
    "31_unterminated_quote.csv": ("ragged_row", "*", ()),
    "32_utf16_tab_separated.csv": ("encoding", "*", ()),
}
# Files with no row at all cannot carry a canary.
NO_ROWS = {"12_empty_file.csv", "13_header_only.csv"}
# For the `run` test: fast, refused by the validation that `run` does first. The future date
# checks that `run` applies the same date limit as `validate` (else it executes notebooks).
RUN_CASES = ("05_duplicate_zaak_id.csv", "17_truncated.parquet", "16_date_in_future.csv")


def gestapeld(
    *args: object, cwd: Path = REPO, env_extra: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("GESTAPELD_DEBUG", None)  # a developer's switch that shows tracebacks
    env.update(env_extra or {})
    return cli_fork.run(args, cwd=cwd, env=env, timeout=timeout)  # its own process (cli_fork.py)


def describe(proc: subprocess.CompletedProcess) -> str:
    # The catalogue holds only canaries, so showing the output in a failure is safe.
    return f"exit {proc.returncode}\n--- stdout:\n{proc.stdout}\n--- stderr:\n{proc.stderr}"


def assert_refused(proc: subprocess.CompletedProcess, name: str) -> None:
    rule, column, values = CASES[name]
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, f"{name}: expected exit 2\n{describe(proc)}"
    assert "Traceback" not in out, f"{name}: traceback shown\n{describe(proc)}"
    assert f"rule '{rule}'" in proc.stderr, f"{name}: stderr does not name rule '{rule}'\n{describe(proc)}"
    assert f"column '{column}'" in proc.stderr, f"{name}: stderr does not name column '{column}'\n{describe(proc)}"
    assert CANARY not in out.lower(), f"{name}: an identifier of the extract was printed\n{describe(proc)}"
    for value in values:
        assert value not in out, f"{name}: the value {value!r} of the extract was printed\n{describe(proc)}"


# --------------------------------------------------------------------------- the catalogue


def test_catalogue_matches_cases_and_readme():
    files = {p.name for p in MALFORMED.iterdir() if p.is_file() and p.name != "README.md"}
    assert len(files) >= 22, f"only {len(files)} malformed extracts"
    assert files == set(CASES), (
        f"not in CASES: {sorted(files - set(CASES))}; in CASES but no file: {sorted(set(CASES) - files)}"
    )
    readme = (MALFORMED / "README.md").read_text(encoding="utf-8")
    for name, (rule, column, _) in CASES.items():
        line = next((ln for ln in readme.splitlines() if f"`{name}`" in ln), None)
        assert line is not None, f"README.md does not list {name}"
        assert f"`{rule}`" in line and f"`{column}`" in line, f"README.md: rule/column of {name} differ"


def _text_of(path: Path) -> str:
    """Everything readable in a catalogue file (the .xlsx is a zip of XML)."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    raw = path.read_bytes()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    return raw.decode("latin-1")


@pytest.mark.parametrize("name", sorted(set(CASES) - NO_ROWS))
def test_catalogue_file_carries_canaries(name):
    assert CANARY.upper() in _text_of(MALFORMED / name), f"{name}: no canary identifier in the file"


def test_empty_files_are_what_they_claim():
    assert (MALFORMED / "12_empty_file.csv").stat().st_size == 0
    lines = (MALFORMED / "13_header_only.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("zaak_id,")


# --------------------------------------------------------------------------- validate / tables


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_refuses(name):
    assert_refused(gestapeld("validate", MALFORMED / name), name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_tables_refuses_and_writes_nothing(name, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    out = work / "out"
    proc = gestapeld("tables", "--data", MALFORMED / name, "--out", out, "--intern")
    assert_refused(proc, name)
    assert not out.exists() or not any(out.iterdir()), f"{name}: files written to --out: {sorted(out.iterdir())}"
    leftovers = sorted(p.name for p in work.iterdir() if p != out)
    assert not leftovers, f"{name}: left behind next to --out: {leftovers}"


def test_tables_keeps_an_existing_out_dir_as_it_was(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "tabel.csv").write_text("earlier,result\n", encoding="utf-8")
    proc = gestapeld("tables", "--data", MALFORMED / "05_duplicate_zaak_id.csv", "--out", out)
    assert_refused(proc, "05_duplicate_zaak_id.csv")
    assert sorted(p.name for p in out.iterdir()) == ["tabel.csv"]
    assert (out / "tabel.csv").read_text(encoding="utf-8") == "earlier,result\n"


# --------------------------------------------------------------------------- run


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("name", RUN_CASES)
def test_run_refuses_before_touching_book(name, tmp_path):
    """`run --data BAD` exits 2 and changes no byte under book/.

    It runs on a copy of book/ (GESTAPELD_ROOT points the package at the copy): a regression
    cannot overwrite the repository's executed notebooks, and a `gestapeld run` going on at
    the same time in the working tree cannot make this test fail.
    """
    root = tmp_path / "project"
    shutil.copytree(REPO / "book", root / "book", ignore=shutil.ignore_patterns(".*.tmp.ipynb", ".*.input.ipynb"))
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    env = {"GESTAPELD_ROOT": str(root)}
    # The copy is what the package uses (else the hashes below would prove nothing).
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from gestapeld import config; from gestapeld.publication import runner; "
            "print(config.project_root()); print(runner.jobs()[0].output)",
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    used_root, first_output = probe.stdout.splitlines()
    assert Path(used_root) == root.resolve() and Path(first_output).is_relative_to(root.resolve()), probe.stdout
    before = _hashes(root / "book")
    assert any(k.endswith(".ipynb") for k in before), "no executed notebook in book/ to protect"
    proc = gestapeld("run", "--data", MALFORMED / name, "--force", cwd=root, env_extra=env)
    assert_refused(proc, name)
    assert _hashes(root / "book") == before, f"{name}: book/ changed"


# --------------------------------------------------------------------------- control


def test_valid_tiny_extract_is_accepted(tmp_path):
    """Control case: the same three rows as the catalogue, unbroken, pass (so the tests can fail)."""
    path = tmp_path / "valid.csv"
    path.write_text(
        "zaak_id,persoon_id,referent_id,procedure,aanvraagdatum,besluitdatum,besluit\n"
        "CANARYZ0001,CANARYP0001,,asiel,2019-02-01,2019-08-01,inwilliging\n"
        "CANARYZ0002,CANARYP0002,CANARYR0001,nareis,2020-03-01,2020-09-01,inwilliging\n"
        "CANARYZ0003,CANARYP0003,CANARYR0002,nareis,2021-04-01,,\n",
        encoding="utf-8",
    )
    proc = gestapeld("validate", path)
    assert proc.returncode == 0, describe(proc)
    assert CANARY not in (proc.stdout + proc.stderr).lower(), describe(proc)
    out = tmp_path / "out"
    proc = gestapeld("tables", "--data", path, "--out", out)
    assert proc.returncode == 0, describe(proc)
    assert (out / "tabel.csv").is_file()


def test_valid_parquet_with_integer_ids_and_empty_referents_is_accepted(tmp_path):
    """Control case: identifiers may be whole numbers (extract.py: "text or whole numbers").

    A Parquet file written by another tool than pandas (DuckDB, R, SAS) stores an integer
    column with nulls as int64 with nulls; referent_id always has nulls (asylum rows), and
    geboortejaar often does. Read with the default pandas conversion these become float64.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "zaak_id": pa.array([1, 2, 3], pa.int64()),
            "persoon_id": pa.array([101, 102, 103], pa.int64()),
            "referent_id": pa.array([None, 101, 102], pa.int64()),
            "procedure": ["asiel", "nareis", "nareis"],
            "aanvraagdatum": ["2019-02-01", "2020-03-01", "2021-04-01"],
            "besluitdatum": ["2019-08-01", "2020-09-01", None],
            "besluit": ["inwilliging", "inwilliging", None],
            "geboortejaar": pa.array([1980, None, 2015], pa.int64()),
        }
    )
    path = tmp_path / "integer_ids.parquet"
    pq.write_table(table, path)
    proc = gestapeld("validate", path)
    assert proc.returncode == 0, describe(proc)
