"""What a printed document is and how it falls into pages — in millimetres, without Qt.

A :class:`Document` is a title, a block of “label：value” lines (时间、地点…) and one or more
:class:`Table` s. :func:`paginate` decides which rows go on which page from the page height and the
fixed heights below, before anything is painted, so the footer can say “共 M 页” and tests can
check page counts headless. :mod:`partybuild.printing.render` paints exactly these pages, the same
way for the preview, a printer and a PDF.

Page 1 carries the title and the info block; later pages a running title “…（续）”. Every page
repeats the header row of the table it continues and ends with “第 N 页 共 M 页”.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# --------------------------------------------------------------------------- geometry (mm)


@dataclass(frozen=True)
class PageGeometry:
    """An A4 sheet and its margins; the painted area is what is left inside them."""

    width: float
    height: float
    left: float
    top: float
    right: float
    bottom: float

    @property
    def content_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def content_height(self) -> float:
        return self.height - self.top - self.bottom


A4_PORTRAIT = PageGeometry(210, 297, left=15, top=12, right=15, bottom=12)
A4_LANDSCAPE = PageGeometry(297, 210, left=12, top=12, right=12, bottom=12)

TITLE_H = 14.0  # page 1: the document's title (18 pt, shrinks to fit)
RUNNING_TITLE_H = 9.0  # later pages: “标题（续）”
INFO_LINE_H = 6.5  # one line of the info block (时间、地点…)
INFO_GAP = 3.0  # between the info block and the first table
HEADER_H = 10.0  # a table's header row, repeated on every page
CAPTION_H = 8.0  # a line above a table (“已签到（118 人）”)
TABLE_GAP = 4.0  # between two tables on one page
FOOTER_H = 8.0  # “第 N 页 共 M 页”

#: A sign-in row must take a handwritten signature: 11.5 mm is what paper sign-in sheets use.
SIGNIN_ROW_H = 11.5
SUMMARY_ROW_H = 7.5
ROSTER_ROW_H = 8.0

TITLE_PT = 18.0
RUNNING_TITLE_PT = 11.0
INFO_PT = 10.5
BODY_PT = 10.5  # 五号, the size of Chinese official forms
SMALL_PT = 9.0
FOOTER_PT = 9.0
MIN_PT = 7.5  # text shrinks to this before it is elided

# Rows that would need a row height this close to the room left still fit (rounding of the
# device's page rectangle must not lose a row).
_EPSILON = 0.01


# --------------------------------------------------------------------------- the document


@dataclass(frozen=True)
class Column:
    """A table column: its header label, a relative width and how its text sits."""

    label: str
    width: float
    align: str = "left"  # "left" | "center" | "right"
    font_pt: float | None = None  # None: the table's size


@dataclass(frozen=True)
class Table:
    """Rows of cells under a header that every page repeats.

    With ``numbered`` the first column is a running number (序号) the renderer writes, and rows
    carry only the other cells. ``fill_page`` adds numbered blank rows to the end of the last page,
    for people who come without being on the list. A cell may hold ``\\n`` for a second line.
    """

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    row_height: float
    header: bool = True
    caption: str = ""
    numbered: bool = False
    fill_page: bool = False
    font_pt: float = BODY_PT


@dataclass(frozen=True)
class Document:
    """One printable document; ``kind`` is "signin", "summary" or "roster"."""

    kind: str
    title: str
    info: tuple[tuple[str, str], ...] = ()
    tables: tuple[Table, ...] = ()
    landscape: bool = False
    info_columns: int = 2
    #: The people the document is about, in print order (tests and callers check against it).
    names: tuple[str, ...] = field(default=(), compare=False)
    #: Shows full ID numbers or phones: its files are created readable by the owner only (0600).
    private: bool = False

    @property
    def geometry(self) -> PageGeometry:
        return A4_LANDSCAPE if self.landscape else A4_PORTRAIT

    @property
    def info_lines(self) -> int:
        return math.ceil(len(self.info) / self.info_columns) if self.info else 0

    @property
    def info_height(self) -> float:
        return self.info_lines * INFO_LINE_H + (INFO_GAP if self.info else 0.0)


# --------------------------------------------------------------------------- pagination


@dataclass(frozen=True)
class Slice:
    """The part of one table on one page: rows ``start:stop`` then ``blank`` empty rows.

    ``top`` is where it begins, in mm below the top of the painted area; ``continued`` says the
    table began on an earlier page (its caption then reads “…（续）”).
    """

    table: int
    start: int
    stop: int
    blank: int
    top: float
    continued: bool


@dataclass(frozen=True)
class Page:
    number: int
    slices: tuple[Slice, ...]


def body_top(document: Document, first_page: bool) -> float:
    """Where tables may start on a page: below the title and info block, or the running title."""
    return TITLE_H + document.info_height if first_page else RUNNING_TITLE_H


def rows_that_fit(room: float, row_height: float) -> int:
    return max(0, math.floor((room + _EPSILON) / row_height))


def paginate(document: Document, content_height: float | None = None) -> list[Page]:
    """Split the document's tables into pages.

    ``content_height`` is the painted height of the device in mm (the A4 page minus margins by
    default; a printer that enforces wider margins gives less and gets more pages). A table's
    header and caption never end a page without at least one row under them.
    """
    height = document.geometry.content_height if content_height is None else content_height
    bottom = height - FOOTER_H
    pages: list[Page] = []
    slices: list[Slice] = []
    y = body_top(document, first_page=True)

    def turn() -> None:
        nonlocal slices, y
        pages.append(Page(len(pages) + 1, tuple(slices)))
        slices = []
        y = body_top(document, first_page=False)

    last = len(document.tables) - 1
    for index, table in enumerate(document.tables):
        overhead = (CAPTION_H if table.caption else 0.0) + (HEADER_H if table.header else 0.0)
        start, continued = 0, False
        while True:
            gap = TABLE_GAP if slices else 0.0
            room = bottom - y - gap - overhead
            remaining = len(table.rows) - start
            # An empty table is its caption (“未签到（0 人）”) or header alone, unless it fills.
            needs_rows = remaining > 0 or table.fill_page
            if room < -_EPSILON or (needs_rows and rows_that_fit(room, table.row_height) < 1):
                if not slices:
                    raise ValueError("页面太小，放不下一行表格")
                turn()
                continue
            if not needs_rows and not overhead:
                break  # nothing at all to show
            fit = rows_that_fit(room, table.row_height)
            take = min(fit, remaining)
            blank = fit - take if table.fill_page and index == last else 0
            slices.append(Slice(index, start, start + take, blank, y + gap, continued))
            y += gap + overhead + (take + blank) * table.row_height
            start += take
            if start >= len(table.rows):
                break
            continued = True
            turn()
    pages.append(Page(len(pages) + 1, tuple(slices)))
    return pages


def page_count(document: Document, content_height: float | None = None) -> int:
    return len(paginate(document, content_height))
