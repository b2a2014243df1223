"""The small commands never replace a file they did not write (domain.md section 7: "it never
deletes or replaces a file it did not write"): `synth --out` an existing file and `tables --out`
a folder holding a `tabel.csv` of someone else's are refused (exit 2), the file unchanged;
what `tables` wrote itself it may write again."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli, write_csv, zaak


def _extract(tmp_path: Path) -> Path:
    rows = [
        zaak("Z1", "A", "asiel", "2018-01-10", "2018-06-01", "inwilliging"),
        zaak("Z2", "B", "nareis", "2019-02-01", "2019-08-01", "inwilliging", referent_id="A"),
        zaak("Z3", "C", "nareis", "2021-03-01", "", "", referent_id="B"),
    ]
    return write_csv(tmp_path / "extract.csv", rows)


def test_synth_refuses_an_existing_file_and_leaves_it(tmp_path):
    notes = tmp_path / "notities.csv"
    notes.write_text("mijn,eigen\n1,2\n")
    proc = run_cli("synth", "--out", notes, "--scale", "0.001", "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert "never replaces a file it did not write" in proc.stderr
    assert notes.read_text() == "mijn,eigen\n1,2\n"
    proc = run_cli("synth", "--out", notes, "--scale", "0.001", "--quiet", "--force")
    assert proc.returncode == 0, proc.stderr
    assert notes.read_text().startswith("zaak_id,")


def test_tables_replaces_only_its_own_files(tmp_path):
    extract = _extract(tmp_path)
    out = tmp_path / "uit"
    out.mkdir()
    (out / "tabel.csv").write_text("iemands eigen tabel\n")
    (out / "notitie.txt").write_text("blijft\n")
    args = ("tables", "--data", extract, "--out", out, "--iteration", "v1")
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert "tabel.csv" in proc.stderr and "did not write" in proc.stderr
    assert (out / "tabel.csv").read_text() == "iemands eigen tabel\n"

    (out / "tabel.csv").unlink()
    assert run_cli(*args).returncode == 0
    first = (out / "tabel.csv").read_bytes()
    again = run_cli(*args)  # its own, unchanged file: written again
    assert again.returncode == 0, again.stderr
    assert (out / "tabel.csv").read_bytes() == first
    assert (out / "notitie.txt").read_text() == "blijft\n"

    (out / "tabel.csv").write_bytes(first + b"bewerkt\n")  # changed since: no longer only the tool's
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert (out / "tabel.csv").read_bytes() == first + b"bewerkt\n"
