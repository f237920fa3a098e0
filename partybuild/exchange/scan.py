"""What a workbook's cells show beyond their values, read from the file's XML.

python-calamine (the reader, :mod:`partybuild.exchange.read`) gives values, sheet visibility and,
for .xlsx/.xls, merged ranges. It does not say which rows are hidden, reads a formula saved
without its result (files written by scripts, some WPS versions) and an error value (#DIV/0!) as
an empty cell, and parses every formatted-but-empty row of a sheet pre-bordered down to row
1,048,576. So each sheet of an .xlsx is streamed once here, cheaply (zlib in chunks; a chunk is
looked at row by row only when it holds something of interest), to find:

- hidden rows that hold values (``<row hidden="1">``);
- formula cells with no cached value (``<c><f>…</f></c>`` without a ``<v>``, or with an empty
  one that is not a string result) and error values (``t="e"``);
- date cells whose number format shows no day (``yyyy-mm``, ``yyyy"年"m"月"``, ``yyyy``, the
  built-in 17 ``mmm-yy`` and the Chinese built-ins 27/36/50/52/57 ``yyyy"年"m"月"``): Excel turns
  a typed “1998-11” into the date 1998-11-01 shown as “1998-11”; the reader gets the first day,
  this says the day is not part of what the cell shows (:func:`date_styles` reads
  ``xl/styles.xml`` once per workbook: cell style → number format → precision);
- a long run of rows without any value: the sheet ends there, and the reader gets a copy of the
  sheet cut at the last row with a value, so 12 rows in a 1,048,576-row template take
  milliseconds, not a minute.

For .ods the same is read from ``content.xml`` (hidden rows ``table:visibility``, merged cells
``table:number-rows/columns-spanned``, formulas without ``office:value-type``, date cells whose
``number:date-style`` has no ``number:day``); LibreOffice writes
long empty regions as one repeated row, so nothing needs cutting there.

What .xls (BIFF8) and .xlsb cannot tell through the reader: hidden rows (the ROW record's flag is
not exposed), error values (read as empty) and number formats (a date cell shown “1998-11” is
read as the date 1998-11-01, its day a full date's); an .xls formula always carries its last result
(BIFF stores it with the formula), so formulas without a value do not arise there.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from typing import IO

# So many consecutive rows without any value end a sheet (a ledger leaves a few blank rows
# between sections, not a thousand).
BLANK_RUN = 1000
CHUNK = 1 << 20
# Hidden rows and formula cells remembered per sheet (enough to say where; a sheet with more
# is said to have more).
MAX_NOTED = 10_000
# Month cells are noted every one (none may be padded to a day), within a sheet's bounds.
MAX_COLUMNS_NOTED = 256
MAX_ROWS_NOTED = 250_000

STRICT_NS = b"http://purl.oclc.org/ooxml/spreadsheetml/main"

_ROW_START = re.compile(rb"<(?:\w+:)?row\b")
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_R = re.compile(rb'\br\s*=\s*["\']([A-Z]*)(\d+)["\']')
_T = re.compile(rb'\bt\s*=\s*["\'](\w+)["\']')
_HIDDEN = re.compile(rb'\bhidden\s*=\s*["\'](?:1|true)["\']')
_V = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>(.*?)</(?:\w+:)?v>", re.S)
_F = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")
_S = re.compile(rb'\bs\s*=\s*["\'](\d+)["\']')

MONTH, YEAR = "month", "year"  # as :mod:`partybuild.domain.dates` names them
# Built-in number formats (ECMA-376 Part 1, 18.8.30) that show a date without its day: 17 in
# every locale; 27, 36, 50, 52 and 57 as the Chinese (zh-CN) Excel and WPS write them — the
# ids are locale-dependent, and the ledgers are kept in Chinese.
BUILTIN_NO_DAY = {
    17: "mmm-yy",
    27: 'yyyy"年"m"月"',
    36: 'yyyy"年"m"月"',
    50: 'yyyy"年"m"月"',
    52: 'yyyy"年"m"月"',
    57: 'yyyy"年"m"月"',
}
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def format_precision(code: str) -> str | None:
    """MONTH or YEAR for a date format that shows the year but no day; None otherwise (a day
    shown, a time, a number or text format, or no year: ``m"月"d"日"`` is left as it was)."""
    section = code.split(";", 1)[0]
    bare = _QUOTED.sub("", section).lower()
    if not bare or any(c in bare for c in "0#?@dhs") or "general" in bare:
        return None
    if "e+" in bare or "e-" in bare:  # scientific notation
        return None
    if "y" not in bare and "e" not in bare:  # e: the year in an East Asian format
        return None
    return MONTH if "m" in bare else YEAR


def date_styles(archive: zipfile.ZipFile) -> dict[int, tuple[str, str]]:
    """Cell style index → (precision, format code) of the styles whose number format shows a
    date without its day, from ``xl/styles.xml`` (read once per workbook)."""
    names = archive.namelist()
    path = "xl/styles.xml"
    if path not in names:
        path = next((n for n in names if n.endswith("styles.xml")), "")
        if not path:
            return {}
    root = ET.fromstring(archive.read(path))
    codes: dict[int, str] = dict(BUILTIN_NO_DAY)
    xfs: list[int] = []
    for element in root:
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "numFmts":
            for fmt in element:
                try:
                    codes[int(fmt.get("numFmtId", ""))] = fmt.get("formatCode", "")
                except ValueError:
                    continue
        elif tag == "cellXfs":
            for xf in element:
                try:
                    xfs.append(int(xf.get("numFmtId", "0") or 0))
                except ValueError:
                    xfs.append(0)
    result: dict[int, tuple[str, str]] = {}
    for index, number in enumerate(xfs):
        code = codes.get(number)
        precision = format_precision(code) if code else None
        if precision is not None:
            result[index] = (precision, code or "")
    return result


_SHOWN_CELLS: dict[tuple[int, ...], re.Pattern[bytes]] = {}


def _shown_cells(chunk: bytes, styles: dict[int, tuple[str, str]], notes: SheetNotes) -> bool:
    """Note the cells of ``chunk`` that carry a dayless date style, by their references (one
    search over the chunk, not row by row); False when a cell has no reference (``r=`` may be
    left out): then the rows are read one by one."""
    key = tuple(sorted(styles))
    pattern = _SHOWN_CELLS.get(key)
    if pattern is None:
        numbers = b"|".join(str(n).encode() for n in key)
        pattern = _SHOWN_CELLS[key] = re.compile(
            rb"<(?:\w+:)?c\b([^>]*?)\bs\s*=\s*[\"'](" + numbers + rb")[\"']([^>]*?)(/?)>"
        )
    found: list[tuple[tuple[int, int], tuple[str, str]]] = []
    for cell in pattern.finditer(chunk):
        if cell[4] or chunk.startswith(b"</", cell.end()):
            continue  # no value
        attrs = cell[1] + b" " + cell[3]
        ref = _R.search(attrs)
        if ref is None or not ref[1]:
            return False
        kind = _T.search(attrs)
        if kind is None or kind[1] in (b"n", b"d"):
            found.append(((int(ref[2]), column_index(ref[1])), styles[int(cell[2])]))
    notes.shown.update(found)
    return True


def _style_pattern(styles: dict[int, tuple[str, str]]) -> re.Pattern[bytes] | None:
    if not styles:
        return None
    numbers = b"|".join(str(n).encode() for n in sorted(styles))
    return re.compile(rb'\bs\s*=\s*["\'](?:' + numbers + rb')["\']')


def column_index(letters: bytes | str) -> int:
    """0-based index of a column given by its letters (A → 0, AA → 26)."""
    index = 0
    for char in letters if isinstance(letters, str) else letters.decode():
        index = index * 26 + ord(char) - 64
    return index - 1


# A row element (``<row …>`` or ``<x:row …>``), where one row's XML begins.
_ROW_START = re.compile(rb"<(?:\w+:)?row[\s>]")
# The last row of a sheet's ``<dimension ref="A1:P50002"/>`` (the cells it says are in use).
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*(?::[A-Z]+(\d+))?\"")


@dataclass(frozen=True)
class SheetHead:
    """What the first megabyte of a sheet's XML says of its size: the last row its
    ``<dimension>`` gives (None when it gives none) and how many of the rows there hold no
    value (a template's formatted, empty rows)."""

    dimension_rows: int | None
    blank_rows: int


def sheet_head(archive: zipfile.ZipFile, member: str) -> SheetHead:
    """The :class:`SheetHead` of one sheet (a megabyte of its XML read)."""
    with archive.open(member) as fh:
        head = fh.read(CHUNK)
    found = _DIMENSION.search(head, 0, 4096)
    rows = _ROW_START.split(head)[1:]
    blank = sum(1 for row in rows if not _has_value_prefixed(row))
    return SheetHead(int(found[1]) if found and found[1] else None, blank)


def _has_value(data: bytes) -> bool:
    return b"<v" in data or b"<is>" in data


def _has_value_prefixed(data: bytes) -> bool:
    """The same for writers that put a namespace prefix on every element (``<x:v>``)."""
    return b":v>" in data or b":is>" in data or b"<v" in data or b"<is>" in data


def _has_formula(data: bytes) -> bool:
    # (each of the four tags holds "f>" or "f ": two searches settle most chunks)
    if b"f>" not in data and b"f " not in data:
        return False
    return b"<f>" in data or b"<f " in data or b":f>" in data or b":f " in data


def _has_hidden(data: bytes) -> bool:
    return b"hidden=" in data


def _has_error(data: bytes) -> bool:
    return b't="e"' in data or b"t='e'" in data


@dataclass
class SheetNotes:
    """What :mod:`scan` found in one sheet; rows are Excel row numbers, columns 0-based."""

    hidden_rows: set[int] = field(default_factory=set)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # without a result
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # #DIV/0! and the like
    merged: list[tuple[int, int, int, int]] | None = None  # .ods only: (row, col, last row, col)
    last_row: int | None = None  # a long blank run follows this row: the sheet ends here
    content_after: int | None = None  # the first row with a value after that run (not read)
    cut_offset: int | None = None  # where the copy of the sheet's XML is cut (.xlsx)
    tail: bytes = b"</worksheet>"  # the sheet's XML after ``</sheetData>`` (when cut)
    value_rows: int = 0  # rows holding a value, counted roughly (an upper bound)
    # Date cells whose format shows no day: (row, column) → (precision, format code)
    shown: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)


