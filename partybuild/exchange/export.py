"""Exporting ledgers to Excel: one sheet per ledger, formatted for reading, printing and re-import.

Each sheet has a title row, a bold frozen header with an autofilter, the spec's column widths,
real dates, ID and phone numbers as text cells (formatted “@” so Excel never turns them into
numbers) and an A4-landscape print setup that repeats the header and fits the width. Sheets are
written with xlsxwriter (:class:`~partybuild.outputs.workbook.XlsxBook`, ``constant_memory``: each
row goes to XML as it is written), about three times faster than openpyxl's cell objects, which
were 84 % of an export of 50,000 members. Reading the rows is planned per sheet, not per cell
(:func:`_row_plan`), and skips peewee's conversion of values the driver already typed (:func:`_raw`).

Nothing a person typed can run as a formula: text beginning with = + - @ or a tab/CR/LF is stored
as a text cell with Excel's quote prefix (OWASP's CSV-injection rule), and reads back identical —
the rule of :mod:`partybuild.outputs.workbook`, which every workbook the app writes uses. The file
is written through it too: atomically, checked, and 0600 unless masked (full ID numbers and
phones), with the writer's temporary files unnamed in the target's folder.

"Export all" also writes the three link tables (参会人员, 服务队队员, 参加队员), so that exporting,
importing into an empty database and exporting again gives the same cells on every sheet. Rows
are sorted by their visible values, not by id, for the same reason.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import peewee as pw
from openpyxl.styles import Border, PatternFill, Side
from xlsxwriter.format import Format

from partybuild.domain import collation, dues
from partybuild.domain.dates import PartialDate
from partybuild.exchange import sheets as lay
from partybuild.exchange.read import bulk_work
from partybuild.exchange.sheets import SheetSpec, XColumn
from partybuild.ledgers import spec
from partybuild.outputs.workbook import XlsxBook, workbook_output
from partybuild.services import name_order
from partybuild.store import models as m

TITLE_ROW, HEADER_ROW = 1, 2
PAPER_A4 = 9
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
THIN = Side(style="thin", color="BFBFBF")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

# The order rows are exported in: by what people look for, then by every other cell.
SORT_HEADERS: dict[str, tuple[str, ...]] = {
    "branches": ("名称",),
    "enterprises": ("所属党组织", "名称"),
    "members": ("所属党组织", "所在企业", "姓名", "身份证号"),
    "activities": ("党组织", "日期", "类型", "主题"),
    "activity_attendees": ("党组织", "活动日期", "活动类型", "活动主题", "党员身份证号"),
    "trainings": ("开始日期", "名称"),
    "attendance": ("培训开始日期", "培训名称", "党员身份证号", "姓名", "单位"),
    "teams": ("所属党组织", "名称"),
    "team_members": ("服务队", "党员身份证号"),
    "services": ("日期", "服务队", "主题"),
    "service_participants": ("服务日期", "服务队", "服务主题", "党员身份证号"),
    "issues": ("受理日期", "企业", "问题描述"),
    "recruitment": ("所属党组织", "提交书面申请书时间", "姓名", "身份证号"),
    "dues": ("月份", "姓名", "党员身份证号"),
}

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


class ExportCancelled(Exception):
    """The user cancelled; no file was written."""


class _Titles:
    """How linked records are named in a sheet (the parts of their natural titles)."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[int, tuple[tuple[Any, ...], bool]]] = {}
        self.members: dict[int, tuple[str, str, int | None, bool]] = {}

    def of(self, target: str) -> dict[int, tuple[tuple[Any, ...], bool]]:
        """id → (title parts, deleted)."""
        if target not in self._cache:
            self._cache[target] = self._load(target)
        return self._cache[target]

    def _load(self, target: str) -> dict[int, tuple[tuple[Any, ...], bool]]:
        if target in ("branches", "enterprises", "teams"):
            model = {"branches": m.Branch, "enterprises": m.Enterprise, "teams": m.Team}[target]
            query = model.select(model.id, model.name, model.deleted).tuples()
            return {rid: ((name,), deleted) for rid, name, deleted in query}
        if target == "members":
            mm = m.Member
            query = mm.select(mm.id, mm.id_number, mm.name, mm.enterprise, mm.deleted).tuples()
            result = {}
            for rid, number, name, enterprise, deleted in query:
                self.members[rid] = (number, name, enterprise, deleted)
                result[rid] = ((number,), deleted)
            return result
        if target == "trainings":
            t = m.Training
            query = t.select(t.id, t.name, t.start_date, t.deleted).tuples()
            return {rid: ((name, start), deleted) for rid, name, start, deleted in query}
        branches = self.of("branches")
        if target == "activities":
            a = m.Activity
            query = a.select(a.id, a.branch, a.kind, a.date, a.topic, a.deleted).tuples()
            return {
                rid: ((branches[b][0][0], kind, day, topic), deleted)
                for rid, b, kind, day, topic, deleted in query
            }
        if target == "services":
            teams = self.of("teams")
            s = m.Service
            query = s.select(s.id, s.team, s.date, s.topic, s.deleted).tuples()
            return {
                rid: ((teams[t][0][0], day, topic), deleted)
                for rid, t, day, topic, deleted in query
            }
        raise KeyError(target)

    def member(self, member_id: int) -> tuple[str, str, int | None, bool]:
        self.of("members")
        return self.members[member_id]


