"""Reading workbooks safely, and turning what a cell holds into a value of a column's kind.

Files arrive from many hands, so a file is checked before it is opened: a CSV, a Word document, a
password-protected workbook (an OLE container holding an encrypted package), a truncated download
or a zip bomb is refused with one Chinese sentence (:class:`WorkbookRefused`, exit 2). What passes
is read with python-calamine: .xlsx/.xlsm (also Strict Open XML), .xls (Excel 97–2003), .ods and
.xlsb, many times faster than openpyxl. What the cells *show* is read, not only what they hold:

- merged cells give their value to every cell they cover (a 所在企业 merged over an enterprise's
  members is that enterprise on every row);
- hidden sheets are listed with their state and skipped by the importer; hidden rows are read and
  reported;
- a formula saved without its result is a :class:`Formula` (refused by the importer, never read
  as empty); a date cell whose number format shows no day (“1998-11”, ``yyyy"年"m"月"``,
  ``yyyy``) is a :class:`ShownDate`: a month or a year, as shown (.xlsx and .ods); an error value (#DIV/0!) is an :class:`ErrorValue` (refused by :func:`cell_text`; a
  text cell spelling #N/A is text);
- invisible characters (zero-width space, BOM, word joiner, soft hyphen) and the leading ``'``
  that marks text are removed from every text cell;
- a long run of blank rows ends the sheet (:data:`scan.BLANK_RUN`); anything after it is
  reported, not read.

Of these, .xlsx needs its sheet XML streamed once (:mod:`partybuild.exchange.scan`); what .xls,
.xlsb and .ods cannot tell is said there.

Cell parsing never guesses data of record: an ID number stored as a number has already lost its
last digits and is reported. A date of record that rosters keep to the month or the year
(入党时间 “1998.11”, 成立时间 “2005”: a PARTIAL_DATE column) is read as exactly that, a
:class:`~partybuild.domain.dates.PartialDate`; in an event's date (a meeting has a day) a month or
a bare year is reported. A *number* 1985.1 is refused either way: Excel drops the trailing zero
of 1985.10, and the reader sees only the value, not how the cell shows it — October and January
cannot be told apart. Text “1985.1” is what the person wrote: January.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import math
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils.datetime import CALENDAR_MAC_1904, from_excel
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from partybuild.domain import dates, dues
from partybuild.domain import validators as v
from partybuild.domain.vocab import UnknownChoice, Vocabulary
from partybuild.exchange import scan
from partybuild.ledgers import spec
from partybuild.store.database import live_file_kind

# A sheet larger than this is not a ledger of one park; refuse it rather than fill the memory.
MAX_DATA_ROWS = 200_000
# Zip-bomb guards, checked on the zip directory before anything is decompressed.
MAX_UNCOMPRESSED = 1 << 30  # 1 GiB for the whole workbook
MAX_RATIO = 200  # uncompressed : compressed, for members larger than RATIO_FLOOR
RATIO_FLOOR = 20 << 20
MAX_MEMBERS = 10_000
# A row wider than this is cut: no ledger has more than ~20 columns.
MAX_COLUMNS = 256

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


class ErrorValue(str):
    """An error cell's value (#N/A, #DIV/0!…): refused by :func:`cell_text`. A text cell that
    spells the same (a member named #N/A, written by our export as text) is text."""

    __slots__ = ()


# The formats read, as :func:`check_file` names them.
XLSX, XLSB, XLS, ODS = "xlsx", "xlsb", "xls", "ods"
SUFFIXES = {
    XLSX: (".xlsx", ".xlsm", ".xltx", ".xltm"),
    XLSB: (".xlsb",),
    XLS: (".xls", ".xla"),
    ODS: (".ods",),
}
FORMAT_NAMES = {
    XLSX: "Excel 工作簿（.xlsx）",
    XLSB: "Excel 二进制工作簿（.xlsb）",
    XLS: "Excel 97-2003 工作簿（.xls）",
    ODS: "OpenDocument 表格（.ods）",
}

DAMAGED_ID = "身份证号以数字形式保存，已丢失末位，请将该列设为文本后重新录入"
DAMAGED_CREDIT = "统一社会信用代码以数字形式保存，已丢失末位，请将该列设为文本后重新录入"


class WorkbookRefused(Exception):
    """The file cannot be read as a workbook; the message says why, in one line of Chinese."""


class CellError(ValueError):
    """A cell's content does not fit its column; the message names only the problem."""


class Formula:
    """A formula cell saved without its result: what it shows is unknown, so it is not data."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Formula) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


class ShownDate:
    """A date cell whose number format shows no day: “1998-11” typed into Excel is kept as the
    date 1998-11-01 formatted ``yyyy-mm``. The file says a month (or a year), so that is what the
    parsers get — never the first day as if it were known."""

    __slots__ = ("year", "month", "precision", "shown")

    def __init__(self, value: dt.date, precision: str, code: str) -> None:
        self.year = value.year
        self.month = value.month if precision == dates.MONTH else None
        self.precision = precision
        self.shown = render_month(code, value, precision)

    def partial(self) -> dates.PartialDate:
        return dates.PartialDate(self.year, self.month)

    def refusal(self) -> CellError:
        """Why it cannot be a date that needs a day (a meeting's)."""
        if self.month is None:
            return CellError(dates.year_only_message(self.shown, self.year))
        return _month_only(self.shown, self.year, self.month)

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return f"ShownDate({self.shown!r}, {self.precision!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ShownDate) and (other.year, other.month, other.shown) == (
            self.year,
            self.month,
            self.shown,
        )

    def __hash__(self) -> int:
        return hash((self.year, self.month, self.shown))


_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_FORMAT_TOKEN = re.compile(r'"([^"]*)"|\\(.)|\[[^\]]*\]|_.|\*.|(y+|e+|m+|b+)', re.IGNORECASE)


def render_month(code: str, value: dt.date, precision: str) -> str:
    """What a date formatted ``code`` (a format without a day) shows: 1998-11, 1998年11月."""
    section = code.split(";", 1)[0]
    out: list[str] = []
    position = 0
    for match in _FORMAT_TOKEN.finditer(section):
        out.append(section[position : match.start()])
        position = match.end()
        quoted, escaped, token = match[1], match[2], match[3]
        if quoted is not None:
            out.append(quoted)
        elif escaped is not None:
            out.append(escaped)
        elif token:
            letter, width = token[0].lower(), len(token)
            if letter == "m":
                name = _MONTH_NAMES[value.month - 1]
                shown = {1: str(value.month), 2: f"{value.month:02d}", 3: name[:3], 5: name[0]}
                out.append(shown.get(width, name))
            elif letter == "y" and width <= 2:
                out.append(f"{value.year % 100:02d}")
            else:
                out.append(str(value.year))
    out.append(section[position:])
    text = "".join(out).strip()
    if not any(c.isdigit() for c in text):  # nothing a reader could go by
        text = f"{value:%Y-%m}" if precision == dates.MONTH else str(value.year)
    return text


FORMULA_WITHOUT_VALUE = (
    "是公式，没有计算结果（文件可能由程序生成）：请在 Excel/WPS 中打开并保存后再导入"
)


# --------------------------------------------------------------------------- the file


def check_file(path: Path) -> str:
    """Refuse what should not be opened, before it is opened; return the format it really is
    (by its content, not its name: an .xls renamed .xlsx is read as the .xls it is)."""
    name = path.name
    if not path.exists():
        raise WorkbookRefused(f"文件“{name}”不存在")
    if path.is_dir():
        raise WorkbookRefused(f"“{name}”是文件夹，不是 Excel 文件")
    if live_file_kind(path) is not None:  # reading it here would drop SQLite's locks on it
        raise WorkbookRefused(f"“{name}”是正在使用的党建台账数据库文件，不是 Excel 工作簿")
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise WorkbookRefused(f"无法读取“{name}”：{exc.strerror or exc}") from exc
    if not head:
        raise WorkbookRefused(f"“{name}”是空文件")
    if head[:8] == OLE_MAGIC:
        _check_ole(path)
        return XLS
    if head[:4] != ZIP_MAGIC:
        if suffix == ".csv" or suffix == ".txt":
            raise WorkbookRefused(f"不支持 CSV/文本文件“{name}”，请在 Excel/WPS 中另存为 .xlsx")
        if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
            # Many systems "export to Excel" as an HTML or XML page named .xls.
            raise WorkbookRefused(
                f"“{name}”其实是网页（HTML/XML）文件，不是 Excel 工作簿，"
                "请在 Excel/WPS 中打开后另存为 .xlsx 再导入"
            )
        raise WorkbookRefused(f"“{name}”不是 Excel 工作簿（.xlsx/.xls/.ods）")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            kind = _check_members(name, members)
            if kind == ODS:
                try:
                    mime = archive.read("mimetype")[:200]
                except (KeyError, zipfile.BadZipFile, EOFError, OSError, ValueError):
                    mime = b""
                _check_odf(name, mime)
    except WorkbookRefused:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise WorkbookRefused(
            f"“{name}”已损坏或不完整（可能没有下载或复制完整），无法读取"
        ) from exc
    return kind


def _check_ole(path: Path) -> None:
    """An OLE container is an .xls, an encrypted workbook or another old Office file."""
    try:
        data = path.read_bytes()[: 8 << 20]
    except OSError:
        data = b""
    if (
        "EncryptedPackage".encode("utf-16-le") in data
        or "EncryptionInfo".encode("utf-16-le") in data
    ):
        raise WorkbookRefused(_password(path.name))
    if "WordDocument".encode("utf-16-le") in data:
        raise WorkbookRefused(f"“{path.name}”是 Word 文档，不是 Excel 工作簿")
    if "PowerPoint Document".encode("utf-16-le") in data:
        raise WorkbookRefused(f"“{path.name}”是 PowerPoint 文稿，不是 Excel 工作簿")


def _password(name: str) -> str:
    return f"“{name}”设置了打开密码（已加密），请在 Excel/WPS 中取消密码后另存为 .xlsx 再导入"


def _check_members(name: str, members: list[zipfile.ZipInfo]) -> str:
    names = {info.filename for info in members}
    if "xl/workbook.xml" in names or any(n.endswith("workbook.xml") for n in names):
        kind = XLSX
    elif "xl/workbook.bin" in names:
        kind = XLSB
    elif "content.xml" in names and "mimetype" in names:
        kind = ODS
    elif "word/document.xml" in names:
        raise WorkbookRefused(f"“{name}”是 Word 文档，不是 Excel 工作簿")
    elif "ppt/presentation.xml" in names:
        raise WorkbookRefused(f"“{name}”是 PowerPoint 文稿，不是 Excel 工作簿")
    else:
        raise WorkbookRefused(f"“{name}”是压缩包或其他文件，不是 Excel 工作簿（.xlsx）")
    if len(members) > MAX_MEMBERS:
        raise WorkbookRefused(f"“{name}”内部结构异常（{len(members)} 个部件），拒绝读取")
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise WorkbookRefused(
                f"“{name}”解压后异常膨胀（{info.filename} 压缩比 {ratio:.0f}:1），疑似恶意文件，拒绝读取"
            )
    if total > MAX_UNCOMPRESSED:
        raise WorkbookRefused(
            f"“{name}”解压后超过 {MAX_UNCOMPRESSED >> 20} MB，超出台账文件的合理大小，拒绝读取"
        )
    return kind


def _check_odf(name: str, mime: bytes) -> None:
    if mime.startswith(ODS_MIME):
        return
    if mime.startswith(b"application/vnd.oasis.opendocument.text"):
        raise WorkbookRefused(f"“{name}”是 OpenDocument 文本文档（.odt），不是表格")
    raise WorkbookRefused(f"“{name}”是 OpenDocument 文件但不是表格（.ods）")


@contextmanager
def bulk_work() -> Iterator[None]:
    """No cyclic garbage collection while tens of thousands of row objects are built.

    Nothing made then is garbage until the work is done, yet every generation-2 pass walks all of
    it: on a 50,000-row roster that is a tenth of the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


VISIBLE, HIDDEN, VERY_HIDDEN = "visible", "hidden", "very_hidden"


@dataclass(eq=False)
class Sheet:
    """One worksheet of a :class:`Book`; what was noticed while reading it is filled in by
    :meth:`rows` (merged ranges filled, hidden rows, where a blank run ended it)."""

    book: Book
    title: str
    index: int
    state: str = VISIBLE
    # Merged ranges whose value was given to the cells they cover: (first row, last row).
    filled: list[tuple[int, int]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)
    # A long blank run ended the sheet after ``last_row``; ``content_after`` is the first row
    # with content after it (not read), None when nothing follows.
    last_row: int | None = None
    content_after: int | None = None

    @property
    def hidden(self) -> bool:
        return self.state != VISIBLE

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """(Excel row number, values) of every row; damage surfaces as WorkbookRefused."""
        try:
            yield from self._rows()
        except WorkbookRefused:
            raise
        except PasswordError as exc:
            raise WorkbookRefused(_password(self.book.path.name)) from exc
        except Exception as exc:  # zlib, XML and zip errors of a damaged sheet
            if self.book.strict:
                raise WorkbookRefused(_unreadable(self.book.path.name, XLSX, True, exc)) from exc
            raise WorkbookRefused(
                f"工作表“{self.title}”内容已损坏，无法读取（{short_reason(exc)}）"
            ) from exc

    def _rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        ahead = self.book.parse_ahead(self)
        try:
            notes = self.book.notes(self)
        except BaseException:
            if ahead is not None:
                ahead.wait()
            raise
        if notes.cut_offset is not None:
            if ahead is not None:
                ahead.wait()  # the whole sheet, not wanted: the copy cut after its data is read
            member = self.book.members[self.title]
            source = CalamineWorkbook.from_filelike(
                scan.cut_copy(str(self.book.path), {member: notes})
            )
            sheet = source.get_sheet_by_name(self.title)
            source.close()  # the sheet keeps its own copy of the cells
        elif ahead is not None:
            sheet = ahead.result()
        else:
            sheet = self.book.calamine.get_sheet_by_name(self.title)
        merged = sheet.merged_cell_ranges
        start = sheet.start
        ranges = (
            [(r0 + 1, c0, r1 + 1, c1) for (r0, c0), (r1, c1) in merged]
            if merged is not None
            else list(notes.merged or ())
        )
        self.hidden_rows = set(notes.hidden_rows)
        self.last_row, self.content_after = notes.last_row, notes.content_after
        if start is None:
            return
        pad = (None,) * start[1]
        yield from self._convert(sheet.iter_rows(), pad, ranges, notes)

    def _convert(
        self,
        rows: Iterator[list[Any]],
        pad: tuple[None, ...],
        ranges: list[tuple[int, int, int, int]],
        notes: scan.SheetNotes,
    ) -> Iterator[tuple[int, tuple[Any, ...]]]:
        starts: dict[int, list[tuple[int, int, int]]] = {}
        for first_row, first_col, last_row, last_col in ranges:
            if first_col >= MAX_COLUMNS or (first_row, first_col) == (last_row, last_col):
                continue
            starts.setdefault(first_row, []).append(
                (first_col, last_row, min(last_col, MAX_COLUMNS - 1))
            )
        active: list[tuple[int, int, int, Any]] = []  # (last row, first col, last col, value)
        special = {
            **{k: ErrorValue(t) for k, t in notes.errors.items()},
            **{k: Formula(t) for k, t in notes.formulas.items()},
        }
        special_rows = {row for row, _ in special}
        shown: dict[int, list[tuple[int, str, str]]] = {}
        for (at, column), (precision, code) in notes.shown.items():
            shown.setdefault(at, []).append((column, precision, code))
        epoch = self.book.epoch
        made: dict[tuple[dt.date, str], ShownDate] = {}  # a column repeats a few hundred months
        invisible = _INVISIBLE.search
        blank_run = 0
        for number, raw in enumerate(rows, start=1):
            row: list[Any] = [*pad]
            for cell in raw:
                kind = type(cell)
                if kind is str:
                    if not cell:
                        row.append(None)
                        continue
                    if not cell.isascii() and invisible(cell):
                        cell = _strip_invisible(cell)
                    if cell[:1] == "'" and cell[1:2] in TEXT_MARKED:
                        cell = cell[1:]
                    row.append(cell or None)
                elif kind is float:
                    row.append(int(cell) if cell.is_integer() and -1e15 < cell < 1e15 else cell)
                else:
                    row.append(cell)
            if len(row) > MAX_COLUMNS:
                del row[MAX_COLUMNS:]
            if number in special_rows:
                for (at, column), value in special.items():
                    if at == number:
                        row.extend([None] * (column + 1 - len(row)))
                        if row[column] is None:
                            row[column] = value
            if number in shown:
                for column, precision, code in shown[number]:
                    if column < len(row):
                        row[column] = _shown_date(row[column], precision, code, epoch, made)
            if number in starts:
                for first_col, last_row, last_col in starts[number]:
                    value = row[first_col] if first_col < len(row) else None
                    if value is not None:
                        active.append((last_row, first_col, last_col, value))
                        self.filled.append((number, last_row))
            if active:
                for _end, first_col, last_col, value in active:
                    if len(row) <= last_col:
                        row.extend([None] * (last_col + 1 - len(row)))
                    for column in range(first_col, last_col + 1):
                        row[column] = value
                active = [a for a in active if a[0] > number]
            if all(c is None or (type(c) is str and not c.strip()) for c in row):
                blank_run += 1
                if blank_run >= scan.BLANK_RUN:
                    self._after_blank_run(number - blank_run, number, rows)
                    return
            else:
                blank_run = 0
            yield number, tuple(row)

    def _after_blank_run(self, last: int, number: int, rows: Iterator[list[Any]]) -> None:
        """The sheet ended at row ``last``: note where anything more follows (not read)."""
        self.last_row = last
        for later, raw in enumerate(rows, start=number + 1):
            if any(
                c != "" and not (type(c) is str and not _strip_invisible(c).strip()) for c in raw
            ):
                self.content_after = later
                return


def _shown_date(
    value: Any, precision: str, code: str, epoch: Any, made: dict[tuple[dt.date, str], ShownDate]
) -> Any:
    """A date cell (or the serial number of one) whose format shows no day, as a ShownDate."""
    if type(value) is dt.datetime:
        day = value.date()
    elif type(value) is dt.date:
        day = value
    elif type(value) in (int, float) and 1 <= value <= LAST_SERIAL:
        day = from_excel(value, **({"epoch": epoch} if epoch is not None else {})).date()
    else:
        return value
    result = made.get((day, code))
    if result is None:
        result = made[(day, code)] = ShownDate(day, precision, code)
    return result


@dataclass(eq=False)
class Book:
    """An open workbook: its worksheets (chart sheets left out) and the date system."""

    path: Path
    kind: str
    calamine: CalamineWorkbook
    epoch: Any = None
    sheets: list[Sheet] = field(default_factory=list)
    members: dict[str, str] = field(default_factory=dict)  # .xlsx: sheet → XML member
    strict: bool = False  # Strict Open XML (.xlsx)
    _archive: zipfile.ZipFile | None = None
    _ods_notes: dict[str, scan.SheetNotes] | None = None
    _styles: dict[int, tuple[str, str]] | None = None  # .xlsx: date styles without a day

    def notes(self, sheet: Sheet) -> scan.SheetNotes:
        """What the file's XML says about a sheet beyond its values (see :mod:`scan`)."""
        if self.kind == XLSX and self._archive is not None and sheet.title in self.members:
            if self._styles is None:
                self._styles = scan.date_styles(self._archive)
            notes = scan.scan_xlsx_sheet(self._archive, self.members[sheet.title], self._styles)
            # (counted roughly, so with room: the importer counts exactly and says the same)
            if notes.value_rows > MAX_DATA_ROWS + 50_000:
                raise WorkbookRefused(
                    f"工作表“{sheet.title}”超过 {MAX_DATA_ROWS:,} 行数据，超出单次导入的上限，请拆分后分批导入"
                )
            return notes
        if self.kind == ODS and self._archive is not None:
            if self._ods_notes is None:
                self._ods_notes = scan.scan_ods(self._archive)
            return self._ods_notes.get(sheet.title, scan.SheetNotes())
        return scan.SheetNotes()

    def parse_ahead(self, sheet: Sheet) -> _Ahead | None:
        """python-calamine reading an .xlsx sheet's cells in a thread while :meth:`notes` scans
        its XML (calamine lets go of the interpreter while it parses, so the two take the time
        of the longer: 0.8 s rather than 1.4 s for 50,000 members). Not for a sheet that may be
        a template bordered down to row 1,048,576 — XML or ``<dimension>`` larger than any
        import takes, or a thousand rows without a value in its first megabyte: the scan cuts
        such a sheet after its data, and only that part is parsed, after the scan."""
        if self.kind != XLSX or self._archive is None or sheet.title not in self.members:
            return None
        member = self.members[sheet.title]
        try:
            if self._archive.getinfo(member).file_size > AHEAD_MAX_BYTES:
                return None
            head = scan.sheet_head(self._archive, member)
        except (KeyError, OSError, zipfile.BadZipFile, EOFError, ValueError, zlib.error):
            return None  # the scan meets it and says what is wrong
        if (head.dimension_rows or 0) > MAX_DATA_ROWS + 50_000 or head.blank_rows >= scan.BLANK_RUN:
            return None
        return _Ahead(self.calamine, sheet.title)

    def close(self) -> None:
        self.calamine.close()
        if self._archive is not None:
            self._archive.close()


# The largest sheet XML parsed while it is scanned: 200,000 full-field members take about 175 MB.
AHEAD_MAX_BYTES = 256 << 20


class _Ahead:
    """One sheet's cells being read by python-calamine in a thread."""

    def __init__(self, workbook: CalamineWorkbook, title: str) -> None:
        self._sheet: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(workbook, title), name="sheet-cells", daemon=True
        )
        self._thread.start()

    def _run(self, workbook: CalamineWorkbook, title: str) -> None:
        try:
            self._sheet = workbook.get_sheet_by_name(title)
        except BaseException as exc:  # raised where the cells are asked for
            self._error = exc

    def wait(self) -> None:
        """Until calamine is done with the workbook (before it is closed or read again)."""
        self._thread.join()

    def result(self) -> Any:  # noqa: ANN401 - python_calamine.CalamineSheet
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._sheet