# --------------------------------------------------------------------------- .xlsx


@dataclass
class XlsxParts:
    sheets: dict[str, str]  # sheet name → member path of its XML
    date1904: bool
    strict: bool


def xlsx_parts(archive: zipfile.ZipFile) -> XlsxParts:
    """Sheet names and their XML members, the date system, and whether the file is Strict."""
    names = set(archive.namelist())
    book_path = "xl/workbook.xml"
    if book_path not in names:
        book_path = next((n for n in names if n.endswith("workbook.xml")), book_path)
    data = archive.read(book_path)
    strict = STRICT_NS in data
    root = ET.fromstring(data)
    rels_path = posixpath.join(
        posixpath.dirname(book_path), "_rels", posixpath.basename(book_path) + ".rels"
    )
    targets: dict[str, str] = {}
    if rels_path in names:
        for rel in ET.fromstring(archive.read(rels_path)):
            target = rel.get("Target", "")
            if target.startswith("/"):
                path = target.lstrip("/")
            else:
                path = posixpath.normpath(posixpath.join(posixpath.dirname(book_path), target))
            targets[rel.get("Id", "")] = path
    sheets: dict[str, str] = {}
    date1904 = False
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "workbookPr":
            date1904 = element.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet":
            rid = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), "")
            if rid in targets and targets[rid] in names:
                sheets[element.get("name", "")] = targets[rid]
    return XlsxParts(sheets, date1904, strict)


