"""The analyst's path at its edges (issue 22): extracts written the way Excel and case
systems write them, and an `--out` that must never cost the analyst a file.

Every refusal here is checked for its exit status (2), for a message that says why and what
to do, and for what it must leave untouched.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, gestapeld_command, write_csv, zaak

# --------------------------------------------------------------------------- helpers


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, GESTAPELD_CACHE=str(cache), **extra)
    env.pop("GESTAPELD_DEBUG", None)
    env.pop("GESTAPELD_DATA", None)
    return env


def _cli(*args: object, env: dict[str, str], cwd: Path = REPO, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*gestapeld_command(), *(str(a) for a in args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


ROWS = [
    zaak("Z1", "A", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
    zaak("Z2", "B", "nareis", "2018-07-01", "2019-01-15", "inwilliging", referent_id="A"),
    zaak("Z3", "B", "asiel", "2019-03-01", "2019-09-01", "inwilliging"),
    zaak("Z4", "C", "nareis", "2020-02-01", "2020-08-01", "inwilliging", referent_id="B"),
]


# --------------------------------------------------------------------------- --out


@pytest.fixture
def extract(tmp_path) -> Path:
    return write_csv(tmp_path / "export" / "zaken.csv", ROWS)


def test_out_with_unrelated_files_is_refused_and_files_stay(tmp_path, extract):
    out = tmp_path / "rapport"
    (out / "oud").mkdir(parents=True)
    (out / "notities.txt").write_text("mijn aantekeningen\n")
    (out / "oud" / "rapport.docx").write_bytes(b"PK\x03\x04 not really a docx")
    before = _snapshot(out)
    proc = _cli("book", "--data", extract, "--out", out, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2, proc.stderr
    assert "not a site built by gestapeld" in proc.stderr and "notities.txt" in proc.stderr
    assert "new or empty folder" in proc.stderr  # what to do
    assert _snapshot(out) == before
    assert not list((tmp_path / "cache").glob("werk-*")), "refused before a workspace was made"


def test_out_on_the_extracts_folder_is_refused_and_the_extract_stays(tmp_path, extract):
    before = extract.read_bytes()
    proc = _cli("book", "--data", extract, "--out", extract.parent, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2, proc.stderr
    assert "contains the extract" in proc.stderr
    assert extract.read_bytes() == before
    # an ancestor of the extract's folder too
    proc = _cli("book", "--data", extract, "--out", tmp_path, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2 and "contains the extract" in proc.stderr
    assert extract.read_bytes() == before


def test_out_on_the_checkouts_parent_is_refused(tmp_path, extract):
    parent = tmp_path / "projecten"
    checkout = parent / "gestapeld"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(checkout)], check=True)
    before = subprocess.run(["git", "status", "--porcelain"], cwd=checkout, capture_output=True, text=True).stdout
    env = _env(tmp_path / "cache", GESTAPELD_ROOT=str(checkout))
    proc = _cli("book", "--data", extract, "--out", parent, env=env, cwd=checkout)
    assert proc.returncode == 2, proc.stderr
    assert "contains the repository" in proc.stderr
    after = subprocess.run(["git", "status", "--porcelain"], cwd=checkout, capture_output=True, text=True).stdout
    assert after == before and (checkout / "README.md").is_file()


def test_out_on_home_or_cache_is_refused(tmp_path, extract):
    home = tmp_path / "thuis" / "analist"
    home.mkdir(parents=True)
    (home / "brief.txt").write_text("x")
    env = _env(tmp_path / "thuis" / "analist" / ".cache" / "gestapeld", HOME=str(home))
    proc = _cli("book", "--data", extract, "--out", home, env=env)
    assert proc.returncode == 2 and "is the home directory" in proc.stderr, proc.stderr
    proc = _cli("book", "--data", extract, "--out", home.parent, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "contains" in proc.stderr and "the home directory" in proc.stderr.split("contains", 1)[1]
    proc = _cli("book", "--data", extract, "--out", home / ".cache", env=env)
    assert proc.returncode == 2 and "contains the private cache" in proc.stderr
    assert (home / "brief.txt").read_text() == "x"


def test_out_that_is_a_file_is_refused(tmp_path, extract):
    out = tmp_path / "site.html"
    out.write_text("<p>mine</p>")
    proc = _cli("book", "--data", extract, "--out", out, env=_env(tmp_path / "cache"))
    assert proc.returncode == 2 and "is a file" in proc.stderr
    assert out.read_text() == "<p>mine</p>"


def _fake_site(folder: Path, text: str) -> Path:
    """A site as `publish` leaves it: pages, the marker, then the manifest over everything."""
    from gestapeld.publication import publish, workspace

    (folder / "edities" / "v1").mkdir(parents=True)
    (folder / "index.html").write_text(text)
    (folder / "edities" / "v1" / "index.html").write_text(text + " v1")
    publish.manifest(folder / "edities" / "v1")
    workspace.mark(folder)
    publish.manifest(folder)
    return folder


def test_deliver_replaces_only_a_previous_site(tmp_path):
    from gestapeld.config import ConfigError
    from gestapeld.publication import workspace

    new = _fake_site(tmp_path / "build" / "new", "nieuw")
    protected = {"the extract": tmp_path / "extract.csv"}
    # absent, then empty: written
    assert workspace.deliver(new, tmp_path / "site", protected=protected)
    (tmp_path / "empty").mkdir()
    assert workspace.deliver(new, tmp_path / "empty", protected=protected)
    assert _snapshot(tmp_path / "empty") == _snapshot(new)
    # a previous site: replaced as a whole, nothing left of the old one
    old = _fake_site(tmp_path / "vorige", "oud")
    (old / "edities" / "v1" / "weg.html").write_text("listed, so ours")
    from gestapeld.publication import publish

    publish.manifest(old)
    assert workspace.deliver(new, old, protected=protected)
    assert _snapshot(old) == _snapshot(new)
    assert not list(tmp_path.glob(".vorige*")), "no staging folder left behind"
    # the same site again: nothing to do
    assert workspace.deliver(new, old, protected=protected) is False
    # a previous site with a file someone added: refused, file kept
    (old / "mijn-notitie.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="mijn-notitie.txt"):
        workspace.deliver(new, old, protected=protected)
    assert (old / "mijn-notitie.txt").read_text() == "keep me"
    # a folder that only looks like a site (a manifest, no marker): refused
    look = tmp_path / "lookalike"
    look.mkdir()
    (look / "index.html").write_text("x")
    publish.manifest(look)
    with pytest.raises(ConfigError, match="not a site built by gestapeld"):
        workspace.deliver(new, look, protected=protected)
    assert (look / "index.html").read_text() == "x"
