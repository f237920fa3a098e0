"""Workbooks partybuild writes read well elsewhere: a Chinese face named for every cell (LibreOffice
otherwise falls back to a Japanese one), and the report and 填写说明 print on A4, as wide as the
page, with their header row on every page."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import peewee as pw
import pytest
from openpyxl import load_workbook

from partybuild.exchange import export as exp
from partybuild.exchange import sheets as lay
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


def test_the_export_fast_path_gives_exactly_the_cells_of_the_cell_by_cell_one(
    demo: pw.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-sheet column plans and unconverted driver values (the fast path) against peewee's
    conversion of every value and the cell-by-cell ``_row_cells``: the same cells, type by type,
    on every sheet of the demo ledger."""
    fast = {name: exp.sheet_rows(lay.sheet(name)) for name in lay.SHEETS}
    monkeypatch.setattr(exp, "_raw", lambda field: field)
    monkeypatch.setattr(
        exp,
        "_row_plan",
        lambda sheet_spec, positions, links, titles: (
            lambda record: exp._row_cells(sheet_spec, record, positions, links, titles)
        ),
    )
    for name, rows in fast.items():
        slow = exp.sheet_rows(lay.sheet(name))
        assert rows, name  # the demo ledger fills every sheet
        assert rows == slow, name
        assert [[type(v) for v in row] for row in rows] == [[type(v) for v in r] for r in slow]


def test_exported_fonts_are_not_the_theme_face(tmp_path: Path, sqlite_db: pw.Database) -> None:
    """A font of the theme's scheme is shown in the theme's face (Calibri) whatever its name."""
    records.create("branches", {"name": "第一联合党支部", "kind": "joint"})
    exported = exp.export(tmp_path / "export.xlsx", ["branches"]) and tmp_path / "export.xlsx"
    with zipfile.ZipFile(exported) as archive:
        assert b"<scheme" not in archive.read("xl/styles.xml")
