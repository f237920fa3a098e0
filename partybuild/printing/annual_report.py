"""The annual summary and the reminder list on paper: A4, the bundled Chinese font, page numbers.

A QTextDocument lays the HTML out on the paint device itself (so a point is a point on paper),
cut into pages of the printable area minus a footer; each page is drawn with QPainter and gets
“第 n 页，共 N 页”. The same function feeds a QPdfWriter (files, the CLI) and a QPrinter (the
print preview on the overview). Needs a QGuiApplication; nothing here opens a window.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from partybuild.services.compliance import ComplianceReport
from partybuild.services.report import (
    BRANCH_TABLE_HEADERS,
    ISSUE_TABLE_HEADERS,
    KIND_TABLE_HEADERS,
    AnnualSummary,
    BranchRow,
    percent,
)
from partybuild.ui.fonts import ui_font_family

PDF_RESOLUTION = 300
MARGINS_MM = QMarginsF(22, 20, 20, 18)
FOOTER_PT = 9
INDENT = "\u3000\u3000"
NUMBER = re.compile(r"^\d+(\.\d+)?(/\d+)?%?$")


def _css(family: str) -> str:
    return f"""
    body {{ font-family: '{family}'; font-size: 11pt; color: #000; }}
    p.title {{ font-size: 18pt; font-weight: bold; margin-bottom: 4pt; }}
    p.h2 {{ font-size: 12pt; font-weight: bold; margin-top: 14pt; margin-bottom: 6pt; }}
    p.sub {{ font-size: 10pt; color: #444; margin-bottom: 14pt; }}
    p.para {{ line-height: 160%; margin-bottom: 4pt; white-space: pre-wrap; }}
    p.newpage {{ page-break-before: always; }}
    p.note {{ font-size: 8.5pt; color: #444; margin-top: 3pt; }}
    table {{ border-collapse: collapse; font-size: 9pt; }}
    th {{ background-color: #f4e1de; font-weight: bold; }}
    td.n {{ text-align: right; }}
    tr.total td {{ font-weight: bold; background-color: #f6f6f6; }}
    """


def _e(value: object) -> str:
    return html.escape(str(value))


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: Sequence[int] | None = None,
    total: Sequence[object] | None = None,
) -> str:
    """A bordered table; numbers right-aligned; an optional bold total row."""
    head = "".join(
        f'<th width="{widths[i]}%">{_e(h)}</th>' if widths else f"<th>{_e(h)}</th>"
        for i, h in enumerate(headers)
    )

    def cells(row: Sequence[object]) -> str:
        return "".join(
            f'<td class="n" align="right">{_e(v)}</td>'
            if isinstance(v, (int, float)) or (isinstance(v, str) and NUMBER.match(v))
            else f"<td>{_e(v)}</td>"
            for v in row
        )

    body = "".join(f"<tr>{cells(r)}</tr>" for r in rows)
    if total is not None:
        body += f'<tr class="total">{cells(total)}</tr>'
    return (
        '<table width="100%" border="1" cellspacing="0" cellpadding="3" '
        f'style="border-color:#888"><thead><tr>{head}</tr></thead>{body}</table>'
    )


def _branch_cells(index: int | str, row: BranchRow) -> list[object]:
    return [
        index,
        row.name,
        row.kind_label.removesuffix("党支部"),
        row.members,
        row.enterprises,
        f"{row.meetings_held}/{row.meetings_due}",
        row.attendances,
        row.services,
        row.problems_solved,
    ]


def summary_html(summary: AnnualSummary) -> str:
    """Title, the paragraphs, then the tables (附表) the committee office attaches."""
    from partybuild.services.report_xlsx import BRANCH_NOTE

    parts = [
        f'<p class="title" align="center">{_e(summary.title)}</p>',
        f'<p class="sub" align="center">{_e(summary.subtitle)}</p>',
    ]
    for section in summary.sections:
        lead = f"<b>{_e(section.lead)}</b>" if section.lead else ""
        # Chinese prose indents each paragraph by two full-width spaces.
        parts.append(f'<p class="para">{INDENT}{lead}{_e(section.text)}</p>')
    total = summary.branch_total()
    # The tables are attachments (附表): they start on a page of their own.
    parts.append(
        '<p class="h2 newpage" style="page-break-before: always">附表1　各党组织基本情况</p>'
    )
    parts.append(
        _table(
            BRANCH_TABLE_HEADERS,
            [_branch_cells(i, r) for i, r in enumerate(summary.branch_rows, start=1)],
            (5, 31, 7, 8, 8, 12, 11, 9, 9),
            total=_branch_cells("", total),
        )
    )
    parts.append(f'<p class="note">{_e(BRANCH_NOTE)}</p>')
    parts.append('<p class="h2">附表2　三会一课落实情况</p>')
    parts.append(
        _table(
            KIND_TABLE_HEADERS,
            [
                (k.label, k.period_label, k.due, k.held, k.due - k.held, percent(k.rate))
                for k in summary.kind_rows
            ],
            (24, 14, 16, 16, 16, 14),
        )
    )
    if summary.issue_rows:
        parts.append('<p class="h2">附表3　企业诉求办理情况（按类别）</p>')
        parts.append(
            _table(
                ISSUE_TABLE_HEADERS,
                [(r.label, r.count, r.average_days, r.median_days) for r in summary.issue_rows],
                (34, 22, 22, 22),
            )
        )
    report = summary.compliance
    if report.reminders or report.quorum_flags or report.setup_warnings or report.overdue_issues:
        parts.append('<p class="h2">附表4　提醒事项</p>')
        parts.append(_reminder_tables(report))
    if summary.dues_rows:  # 党费 (services.dues.branch_table), after the other tables
        from partybuild.services.dues import DUES_TABLE_HEADERS

        number = 5 if "附表4" in "".join(parts) else 4
        parts.append(f'<p class="h2">附表{number}　党费收缴情况</p>')
        parts.append(
            _table(
                DUES_TABLE_HEADERS,
                summary.dues_rows[:-1],
                (34, 12, 14, 14, 12, 14),
                total=summary.dues_rows[-1],
            )
        )
    return "".join(parts)


def _reminder_tables(report: ComplianceReport) -> str:
    parts = []
    if report.reminders:
        parts.append(
            _table(
                ("党组织", "应开展", "期间", "情况"),
                [
                    (
                        d.branch,
                        d.label,
                        d.slot.label,
                        "本期尚未开展" if d.running else "未开展",
                    )
                    for d in report.reminders
                ],
                (44, 22, 16, 18),
            )
        )
    notes = [q.message() for q in report.quorum_flags]
    notes += [w.message for w in report.setup_warnings]
    notes += [i.message() for i in report.overdue_issues]
    if notes:
        parts.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>")
    return "".join(parts)


def reminders_html(report: ComplianceReport) -> str:
    """The reminder list on its own, for the secretaries and the inspection file."""
    when = f"{report.as_of.year}年{report.as_of.month}月{report.as_of.day}日"
    parts = [
        f'<p class="title" align="center">{report.year}年三会一课落实和组织设置提醒清单</p>',
        f'<p class="sub" align="center">（统计截至{when}）</p>',
        f'<p class="h2">一、应开展未开展的组织生活（{len(report.reminders)}项）</p>',
    ]
    if report.reminders:
        parts.append(
            _table(
                ("党组织", "应开展", "期间", "起止日期", "情况"),
                [
                    (
                        d.branch,
                        d.label,
                        d.slot.label,
                        f"{d.slot.start:%Y-%m-%d} 至 {d.slot.end:%Y-%m-%d}",
                        "本期尚未开展" if d.running else "未开展",
                    )
                    for d in report.reminders
                ],
                (34, 16, 12, 24, 14),
            )
        )
    else:
        parts.append('<p class="para">无。</p>')
    sections = (
        ("未达到法定人数的支部党员大会", [q.message() for q in report.quorum_flags]),
        ("组织设置提醒", [w.message for w in report.setup_warnings]),
        ("超过办结时限的企业诉求", [i.message() for i in report.overdue_issues]),
    )
    for n, (title, items) in enumerate(sections, start=2):
        parts.append(f'<p class="h2">{_chinese_number(n)}、{title}（{len(items)}项）</p>')
        if items:
            parts.append("<ol>" + "".join(f"<li>{_e(t)}</li>" for t in items) + "</ol>")
        else:
            parts.append('<p class="para">无。</p>')
    return "".join(parts)


def _chinese_number(n: int) -> str:
    return "一二三四五六七八九十"[n - 1]


# --------------------------------------------------------------------------- rendering


def render(html_text: str, device: QPagedPaintDevice, resolution: int) -> int:
    """Lay out and paint the HTML on every page of ``device``; returns the page count.

    ``device`` must already carry its page layout (A4, margins).
    """
    family = ui_font_family()
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    doc.setDefaultFont(QFont(family, 11))
    doc.setDefaultStyleSheet(_css(family))
    doc.setDocumentMargin(0)
    doc.setHtml(f"<html><body>{html_text}</body></html>")

    paint = device.pageLayout().paintRectPixels(resolution)
    footer_font = QFont(family)
    footer_font.setPointSizeF(FOOTER_PT)
    footer_height = FOOTER_PT * 2.6 * resolution / 72
    body = QSizeF(paint.width(), paint.height() - footer_height)
    doc.setPageSize(body)
    pages = doc.pageCount()

    painter = QPainter()
    if not painter.begin(device):
        raise OSError("无法开始打印：输出设备不可写")
    try:
        for index in range(pages):
            if index:
                device.newPage()
            painter.save()
            painter.translate(0, -index * body.height())
            doc.drawContents(painter, QRectF(0, index * body.height(), body.width(), body.height()))
            painter.restore()
            painter.setFont(footer_font)
            painter.setPen(Qt.GlobalColor.darkGray)
            painter.drawText(
                QRectF(0, body.height(), body.width(), footer_height),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                f"第 {index + 1} 页，共 {pages} 页",
            )
    finally:
        ended = painter.end()
    if not ended:
        raise OSError("打印输出未能完成")
    return pages


def a4_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        MARGINS_MM,
        QPageLayout.Unit.Millimeter,
    )


def write_pdf(html_text: str, path: Path, title: str) -> int:
    """An A4 PDF of the HTML, saved atomically and checked (:mod:`.pdf`); returns the page count.

    Raises :class:`partybuild.outputs.OutputError` (one Chinese line) when it cannot be saved.
    """
    from partybuild.printing.pdf import save_pdf

    def paint(writer: QPdfWriter) -> int:
        writer.setPageLayout(a4_layout())
        return render(html_text, writer, PDF_RESOLUTION)

    return save_pdf(
        path,
        paint,
        title=title,
        creator="partybuild 党建台账管理",
        private=False,
        resolution=PDF_RESOLUTION,
    )


def write_summary_pdf(summary: AnnualSummary, path: Path) -> int:
    return write_pdf(summary_html(summary), path, summary.title)


def write_reminders_pdf(report: ComplianceReport, path: Path) -> int:
    return write_pdf(reminders_html(report), path, f"{report.year}年提醒清单")


def print_reminders(report: ComplianceReport, printer: object) -> int:
    """Paint the reminder list on a QPrinter (from a QPrintPreviewDialog's paintRequested)."""
    from PySide6.QtPrintSupport import QPrinter

    assert isinstance(printer, QPrinter)
    printer.setPageLayout(a4_layout())
    return render(reminders_html(report), printer, printer.resolution())