def scan_xlsx_sheet(
    archive: zipfile.ZipFile, member: str, styles: dict[int, tuple[str, str]] | None = None
) -> SheetNotes:
    """Stream one sheet's XML once (see the module's docstring); ``styles`` from
    :func:`date_styles`."""
    notes = SheetNotes()
    styles = styles or {}
    no_day = _style_pattern(styles)
    last_value_row = 0  # the last row seen holding a value
    last_value_end = 0  # offset just after that row's element
    row = 0  # the last row seen
    offset = 0  # offset of the current chunk in the whole XML
    pending = b""
    has_value = None
    with archive.open(member) as fh:
        while True:
            block = fh.read(CHUNK)
            if has_value is None:
                prefix = re.search(rb"<(\w+:)?worksheet\b", block[:4096])
                row_open = b"<" + (prefix[1] or b"" if prefix else b"") + b"row"
                has_value = _has_value if row_open == b"<row" else _has_value_prefixed
            data = pending + block
            if block:
                # Whole rows only: split before the last row that starts in the data.
                split = data.rfind(row_open)
                if split <= 0:
                    pending = data
                    continue
                chunk, pending = data[:split], data[split:]
            else:
                chunk, pending = data, b""
            valued = has_value(chunk)
            detail = valued and (
                _has_formula(chunk)
                or _has_error(chunk)
                or _has_hidden(chunk)
                or _row_without_number(chunk)
            )
            if valued and not detail and no_day is not None and no_day.search(chunk):
                detail = not _shown_cells(chunk, styles, notes)
            if detail:
                row, last_value_row, last_value_end = _rows_in_detail(
                    chunk, offset, row, last_value_row, last_value_end, notes, styles, no_day
                )
            elif valued:
                notes.value_rows += _count_rows(chunk)
                first = _first_value_row(chunk, row)
                if last_value_row and first - last_value_row > BLANK_RUN:
                    notes.content_after = first
                else:
                    row = _last_row(chunk, row)
                    last_value_row, end_in_chunk = _last_value_row(chunk, row)
                    last_value_end = offset + end_in_chunk
            else:
                row = _last_row(chunk, row)
            if notes.content_after is not None or (
                last_value_row and row - last_value_row > BLANK_RUN
            ):
                notes.last_row, notes.cut_offset = last_value_row, last_value_end
                rest = chunk[max(0, notes.cut_offset - offset) :] + pending
                _finish_after_cut(fh, rest, row_open, notes)
                break
            offset += len(chunk)
            if not block:
                break
    return notes