def _cell_value(col: XColumn, value: Any) -> Any:
    """A stored value as the cell shows it (codes as labels, booleans as 是/否)."""
    if value is None:
        return None
    if col.kind == spec.CHOICE and col.vocabulary is not None:
        return col.vocabulary.label(value)
    if col.kind == spec.BOOL:
        return "是" if value else "否"
    if col.kind == spec.RATE:
        return dues.percent_text(value)  # 1.5%, read back as 0.015
    return value


#: The sheets whose rows are people, with the header of the name: they follow the chosen order of
#: names (姓氏笔画, 拼音, 录入顺序) within their grouping (所属党组织, 所在企业).
NAME_ORDERED: dict[str, str] = {"members": "姓名"}


def sheet_rows(
    sheet_spec: SheetSpec, titles: _Titles | None = None, order: str | None = None
) -> list[list[Any]]:
    """The cells of every live record of a sheet, in export order (unmasked).

    On a sheet of people (``NAME_ORDERED``) names follow ``order`` (None: the database's default,
    ``services.name_order``); 录入顺序 is the order the records were entered or imported in.
    """
    titles = titles or _Titles()
    model = sheet_spec.model
    ledger = sheet_spec.ledger
    names = [c.name for c in ledger.columns]
    fields = [model._meta.fields[n] for n in names]
    partial = [i for i, f in enumerate(fields) if isinstance(f, m.PartialDateField)]
    selected = [_raw(f) for f in m.with_precision(fields)]
    query = model.select(*selected).where(model.deleted == False)  # noqa: E712
    if ledger.scope is not None:  # 发展党员: the people on the way in
        query = query.where(ledger.scope())
    query = query.order_by(model.id).tuples()
    name_header = NAME_ORDERED.get(sheet_spec.name)
    if name_header is not None:
        order = name_order.resolve(order)
    links = {link.field: titles.of(link.target) for link in sheet_spec.links}
    positions = {name: i for i, name in enumerate(names)}
    owned = {  # parts of a record that are hidden when their parent or member is in the bin
        "attendance": ("training", "member"),
        "activity_attendees": ("activity", "member"),
        "team_members": ("team", "member"),
        "service_participants": ("service", "member"),
    }.get(sheet_spec.name, ())
    cells_of = _row_plan(sheet_spec, positions, links, titles)
    rows: list[list[Any]] = []
    for record in query:
        if partial:  # a date to the month or year: one value with its precision again
            whole = list(record[: len(fields)])
            for i, precision in zip(partial, record[len(fields) :], strict=True):
                if whole[i] is not None and precision is not None:
                    whole[i] = PartialDate.of(whole[i], precision)
            record = tuple(whole)
        if any(
            record[positions[f]] is not None and links[f][record[positions[f]]][1] for f in owned
        ):
            continue
        rows.append(cells_of(record))
    if name_header is not None and order == "entry":
        return rows  # the query's order: by id, as entered
    positions_sorted = [
        sheet_spec.columns.index(sheet_spec.by_header[h]) for h in SORT_HEADERS[sheet_spec.name]
    ]
    name_at = (
        sheet_spec.columns.index(sheet_spec.by_header[name_header])
        if name_header is not None
        else None
    )
    name_key = collation.name_sort_key(order) if name_at is not None else None

    keyed = [(i, name_key if i == name_at else None) for i in positions_sorted]

    def first_key(cells: list[Any]) -> tuple[Any, ...]:
        return tuple(
            (0,) if (value := cells[i]) is None else (1, value if key is None else key(value))
            for i, key in keyed
        )

    def full_key(cells: list[Any]) -> tuple[Any, ...]:
        return tuple((0,) if c is None else (1, c) for c in cells)

    rows.sort(key=first_key)
    # Ties on the visible key are ordered by every cell, never by id: two databases holding the
    # same records export the same sheet.
    result: list[list[Any]] = []
    for _key, group in itertools.groupby(rows, key=first_key):
        same = list(group)
        if len(same) > 1:
            same.sort(key=full_key)
        result.extend(same)
    return result


