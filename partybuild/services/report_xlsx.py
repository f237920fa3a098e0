"""The annual summary and the reminder list as Excel workbooks (openpyxl, no Qt).

The committee office sends its summary up and passes reminder lists to branch secretaries, most of
whom work in WPS/Excel: one sheet per table, a bold header row, frozen panes, widths that fit.

Branch names, topics and problem descriptions are typed by people: every cell goes through
:func:`partybuild.outputs.workbook.set_cell`, so a branch named ``=cmd|' /C calc'!A0`` is text in
the workbook, never a formula. The files are saved atomically and checked
(:func:`~partybuild.outputs.workbook.workbook_output`); they hold no ID numbers or phones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from partybuild.domain import vocab
from partybuild.outputs.workbook import set_cell, workbook_output
from partybuild.outputs.xlsx_font import font, use_chinese_font
from partybuild.services.compliance import ComplianceReport
from partybuild.services.report import (
    BRANCH_TABLE_HEADERS,
    ISSUE_TABLE_HEADERS,
    KIND_TABLE_HEADERS,
    AnnualSummary,
    BranchRow,
    percent,
)

HEADER_FILL = PatternFill("solid", fgColor="F4E1DE")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")


def _table(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int],
    first_row: int = 1,
) -> int:
    """Write a bordered table; returns the row after it. The first table's header row of a
    sheet is repeated on every printed page."""
    if ws.print_title_rows is None:
        ws.print_title_rows = f"{first_row}:{first_row}"
    for col, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = set_cell(ws, first_row, col, header)
        cell.font = font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)
    row_no = first_row
    for row_no, row in enumerate(rows, start=first_row + 1):  # noqa: B007 - row_no used after
        for col, value in enumerate(row, start=1):
            cell = set_cell(ws, row_no, col, value)
            cell.border = BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))
    return row_no + 1


def _branch_values(index: int | str, row: BranchRow) -> list[Any]:
    return [
        index,
        row.name,
        row.kind_label,
        row.members,
        row.enterprises,
        row.meetings_held,
        row.meetings_due,
        row.attendances,
        row.services,
        row.problems_solved,
    ]


def write_summary_xlsx(summary: AnnualSummary, path: Path) -> None:
    """The summary: the text, the table per branch, 三会一课, problems, and the reminders."""
    wb = use_chinese_font(Workbook())
    ws = wb.active
    ws.title = "年度总结"
    ws.column_dimensions["A"].width = 110
    title = set_cell(ws, 1, 1, summary.title)
    title.font = font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center")
    set_cell(ws, 2, 1, summary.subtitle).alignment = Alignment(horizontal="center")
    for i, section in enumerate(summary.sections, start=3):
        cell = set_cell(ws, i, 1, section.full())
        cell.alignment = WRAP
        # Excel does not grow rows for wrapped text on its own: about 55 characters a line.
        ws.row_dimensions[i].height = 16 * (len(section.full()) // 55 + 1)

    branches = wb.create_sheet("各党组织情况")
    rows = [_branch_values(i, r) for i, r in enumerate(summary.branch_rows, start=1)]
    rows.append(_branch_values("", summary.branch_total()))
    # Numbers stay numbers in Excel: 已开 and 应开 in columns of their own.
    headers = [*BRANCH_TABLE_HEADERS[:5], "组织生活已开（次）", "组织生活应开（次）"]
    headers += BRANCH_TABLE_HEADERS[6:]
    end = _table(branches, headers, rows, (6, 30, 12, 10, 12, 12, 12, 14, 12, 12))
    set_cell(branches, end, 1, BRANCH_NOTE)
    branches.freeze_panes = "C2"

    kinds = wb.create_sheet("三会一课落实")
    _table(
        kinds,
        KIND_TABLE_HEADERS,
        [
            (k.label, k.period_label, k.due, k.held, k.due - k.held, percent(k.rate))
            for k in summary.kind_rows
        ],
        (16, 10, 14, 14, 14, 10),
    )

    issues = wb.create_sheet("企业诉求办理")
    end = _table(
        issues,
        ISSUE_TABLE_HEADERS,
        [(r.label, r.count, r.average_days, r.median_days) for r in summary.issue_rows],
        (20, 12, 16, 16),
    )
    _table(
        issues,
        ("责任单位", "解决（件）", "平均用时（天）", "中位用时（天）"),
        [
            (r.label, r.count, r.average_days, r.median_days)
            for r in summary.compliance.resolve_by_unit
        ],
        (20, 12, 16, 16),
        first_row=end + 1,
    )
    if summary.dues_rows:  # 党费 (services.dues.branch_table)
        from partybuild.services.dues import DUES_TABLE_HEADERS

        _table(
            wb.create_sheet("党费收缴"),
            DUES_TABLE_HEADERS,
            summary.dues_rows,
            (30, 12, 14, 14, 10, 14),
        )
    _reminder_sheets(wb, summary.compliance)
    _save(wb, path)


BRANCH_NOTE = (
    "说明：党员含正式党员和预备党员；组织生活为按规定应开展的三会一课等（不含本期尚未结束的）；"
    "合计为各党组织之和，非党员列席人员的签到和未建党组织企业的诉求不计入。"
)


def write_reminders_xlsx(report: ComplianceReport, path: Path) -> None:
    """The reminder list alone, for the branch secretaries."""
    wb = use_chinese_font(Workbook())
    wb.remove(wb.active)
    _reminder_sheets(wb, report)
    _save(wb, path)


def _reminder_sheets(wb: Workbook, report: ComplianceReport) -> None:
    ws = wb.create_sheet("三会一课提醒")
    _table(
        ws,
        ("党组织", "应开展", "期间", "起", "止", "情况"),
        [
            (
                d.branch,
                d.label,
                d.slot.label,
                d.slot.start,
                d.slot.end,
                "本期尚未开展" if d.running else "未开展",
            )
            for d in report.reminders
        ],
        (30, 16, 12, 12, 12, 14),
    )
    ws.freeze_panes = "A2"
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=5):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"

    ws = wb.create_sheet("党员大会人数")
    _table(
        ws,
        ("党组织", "日期", "主题", "有表决权（人）", "到会（人）", "说明"),
        [
            (q.branch, q.date, q.topic, q.entitled, q.present, q.message())
            for q in report.quorum_flags
        ],
        (30, 12, 30, 14, 12, 50),
    )

    ws = wb.create_sheet("组织设置提醒")
    _table(
        ws,
        ("党组织", "企业", "提醒"),
        [(w.branch, w.enterprise or "", w.message) for w in report.setup_warnings],
        (30, 26, 70),
    )

    ws = wb.create_sheet("超期诉求")
    _table(
        ws,
        ("企业", "问题描述", "类别", "责任单位", "受理日期", "办结时限", "状态", "超期（天）"),
        [
            (
                i.enterprise,
                i.description,
                vocab.ISSUE_CATEGORY.label(i.category),
                i.responsible_unit or "",
                i.received_on,
                i.deadline,
                vocab.ISSUE_STATE.label(i.state),
                i.days_overdue,
            )
            for i in report.overdue_issues
        ],
        (26, 34, 14, 18, 12, 12, 10, 10),
    )


PAPER_A4 = 9


def _save(wb: Workbook, path: Path) -> None:
    for ws in wb.worksheets:
        # Printed as it is read: A4, as wide as the page, a table's header on every page.
        ws.page_setup.paperSize = PAPER_A4
        ws.page_setup.orientation = "portrait" if ws.max_column <= 4 else "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        for row in ws.iter_rows():
            for cell in row:
                if cell.number_format == "General" and hasattr(cell.value, "isoformat"):
                    cell.number_format = "yyyy-mm-dd"
    with workbook_output(Path(path), private=False) as save:
        save(wb)
