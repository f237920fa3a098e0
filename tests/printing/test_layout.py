"""Pagination decided before painting: page counts, repeated headers, blank rows for walk-ins."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from partybuild.printing import layout as L
from partybuild.printing.data import date_span
from partybuild.printing.layout import Column, Document, Table, paginate


def signin(count: int, info_lines: int = 3) -> Document:
    table = Table(
        (Column("序号", 12), Column("姓名", 24), Column("单位", 64), Column("签名", 48)),
        tuple((f"人{i}", "", "") for i in range(count)),
        L.SIGNIN_ROW_H,
        numbered=True,
        fill_page=True,
    )
    info = tuple((f"项{i}", "") for i in range(info_lines * 2))
    return Document("signin", "签到表", info, (table,))


# Rows per page, from the layout constants: page 1 has the title and the info block.
PAGE_H = L.A4_PORTRAIT.content_height
FIRST = math.floor(
    (PAGE_H - L.TITLE_H - 3 * L.INFO_LINE_H - L.INFO_GAP - L.HEADER_H - L.FOOTER_H) / L.SIGNIN_ROW_H
)
NEXT = math.floor((PAGE_H - L.RUNNING_TITLE_H - L.HEADER_H - L.FOOTER_H) / L.SIGNIN_ROW_H)


def expected_pages(count: int) -> int:
    return 1 if count <= FIRST else 1 + math.ceil((count - FIRST) / NEXT)


def test_rows_per_page_are_what_a_sign_in_sheet_needs() -> None:
    # 11.5 mm rows leave room to sign; that is 19 rows under the header block, 21 after.
    assert (FIRST, NEXT) == (19, 21)
    assert [expected_pages(n) for n in (0, 1, 19, 20, 30, 40, 41, 500)] == [1, 1, 1, 2, 2, 2, 3, 24]


@pytest.mark.parametrize("count", [0, 1, 19, 20, 30, 40, 41, 500])
def test_page_counts_and_every_row_once(count: int) -> None:
    pages = paginate(signin(count))
    assert len(pages) == expected_pages(count)
    shown = [i for page in pages for s in page.slices for i in range(s.start, s.stop)]
    assert shown == list(range(count))
    # Blank rows fill the last page only, to its end.
    last = pages[-1].slices[-1]
    room = FIRST if len(pages) == 1 else NEXT
    assert last.stop - last.start + last.blank == room
    assert all(s.blank == 0 for page in pages[:-1] for s in page.slices)
    assert all(len(page.slices) == 1 for page in pages)
    assert [p.slices[0].continued for p in pages] == [False] + [True] * (len(pages) - 1)


def test_a_printer_with_wider_margins_gets_more_pages() -> None:
    full = paginate(signin(100))
    tight = paginate(signin(100), L.A4_PORTRAIT.content_height - 30)
    assert len(tight) > len(full)
    assert all(
        s.top + L.HEADER_H + (s.stop - s.start + s.blank) * L.SIGNIN_ROW_H
        <= L.A4_PORTRAIT.content_height - 30 - L.FOOTER_H + 1e-6
        for page in tight
        for s in page.slices
    )


def test_tables_follow_each_other_and_a_caption_is_never_left_alone() -> None:
    small = Table((Column("甲", 1),), (("1",),), 10.0)
    names = Table(
        (Column("", 1),), tuple((str(i),) for i in range(60)), 7.5, header=False, caption="已签到"
    )
    empty = Table((Column("", 1),), (), 7.5, header=False, caption="未签到（0 人）")
    doc = Document("summary", "汇总", (("时间", ""),), (small, names, empty))
    pages = paginate(doc)
    first = pages[0].slices
    assert [s.table for s in first][:2] == [0, 1]
    assert first[1].top == pytest.approx(first[0].top + L.HEADER_H + 10.0 + L.TABLE_GAP)
    rest = [s for page in pages[1:] for s in page.slices if s.table == 1]
    assert rest and all(s.continued and s.stop > s.start for s in rest)
    assert pages[-1].slices[-1].table == 2 and pages[-1].slices[-1].stop == 0


def test_landscape_roster_pages() -> None:
    rows = tuple(("x",) * 12 for _ in range(40))
    table = Table(tuple(Column(str(i), 1) for i in range(13)), rows, L.ROSTER_ROW_H, numbered=True)
    doc = Document("roster", "花名册", (("a", ""),) * 4, (table,), landscape=True)
    height = L.A4_LANDSCAPE.content_height
    first = math.floor(
        (height - L.TITLE_H - 2 * L.INFO_LINE_H - L.INFO_GAP - L.HEADER_H - L.FOOTER_H)
        / L.ROSTER_ROW_H
    )
    nxt = math.floor((height - L.RUNNING_TITLE_H - L.HEADER_H - L.FOOTER_H) / L.ROSTER_ROW_H)
    assert (first, nxt) == (17, 19)
    assert len(paginate(doc)) == 1 + math.ceil((40 - first) / nxt) == 3
    assert all(s.blank == 0 for page in paginate(doc) for s in page.slices)


def test_dates_read_as_a_notice_writes_them() -> None:
    d = dt.date
    assert date_span(d(2023, 2, 16), None) == "2023年2月16日"
    assert date_span(d(2023, 2, 16), d(2023, 2, 16)) == "2023年2月16日"
    assert date_span(d(2023, 2, 16), d(2023, 2, 17)) == "2023年2月16日至17日"
    assert date_span(d(2023, 2, 28), d(2023, 3, 1)) == "2023年2月28日至3月1日"
    assert date_span(d(2023, 12, 31), d(2024, 1, 1)) == "2023年12月31日至2024年1月1日"
