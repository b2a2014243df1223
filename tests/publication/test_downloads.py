"""Downloads are byte-identical across runs (no save time inside the XLSX)."""

import hashlib
import time
import zipfile

import pandas as pd

from gestapeld.publication.downloads import write_xlsx


def test_xlsx_bytes_do_not_depend_on_the_clock(tmp_path):
    df = pd.DataFrame({"categorie": ["alle"], "jaar": [2021], "maat": ["aanvragen"], "aantal": ["590"]})
    write_xlsx({"tabel": df}, tmp_path / "a.xlsx")
    time.sleep(1.1)
    write_xlsx({"tabel": df}, tmp_path / "b.xlsx")
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(tmp_path / "a.xlsx") == digest(tmp_path / "b.xlsx")
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        core = z.read("docProps/core.xml").decode()
        assert "2024-02-16T00:00:00Z</dcterms:modified>" in core
        assert all(i.date_time == (2024, 2, 16, 0, 0, 0) for i in z.infolist())
    assert pd.read_excel(tmp_path / "a.xlsx", sheet_name="tabel").iloc[0]["aantal"] == 590
