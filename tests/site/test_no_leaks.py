"""Issue 5, "No microdata in any output".

1. Messages, logs and progress output never print a value of the extract. Bad extracts are
   covered by tests/engine/test_malformed.py (a canary in every file); here `validate` and `tables`
   run on a VALID extract whose identifiers are canaries ("CANARY..."), with stacked cases,
   and neither the output nor the published table may carry a canary or an absolute path.
2. The built site (_build/html) and the executed notebooks (book/) contain no identifier of
   the synthetic default extract (data/synthetisch.parquet) and no absolute path of the build
   machine. The synthetic identifiers are not confidential, so a failure may print them.
3. (slow) End to end: the notebooks executed and the site built from a canary extract, in a
   copy of the project, contain no canary.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import cli_fork

TESTS = Path(__file__).resolve().parent  # tests/site
REPO = TESTS.parents[1]
SITE = REPO / "_build" / "html"
BOOK = REPO / "book"
DATA = REPO / "data" / "synthetisch.parquet"
ID_COLUMNS = ("zaak_id", "persoon_id", "referent_id")
CANARY = "CANARY"

# Files that cannot hold text (images, fonts): skipped. Everything else is read as text,
# zip containers (.xlsx) member by member, Sphinx's objects.inv and .gz decompressed.
BINARY = {
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".ico",
    ".webp",
    ".bmp",
    ".tif",
    ".tiff",
    ".woff",
    ".woff2",
    ".ttf",
    ".otf",
    ".eot",
}
TOKEN = re.compile(r"[A-Za-z0-9_]+")
# Also an identifier glued to other word characters (e.g. "Z000000001_x"): letter + digits.
ID_SHAPE = re.compile(r"[A-Za-z]?[0-9]+")


def machine_paths() -> list[str]:
    """Absolute paths of the build machine that must not appear in an output."""
    out = {str(REPO), str(Path.cwd()), "/root", "/home/", "/tmp/"}
    return sorted(p for p in out if p not in ("", "/"))


def machine_path_pattern(extra: Iterable[str] = ()) -> re.Pattern:
    """Those paths where they start a path: not `benchmarks/results/tmp/`, not a URL's `/tmp/`."""
    alternatives = "|".join(re.escape(p.rstrip("/")) for p in sorted({*machine_paths(), *extra}, key=len, reverse=True))
    return re.compile(rf"(?<![\w.~/-])(?:{alternatives})(?=[/\s\"'`:;,)\]]|$)")


