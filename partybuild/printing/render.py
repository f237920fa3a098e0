"""Painting a :class:`~partybuild.printing.layout.Document` onto a page device.

:func:`render` is the only painter of printed documents: the preview dialog's ``paintRequested``
printer, a real printer and :func:`write_pdf` all go through it, so what is previewed is what is
printed. Positions come from :func:`~partybuild.printing.layout.paginate` in millimetres and are
converted to device pixels here; type sizes are in points, so the device's resolution does not
change the layout.

Cell text never leaves its cell: it is wrapped, then set smaller down to ``MIN_PT``, then elided
with “…”.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLineF, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPen,
    QTextLayout,
    QTextOption,
)

from partybuild import __version__
from partybuild.printing.fonts import print_font_family
from partybuild.printing.layout import (
    CAPTION_H,
    FOOTER_H,
    FOOTER_PT,
    HEADER_H,
    INFO_LINE_H,
    INFO_PT,
    MIN_PT,
    RUNNING_TITLE_H,
    RUNNING_TITLE_PT,
    TITLE_H,
    TITLE_PT,
    Document,
    Page,
    Slice,
    Table,
    paginate,
)

CELL_PAD_MM = 1.5  # text inset from the cell's rules
THIN_RULE_MM = 0.2
FRAME_RULE_MM = 0.4
HEADER_FILL = QColor(232, 232, 232)

_ALIGN = {
    "left": Qt.AlignmentFlag.AlignLeft,
    "center": Qt.AlignmentFlag.AlignHCenter,
    "right": Qt.AlignmentFlag.AlignRight,
}


def page_layout(document: Document) -> QPageLayout:
    """A4, the document's orientation and margins, in millimetres."""
    g = document.geometry
    orientation = (
        QPageLayout.Orientation.Landscape
        if document.landscape
        else QPageLayout.Orientation.Portrait
    )
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        orientation,
        QMarginsF(g.left, g.top, g.right, g.bottom),
        QPageLayout.Unit.Millimeter,
    )


def render(document: Document, device: QPagedPaintDevice) -> int:
    """Lay the document out on ``device`` (QPdfWriter or QPrinter) and paint it; return pages.

    Sets the device's page layout first: one layout per document, whatever the device had.
    A printer that cannot print that close to the edge keeps wider margins; the pages are then
    counted from the height that is really left.
    """
    device.setPageLayout(page_layout(document))
    area = device.pageLayout().paintRect(QPageLayout.Unit.Millimeter)
    pages = paginate(document, area.height())
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("无法开始打印：输出设备不可写")
    try:
        canvas = _Canvas(painter, device.width() / area.width(), area.width(), area.height())
        for page in pages:
            if page.number > 1:
                device.newPage()
            canvas.page(document, page, len(pages))
    finally:
        ended = painter.end()
    if not ended:
        raise OSError("打印输出未能完成")
    return len(pages)


def write_pdf(document: Document, path: Path | str) -> int:
    """Write the document as a PDF file, atomically and checked (:mod:`.pdf`); return its pages.

    A document showing full ID numbers or phones (``document.private``) is saved 0600.
    """
    from partybuild.printing.pdf import save_pdf

    return save_pdf(
        path,
        lambda writer: render(document, writer),
        title=document.title,
        creator=f"partybuild {__version__}",
        private=document.private,
    )