#: Fields whose values both drivers (sqlite3, psycopg2) return as the type peewee's conversion
#: would give (str, int): selected without it, which is a third of reading 50,000 members.
_DRIVER_TYPED = (pw.CharField, pw.TextField, pw.IntegerField, pw.BigIntegerField, pw.AutoField)


def _raw(field: pw.Field) -> pw.Node:
    """``field`` as selected: without peewee's per-value conversion where it changes nothing."""
    if type(field) in _DRIVER_TYPED or (
        type(field) is pw.ForeignKeyField and type(field.rel_field) in _DRIVER_TYPED
    ):
        return field.coerce(False)
    return field


def _row_plan(
    sheet_spec: SheetSpec,
    positions: dict[str, int],
    links: dict[str, dict[int, tuple[tuple[Any, ...], bool]]],
    titles: _Titles,
) -> Callable[[tuple[Any, ...]], list[Any]]:
    """The function giving a record's cells (see :func:`_row_cells`), with each column's way to
    its value worked out once per sheet instead of once per cell: 50,000 members are 800,000
    cells. The 签到 sheet, whose cells depend on each other, goes cell by cell."""
    if sheet_spec.name == "attendance":
        return lambda record: _row_cells(sheet_spec, record, positions, links, titles)
    getters: list[Callable[[tuple[Any, ...]], Any]] = []
    member_at = positions.get("member")
    for col in sheet_spec.columns:
        if col.field is not None:
            getters.append(_field_getter(col, positions[col.field]))
        elif col.link is not None:
            vocabulary = lay.TARGETS[
                lay.TARGET_OF_MODEL[sheet_spec.model._meta.fields[col.link].rel_model]
            ].vocabulary(col.part)
            shown = {
                target_id: (vocabulary.label(parts[col.part]) if vocabulary else parts[col.part])
                for target_id, (parts, _deleted) in links[col.link].items()
            }
            getters.append(
                lambda record, at=positions[col.link], shown=shown: (
                    None if record[at] is None else shown[record[at]]
                )
            )
        elif member_at is None:
            getters.append(lambda _record: None)
        else:  # info: the member's name beside the ID number
            titles.of("members")
            names = {rid: person[1] for rid, person in titles.members.items()}
            getters.append(
                lambda record, at=member_at, names=names: (
                    None if record[at] is None else names[record[at]]
                )
            )
    return lambda record: [get(record) for get in getters]


def _field_getter(col: XColumn, at: int) -> Callable[[tuple[Any, ...]], Any]:
    """A record's value of a field column as the cell shows it (what :func:`_cell_value` does)."""
    if col.kind == spec.CHOICE and col.vocabulary is not None:
        labels: dict[str, str] = {}
        for code, label in col.vocabulary.items:
            labels.setdefault(code, label)  # the first, as Vocabulary.label finds it
        return lambda record: None if record[at] is None else labels.get(record[at], record[at])
    if col.kind in (spec.BOOL, spec.RATE):
        return lambda record: _cell_value(col, record[at])
    return lambda record: record[at]


def _row_cells(
    sheet_spec: SheetSpec,
    record: tuple[Any, ...],
    positions: dict[str, int],
    links: dict[str, dict[int, tuple[tuple[Any, ...], bool]]],
    titles: _Titles,
) -> list[Any]:
    cells: list[Any] = []
    member_id = record[positions["member"]] if "member" in positions else None
    for col in sheet_spec.columns:
        if col.field is not None:
            value = record[positions[col.field]]
            if sheet_spec.name == "attendance" and member_id is not None:
                # A member's row shows the member's name, and unit unless one was given.
                _number, name, enterprise, _deleted = titles.member(member_id)
                if col.field == "person_name" and value is None:
                    value = name
                elif col.field == "person_unit" and value is None and enterprise is not None:
                    value = titles.of("enterprises")[enterprise][0][0]
            cells.append(_cell_value(col, value))
        elif col.link is not None:
            target_id = record[positions[col.link]]
            if target_id is None:
                cells.append(None)
                continue
            parts = links[col.link][target_id][0]
            value = parts[col.part]
            vocabulary = lay.TARGETS[
                lay.TARGET_OF_MODEL[sheet_spec.model._meta.fields[col.link].rel_model]
            ].vocabulary(col.part)
            cells.append(vocabulary.label(value) if vocabulary is not None else value)
        else:  # info: the member's name beside the ID number
            cells.append(titles.member(member_id)[1] if member_id is not None else None)
    return cells


def _mask(sheet_spec: SheetSpec, rows: list[list[Any]]) -> None:
    """A masked file holds what ledgers.display.masked_value leaves of each cell."""
    from partybuild.ledgers.display import masked_value

    for index, col in enumerate(sheet_spec.columns):
        described = col.column if col.column is not None and col.field else col
        if col.kind not in (spec.ID_NUMBER, spec.PHONE) and (
            getattr(described, "masked_as", None) is None
        ):
            continue
        for row in rows:
            row[index] = masked_value(described, row[index])  # type: ignore[arg-type]