def gestapeld(
    *args: object, cwd: Path = REPO, env_extra: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("GESTAPELD_DEBUG", None)
    env.update(env_extra or {})
    return cli_fork.run(args, cwd=cwd, env=env, timeout=timeout)  # its own process (cli_fork.py)


# --------------------------------------------------------------------------- scanning


def texts_of(path: Path) -> Iterator[tuple[str, str]]:
    """(label, text) for everything readable in one file; nothing for images and fonts."""
    suffix = path.suffix.lower()
    if suffix in BINARY:
        return
    if suffix == ".pdf":  # what a reader sees, plus the raw bytes (document info, links)
        from pypdf import PdfReader

        yield f"{path}!text", "\n".join(page.extract_text() for page in PdfReader(path).pages)
        yield (
            f"{path}!raw",
            re.sub(r"/(Root|Info|Type|Pages?|Parent|Kids|Font\w*)\b", "", path.read_bytes().decode("latin-1")),
        )
        return
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":  # .xlsx and any other zip container
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                member = z.read(name)
                yield f"{path}!{name}", member.decode("utf-8", "replace")
        return
    if suffix == ".gz":
        data = gzip.decompress(data)
    if suffix == ".inv":  # Sphinx inventory: four header lines, then zlib
        parts = data.split(b"\n", 4)
        if len(parts) == 5:
            yield str(path), b"\n".join(parts[:4]).decode("utf-8", "replace")
            try:
                yield f"{path}!zlib", zlib.decompress(parts[4]).decode("utf-8", "replace")
            except zlib.error:
                yield f"{path}!raw", parts[4].decode("utf-8", "replace")
            return
    yield str(path), data.decode("utf-8", "replace")


def files_under(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())


def find_identifiers(files: Iterable[Path], ids: set[str]) -> list[tuple[str, list[str]]]:
    """Files (or zip members) holding a token that is an identifier: [(label, tokens)]."""
    found = []
    for path in files:
        for label, text in texts_of(path):
            tokens = set(TOKEN.findall(text))
            tokens.update(ID_SHAPE.findall(text))
            hits = tokens & ids
            if hits:
                found.append((label, sorted(hits)[:5]))
    return found


def find_patterns(files: Iterable[Path], pattern: re.Pattern) -> list[tuple[str, str]]:
    """[(label, context)] for every file (or zip member) where `pattern` matches."""
    found = []
    for path in files:
        for label, text in texts_of(path):
            m = pattern.search(text)
            if m:
                found.append((label, f"{m.group(0)!r} in ...{text[max(0, m.start() - 60) : m.end() + 60]!r}..."))
    return found


def report(found: list, what: str) -> str:
    head = "\n".join(f"  {label}: {detail}" for label, detail in found[:10])
    more = f"\n  ... and {len(found) - 10} more" if len(found) > 10 else ""
    return f"{what} found in {len(found)} file(s); first offending:\n{head}{more}"


@pytest.fixture(scope="module")
def synthetic_ids() -> set[str]:
    """The identifiers of the synthetic default extract (about 1.25 million strings)."""
    if not DATA.is_file():
        pytest.fail(f"{DATA.relative_to(REPO)} not found: run make book first")
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(DATA, columns=list(ID_COLUMNS))
    ids: set[str] = set()
    for c in ID_COLUMNS:
        ids.update(str(v) for v in pc.unique(table[c]).drop_null().to_pylist())
    assert len(ids) > 1000, f"only {len(ids)} identifiers in {DATA.name}"
    return ids


def test_scanner_finds_planted_identifiers_and_paths(tmp_path):
    """Self-test of the scanner, so the scans below can fail."""
    ids = {"Z000000042", "P000000007"}
    (tmp_path / "a.html").write_text("<td>12</td><td>Z000000042</td>", encoding="utf-8")
    (tmp_path / "b.js").write_text('var x="abcP000000007_y";', encoding="utf-8")
    (tmp_path / "c.png").write_bytes(b"\x89PNG Z000000042")  # images are skipped
    (tmp_path / "d.txt").write_text("nothing here but Z0000000420 and 1234", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "e.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", "<si><t>P000000007</t></si>")
    (tmp_path / "objects.inv").write_bytes(
        b"# Sphinx inventory version 2\n# Project: x\n# Version: \n# zlib\n"
        + zlib.compress(b"label std:label -1 Z000000042.html Z000000042\n")
    )
    (tmp_path / "f.json").write_text('{"path": "/home/someone/x"}', encoding="utf-8")
    found = dict(find_identifiers(files_under(tmp_path), ids))
    assert set(found) == {
        str(tmp_path / "a.html"),
        str(tmp_path / "b.js"),
        f"{tmp_path / 'e.xlsx'}!xl/sharedStrings.xml",
        f"{tmp_path / 'objects.inv'}!zlib",
    }, found
    (tmp_path / "g.md").write_text("see benchmarks/results/tmp/ and https://x.org/tmp/a", encoding="utf-8")
    paths = find_patterns(files_under(tmp_path), machine_path_pattern())
    assert [label for label, _ in paths] == [str(tmp_path / "f.json")], paths
    assert find_patterns([tmp_path / "a.html"], re.compile("z000000042", re.I))


# --------------------------------------------------------------------------- 1. valid canary extract


def canary_rows() -> list[dict[str, str]]:
    """A valid extract of a few dozen applications, all identifiers canaries.

    Twelve chains A (asiel) -> B (F1: nareis or 8evrm, granted) -> C (X: nareis or 8evrm),
    three per form of stacking, with every kind of outcome; two chains go one step further
    (D, depth 3); plus unrelated asylum applications and non-stacked family applications.
    """
    forms = [("nareis", "nareis"), ("8evrm", "nareis"), ("nareis", "8evrm"), ("8evrm", "8evrm")]
    outcomes = [("2021-09-01", "inwilliging"), ("2022-02-01", "afwijzing"), ("", "")]
    rows: list[dict[str, str]] = []
    n = 0

    def add(persoon, procedure, aanvraag, besluitdatum="", besluit="", referent=""):
        nonlocal n
        n += 1
        rows.append(
            {
                "zaak_id": f"CANARYZ{n:04d}",
                "persoon_id": persoon,
                "referent_id": referent,
                "procedure": procedure,
                "aanvraagdatum": aanvraag,
                "besluitdatum": besluitdatum,
                "besluit": besluit,
            }
        )

    chain = 0
    for f1, x in forms:
        for besluitdatum, besluit in outcomes:
            chain += 1
            a, b, c = (f"CANARYP{chain:02d}{k}" for k in "ABC")
            add(a, "asiel", "2017-03-01", "2017-10-01", "inwilliging")
            add(b, f1, "2018-01-15", "2018-08-01", "inwilliging", referent=a)
            add(c, x, "2021-03-01", besluitdatum, besluit, referent=b)
            if chain in (1, 5):  # C granted, then C's own family member D: depth 3
                add(f"CANARYP{chain:02d}D", "nareis", "2022-05-01", "2022-11-01", "inwilliging", referent=c)
    for k in range(6):  # asylum only, and nareis on an asylum referent (not stacked)
        add(f"CANARYP9{k}A", "asiel", f"2019-0{k + 1}-10", "2020-01-10", "inwilliging")
        add(f"CANARYP9{k}B", "nareis", "2020-06-01", "2020-12-01", "inwilliging", referent=f"CANARYP9{k}A")
    # a referent outside the extract and an 8evrm on a Dutch citizen (no asylum permit)
    add("CANARYP99X", "nareis", "2021-01-05", "", "", referent="CANARYR0001")
    add("CANARYP99Y", "8evrm", "2021-01-06", "2021-06-06", "intrekking", referent="CANARYR0002")
    return rows


def write_canary_csv(path: Path) -> Path:
    import csv

    rows = canary_rows()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def test_tables_on_valid_extract_prints_and_publishes_no_identifier(tmp_path):
    data = write_canary_csv(tmp_path / "extract.csv")
    assert len(canary_rows()) >= 36

    proc = gestapeld("validate", data)
    assert proc.returncode == 0, proc.stderr
    assert CANARY not in (proc.stdout + proc.stderr).upper(), "validate printed an identifier"

    out = tmp_path / "out"
    proc = gestapeld("tables", "--data", data, "--out", out, "--intern")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert CANARY not in (proc.stdout + proc.stderr).upper(), "tables printed an identifier"

    # Control: the stacked chains were found (else the test would prove nothing).
    import csv

    with open(out / "tabel_intern.csv", encoding="utf-8-sig", newline="") as fh:
        intern = list(csv.DictReader(fh))
    stacked = sum(int(r["aantal"]) for r in intern if r["categorie"] == "alle" and r["maat"] == "aanvragen")
    assert stacked >= 12, f"only {stacked} stacked applications found in the canary extract"

    written = sorted(p.name for p in out.iterdir())
    assert "tabel.csv" in written
    for name in written:  # tabel.csv is published; the internal ones must hold counts only too
        text = (out / name).read_text(encoding="utf-8")
        assert CANARY not in text.upper(), f"{name} holds an identifier"
    published = (out / "tabel.csv").read_text(encoding="utf-8")
    m = machine_path_pattern([str(tmp_path)]).search(published)
    assert m is None, f"tabel.csv holds an absolute path: {m and m.group(0)!r}"


def test_tables_on_valid_parquet_prints_and_publishes_no_identifier(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = canary_rows()
    table = pa.table({c: pa.array([r[c] or None for r in rows], type=pa.string()) for c in rows[0]})
    data = tmp_path / "extract.parquet"
    pq.write_table(table, data)
    out = tmp_path / "out"
    proc = gestapeld("tables", "--data", data, "--out", out, "--iteration", "v2")
    assert proc.returncode == 0, proc.stderr
    assert CANARY not in (proc.stdout + proc.stderr).upper()
    assert CANARY not in (out / "tabel.csv").read_text(encoding="utf-8").upper()


# --------------------------------------------------------------------------- 2. site and notebooks


@pytest.mark.built_site
def test_built_site_holds_no_identifier_and_no_machine_path(synthetic_ids):
    if not SITE.is_dir():
        pytest.fail(f"{SITE.relative_to(REPO)} not found: run make book first")
    files = files_under(SITE)
    assert files, f"{SITE} is empty: run make book first"
    found = find_identifiers(files, synthetic_ids)
    assert not found, report(found, "identifiers of the synthetic extract")
    found = find_patterns(files, machine_path_pattern())
    assert not found, report(found, "absolute paths of the build machine")


def test_executed_notebooks_hold_no_identifier_and_no_machine_path(synthetic_ids):
    notebooks = sorted(BOOK.rglob("*.ipynb"))
    assert notebooks, "no executed notebook under book/: run make notebooks first"
    # The notebooks and everything next to them (csv, xlsx, md); not the runner's hidden
    # temporaries (.NAME.input.ipynb, .NAME.tmp.ipynb), which exist only while a run is going on.
    files = [p for p in files_under(BOOK) if not p.name.startswith(".")]
    found = find_identifiers(files, synthetic_ids)
    assert not found, report(found, "identifiers of the synthetic extract")
    found = find_patterns(files, machine_path_pattern())
    assert not found, report(found, "absolute paths of the build machine")


# --------------------------------------------------------------------------- 3. end to end (slow)


def _copy_project(dest: Path) -> Path:
    """The working tree as a fresh clone of it would be: tracked and untracked files that
    .gitignore does not exclude (so no .venv, data, _build, benchmark extracts)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout
    names = [n for n in listing.decode("utf-8").split("\0") if n]
    assert names, "git ls-files listed nothing"
    for name in names:
        src = REPO / name
        if src.is_file():  # tracked files deleted in the working tree are skipped
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@pytest.mark.slow
def test_end_to_end_notebooks_and_site_hold_no_identifier(tmp_path):
    """Notebooks executed and site built on a canary extract hold no canary.

    The project is copied to a temporary folder and the same interpreter runs against it
    (GESTAPELD_ROOT), so the repository's own book/ and _build/ are not touched.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    synth = tmp_path / "synth.parquet"
    proc = gestapeld("synth", "--scale", "0.05", "--out", synth, "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    table = pq.read_table(synth)
    for c in ID_COLUMNS:
        i = table.schema.get_field_index(c)
        table = table.set_column(
            i, c, pc.binary_join_element_wise(pa.scalar(CANARY), pc.cast(table[c], pa.string()), "")
        )  # nulls stay null
    canary = tmp_path / "canary.parquet"
    pq.write_table(table, canary)
    assert table["zaak_id"][0].as_py().startswith(CANARY)
    assert table["referent_id"].null_count > 0

    root = _copy_project(tmp_path / "project")
    env = {"GESTAPELD_ROOT": str(root), "GESTAPELD_DATA": str(canary)}
    leaks = re.compile(rf"{CANARY}|{machine_path_pattern([str(tmp_path)]).pattern}", re.IGNORECASE)

    proc = gestapeld("run", "--data", canary, "--force", cwd=root, env_extra=env, timeout=3600)
    assert proc.returncode == 0, f"run failed:\n{proc.stderr[-3000:]}"
    assert CANARY not in (proc.stdout + proc.stderr).upper(), "run printed an identifier"
    # Control: the notebooks were really executed again, on other data than the repository's.
    changed = [
        p.relative_to(root)
        for p in sorted((root / "book").rglob("*.ipynb"))
        if (REPO / p.relative_to(root)).is_file() and p.read_bytes() != (REPO / p.relative_to(root)).read_bytes()
    ]
    assert changed, "run --force changed no executed notebook: did it run at all?"
    found = find_patterns(files_under(root / "book"), leaks)
    assert not found, report(found, "canaries or machine paths in book/")

    help_text = gestapeld("--help").stdout
    if "publish" not in help_text:
        pytest.fail("`gestapeld publish` does not exist (yet): the site part of this test cannot run")
    proc = gestapeld("publish", "--data", canary, cwd=root, env_extra=env, timeout=3600)
    assert proc.returncode == 0, f"publish failed:\n{proc.stderr[-3000:]}"
    assert CANARY not in (proc.stdout + proc.stderr).upper(), "publish printed an identifier"
    site = root / "_build" / "html"
    assert site.is_dir() and any(site.iterdir()), f"publish built nothing at {site}"
    found = find_patterns(files_under(site, root / "book"), leaks)
    assert not found, report(found, "canaries or machine paths in the site or book/")