def _finish_after_cut(fh: IO[bytes], data: bytes, row_open: bytes, notes: SheetNotes) -> None:
    """After the blank run: the first row with a value after it, if any, and the sheet's XML
    after ``</sheetData>`` (its merged cells). Two searches a megabyte — ``v>`` finds every value
    Excel, WPS and LibreOffice write (they never write inline strings), ``sheetData>`` the end."""
    previous = b""
    while True:
        if notes.content_after is None:
            at = data.find(b"v>")
            if at >= 0:
                window = previous + data
                start = window.rfind(row_open, 0, len(previous) + at)
                close = window.find(b">", start)
                match = _R.search(window, start, close) if start >= 0 else None
                notes.content_after = int(match[2]) if match else (notes.last_row or 0) + BLANK_RUN
        end = data.find(b"sheetData>")
        if end >= 0:
            notes.tail = data[end + len(b"sheetData>") :] + fh.read()
            return
        block = fh.read(CHUNK)
        if not block:
            return
        previous = data[-(1 << 16) :]
        data = previous[-16:] + block


def _row_number(attrs: bytes, previous: int) -> int:
    match = _R.search(attrs)
    return int(match[2]) if match else previous + 1


def _row_without_number(chunk: bytes) -> bool:
    """A writer that leaves out ``r=`` (allowed): rows are then counted, one by one."""
    match = _ROW_START.search(chunk)
    if match is None:
        return False
    close = chunk.find(b">", match.end())
    return _R.search(chunk, match.end(), close) is None


