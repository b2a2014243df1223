"""CSV and XLSX downloads with deterministic bytes (no timestamps inside the XLSX zip).

The notes sheet of the XLSX is rewritten per edition by `metadata.write_edition`, with the
same notes as the CSV's CSVW metadata file."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path

import pandas as pd

FIXED_ZIP_TIME = (2024, 2, 16, 0, 0, 0)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, lineterminator="\n")


def _epoch() -> dt.datetime:
    return dt.datetime.fromtimestamp(int(os.environ.get("SOURCE_DATE_EPOCH", "1708041600")), dt.UTC).replace(
        tzinfo=None
    )


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path) -> None:
    """Excel workbook; openpyxl stamps the time in docProps and the zip entries: fix both."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, df in sheets.items():
            df.to_excel(writer, sheet_name=name, index=False)
        writer.book.properties.created = _epoch()
        writer.book.properties.modified = _epoch()
        writer.book.properties.creator = "gestapeld"
    Path(path).write_bytes(_fixed_zip(buf.getvalue()))


def replace_sheet(path: Path, name: str, rows: list[list[str]]) -> None:
    """Replace (or add, last) the sheet `name` of a workbook by `rows` of text, keeping the
    other sheets as they are; the bytes stay deterministic like write_xlsx's."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    index = wb.sheetnames.index(name) if name in wb.sheetnames else len(wb.sheetnames)
    if name in wb.sheetnames:
        del wb[name]
    ws = wb.create_sheet(name, index)
    for row in rows:
        ws.append(row)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    wb.properties.created = _epoch()
    wb.properties.modified = _epoch()
    wb.properties.creator = "gestapeld"
    buf = io.BytesIO()
    wb.save(buf)
    Path(path).write_bytes(_fixed_zip(buf.getvalue()))


def _fixed_zip(raw: bytes) -> bytes:
    """The workbook's zip with fixed entry times and order and a fixed `modified` stamp."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in sorted(zin.infolist(), key=lambda i: i.filename):
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps `modified` at save time
                stamp = _epoch().strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", data
                )
            zout.writestr(info, data)
    return out.getvalue()
