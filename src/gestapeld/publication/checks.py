"""Checks run on the staged site before it is published (the build fails on any finding)."""

from __future__ import annotations

from pathlib import Path


class CheckFailed(RuntimeError):
    pass


def _pages(pol) -> list[tuple]:
    """Per edition in order: (id, published cells, exact values, structure)."""
    from .. import config
    from . import report

    pages = []
    for it in config.iterations().values():
        cells = report.protected_cells(it)
        _, exact, struct = report.page_cells(report.result(it), pol)
        pages.append((it.id, cells, exact, struct))
    return pages


def write_checker_report(path: Path) -> Path:
    """The output checker's report (hidden cells and their feasible ranges, information
    lost, changes against the previous edition) to `path`, outside the site: it holds
    exact counts and is never published."""
    from ..protection import checker_report, disclosure

    pol = disclosure.DEFAULT
    path.write_text(checker_report.render(_pages(pol), pol), encoding="utf-8")
    return path


def assert_safe() -> None:
    """Audit every iteration page with the attacker's program, and each pair of successive
    editions (the build fails on a finding). The report names cells, never counts."""
    from .. import config
    from ..protection import disclosure, disclosure_audit

    pol = disclosure.DEFAULT
    its = config.iterations()
    pages = _pages(pol)
    keys = {pid: set(cells) for pid, cells, *_ in pages}

    def growing(a: str, b: str):  # cells that can only grow from edition a to b (same definitions)
        return disclosure_audit.growing(its[a], its[b], keys[a] & keys[b])

    problems = disclosure_audit.audit(pages, pol, growing_keys=growing)
    if problems:
        raise CheckFailed("disclosure audit failed:\n  " + "\n  ".join(problems[:30]))


def run_site_checks(site: Path) -> None:
    assert_safe()
    sources = list(site.rglob("_sources"))
    if sources:
        raise CheckFailed(f"page sources shipped: {sources[0]}")