def _last_row(chunk: bytes, previous: int) -> int:
    """The number of the last row that starts in ``chunk``."""
    starts = [m.start() for m in _ROW_START.finditer(chunk[-4096:])] if chunk else []
    position = len(chunk) - min(len(chunk), 4096) + starts[-1] if starts else -1
    if position < 0:
        found = list(_ROW_START.finditer(chunk))
        if not found:
            return previous
        position = found[-1].start()
    close = chunk.find(b">", position)
    match = _R.search(chunk, position, close)
    return int(match[2]) if match else previous


def _count_rows(chunk: bytes) -> int:
    """The rows that start in ``chunk``, as an upper bound: without a prefixed row tag every
    match of ``_ROW_START`` is a ``<row`` (counting them is a tenth of the regex's time)."""
    if b":row" in chunk:
        return len(_ROW_START.findall(chunk))
    return chunk.count(b"<row")


_VALUE_TAGS = (b"<v>", b":v>", b"<v ", b"<is>", b":is>")


def _first_tag(chunk: bytes, tags: tuple[bytes, ...], end: int | None = None) -> int:
    """The first position of any of ``tags`` in ``chunk[:end]`` (-1: none). Once one is found,
    the others are looked for only before it."""
    best = -1
    stop = len(chunk) if end is None else end
    for tag in tags:
        found = chunk.find(tag, 0, stop if best < 0 else min(stop, best + len(tag) - 1))
        if found >= 0 and (best < 0 or found < best):
            best = found
    return best


def _last_tag(chunk: bytes, tags: tuple[bytes, ...], end: int | None = None) -> int:
    """The last position of any of ``tags`` in ``chunk[:end]`` (-1: none). Once one is found,
    the others are looked for only after it."""
    best = -1
    stop = len(chunk) if end is None else end
    for tag in tags:
        found = chunk.rfind(tag, best + 1, stop)
        if found > best:
            best = found
    return best


def _first_value_row(chunk: bytes, previous: int) -> int:
    position = _first_tag(chunk, _VALUE_TAGS)
    start = _last_tag(chunk, (b"<row", b":row "), position)
    if start < 0:
        return previous
    close = chunk.find(b">", start)
    match = _R.search(chunk, start, close)
    return int(match[2]) if match else previous


def _last_value_row(chunk: bytes, row: int) -> tuple[int, int]:
    """(number of the last row holding a value, offset just after that row) within ``chunk``."""
    position = _last_tag(chunk, _VALUE_TAGS)
    start = _last_tag(chunk, (b"<row", b":row "), position)
    close = chunk.find(b">", start)
    match = _R.search(chunk, start, close)
    number = int(match[2]) if match else row
    end = chunk.find(b"row>", position)
    return number, (end + 4 if end >= 0 else len(chunk))