@contextmanager
def open_workbook(path: Path) -> Iterator[Book]:
    """The checked workbook; always closed after."""
    kind = check_file(path)
    name = path.name
    strict = False
    archive: zipfile.ZipFile | None = None
    members: dict[str, str] = {}
    epoch = None
    try:
        if kind in (XLSX, ODS):
            archive = zipfile.ZipFile(path)
        if kind == XLSX:
            assert archive is not None
            parts = scan.xlsx_parts(archive)
            strict, members = parts.strict, parts.sheets
            epoch = CALENDAR_MAC_1904 if parts.date1904 else None
        if path.suffix.lower() in SUFFIXES[kind]:
            calamine = CalamineWorkbook.from_path(str(path))  # lazy: sheets read when asked
        else:  # calamine goes by the name; a renamed file is read by its content
            calamine = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
        metadata = calamine.sheets_metadata
    except WorkbookRefused:
        if archive is not None:
            archive.close()
        raise
    except PasswordError as exc:
        if archive is not None:
            archive.close()
        raise WorkbookRefused(_password(name)) from exc
    except Exception as exc:  # calamine, zipfile and XML raise many kinds for a damaged file
        if archive is not None:
            archive.close()
        raise WorkbookRefused(_unreadable(name, kind, strict, exc)) from exc
    book = Book(path, kind, calamine, epoch, members=members, strict=strict, _archive=archive)
    for index, meta in enumerate(metadata):
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue  # chart, dialog and macro sheets hold no ledger
        if meta.visible == SheetVisibleEnum.VeryHidden:
            state = VERY_HIDDEN
        elif meta.visible == SheetVisibleEnum.Hidden:
            state = HIDDEN
        else:
            state = VISIBLE
        book.sheets.append(Sheet(book, meta.name, index, state))
    try:
        yield book
    finally:
        book.close()


