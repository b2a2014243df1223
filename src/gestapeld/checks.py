"""Checks run on the staged site before it is published (the build fails on any finding)."""
from __future__ import annotations

from pathlib import Path


class CheckFailed(RuntimeError):
    pass


def run_site_checks(site: Path) -> None:
    from . import disclosure_audit
    disclosure_audit.assert_safe()
    sources = list(site.rglob("_sources"))
    if sources:
        raise CheckFailed(f"page sources shipped: {sources[0]}")
