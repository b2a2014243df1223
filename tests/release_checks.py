"""The release metadata of a built site, checked with the kept libraries (issue 26): CSVW of
every CSV download and `datapackage.json` of every edition. Used by tests/site/test_release.py
on the default build and by tests/publication/test_real_extract.py on real-extract builds."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


@functools.cache  # the checkout's own file, read once per test process (pure-Python YAML: 0.1 s)
def release_yaml() -> dict:
    return yaml.safe_load((ROOT / "src" / "gestapeld" / "iterations.yaml").read_text(encoding="utf-8"))


def editions() -> list[str]:
    return list(release_yaml()["iterations"])


def edition_roots(site: Path) -> dict[str, Path]:
    ids = editions()
    return {ids[-1]: site, **{e: site / "edities" / e for e in ids[:-1]}}


def check_release_metadata(site: Path, *, real_sha256: str | None = None) -> None:
    """CSVW of every CSV download and datapackage.json of every edition, validated with the kept
    libraries; on a real-extract build (`real_sha256`) they name the extract and its sha256 and
    never call the figures synthetic."""
    import openpyxl
    from csvw import CSVW
    from frictionless import validate

    roots = edition_roots(site)
    for edition, root in roots.items():
        assert root.is_dir(), f"edition {edition} missing from the site"
        csvs = sorted(root.glob("_downloads/*/*.csv"))
        expected_tables = {f"{i}_tabel.csv" for i in editions()[: editions().index(edition) + 1]}
        assert {c.name for c in csvs} == expected_tables, f"edition {edition}: CSV downloads {[c.name for c in csvs]}"
        for csv in csvs:
            side = csv.with_name(csv.name + "-metadata.json")
            assert side.is_file(), f"{csv.relative_to(site)} has no CSVW metadata file"
            tg = CSVW(str(side), validate=True, strict=True)
            assert tg.is_valid, f"{side.relative_to(site)}: {[str(w.message)[:200] for w in tg.warnings][:3]}"
            rows = list(tg.tables[0].iterdicts(strict=True))
            assert len(rows) == len(csv.read_text(encoding="utf-8").splitlines()) - 1  # every row was read
            meta = json.loads(side.read_text(encoding="utf-8"))
            text = json.dumps(meta, ensure_ascii=False)
            assert meta["schema:version"] == edition
            for symbol in ("<10", "'x'", "'–'", "'0'"):  # the meaning of every symbol, in the column
                assert symbol in meta["tableSchema"]["columns"][3]["dc:description"], symbol
            assert meta["dc:license"]["@id"].startswith("https://")
            assert "sha256" in meta["dc:bibliographicCitation"]
            peildatum = release_yaml()["iterations"][csv.name.split("_")[0]]["peildatum"]
            assert any(p["schema:value"] == str(peildatum) for p in meta["schema:additionalProperty"])
            if real_sha256 is None:
                assert meta["dc:source"].startswith("synthetisch"), meta["dc:source"]
            else:  # issue 22: the CSV's source label on a real build
                assert real_sha256 in meta["dc:source"] and "extract van de IND" in meta["dc:source"]
                assert "synthet" not in text.lower(), f"{side.relative_to(site)} calls the figures synthetic"
            # the XLSX beside it carries the same notes on its sheet `toelichting`
            (xlsx,) = root.glob(f"_downloads/*/{csv.stem}.xlsx")
            wb = openpyxl.load_workbook(xlsx, read_only=True)
            assert wb.sheetnames == ["tabel", "toelichting"]
            notes = [f"{a}: {b}" for a, b in list(wb["toelichting"].iter_rows(values_only=True))[1:]]
            assert notes == meta["rdfs:comment"]
        dp = root / "datapackage.json"
        report = validate(str(dp))
        assert report.valid, (
            f"{dp.relative_to(site)}: {[(e.type, e.note[:120]) for t in report.tasks for e in t.errors][:5]}"
        )
        package = json.loads(dp.read_text(encoding="utf-8"))
        listed = {r["path"] for r in package["resources"]}
        downloads = {p.relative_to(root).as_posix() for p in root.glob("_downloads/*/*")}
        assert downloads <= listed, f"{dp.relative_to(site)} misses {sorted(downloads - listed)}"
        assert "informatieblad/informatieblad.pdf" in listed
        if real_sha256 is not None:
            assert "synthet" not in dp.read_text(encoding="utf-8").lower()
        manifest = (root / "manifest.sha256").read_text(encoding="utf-8")
        assert "  datapackage.json\n" in manifest
        assert all(f"  {p}-metadata.json\n" in manifest for p in listed if p.endswith(".csv"))
