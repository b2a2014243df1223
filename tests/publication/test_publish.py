"""Atomic publishing and byte-identical rebuilds (issue 5).

Each test works in its own clone of the repository (GESTAPELD_ROOT points the package at
it), so the real `_build/html` is never touched.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "synthetisch.parquet"

pytestmark = pytest.mark.slow  # every test publishes the whole book in a clone


def _clone(dest: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(ROOT), str(dest)], check=True)
    # the working tree's committed state plus uncommitted pages would differ: use the clone as is
    (dest / "data").mkdir()
    shutil.copy2(DATA, dest / "data" / DATA.name)
    return dest


def _env(root: Path) -> dict:
    env = dict(os.environ, GESTAPELD_ROOT=str(root), SOURCE_DATE_EPOCH="1708041600", PYTHONHASHSEED="0")
    return env


def _publish(root: Path, *extra: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gestapeld", "publish", *extra],
        cwd=root,
        env=_env(root),
        capture_output=True,
        text=True,
        **kw,
    )


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built_clone(tmp_path_factory) -> Path:
    root = _clone(tmp_path_factory.mktemp("a") / "repo")
    proc = _publish(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root


def _checkout_site() -> Path | None:
    """The site `make book` left in this checkout (`make test` builds it before pytest), if it
    is a clean build of the committed state in another folder: the checkout has no change
    (`git status` empty) and the site was built from its current inputs (publish's stamp of
    pages, notebooks, configuration and code). Otherwise None."""
    from gestapeld.publication import publish

    status = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    stamp, html = ROOT / "_build" / "html.inputs", ROOT / "_build" / "html"
    if status.returncode != 0 or status.stdout or not stamp.is_file() or not (html / "manifest.sha256").is_file():
        return None
    if os.environ.get("GESTAPELD_ROOT") or stamp.read_text().strip() != publish.inputs_fingerprint(editions=True):
        return None
    return html


def test_two_clean_builds_in_different_folders_are_byte_identical(built_clone, tmp_path):
    """The clone's site against another clean build: the checkout's own (`make book`, when it
    is one: `_checkout_site`), else a second clone published here."""
    b = _checkout_site()
    if b is None:
        other = _clone(tmp_path / "elsewhere" / "repo")
        proc = _publish(other)
        assert proc.returncode == 0, proc.stderr[-3000:]
        b = other / "_build" / "html"
    a = built_clone / "_build" / "html"
    ma, mb = (a / "manifest.sha256").read_text(), (b / "manifest.sha256").read_text()
    if ma != mb:
        da, db = _tree_digest(a.resolve()), _tree_digest(b.resolve())
        first = next((k for k in sorted(set(da) | set(db)) if da.get(k) != db.get(k)), None)
        pytest.fail(f"rebuild differs; first differing file: {first}")
    # the manifest is complete and correct (files that show the site digest are hashed with its
    # placeholder, so `sha256sum -c` cannot check them: publication/digest.py)
    from gestapeld.publication import verify

    n, problems = verify.check_manifests(a.resolve())
    assert n > 0 and problems == [], problems[:5]
    for ed in ("v0", "v1", "v2"):
        assert (a / "edities" / ed / "manifest.sha256").is_file()
    # executed notebooks: identical to the committed ones (nothing volatile written)
    for nb in (built_clone / "book").rglob("*.ipynb"):
        rel = nb.relative_to(built_clone)
        assert nb.read_bytes() == (ROOT / rel).read_bytes() or rel.parts[1] == "_edities", rel


def test_failed_build_leaves_previous_site_intact(built_clone):
    html = built_clone / "_build" / "html"
    before = os.readlink(html)
    digest = _tree_digest(html.resolve())
    page = built_clone / "book" / "methode.md"
    original = page.read_text()
    page.write_text(original + "\n\nEen kapotte verwijzing: {ref}`bestaat-niet`.\n")  # -W makes this fatal
    try:
        proc = _publish(built_clone, "--no-editions")
    finally:
        page.write_text(original)
    assert proc.returncode == 1
    assert "previous site" in proc.stderr and "bestaat-niet" in proc.stderr
    assert os.readlink(html) == before
    assert _tree_digest(html.resolve()) == digest
    assert not list((built_clone / "_build").glob(".staging-*"))


def test_killed_build_leaves_previous_site_intact(built_clone):
    html = built_clone / "_build" / "html"
    before = os.readlink(html)
    digest = _tree_digest(html.resolve())
    # --force: the clone's site is up to date, and `publish` alone would return at once with
    # nothing rebuilt (then nothing is killed mid-build and the test proves nothing)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gestapeld", "publish", "--force"],
        cwd=built_clone,
        env=_env(built_clone),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # killed mid-build: as soon as Sphinx has written pages into the staging folder
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        if next((built_clone / "_build").glob(".staging-*/*/_build/html/**/*.html"), None):
            break
        time.sleep(0.1)
    assert proc.poll() is None, "publish ended before it was killed: not a build killed mid-way"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert os.readlink(html) == before
    assert _tree_digest(html.resolve()) == digest
    from gestapeld.publication import verify

    assert verify.check_manifests(html.resolve())[1] == []


def test_failing_notebook_stops_the_run_and_keeps_earlier_notebooks(built_clone):
    import json

    tpl = built_clone / "notebooks" / "iteratie.ipynb"
    original = tpl.read_text()
    nb = json.loads(original)
    nb["cells"].insert(
        4,
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "boom",
            "metadata": {},
            "outputs": [],
            "source": "raise RuntimeError('kapot sjabloon')",
        },
    )
    tpl.write_text(json.dumps(nb))
    before = {p: p.read_bytes() for p in (built_clone / "book").rglob("*.ipynb")}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "gestapeld", "run", "--iteration", "v1"],
            cwd=built_clone,
            env=_env(built_clone),
            capture_output=True,
            text=True,
        )
    finally:
        tpl.write_text(original)
    assert proc.returncode == 1
    assert "failed in cell" in proc.stderr and "RuntimeError" in proc.stderr
    assert {p: p.read_bytes() for p in (built_clone / "book").rglob("*.ipynb")} == before
    assert not list((built_clone / "book").rglob(".*.tmp.ipynb"))


def test_forced_reexecution_reproduces_the_committed_notebooks_byte_for_byte(tmp_path):
    """`make book` on a fresh clone gives the committed outputs exactly: re-execute the
    notebooks of one iteration (with their reconciliations and the overview) and diff."""
    clone = _clone(tmp_path / "repo")
    proc = subprocess.run(
        [sys.executable, "-m", "gestapeld", "run", "--force", "--iteration", "v3"],
        cwd=clone,
        env=_env(clone),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "iteraties/v3" in proc.stderr
    diff = subprocess.run(["git", "status", "--porcelain", "--", "book"], cwd=clone, capture_output=True, text=True)
    assert diff.stdout == "", f"re-execution changed committed outputs:\n{diff.stdout}"