def _unreadable(name: str, kind: str, strict: bool, exc: BaseException) -> str:
    if strict:
        return (
            f"“{name}”是 Strict Open XML 格式（严格 OOXML），无法读取，"
            "请在 Excel 中另存为普通的“Excel 工作簿（*.xlsx）”后再导入"
        )
    # (calamine's own wording is English and about the file's internals: kept on the chained
    # exception, not shown.)
    return f"“{name}”已损坏，无法作为 {FORMAT_NAMES[kind]}读取"


def short_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def worksheets(book: Book) -> list[Sheet]:
    """The sheets that hold cells (chart sheets are left out), hidden ones included."""
    return list(book.sheets)


def sheet_rows(sheet: Sheet) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(Excel row number, values) of every row, read lazily; damage surfaces as WorkbookRefused."""
    return sheet.rows()


# Invisible characters that ride along with pasted text: zero-width space/non-joiner, word
# joiner, BOM, soft hyphen — and a zero-width joiner unless it joins an emoji sequence.
_INVISIBLE = re.compile(
    "[\u200b\u200c\u2060\ufeff\u00ad]|(?<![\u2600-\u27bf\ufe0f\U0001f000-\U0001faff])\u200d"
)


# '0371…, '110101…, '2023-01-01, '=A1: a leading apostrophe is the marker people (and some
# systems' exports) type to keep a number, date or formula-looking text as text. In front of
# anything else it is part of the text and kept.
TEXT_MARKED = frozenset("0123456789+-=@.")


def _strip_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text)


def clean_text(text: str) -> str:
    """A text cell as the reader passes it on: invisible characters and the text marker gone."""
    text = _strip_invisible(text)
    return text[1:] if text[:1] == "'" and text[1:2] in TEXT_MARKED else text


# --------------------------------------------------------------------------- text


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NEEDS_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
# 张  三 / 欧阳 娜娜: spaces that align short names in printed rosters (2-4 characters).
ALIGNED_NAME = re.compile(r"[\u3400-\u9fff](?:[ \u3000\xa0]+[\u3400-\u9fff]){1,3}")
_SPACES = re.compile(r"[\s\u3000\xa0]+")


def unescape_text(text: str) -> str:
    """OOXML writes control characters as _xHHHH_ (Excel's line breaks arrive as _x000D_)."""
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def escape_text(text: str) -> str:
    """The inverse of :func:`unescape_text` for a literal “_x0041_” in our own text."""
    return _NEEDS_ESCAPE.sub("_x005F", text) if "_x" in text else text


# Marks templates put on a header: 【必填】姓名, 姓名*, 姓名（必填）, ※姓名, 姓名(选填).
_HEADER_MARKS = re.compile(
    r"^(?:[【\[](?:必填|选填|必录|选录|可选|非必填|必填项|选填项)[】\]])+"
    r"|(?:[（(【\[](?:必填|选填|必录|选录|可选|非必填|必填项|选填项|必须填写|可不填)[)）】\]])+$"
)


def clean_header(value: Any) -> str:
    """A header as compared: no spaces or line breaks, half-width, no required-marks
    (【必填】, ``*``, （必填）, （选填）)."""
    if value is None:
        return ""
    text = v.normalize_text(unescape_text(str(value)))
    text = _SPACES.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _HEADER_MARKS.sub("", text.strip("*＊※"))
    return text


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------- cells → values


# Dates written as text: one grammar for the importer and the form (domain.dates).
_TIME = re.compile(r"(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})\s*秒?)?\s*分?")
_INT = re.compile(r"[+]?\d+")
_FLOAT = re.compile(r"[+]?(\d+(\.\d*)?|\.\d+)")
TRUE_WORDS = frozenset({"是", "有", "√", "✓", "Y", "YES", "TRUE", "1", "对"})
FALSE_WORDS = frozenset({"否", "无", "×", "✗", "N", "NO", "FALSE", "0", "不是"})
LAST_SERIAL = 73050  # 2099-12-31; the ledgers hold nothing later


def _text_of(value: Any) -> str:
    """A non-text cell as the text a person sees in it."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return f"{value:%Y-%m-%d}"
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)  # a ShownDate: what the cell shows


def cell_text(value: Any) -> str | None:
    """Text of a cell for text columns: unescaped, half-width, trimmed; None when empty."""
    if value is None:
        return None
    if isinstance(value, ErrorValue):
        raise CellError(f"单元格是 Excel 错误值 {value.strip()}，请修正公式或填写数值")
    if type(value) is str:
        text = value  # the reader has undone OOXML's _xHHHH_ escapes
    else:
        text = _text_of(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = v.normalize_text(text)
    return text or None


_UNSTORABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def check_storable(text: str) -> str:
    """Refuse, as a field message, what a text field cannot keep: the control characters the
    form refuses (C0 but tab and newline, DEL — Excel's ``_x001B_`` escapes) and lone surrogates
    (``_xD800_``: not a character at all, SQLite and every file format refuse them). The message
    shows the character escaped, never raw."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return text
    char = found.group()
    kind = "孤立的代理码位（不是有效字符）" if "\ud800" <= char <= "\udfff" else "不可见的控制字符"
    shown = f"\\u{ord(char):04X}" if ord(char) > 0xFF else f"\\x{ord(char):02X}"
    raise CellError(f"含有{kind} {shown}（第 {found.start() + 1} 个字符），请删除后再导入")


def parse_cell(
    value: Any, kind: str, vocabulary: Vocabulary | None = None, epoch: Any = None
) -> Any:
    """Turn a cell into the Python value a column of ``kind`` stores; CellError if it cannot.

    Returns None for an empty cell. The result is then checked by the same cleaning as a form
    (``services.records``), so only Excel's own quirks are handled here.
    """
    return parser(kind, vocabulary, epoch)(value)


def parser(
    kind: str,
    vocabulary: Vocabulary | None = None,
    epoch: Any = None,
    unit: Unit | None = None,
) -> Callable[[Any], Any]:
    """A parse function for one column (made once per sheet: 50,000 rows × 16 columns add up).

    ``unit`` (from :func:`unit_of`) lets a number column read "2小时" or "120人" as the number."""
    if kind in (spec.TEXT, spec.LONGTEXT):
        single_line = kind == spec.TEXT

        def text(value: Any) -> str | None:
            if value is None:
                return None
            result = cell_text(value)
            if result is not None:
                check_storable(result)
            if (
                single_line
                and result is not None
                and (" " in result or "\xa0" in result)
                and len(result) <= 12
                and ALIGNED_NAME.fullmatch(result)
            ):
                result = _SPACES.sub("", result)  # alignment in a printed roster, not data
            return result

        return text
    if kind == spec.ID_NUMBER:
        return _blank_or(parse_id_number)
    if kind == spec.CREDIT_CODE:
        return _blank_or(parse_credit_code)
    if kind == spec.PHONE:
        return _blank_or(parse_phone)
    if kind == spec.CHOICE:
        assert vocabulary is not None
        known: dict[str, str] = {}  # a column repeats a handful of words 50,000 times

        def choice(value: Any) -> str | None:
            text = cell_text(value)
            if text is None:
                return None
            code = known.get(text)
            if code is None:
                try:  # labels, codes and their synonyms, as the form and search read them
                    code = known[text] = vocabulary.resolve(text)
                except UnknownChoice as exc:
                    raise CellError(str(exc)) from None
            return code

        return choice
    if kind == spec.BOOL:
        return _blank_or(parse_bool)
    if kind == spec.INT:
        return _blank_or(parse_int if unit is None else _with_unit(parse_int, unit))
    if kind == spec.FLOAT:
        return _blank_or(parse_float if unit is None else _with_unit(parse_float, unit))
    if kind in (spec.MONEY, spec.RATE):
        read_number = dues.money if kind == spec.MONEY else dues.rate_value

        def number(value: Any) -> Any:
            if value is None or (type(value) is str and not value.strip()):
                return None
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise CellError(f"“{_text_of(value)}”应为数字")
            try:
                return read_number(value if not isinstance(value, str) else cell_text(value), "")
            except ValueError as exc:
                raise CellError(str(exc)) from None

        return number
    if kind in spec.DATE_KINDS:
        partial = kind == spec.PARTIAL_DATE

        def date(value: Any) -> dt.date | None:
            if type(value) is dt.datetime:  # the usual case: a real date cell
                return value.date()
            if type(value) is ShownDate:  # a month or a year, as the cell shows it
                if partial:
                    return value.partial()
                raise value.refusal()
            if value is None or (type(value) is str and not value.strip()):
                return None
            return parse_date(value, epoch, partial=partial)

        return date
    if kind == spec.DATETIME:
        return _blank_or(lambda value: parse_datetime(value, epoch))
    raise AssertionError(kind)


def _blank_or(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if value is None or (type(value) is str and not value.strip()):
            return None
        return function(value)

    return parse


@dataclass(frozen=True)
class Unit:
    """The unit a number column counts in, and the ways people write it after the number."""

    name: str
    spellings: frozenset[str]


# Per (ledger, field). 学时 is not 小时 (a class hour is often 45 minutes), so "2小时" in a 学时
# column is refused rather than taken as 2 学时.
UNITS = {
    ("services", "hours"): Unit(
        "小时", frozenset({"小时", "个小时", "钟头", "个钟头", "h", "hr", "hrs", "hour", "hours"})
    ),
    ("trainings", "hours"): Unit("学时", frozenset({"学时", "课时", "个学时", "个课时"})),
    ("enterprises", "employees"): Unit("人", frozenset({"人", "名", "位", "个人"})),
}
# Words that are units of something else: a number written with one of them is refused with
# the reason, not read as the bare number.
OTHER_UNITS = frozenset(
    {
        "天",
        "日",
        "周",
        "星期",
        "月",
        "个月",
        "年",
        "分",
        "分钟",
        "min",
        "mins",
        "秒",
        "s",
        "d",
        "小时",
        "h",
        "学时",
        "课时",
        "人",
        "名",
        "人次",
        "次",
        "个",
        "元",
        "万",
        "万元",
        "%",
    }
)
_NUMBER_UNIT = re.compile(r"([+]?(?:\d+(?:\.\d*)?|\.\d+))\s*([^\d\s.][^\d]*)")


def unit_of(ledger: str, field_name: str | None) -> Unit | None:
    return UNITS.get((ledger, field_name or ""))


def _with_unit(parse: Callable[[Any], Any], unit: Unit) -> Callable[[Any], Any]:
    def parse_with_unit(value: Any) -> Any:
        if type(value) is not str:
            return parse(value)
        text = _SPACES.sub("", cell_text(value) or "").replace(",", "")
        match = _NUMBER_UNIT.fullmatch(text)
        if match is None:
            return parse(value)
        number, word = match[1], match[2]
        folded = word.lower() if word.isascii() else word
        if folded in unit.spellings:
            return parse(number)
        if folded in OTHER_UNITS:
            raise CellError(f"“{value.strip()}”的单位“{word}”与本列不符（本列以{unit.name}计）")
        return parse(value)

    return parse_with_unit


def parse_credit_code(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(DAMAGED_CREDIT)
    text = _SPACES.sub("", cell_text(value) or "")
    return text.upper() if text.isascii() else text


def parse_id_number(value: Any) -> str:
    if (
        type(value) is str
        and len(value) == 18
        and value[:17].isascii()
        and value[:17].isdigit()
        and value[17] in "0123456789Xx"
    ):
        return value[:17] + value[17].upper()  # the usual case, already clean
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(DAMAGED_ID)
    # The same reading as the form's and the search box's (validators.normalize_id_number):
    # blanks and the card's grouping hyphens go, a lower-case check letter is upper case.
    text = v.normalize_id_number(cell_text(value) or "")
    if "*" in text:
        raise CellError("身份证号已脱敏（含 *），无法导入；请使用未脱敏的导出文件")
    return text


def parse_phone(value: Any) -> str:
    if type(value) is str and value.isascii() and value.isdigit():
        return value  # the usual case, already clean
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise CellError("电话号码格式不正确")
        text = str(int(value))
        try:
            v.check_phone(text)
        except ValueError:
            raise CellError(
                "电话号码以数字形式保存，开头的 0 或分隔符可能已丢失，请将该列设为文本后重新录入"
            ) from None
        return text
    text = v.normalize_phone(cell_text(value) or "")
    if "*" in text:
        raise CellError("电话号码已脱敏（含 *），无法导入；请使用未脱敏的导出文件")
    return text


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _SPACES.sub("", cell_text(value) or "").upper()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(f"“{_text_of(value)}”应为“是”或“否”")


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise CellError(f"“{_text_of(value)}”应为整数")
    text = _SPACES.sub("", cell_text(value) or "").replace(",", "")
    if _INT.fullmatch(text):
        return int(text)
    raise CellError(f"“{_text_of(value)}”应为整数")


def parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise CellError("应为数字")
        return float(value)
    text = _SPACES.sub("", cell_text(value) or "").replace(",", "")
    if _FLOAT.fullmatch(text):
        return float(text)
    raise CellError(f"“{_text_of(value)}”应为数字")


class MonthOnly(CellError):
    """A date given to the month only (2019.07) where a day is needed: an event's date."""

    def __init__(self, shown: str, year: int, month: int) -> None:
        super().__init__(dates.month_only_message(shown))
        self.year = year
        self.month = month


def _month_only(shown: str, year: int, month: int) -> CellError:
    return MonthOnly(shown, year, month)


def _year_month_number(value: float, shown: str) -> tuple[int, int] | None:
    """A number 1998.11 typed for a month: (year, month), or None for a bare year 1998.

    The value is all the reader has (python-calamine gives no number formats). Two decimals say
    the month (1998.11, 1985.06); one decimal 2–9 can only be that month (1985.5: 1985.50 is no
    month); but 1985.1 is January typed as 1985.1 *or* October typed 1985.10 whose trailing zero
    Excel dropped — refused, never guessed.
    """
    if value.is_integer():
        return None
    year = int(value)
    decimals = repr(value).split(".", 1)[1] if "e" not in repr(value) else ""
    if decimals == "1":
        raise CellError(
            f"数字“{shown}”无法确定月份：可能是 {year}年1月，也可能是 {year}年10月"
            "（Excel 会去掉数字末尾的 0）；请将该列设为文本，填写"
            f" {year}.01 或 {year}.10"
        )
    if len(decimals) not in (1, 2) or not 1 <= int(decimals) <= 12:
        raise CellError(f"数字“{shown}”不是有效的日期")
    return year, int(decimals)


def _typed_year_or_month(value: float, shown: str) -> dates.PartialDate | None:
    """2023 or 2019.07 typed into a date column: a year, or a year and month, not a serial."""
    if not 1900 <= value < 2101:
        return None
    month = _year_month_number(value, shown)
    return dates.PartialDate(int(value)) if month is None else dates.PartialDate(*month)


def _serial(value: float, epoch: Any, shown: str) -> dt.datetime:
    """An Excel serial date — only ever from a cell that holds a number."""
    given = _typed_year_or_month(value, shown)
    if given is not None:  # where a day is needed
        if given.precision == dates.YEAR:
            raise CellError(dates.year_only_message(shown, given.year))
        raise _month_only(shown, given.year, given.month)
    if 19000101 <= value <= 21001231 and float(value).is_integer():
        text = str(int(value))
        return dt.datetime.combine(
            _date(int(text[:4]), int(text[4:6]), int(text[6:]), shown), dt.time()
        )
    if not 1 <= value <= LAST_SERIAL:
        raise CellError(f"数字“{shown}”不是有效的日期")
    kwargs = {"epoch": epoch} if epoch is not None else {}
    moment = from_excel(value, **kwargs)
    return _round_second(moment)


def _date(year: int, month: int, day: int, shown: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"“{shown}”不是有效的日期") from None


def _round_second(moment: dt.datetime) -> dt.datetime:
    if moment.microsecond >= 500_000:
        moment += dt.timedelta(seconds=1)
    return moment.replace(microsecond=0)


def parse_date(value: Any, epoch: Any = None, *, partial: bool = False) -> dt.date:
    """A cell as a date; with ``partial`` a month or a year is a :class:`dates.PartialDate`."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, ShownDate):
        if partial:
            return value.partial()
        raise value.refusal()
    if isinstance(value, bool):
        raise CellError("应为日期")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise CellError("应为日期")
        shown = _text_of(value)
        if partial:
            given = _typed_year_or_month(float(value), shown)
            if given is not None:
                return given
        return _serial(float(value), epoch, shown).date()
    if isinstance(value, dt.time):
        raise CellError("应为日期，而不是时刻")
    text = cell_text(value) or ""
    return _parse_date_text(text, partial=partial)[0]


def _parse_date_text(text: str, *, partial: bool = False) -> tuple[dt.date, str]:
    """A date written as text, and what follows it (a time, or nothing)."""
    try:
        return dates.parse_text(text, partial=partial)
    except dates.MonthOnlyText as exc:
        assert exc.year is not None and exc.month is not None
        raise _month_only(text, exc.year, exc.month) from None
    except dates.DateTextError as exc:
        raise CellError(str(exc)) from None


def parse_datetime(value: Any, epoch: Any = None) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _round_second(value)
    if isinstance(value, dt.date):
        raise CellError(f"“{value:%Y-%m-%d}”只有日期，请同时填写时间（如 {value:%Y-%m-%d} 08:30）")
    if isinstance(value, ShownDate):
        raise value.refusal()
    if isinstance(value, bool):
        raise CellError("应为日期和时间")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise CellError("应为日期和时间")
        moment = _serial(float(value), epoch, _text_of(value))
        if float(value).is_integer():
            raise CellError(f"“{moment:%Y-%m-%d}”只有日期，请同时填写时间")
        return moment
    text = cell_text(value) or ""
    day, rest = _parse_date_text(text.replace("T", " "))
    if not rest:
        raise CellError(f"“{text}”只有日期，请同时填写时间（如 {day:%Y-%m-%d} 08:30）")
    match = _TIME.fullmatch(rest)
    if not match:
        raise CellError(f"无法识别的时间“{text}”（请写成 2023-04-18 08:30）")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    try:
        return dt.datetime.combine(day, dt.time(hour, minute, second))
    except ValueError:
        raise CellError(f"“{text}”不是有效的时间") from None