class _Canvas:
    """Millimetre geometry onto one painter, with the text-fitting rules of the module."""

    def __init__(self, painter: QPainter, px_per_mm: float, width: float, height: float) -> None:
        self.p = painter
        self.k = px_per_mm
        self.width = width
        self.height = height
        self.family = print_font_family()
        self._fonts: dict[tuple[float, bool], tuple[QFont, QFontMetricsF]] = {}
        self._pens = {w: self._make_pen(w) for w in (0.0, THIN_RULE_MM, FRAME_RULE_MM)}
        # What the painter has now, so unchanged fonts and pens are not set again.
        self._font_key: tuple[float, bool] | None = None
        self._pen_key: float | None = None
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    # -- primitives ---------------------------------------------------------------------
    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(x * self.k, y * self.k, w * self.k, h * self.k)

    def font(self, pt: float, bold: bool = False) -> tuple[QFont, QFontMetricsF]:
        key = (pt, bold)
        if key not in self._fonts:
            font = QFont(self.family)
            font.setPointSizeF(pt)
            font.setBold(bold)
            # The subset's 'locl' for Latin script swaps digits for glyphs that no code point maps
            # to, so “…021X” in an ID number would not extract from the PDF. Nothing we print
            # needs it (the Chinese default forms are the font's own).
            font.setFeature(QFont.Tag("locl"), 0)
            self._fonts[key] = (font, QFontMetricsF(font, self.p.device()))
        return self._fonts[key]

    def _make_pen(self, width_mm: float) -> QPen:
        pen = QPen(QColor(0, 0, 0))
        pen.setWidthF(width_mm * self.k)
        return pen

    def use(self, *, font: tuple[float, bool] | None = None, pen: float | None = None) -> None:
        """Switch the painter's font (size, bold) or pen (rule width; 0 for text) if it differs."""
        if font is not None and font != self._font_key:
            self.p.setFont(self.font(*font)[0])
            self._font_key = font
        if pen is not None and pen != self._pen_key:
            self.p.setPen(self._pens[pen])
            self._pen_key = pen

    def _wrap(self, text: str, font: QFont, metrics: QFontMetricsF, width: float) -> list[str]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            if metrics.horizontalAdvance(paragraph) <= width:
                lines.append(paragraph)
                continue
            layout = QTextLayout(paragraph, font, self.p.device())
            option = QTextOption()
            option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            layout.setTextOption(option)
            layout.beginLayout()
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(width)
                lines.append(paragraph[line.textStart() : line.textStart() + line.textLength()])
            layout.endLayout()
        return lines

    def text(
        self,
        box: QRectF,
        text: str,
        pt: float,
        *,
        bold: bool = False,
        align: str = "left",
        valign: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignVCenter,
        pad: float = CELL_PAD_MM,
        min_pt: float = MIN_PT,
    ) -> None:
        """Draw ``text`` inside ``box``: wrapped, made smaller if need be, elided as a last resort."""
        text = text.strip()
        if not text:
            return
        inner = box.adjusted(pad * self.k, pad * self.k / 2, -pad * self.k, -pad * self.k / 2)
        size = pt
        while True:
            font, metrics = self.font(size, bold)
            lines = self._wrap(text, font, metrics, inner.width())
            line_h = metrics.lineSpacing()
            if len(lines) * line_h <= inner.height() or size <= min_pt:
                break
            size = max(min_pt, size - 0.5)
        room = max(1, int(inner.height() // line_h))
        if len(lines) > room:
            rest = "".join(lines[room - 1 :])
            lines = [
                *lines[: room - 1],
                metrics.elidedText(rest, Qt.TextElideMode.ElideRight, inner.width()),
            ]
        elif any(metrics.horizontalAdvance(line) > inner.width() for line in lines):
            # A single unbreakable run wider than the cell (long digits at the smallest size).
            lines = [
                metrics.elidedText(line, Qt.TextElideMode.ElideRight, inner.width())
                for line in lines
            ]
        block = len(lines) * line_h
        if valign == Qt.AlignmentFlag.AlignTop:
            y = inner.top()
        elif valign == Qt.AlignmentFlag.AlignBottom:
            y = inner.bottom() - block
        else:
            y = inner.top() + (inner.height() - block) / 2
        self.use(font=(size, bold), pen=0.0)
        flags = _ALIGN[align] | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextDontClip
        for line in lines:
            self.p.drawText(QRectF(inner.left(), y, inner.width(), line_h), int(flags), line)
            y += line_h

    # -- page parts ---------------------------------------------------------------------
    def page(self, document: Document, page: Page, total: int) -> None:
        if page.number == 1:
            self.text(
                self.rect(0, 0, self.width, TITLE_H),
                document.title,
                TITLE_PT,
                bold=True,
                align="center",
                min_pt=12,
                pad=0,
            )
            self.info(document)
        else:
            self.text(
                self.rect(0, 0, self.width, RUNNING_TITLE_H),
                f"{document.title}（续）",
                RUNNING_TITLE_PT,
                bold=True,
                align="center",
                valign=Qt.AlignmentFlag.AlignTop,
                pad=0,
            )
        for piece in page.slices:
            self.table(document.tables[piece.table], piece)
        self.text(
            self.rect(0, self.height - FOOTER_H, self.width, FOOTER_H),
            f"第 {page.number} 页 共 {total} 页",
            FOOTER_PT,
            align="center",
            valign=Qt.AlignmentFlag.AlignBottom,
            pad=0,
        )

    def info(self, document: Document) -> None:
        columns = document.info_columns
        width = self.width / columns
        for i, (label, value) in enumerate(document.info):
            row, col = divmod(i, columns)
            self.text(
                self.rect(col * width, TITLE_H + row * INFO_LINE_H, width, INFO_LINE_H),
                f"{label}：{value}",
                INFO_PT,
                pad=0 if col == 0 else CELL_PAD_MM,
                min_pt=8,
            )

    def table(self, table: Table, piece: Slice) -> None:
        total = sum(c.width for c in table.columns)
        widths = [c.width / total * self.width for c in table.columns]
        edges = [0.0]
        for w in widths:
            edges.append(edges[-1] + w)
        y = piece.top
        if table.caption:
            caption = f"{table.caption}（续）" if piece.continued else table.caption
            self.text(
                self.rect(0, y, self.width, CAPTION_H),
                caption,
                INFO_PT,
                bold=True,
                valign=Qt.AlignmentFlag.AlignBottom,
                pad=0,
            )
            y += CAPTION_H
        top = y
        if table.header:
            self.p.fillRect(self.rect(0, y, self.width, HEADER_H), HEADER_FILL)
            for column, x, w in zip(table.columns, edges, widths, strict=False):
                self.text(
                    self.rect(x, y, w, HEADER_H),
                    column.label,
                    table.font_pt,
                    bold=True,
                    align="center",
                )
            y += HEADER_H
        cells_from = 1 if table.numbered else 0
        for n in range(piece.start, piece.stop + piece.blank):
            row = table.rows[n] if n < piece.stop else ()
            if table.numbered:
                self.text(
                    self.rect(0, y, widths[0], table.row_height),
                    str(n + 1),
                    table.font_pt,
                    align="center",
                )
            for value, column, x, w in zip(
                row,
                table.columns[cells_from:],
                edges[cells_from:],
                widths[cells_from:],
                strict=False,
            ):
                self.text(
                    self.rect(x, y, w, table.row_height),
                    value,
                    column.font_pt or table.font_pt,
                    align=column.align,
                )
            y += table.row_height
        if y > top:
            self.rules(edges, top, y, table)

    def rules(self, edges: list[float], top: float, bottom: float, table: Table) -> None:
        """Grid lines: thin inside, a heavier frame round the table ."""
        k = self.k
        ys = [top]
        if table.header:
            ys.append(top + HEADER_H)
        y = ys[-1]
        while y + table.row_height <= bottom + 1e-6:
            y += table.row_height
            ys.append(y)
        lines = [QLineF(0, y * k, self.width * k, y * k) for y in ys[1:-1]]
        lines += [QLineF(x * k, top * k, x * k, bottom * k) for x in edges[1:-1]]
        if lines:
            self.use(pen=THIN_RULE_MM)
            self.p.drawLines(lines)
        self.use(pen=FRAME_RULE_MM)
        self.p.drawRect(self.rect(0, top, self.width, bottom - top))