def _rows_in_detail(
    chunk: bytes,
    offset: int,
    row: int,
    last_value_row: int,
    last_value_end: int,
    notes: SheetNotes,
    styles: dict[int, tuple[str, str]] | None = None,
    no_day: re.Pattern[bytes] | None = None,
) -> tuple[int, int, int]:
    for match in _ROW.finditer(chunk):
        attrs, body = match[1], match[2] or b""
        row = _row_number(attrs, row)
        if not _has_value_prefixed(body) and not _has_formula(body):
            continue
        if last_value_row and row - last_value_row > BLANK_RUN and notes.last_row is None:
            notes.last_row, notes.cut_offset = last_value_row, last_value_end
            notes.content_after = row
            return row, last_value_row, last_value_end
        notes.value_rows += 1
        last_value_row, last_value_end = row, offset + match.end()
        if _HIDDEN.search(attrs) and len(notes.hidden_rows) < MAX_NOTED:
            notes.hidden_rows.add(row)
        shown = no_day is not None and no_day.search(body) is not None
        if not (_has_formula(body) or _has_error(body) or shown):
            continue
        column = -1
        for cell in _CELL.finditer(body):
            cell_attrs, content = cell[1], cell[2] or b""
            ref = _R.search(cell_attrs)
            column = column_index(ref[1]) if ref and ref[1] else column + 1
            kind = _T.search(cell_attrs)
            kind_text = kind[1] if kind else b"n"
            value = _V.search(content)
            if shown and styles and kind_text in (b"n", b"d") and value is not None:
                style = _S.search(cell_attrs)
                if style is not None and int(style[1]) in styles:  # every one: none padded
                    notes.shown[(row, column)] = styles[int(style[1])]
            if kind_text == b"e" and value is not None:
                notes.errors[(row, column)] = value[1].decode("utf-8", "replace").strip()
                continue
            formula = _F.search(content)
            if formula is None:
                continue
            has_result = value is not None and (value[1].strip() or kind_text == b"str")
            if not has_result and kind_text != b"inlineStr" and len(notes.formulas) < MAX_NOTED:
                text = (formula[1] or b"").decode("utf-8", "replace")
                notes.formulas[(row, column)] = "=" + _unxml(text) if text else "=…"
    return row, last_value_row, last_value_end


