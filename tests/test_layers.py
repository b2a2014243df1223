"""The house: layers as folders, no import circle, and provenance that covers every layer.

The layers contract itself is `lint-imports` (pyproject `[tool.importlinter]`, `make lint`);
these tests add what a layers contract does not see: circles inside a layer (also through
imports inside functions) and among the benchmark scripts, and that the code fingerprint of
the notebooks still reads the files of every layer folder after the move.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import grimp

from gestapeld import config, provenance

REPO = Path(__file__).resolve().parent.parent


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_circle_finder_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_the_package():
    graph = grimp.build_graph("gestapeld")  # imports inside functions included
    edges = {
        m: {x for x in graph.find_modules_directly_imported_by(m) if x.startswith("gestapeld")}
        for m in graph.modules
        if m.startswith("gestapeld")
    }
    assert _circles(edges) == []


def test_each_layer_is_a_folder_with_its_modules():
    package = config.PACKAGE_DIR
    layers = {
        "engine": {"extract", "cache", "synth", "linkage", "counts"},
        "protection": {"disclosure", "disclosure_audit"},
        "publication": {"report", "figures", "reconcile", "runner", "publish", "informatieblad"},
    }
    for layer, modules in layers.items():
        have = {p.stem for p in (package / layer).glob("*.py")}
        assert modules <= have, (layer, modules - have)
    assert sorted(p.name for p in (package / "engine" / "sql").glob("*.sql")), "engine/sql/ is empty"
    assert (package / "publication" / "templates" / "informatieblad.typ").is_file()
    top = {p.stem for p in package.glob("*.py")}
    assert top == {"__init__", "__main__", "cli", "config", "provenance"}, top


def test_no_import_circle_among_the_benchmarks():
    scripts = {p.stem: p for p in (REPO / "benchmarks").glob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in scripts.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
        edges[name] = found & set(scripts)
    assert _circles(edges) == []


def test_code_fingerprint_reads_every_layer_but_not_the_build_only_modules(tmp_path, monkeypatch):
    copy = tmp_path / "gestapeld"
    shutil.copytree(config.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(config, "PACKAGE_DIR", copy)
    before = provenance.code_fingerprint()

    def changed(rel: str) -> bool:
        path = copy / rel
        original = path.read_bytes()
        path.write_bytes(original + b"\n-- changed\n" if rel.endswith(".sql") else original + b"\n# changed\n")
        try:
            return provenance.code_fingerprint() != before
        finally:
            path.write_bytes(original)

    for rel in (
        "config.py",
        "provenance.py",
        "engine/counts.py",
        "engine/sql/zaken.sql",
        "protection/disclosure_audit.py",
        "publication/report.py",
        "publication/overview.py",
    ):
        assert changed(rel), f"{rel} is not part of the code fingerprint"
    for rel in ("cli.py", "publication/runner.py", "publication/publish.py", "publication/informatieblad.py"):
        assert not changed(rel), f"{rel} runs in no notebook, yet changes the code fingerprint"
    assert provenance.code_fingerprint() == before