HEADER_COLOR = "#F2DCDB"
BORDER_COLOR = "#BFBFBF"


def _column_formats(book: XlsxBook, columns: Sequence[XColumn]) -> list[Format | None]:
    """The format of each column's cells (None: the value's own — dates as dates)."""
    formats: list[Format | None] = []
    for col in columns:
        if col.is_text_cell:
            formats.append(book.text)  # “@”: Excel never turns an ID number into a number
        elif col.kind == spec.DATETIME:
            formats.append(book.style(num_format="yyyy-mm-dd hh:mm"))
        elif col.kind == spec.MONEY:  # an amount of yuan (党费): shown to the fen
            formats.append(book.style(num_format="0.00"))
        else:
            formats.append(None)
    return formats


def write_sheet(
    book: XlsxBook,
    sheet_spec: SheetSpec,
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    cancel: Cancel | None = None,
) -> None:
    """One formatted sheet from prepared cell values, streamed row by row."""
    ws = book.add_worksheet(sheet_spec.label)
    columns = sheet_spec.columns
    last = len(columns) - 1
    for index, col in enumerate(columns):
        ws.set_column(index, index, col.width + 2)
    ws.freeze_panes(HEADER_ROW, 0)  # rows above the first data row stay
    ws.repeat_rows(HEADER_ROW - 1)
    ws.set_landscape()
    ws.set_paper(PAPER_A4)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_row(TITLE_ROW - 1, 28)
    ws.set_row(HEADER_ROW - 1, 22)

    heading = book.style(bold=True, font_size=14, align="center", valign="vcenter")
    ws.merge_cells(
        TITLE_ROW - 1, 0, TITLE_ROW - 1, last, title or f"{sheet_spec.label}台账", heading
    )
    header = book.style(
        bold=True,
        pattern=1,
        bg_color=HEADER_COLOR,
        border=1,
        border_color=BORDER_COLOR,
        align="center",
        valign="vcenter",
        text_wrap=True,
    )
    ws.write_cells(HEADER_ROW - 1, [col.header for col in columns], [header] * len(columns))

    formats = _column_formats(book, columns)
    write = ws.write_cells
    for number, row in enumerate(rows, start=HEADER_ROW):
        if cancel is not None and number % 2000 == 0 and cancel():
            raise ExportCancelled()
        write(number, row, formats)
    ws.autofilter(HEADER_ROW - 1, 0, HEADER_ROW - 1 + max(len(rows), 1), last)


def export(
    path: Path | str,
    ledgers: Sequence[str] | None = None,
    *,
    mask: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    order: str | None = None,
) -> dict[str, int]:
    """Write the ledgers (all sheets when None) to ``path``; returns rows per sheet.

    ``order`` is the order of names on the member sheet (None: the database's default).

    The file appears only when complete (written beside it, then renamed), so a cancelled or
    failed export leaves no half-written workbook behind.
    """
    from partybuild.store.accounts import masked_only

    mask = mask or masked_only()  # the viewer's exports are masked, always
    path = Path(path)
    names = [n for n in lay.SHEETS if n not in lay.SEPARATE] if ledgers is None else list(ledgers)
    counts: dict[str, int] = {}
    # Unmasked, the file holds every ID number and phone: readable by the owner only.
    with workbook_output(path, private=not mask) as save:
        workbook = XlsxBook()
        workbook.set_properties(
            {"author": "partybuild", "title": "党建台账" + ("（脱敏）" if mask else "")}
        )
        titles = _Titles()
        with bulk_work():
            _write_sheets(workbook, names, titles, counts, mask, progress, cancel, order)
        if progress is not None:
            progress(len(names), len(names), "保存文件")
        save(workbook)
    return counts


def _write_sheets(
    workbook: XlsxBook,
    names: list[str],
    titles: _Titles,
    counts: dict[str, int],
    mask: bool,
    progress: Progress | None,
    cancel: Cancel | None,
    order: str | None = None,
) -> None:
    for number, name in enumerate(names):
        sheet_spec = lay.sheet(name)
        if progress is not None:
            progress(number, len(names), f"导出{sheet_spec.label}")
        if cancel is not None and cancel():
            raise ExportCancelled()
        rows = sheet_rows(sheet_spec, titles, order)
        if mask:
            _mask(sheet_spec, rows)
        title = f"{sheet_spec.label}台账" + ("（脱敏）" if mask else "")
        write_sheet(workbook, sheet_spec, rows, title=title, cancel=cancel)
        counts[name] = len(rows)
