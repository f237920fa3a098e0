"""Workbooks partybuild writes read well elsewhere: a Chinese face named for every cell (LibreOffice
otherwise falls back to a Japanese one), and the report and 填写说明 print on A4, as wide as the
page, with their header row on every page."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import peewee as pw
from openpyxl import load_workbook

from partybuild.exchange import export as exp
from partybuild.exchange import templates
from partybuild.outputs.xlsx_font import FONT_NAME
from partybuild.services import records


def font_names(path: Path) -> list[str]:
    """The face of every font in the workbook's stylesheet ('' for a font without a name)."""
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("xl/styles.xml").decode()
    fonts = re.search(r"<fonts[^>]*>(.*?)</fonts>", styles, re.S)
    assert fonts is not None
    names = []
    for body in re.findall(r"<font>(.*?)</font>", fonts[1], re.S):
        name = re.search(r'<name val="([^"]*)"', body)
        names.append(name[1] if name else "")
    return names


def test_every_font_of_exports_and_templates_is_chinese(
    tmp_path: Path, sqlite_db: pw.Database
) -> None:
    records.create("branches", {"name": "第一联合党支部", "kind": "joint"})
    exported = tmp_path / "export.xlsx"
    exp.export(exported, ["branches", "members"])
    template = templates.write_template("members", tmp_path / "template.xlsx")
    for path in (exported, template):
        names = font_names(path)
        assert names and set(names) == {FONT_NAME}, (path.name, names)


def test_report_workbook_and_instructions_print_on_a4_fitted_with_titles(
    tmp_path: Path, demo: pw.Database
) -> None:
    from partybuild.services.report import build_summary
    from partybuild.services.report_xlsx import write_summary_xlsx

    path = tmp_path / "report.xlsx"
    write_summary_xlsx(build_summary(2023), path)
    assert set(font_names(path)) == {FONT_NAME}
    book = load_workbook(path)
    for ws in book.worksheets:
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert book["各党组织情况"].print_title_rows == "$1:$1"
    template = load_workbook(templates.write_template("members", tmp_path / "t.xlsx"))
    notes = template["填写说明"]
    assert notes.page_setup.paperSize == 9 and notes.page_setup.fitToWidth == 1
    assert notes.print_title_rows == "$1:$1"
