"""Every workbook the app writes keeps formula-looking text as text, and every file holding full
ID numbers or phones is created 0600 — checked on the real writers, on the demo ledger."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest
from openpyxl import Workbook, load_workbook

from partybuild.exchange import importer
from partybuild.exchange.export import export
from partybuild.exchange.templates import write_template
from partybuild.printing.data import branch_roster
from partybuild.printing.render import write_pdf
from partybuild.services import audit, records, report
from partybuild.services.compliance import check_year
from partybuild.services.report_xlsx import write_reminders_xlsx, write_summary_xlsx
from partybuild.store import models as m

FORMULAS = ("=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)")


@pytest.fixture(autouse=True)
def _umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def formulas_in(path: Path) -> list[str]:
    """The sheets' <f> elements: every formula the workbook would run when opened."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name)
                if b"<f>" in xml or b"<f " in xml:
                    found.append(name)
    return found


def texts_in(path: Path) -> set[str]:
    book = load_workbook(path, read_only=True)
    try:
        return {
            value
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if isinstance(value, str)
        }
    finally:
        book.close()


@pytest.fixture
def hostile(demo: pw.Database) -> list[str]:
    """The demo ledger with four branches renamed to formula-looking text: first those that have
    三会一课 reminders (so the reminder sheets show them), then others."""
    names = []
    for d in check_year(2023).reminders:
        if d.branch not in names:
            names.append(d.branch)
    assert len(names) >= 3
    names += [b.name for b in m.Branch.select().order_by(m.Branch.id) if b.name not in names]
    for old, new in zip(names, FORMULAS, strict=False):
        branch = m.Branch.get(m.Branch.name == old)
        records.update("branches", branch.id, {"name": new}, branch.version)
    return list(FORMULAS)


def test_the_annual_report_workbook_has_no_formula(hostile: list[str], tmp_path: Path) -> None:
    path = tmp_path / "总结.xlsx"
    write_summary_xlsx(report.build_summary(2023), path)
    assert formulas_in(path) == []
    assert set(hostile) <= texts_in(path)


def test_the_reminder_workbook_has_no_formula(hostile: list[str], tmp_path: Path) -> None:
    path = tmp_path / "提醒.xlsx"
    write_reminders_xlsx(check_year(2023), path)
    assert formulas_in(path) == []
    assert set(hostile[:3]) <= texts_in(path)


def test_the_audit_export_has_no_formula_and_is_private(hostile: list[str], tmp_path: Path) -> None:
    path = tmp_path / "日志.xlsx"
    assert audit.export_xlsx(path) >= len(hostile)
    assert formulas_in(path) == []
    assert set(hostile) <= texts_in(path)  # the record column holds the new names as typed
    assert path.stat().st_mode & 0o777 == 0o600


def test_exports_have_no_formula_unmasked_ones_are_private(
    hostile: list[str], tmp_path: Path
) -> None:
    full, masked = tmp_path / "全.xlsx", tmp_path / "隐.xlsx"
    export(full, ["branches", "members"])
    export(masked, ["branches", "members"], mask=True)
    for path in (full, masked):
        assert formulas_in(path) == []
        assert set(hostile) <= texts_in(path)
    assert full.stat().st_mode & 0o777 == 0o600
    assert masked.stat().st_mode & 0o777 == 0o644


def test_templates_have_no_formula(tmp_path: Path) -> None:
    for ledger in ("members", "activities", "issues"):
        path = write_template(ledger, tmp_path / f"{ledger}.xlsx")
        assert formulas_in(path) == []
        assert path.stat().st_mode & 0o777 == 0o644


def test_the_error_workbook_keeps_every_cell_as_typed_and_is_private(
    hostile: list[str], tmp_path: Path
) -> None:
    source = tmp_path / "名册.xlsx"
    book = Workbook()
    ws = book.active
    ws.title = "党员"
    ws.append(["姓名", "身份证号", "所属党组织", "类别", "联系电话"])
    for n, text in enumerate(FORMULAS):
        ws.append([text, f"99999919850615{n:03d}", text, "正式党员", text])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # as typed into a text cell
    book.save(source)
    plan = importer.read_file(source, "members")
    importer.plan(plan)
    assert len(plan.invalid) == len(FORMULAS)
    errors = tmp_path / "错误行.xlsx"
    assert importer.write_error_workbook(plan, errors) == len(FORMULAS)
    assert formulas_in(errors) == []
    rows = list(load_workbook(errors, read_only=True).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == list(FORMULAS)
    assert [r[2] for r in rows[1:]] == list(FORMULAS)
    assert errors.stat().st_mode & 0o777 == 0o600


def test_the_error_workbook_is_written_for_cells_no_workbook_can_hold(
    hostile: list[str], tmp_path: Path
) -> None:
    """A bell, an escape and a lone surrogate in a refused row: shown escaped, not a crash."""
    source = tmp_path / "名册.xlsx"
    book = Workbook()
    ws = book.active
    ws.append(["姓名", "身份证号", "所属党组织", "类别"])
    ws.append(["示甲", "123", FORMULAS[0], "正式党员"])
    ws["C2"].data_type = "s"  # typed as text
    book.save(source)
    plan = importer.read_file(source, "members")
    importer.plan(plan)
    row = plan.invalid[0]
    row.raw = ["示\x07甲\x1b[31m", "12\ud8003", *row.raw[2:]]
    errors = tmp_path / "错误行.xlsx"
    assert importer.write_error_workbook(plan, errors) == 1
    written = list(load_workbook(errors, read_only=True).active.iter_rows(values_only=True))[1]
    assert written[:3] == ("示\\x07甲\\x1b[31m", "12\\ud8003", FORMULAS[0])


def test_an_unmasked_roster_is_private_a_masked_one_is_not(
    demo: pw.Database, tmp_path: Path, qapp: object
) -> None:
    branch = m.Branch.get(m.Branch.name == "瑞丰化工有限公司党支部")
    out = tmp_path / "out"
    out.mkdir()
    full, masked = out / "全.pdf", out / "隐.pdf"
    assert write_pdf(branch_roster(branch.id, unmasked=True), full) >= 1
    assert write_pdf(branch_roster(branch.id), masked) >= 1
    assert full.stat().st_mode & 0o777 == 0o600
    assert masked.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in out.iterdir()) == ["全.pdf", "隐.pdf"]