def _unxml(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def cut_copy(path: str, cuts: dict[str, SheetNotes]) -> io.BytesIO:
    """The workbook with the given sheets' XML (member → notes) cut after their last row with a
    value — their merged cells and the rest after ``</sheetData>`` kept — stored uncompressed in
    memory for the reader."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for info in source.infolist():
            notes = cuts.get(info.filename)
            if notes is None or notes.cut_offset is None:
                out.writestr(info.filename, source.read(info.filename))
                continue
            with source.open(info.filename) as fh:
                head = fh.read(notes.cut_offset)
            out.writestr(info.filename, head + b"</sheetData>" + notes.tail)
    buffer.seek(0)
    return buffer


# --------------------------------------------------------------------------- .ods

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_NUMBER = "{urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0}"


def _ods_date_code(element: ET.Element) -> str:
    """A ``number:date-style`` written as the Excel format code it amounts to."""
    parts: list[str] = []
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        long = child.get(_NUMBER + "style") == "long"
        if tag == "year":
            parts.append("yyyy" if long else "yy")
        elif tag == "month":
            textual = child.get(_NUMBER + "textual") == "true"
            parts.append(("mmmm" if long else "mmm") if textual else "mm" if long else "m")
        elif tag in ("day", "day-of-week"):
            parts.append("dd")
        elif tag in ("hours", "minutes", "seconds", "am-pm"):
            parts.append("hh")
        elif tag == "text":
            parts.append('"' + (child.text or "").replace('"', "") + '"')
    return "".join(parts)


class _OdsStyles:
    """Which cell styles of an .ods show a date without its day: data styles
    (``number:date-style``) and the cell styles that use them, from ``styles.xml`` and from the
    automatic styles of ``content.xml`` as they stream by."""

    def __init__(self) -> None:
        self.data: dict[str, tuple[str, str]] = {}  # data style → (precision, code)
        self.cells: dict[str, str] = {}  # cell style → data style

    def take(self, element: ET.Element) -> None:
        if element.tag == _NUMBER + "date-style":
            code = _ods_date_code(element)
            precision = format_precision(code)
            if precision is not None:
                self.data[element.get(_STYLE + "name", "")] = (precision, code)
        elif element.tag == _STYLE + "style":
            data_style = element.get(_STYLE + "data-style-name")
            if data_style:
                self.cells[element.get(_STYLE + "name", "")] = data_style

    def of(self, cell_style: str | None) -> tuple[str, str] | None:
        if not cell_style or not self.data:
            return None
        return self.data.get(self.cells.get(cell_style, ""))


def _ods_styles(archive: zipfile.ZipFile) -> _OdsStyles:
    styles = _OdsStyles()
    if "styles.xml" in archive.namelist():
        for element in ET.fromstring(archive.read("styles.xml")).iter():
            styles.take(element)
    return styles


def scan_ods(archive: zipfile.ZipFile) -> dict[str, SheetNotes]:
    """Hidden rows, merged cells, formulas without a value and date cells shown without their
    day, per table of ``content.xml``."""
    result: dict[str, SheetNotes] = {}
    notes = SheetNotes(merged=[])
    row = 0  # 0-based index of the current row
    column = 0
    repeat = 1
    row_has_value = False
    styles = _ods_styles(archive)
    column_styles: list[str | None] = []  # each column's default cell style (of the table)
    shown: list[tuple[int, tuple[str, str]]] = []  # the current row's month cells
    in_body = False
    with archive.open("content.xml") as fh:
        for event, element in ET.iterparse(fh, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == _TABLE + "table":
                    notes = SheetNotes(merged=[])
                    result[element.get(_TABLE + "name", "")] = notes
                    row, column_styles, in_body = 0, [], True
                elif tag == _TABLE + "table-row":
                    column, row_has_value, shown = 0, False, []
                    repeat = int(element.get(_TABLE + "number-rows-repeated", "1") or 1)
                continue
            if not in_body:
                styles.take(element)  # the automatic styles come before the tables
                if tag == _STYLE + "style" or tag == _NUMBER + "date-style":
                    element.clear()
                continue
            if tag == _TABLE + "table-column":
                count = int(element.get(_TABLE + "number-columns-repeated", "1") or 1)
                default = element.get(_TABLE + "default-cell-style-name")
                room = MAX_COLUMNS_NOTED - len(column_styles)
                column_styles.extend([default] * max(0, min(count, room)))
                continue
            if tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                columns = int(element.get(_TABLE + "number-columns-repeated", "1") or 1)
                value_type = element.get(_OFFICE + "value-type")
                if value_type == "date":
                    style = element.get(_TABLE + "style-name")
                    if style is None and column < len(column_styles):
                        style = column_styles[column]
                    precision = styles.of(style)
                    if precision is not None:
                        for at in range(column, min(column + columns, MAX_COLUMNS_NOTED)):
                            shown.append((at, precision))
                has_text = value_type is not None or len(element) > 0
                row_has_value = row_has_value or has_text
                spanned_rows = int(element.get(_TABLE + "number-rows-spanned", "1") or 1)
                spanned_columns = int(element.get(_TABLE + "number-columns-spanned", "1") or 1)
                if (spanned_rows > 1 or spanned_columns > 1) and notes.merged is not None:
                    notes.merged.append(
                        (row + 1, column, row + spanned_rows, column + spanned_columns - 1)
                    )
                formula = element.get(_TABLE + "formula")
                if formula and value_type is None and len(notes.formulas) < MAX_NOTED:
                    notes.formulas[(row + 1, column)] = formula.split(":", 1)[-1]
                column += columns
                element.clear()
            elif tag == _TABLE + "table-row":
                visibility = element.get(_TABLE + "visibility", "visible")
                if visibility != "visible" and row_has_value:
                    for number in range(row + 1, row + 1 + min(repeat, MAX_NOTED)):
                        if len(notes.hidden_rows) < MAX_NOTED:
                            notes.hidden_rows.add(number)
                for number in (
                    range(row + 1, row + 1 + min(repeat, MAX_ROWS_NOTED)) if shown else ()
                ):
                    for at, precision in shown:
                        notes.shown[(number, at)] = precision
                row += repeat
                element.clear()
    return result
