"""Fast checks of two pieces the site build relies on, without building a site.

- `jb.build_all` runs the edition builds two at a time, waits for all of them, and raises the
  first failure in the order given, with the tail of that build's log (the builds are stood in
  for by small Python processes: the scheduling is what is tested, not Jupyter Book).
- `examples_page.glue_examples` counts a worked example for every iteration in one pass: what
  it glues per iteration equals `example_result` for that iteration alone.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pandas as pd
import pytest


def _fake(monkeypatch, script_of):
    """Let `jb.command` run a Python one-liner per build (by its output folder's name)."""
    from gestapeld.publication import jb

    monkeypatch.setattr(jb, "command", lambda root, toc, cfg, out, *, strict: [sys.executable, "-c", script_of(out)])
    return jb


def _builds(tmp_path: Path, names: list[str]) -> list[tuple[str, Path, Path, Path]]:
    return [(f"edition {n}", tmp_path / f"_toc_{n}.yml", tmp_path / f"_config_{n}.yml", tmp_path / n) for n in names]


def test_every_build_runs_two_at_a_time_and_all_finish(tmp_path, monkeypatch):
    log = tmp_path / "log.txt"
    script = (
        "import time, pathlib; p = pathlib.Path({log!r}); "
        "p.open('a').write('start {name} %f\\n' % time.time()); time.sleep(0.6); "
        "p.open('a').write('end {name} %f\\n' % time.time())"
    )
    jb = _fake(monkeypatch, lambda out: script.format(log=str(log), name=out.name))
    jb.build_all(_builds(tmp_path, ["a", "b", "c", "d"]), root=tmp_path, strict=True)
    events = [line.split() for line in log.read_text().splitlines()]
    assert sorted(n for what, n, _ in events if what == "end") == ["a", "b", "c", "d"]
    # never more than two at once
    running, most = 0, 0
    for what, _, _ in sorted(events, key=lambda e: float(e[2])):
        running += 1 if what == "start" else -1
        most = max(most, running)
    assert most == min(2, os.cpu_count() or 1)  # two at a time (one on a one-core machine)


def test_the_first_failure_in_order_is_raised_with_its_log(tmp_path, monkeypatch):
    def script(out: Path) -> str:
        if out.name == "c":
            return "import sys; print('broken reference in c'); sys.exit(1)"
        if out.name == "b":
            return "import sys, time; time.sleep(0.3); print('broken reference in b'); sys.exit(1)"
        return "pass"

    jb = _fake(monkeypatch, script)
    with pytest.raises(RuntimeError) as err:
        jb.build_all(_builds(tmp_path, ["a", "b", "c", "d"]), root=tmp_path, strict=True)
    text = str(err.value)
    assert "_toc_b.yml" in text and "broken reference in b" in text  # b comes before c
    assert "broken reference in c" not in text


def test_glue_examples_glues_what_example_result_gives_per_iteration(monkeypatch):
    from gestapeld import config
    from gestapeld.publication import examples_page

    glued: dict[str, pd.DataFrame] = {}
    monkeypatch.setattr(examples_page, "glue", lambda key, value: glued.__setitem__(key, value))
    for name in ("keten", "te_vroeg"):
        examples_page.glue_examples(name)
        for it in config.iterations().values():
            pd.testing.assert_frame_equal(glued[f"voorbeeld_{name}_{it.id}"], examples_page.example_result(name, it))
    assert len(glued) == 2 * len(config.iterations())


def test_catalogs_are_compiled_once_into_the_staging_folder_and_the_configs_read_only_that(tmp_path):
    """The Dutch theme strings: a fresh clone can check the .po out a fraction of a
    millisecond after the .mo, and Sphinx then recompiles the .mo at the start of every build,
    in the folder it reads: two builds side by side read a half-written file and pages come
    out in English. `jb.catalogs` compiles a copy once; every edition's config reads that copy;
    the repository's catalog is not touched."""
    import shutil

    import yaml
    from sphinx.util.i18n import CatalogRepository

    from gestapeld import config
    from gestapeld.publication import jb, publish

    repo = config.project_root()
    root = tmp_path / "root"
    (root / "book").mkdir(parents=True)
    shutil.copy2(repo / "_config.yml", root / "_config.yml")
    shutil.copytree(repo / "book" / "_locale", root / "book" / "_locale")
    msgs = root / "book" / "_locale" / "nl" / "LC_MESSAGES"
    mo_before = (msgs / "sphinx.mo").read_bytes()
    os.utime(msgs / "sphinx.po", ns=(1, (msgs / "sphinx.mo").stat().st_mtime_ns + 100_000))  # .po 0.1 ms newer
    assert [c.is_outdated() for c in CatalogRepository(str(root), ["book/_locale"], "nl", "utf-8").catalogs] == [True]

    staging = tmp_path / "staging"
    staging.mkdir()
    dirs = [str(p) for p in jb.catalogs(root, staging)]
    assert dirs and all(Path(d).is_relative_to(staging) for d in dirs)
    catalogs = list(CatalogRepository(str(root), dirs, "nl", "utf-8").catalogs)
    assert [c.domain for c in catalogs] == ["sphinx"] and not catalogs[0].is_outdated()
    from babel.messages.mofile import read_mo

    with open(catalogs[0].mo_path, "rb") as fh:
        assert read_mo(fh).get("Skip to main content").string == "Naar de hoofdinhoud"
    assert (msgs / "sphinx.mo").read_bytes() == mo_before  # the source catalog is left as it was
    # every edition's configuration reads the compiled copy, not book/_locale
    cfg = yaml.safe_load(publish.config_for("v0", staging).read_text(encoding="utf-8"))
    assert cfg["sphinx"]["config"]["locale_dirs"] == dirs


def test_a_configuration_cannot_miss_the_compiled_catalogs(tmp_path):
    """`config_for` compiles the catalogs itself when nothing did before it (a publish that
    forgot to ask would build every page with the English theme strings): each edition's
    configuration names compiled copies in its staging folder, the first compiles them once."""
    import yaml
    from babel.messages.mofile import read_mo

    from gestapeld.publication import publish

    staging = tmp_path / "staging"
    staging.mkdir()
    first = yaml.safe_load(publish.config_for(None, staging).read_text(encoding="utf-8"))["sphinx"]["config"]
    dirs = first["locale_dirs"]
    assert dirs and all(Path(d).is_relative_to(staging) for d in dirs)
    mos = sorted(Path(dirs[0]).glob("*/LC_MESSAGES/sphinx.mo"))
    assert len(mos) == 1
    with open(mos[0], "rb") as fh:
        assert read_mo(fh).get("Back to top").string == "Terug naar boven"
    made = mos[0].stat().st_mtime_ns
    second = yaml.safe_load(publish.config_for("v0", staging).read_text(encoding="utf-8"))["sphinx"]["config"]
    assert second["locale_dirs"] == dirs and mos[0].stat().st_mtime_ns == made  # compiled once


def _flaky_papermill(monkeypatch, errors: list[Exception]) -> list[str]:
    """papermill's `execute_notebook` raising `errors` one call after the other, then copying
    the prepared notebook to its output (an executed notebook without outputs)."""
    import shutil

    import papermill

    calls: list[str] = []

    def execute_notebook(inp, out, **kw):
        calls.append(out)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        shutil.copyfile(inp, out)

    monkeypatch.setattr(papermill, "execute_notebook", execute_notebook)
    return calls


def _job():
    from gestapeld.publication import notebook_jobs

    return next(j for j in notebook_jobs.jobs() if j.name == "kalibratie")


SOURCE = {"bron": "synthetisch", "sha256": "0" * 64}


def test_a_kernel_that_dies_before_answering_is_started_once_more(tmp_path, monkeypatch, capsys):
    from gestapeld.publication import runner

    calls = _flaky_papermill(monkeypatch, [RuntimeError(runner.KERNEL_DIED_AT_START)])
    out = runner.execute(_job(), "f" * 64, None, dest=tmp_path, source=SOURCE)
    assert len(calls) == 2 and out.is_file()
    assert "kalibratie: the kernel stopped before it answered; starting another" in capsys.readouterr().err


def test_a_kernel_that_dies_at_every_start_or_another_error_is_not_retried_for_ever(tmp_path, monkeypatch):
    from gestapeld.publication import runner

    died = RuntimeError(runner.KERNEL_DIED_AT_START)
    calls = _flaky_papermill(monkeypatch, [died, died, died])
    with pytest.raises(RuntimeError, match="died before replying"):
        runner.execute(_job(), "f" * 64, None, dest=tmp_path, source=SOURCE)
    assert len(calls) == runner.KERNEL_STARTS == 2
    calls = _flaky_papermill(monkeypatch, [RuntimeError("Kernel didn't respond in 60 seconds")])
    with pytest.raises(RuntimeError, match="didn't respond"):
        runner.execute(_job(), "f" * 64, None, dest=tmp_path, source=SOURCE)
    assert len(calls) == 1  # another error: not started again
    assert not list(tmp_path.rglob("*.ipynb"))  # nothing half-written left behind
