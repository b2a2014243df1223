"""Jupyter Book builds of the site's editions, run as `jupyter-book build` processes.

Each edition (the current one and every archived one) is an independent build of the same
pages with its own table of contents and configuration into its own folder
(`only_build_toc_files` in _config.yml: a build reads only its toc's files), so the builds
run two at a time; `publish.py` decides what is built and assembles the site.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def command(root: Path, toc_path: Path, cfg_path: Path, out: Path, *, strict: bool) -> list[str]:
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [
        str(exe),
        "build",
        str(root),
        "--path-output",
        str(out),
        "--toc",
        str(toc_path),
        "--config",
        str(cfg_path),
        "--builder",
        "html",
        "-n",
        "--keep-going",
    ]
    if strict:
        cmd.append("-W")
    return cmd


def catalogs(root: Path, dest: Path) -> list[Path]:
    """The translation catalogs of `_config.yml`'s `locale_dirs` (the Dutch theme strings),
    copied into `dest/_locale` and compiled there, once per staging folder: a later call
    returns the folders the first one compiled. Sphinx compiles a catalog whose .mo is older
    than its .po at the start of every build, into the folder it reads from, whatever
    `gettext_auto_build` says: in a fresh clone the two files can be a fraction of a
    millisecond apart, and two builds side by side then read a .mo the other is writing
    (pages in English, at random). The builds read these compiled copies only
    (`publish.config_for` asks for them, so no configuration can miss them)."""
    import shutil

    from sphinx.util.i18n import CatalogRepository

    from .. import config

    out = dest / "_locale"
    if not out.is_dir():
        cfg = config.load_yaml((root / "_config.yml").read_text(encoding="utf-8"))
        sphinx_cfg = cfg.get("sphinx", {}).get("config", {})
        language = sphinx_cfg.get("language", "nl")
        part = dest / "_locale.part"  # complete before it gets its name
        shutil.rmtree(part, ignore_errors=True)
        part.mkdir(parents=True)
        for i, folder in enumerate(sphinx_cfg.get("locale_dirs", [])):
            shutil.copytree(root / folder, part / str(i))
        repo = CatalogRepository(str(part), [str(p) for p in sorted(part.iterdir())], language, "utf-8")
        for catalog in repo.catalogs:
            catalog.write_mo(language)
        part.rename(out)
    return sorted(p for p in out.iterdir() if p.is_dir())


def build_all(builds: list[tuple[str, Path, Path, Path]], *, root: Path, strict: bool) -> None:
    """Run the Jupyter Book builds (label, toc, config, output folder), two at a time (the
    editions are independent builds of the same pages into their own folders; a build is
    single-threaded). The first failure, in the order given, is raised with its log's tail;
    on any exception (Ctrl-C included) the builds still running are killed."""
    import time

    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", "1708041600")
    todo = list(builds)
    running: list[tuple[str, Path, subprocess.Popen, object]] = []
    done: dict[str, tuple[int, str, Path]] = {}
    width = max(1, min(2, os.cpu_count() or 1))
    try:
        while todo or running:
            while todo and len(running) < width:
                label, toc_path, cfg_path, out = todo.pop(0)
                print(f"gestapeld publish: building {label}", file=sys.stderr)
                out.mkdir(parents=True, exist_ok=True)
                log = open(out.parent / f".{out.name}.log", "w+", encoding="utf-8")  # noqa: SIM115
                cmd = command(root, toc_path, cfg_path, out, strict=strict)
                proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
                running.append((label, toc_path, proc, log))
            for item in list(running):
                label, toc_path, proc, log = item
                if proc.poll() is None:
                    continue
                running.remove(item)
                log.seek(0)
                done[label] = (proc.returncode, log.read(), toc_path)
                log.close()
            if running:
                time.sleep(0.05)
    finally:
        for _, _, proc, log in running:  # an exception or Ctrl-C: stop what still runs
            proc.kill()
            proc.wait()
            log.close()
    for label, _, _, _ in builds:
        code, text, toc_path = done[label]
        if code != 0:
            tail = "\n".join(text.splitlines()[-40:])
            raise RuntimeError(f"jupyter-book build failed ({toc_path.name}):\n{tail}")
