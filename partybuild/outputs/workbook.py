"""The one writer of workbook cells and files, for every workbook the app writes.

Text cells: nothing a person typed may run as a formula. Text that begins with = + - @ or a
tab/CR/LF (OWASP's CSV-injection rule) is stored as a text cell with Excel's quote prefix, so it
shows and reads back exactly as typed. Characters a workbook cannot hold — control characters,
which openpyxl refuses (IllegalCharacterError), lone surrogates, which cannot be encoded, and
U+FFFE/U+FFFF — are written visibly escaped (``\\x07``, ``\\ud800``) instead of failing the whole
file; a literal ``_x0041_`` is escaped the OOXML way so Excel does not turn it into “A”.

Files: :func:`workbook_output` saves through :func:`~partybuild.outputs.atomic.atomic_output`
and checks the zip before it is renamed into place. openpyxl streams each worksheet's XML — the
whole sheet, every ID number — into a temporary file it makes with
``tempfile.NamedTemporaryFile(prefix="openpyxl.", delete=False)`` in the shared temporary folder
(``openpyxl.worksheet._writer.create_temporary_file``), readable there until it is cleaned up and
left behind for good by a kill. While a workbook is written through :func:`workbook_output`,
that function is replaced (for the calling thread) by one that makes unnamed files
(``O_TMPFILE``) in the target's own folder and hands openpyxl their ``/proc/self/fd/N`` path:
0600, never visible under a name, gone when the process ends however it ends. openpyxl's
``WorksheetWriter.cleanup`` would ``os.remove`` that path, so it is wrapped to close the file
instead, and ``WorksheetWriter.__init__`` to note the writers, so that a block left early
(a cancelled export) ends their half-streamed sheets before their files are closed. Where ``O_TMPFILE`` is missing the buffers go to a 0700 folder of our own, removed when
the block ends. Outside :func:`workbook_output` openpyxl behaves exactly as before.

Big workbooks (the ledger export) are written with xlsxwriter instead (:class:`XlsxBook`, about
three times faster than openpyxl's cell objects): rows go straight to XML through
:meth:`XlsxSheet.write_cells`, which applies the same text rule. xlsxwriter's ``constant_memory``
row file and the XML parts it zips are temporary files too (``tempfile.mkstemp``, named); an
:class:`XlsxBook` makes them the same way as openpyxl's buffers above — unnamed files in the
target's folder — through its worksheet and packager classes, and xlsxwriter's removal of a part
after zipping it closes the unnamed file instead. xlsxwriter escapes a literal ``_x0041_`` itself
(as ``_x005F_x0041_``), so its text is only made visible (:func:`visible_text`), not escaped twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.workbook import Workbook
from openpyxl.worksheet import _writer as sheet_writer
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.packager import Packager
from xlsxwriter.worksheet import Worksheet as _XlsxWorksheet

from partybuild.domain.dates import is_partial
from partybuild.outputs.atomic import (
    OutputError,
    as_output_error,
    atomic_output,
    check_target,
    resolve_target,
)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# Text Excel takes for an error value (and openpyxl writes as an error cell, data type "e", for
# the first seven): a member named #N/A would read back as an error, not as the name. Compared in
# upper case, as Excel reads them.
ERROR_LITERALS = frozenset(
    {
        *ERROR_CODES,  # #NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)

# What a cell cannot hold as it is: XML-illegal controls (tab, LF, CR are fine), lone surrogates,
# the two non-characters, and a literal OOXML escape sequence.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char == "_":
        return "_x005F"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def visible_text(text: str) -> str:
    """:func:`clean_text` for xlsxwriter, which escapes a literal ``_xHHHH_`` on its own."""
    if text.isprintable():
        return text
    return _INVISIBLE.sub(_escape, text) if _INVISIBLE.search(text) else text


def clean_text(text: str) -> str:
    """``text`` as a cell can hold it; unchanged unless it has characters no cell can hold."""
    if text.isprintable() and "_x" not in text:  # nearly every cell; far cheaper than the regex
        return text
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def needs_quote(text: str) -> bool:
    """True when Excel would take ``text`` for a formula (or a formula-like entry) or for an
    error value (#N/A, #DIV/0!…): such text is written as a text cell with the quote prefix."""
    return text.startswith(FORMULA_START) or is_error_literal(text)


def is_error_literal(text: str) -> bool:
    """True for text that spells an Excel error value (#N/A, #div/0!…)."""
    return text[:1] == "#" and text.upper() in ERROR_LITERALS


def cell_value(value: Any) -> Any:
    """A value as written: text cleaned (see :func:`clean_text`), everything else as it is."""
    return clean_text(value) if isinstance(value, str) else value


def text_cell(ws: Any, value: Any) -> Any:
    """A write-only cell for ``value``: text that looks like a formula stays text."""
    value = cell_value(value)
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str) and needs_quote(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def set_cell(ws: Any, row: int, column: int, value: Any) -> Cell:
    """``ws.cell(row, column, value)`` for a normal worksheet, with the same text rule."""
    value = cell_value(value)
    cell = ws.cell(row, column)
    cell.value = value
    if isinstance(value, str) and needs_quote(value):
        cell.data_type = "s"  # openpyxl made it "f" for a leading “=”, "e" for #N/A
        cell.quotePrefix = True
    return cell


# --------------------------------------------------------------------------- sheet buffers

_local = threading.local()
_install_lock = threading.Lock()
_installed = False
_original_create = sheet_writer.create_temporary_file
_original_cleanup = sheet_writer.WorksheetWriter.cleanup
_original_init = sheet_writer.WorksheetWriter.__init__
_PROC_FD = Path("/proc/self/fd")


class _Buffers:
    """The sheet buffers of one workbook_output block: unnamed files, else a private folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.fds: dict[str, int] = {}  # "/proc/self/fd/N" → N
        self.private_dir: str | None = None
        self.writers: list[Any] = []  # openpyxl's WorksheetWriters of the block
        self.books: list[XlsxBook] = []  # xlsxwriter workbooks made in the block

    def create(self, suffix: str = "") -> str:
        flag = getattr(os, "O_TMPFILE", 0)
        if flag and _PROC_FD.is_dir():
            try:
                fd = os.open(self.folder, flag | os.O_RDWR | os.O_CLOEXEC, 0o600)
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOTSUP):
                    raise
            else:
                path = str(_PROC_FD / str(fd))
                self.fds[path] = fd
                return path
        if self.private_dir is None:  # no O_TMPFILE: a 0700 folder of our own, removed at the end
            self.private_dir = tempfile.mkdtemp(prefix=".partybuild-sheets-")
        fd, path = tempfile.mkstemp(suffix=suffix, prefix="sheet.", dir=self.private_dir)
        os.close(fd)
        return path

    def release(self, path: str) -> bool:
        fd = self.fds.pop(path, None)
        if fd is not None:
            os.close(fd)
            return True
        if self.private_dir is not None and os.path.dirname(path) == self.private_dir:
            with contextlib.suppress(OSError):
                os.unlink(path)
            return True
        return False

    def close(self) -> None:
        # A block left early (cancelled, failed) has sheets half streamed: end their generators
        # now, while their files are open, instead of letting the garbage collector find them
        # writing into closed files.
        for writer in self.writers:
            rows = getattr(writer.ws, "_rows", None)
            for generator in (rows, getattr(writer, "xf", None)):
                if generator is not None:
                    with contextlib.suppress(Exception):
                        generator.close()
        self.writers.clear()
        for book in self.books:
            book.discard()
        self.books.clear()
        for fd in self.fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self.fds.clear()
        if self.private_dir is not None:
            shutil.rmtree(self.private_dir, ignore_errors=True)
            self.private_dir = None


def _create_buffer(suffix: str = "") -> str:
    buffers: _Buffers | None = getattr(_local, "buffers", None)
    if buffers is None:
        return _original_create(suffix)
    return buffers.create(suffix)


def _init(self: Any, ws: Any, out: Any = None) -> None:
    _original_init(self, ws, out)
    buffers: _Buffers | None = getattr(_local, "buffers", None)
    if buffers is not None:
        buffers.writers.append(self)


def _cleanup(self: Any) -> None:
    buffers: _Buffers | None = getattr(_local, "buffers", None)
    if buffers is not None and isinstance(self.out, str) and buffers.release(self.out):
        return
    _original_cleanup(self)


def _install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        sheet_writer.create_temporary_file = _create_buffer
        sheet_writer.WorksheetWriter.cleanup = _cleanup
        sheet_writer.WorksheetWriter.__init__ = _init
        _installed = True


_install()


@contextlib.contextmanager
def _buffers_in(folder: Path) -> Iterator[None]:
    previous = getattr(_local, "buffers", None)
    buffers = _local.buffers = _Buffers(folder)
    try:
        yield
    finally:
        buffers.close()
        _local.buffers = previous


def _block_buffers() -> _Buffers:
    buffers: _Buffers | None = getattr(_local, "buffers", None)
    if buffers is None:
        raise RuntimeError("an XlsxBook is written inside workbook_output only")
    return buffers


# --------------------------------------------------------------------------- xlsxwriter

FONT_PROPERTIES = {"font_name": "宋体", "font_charset": 134, "font_size": 11, "font_scheme": "none"}
"""Every xlsxwriter format starts from these (see :mod:`partybuild.outputs.xlsx_font`). No font
scheme: a font of the theme's scheme is shown in the theme's face (Calibri), whatever its name."""

DATE_FORMAT = "yyyy-mm-dd"  # what openpyxl wrote for a date, and what the import reads as one
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


class _XlsxOs:
    """``os`` as xlsxwriter's workbook module sees it: removing a zipped part that is one of the
    block's unnamed files closes it (an unnamed file has no name to remove)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def remove(path: Any) -> None:
        buffers: _Buffers | None = getattr(_local, "buffers", None)
        if buffers is not None and isinstance(path, str) and buffers.release(path):
            return
        os.remove(path)


xlsxwriter.workbook.os = _XlsxOs()  # type: ignore[assignment]


class _Packager(Packager):  # type: ignore[misc]
    """xlsxwriter's packager with its XML parts in the block's unnamed files."""

    def _filename(self, xml_filename: str) -> Any:
        if self.in_memory:
            return super()._filename(xml_filename)
        path = _block_buffers().create()
        self.filenames.append((path, xml_filename, False))
        return path


class XlsxSheet(_XlsxWorksheet):  # type: ignore[misc]
    """An xlsxwriter worksheet whose rows go through the text rule (:meth:`write_cells`), with
    its ``constant_memory`` row file unnamed in the target's folder."""

    book: XlsxBook

    def _initialize(self, init_data: dict[str, Any]) -> None:
        streamed = init_data["constant_memory"]
        super()._initialize({**init_data, "constant_memory": False})  # no named mkstemp file
        self.xls_strmax = 1 << 30  # never truncate a long text silently, as openpyxl did not
        if streamed:
            self.constant_memory = True
            self.row_data_filename = _block_buffers().create()
            self.row_data_fh = open(self.row_data_filename, "w+", encoding="utf-8")  # noqa: SIM115
            self.fh = self.row_data_fh

    def _write_optimized_sheet_data(self) -> None:
        # xlsxwriter's own, except that the row file is released instead of unlinked by name.
        if self.dim_rowmin is None:
            self._xml_empty_tag("sheetData")
            return
        self._xml_start_tag("sheetData")
        self.row_data_fh.seek(0)
        shutil.copyfileobj(self.row_data_fh, self.fh, 1 << 16)
        self.row_data_fh.close()
        _block_buffers().release(self.row_data_filename)
        self._xml_end_tag("sheetData")

    def write_cells(
        self, row: int, values: Any, formats: list[Format | None] | None = None, first: int = 0
    ) -> None:
        """Write ``values`` into ``row`` from column ``first`` on (0-based), each in the format of
        its column (``formats``, else the value's default: dates as dates).

        Text is written as text, never as a formula (xlsxwriter's ``write_string``): text that
        Excel would take for a formula or an error value gets the quote prefix, characters no
        cell can hold are shown escaped. A date known only to the month or year is written as
        the text a person sees (“1998.11”), as the import reads it. None leaves the cell empty.
        """
        book = self.book
        write_string = self._write_string
        for col, value in enumerate(values, start=first):
            if value is None:
                continue
            kind = type(value)
            fmt = formats[col - first] if formats is not None else None
            if kind is str:
                if not value.isprintable():
                    value = visible_text(value)
                if value.startswith(FORMULA_START) or (
                    value[:1] == "#" and value.upper() in ERROR_LITERALS
                ):
                    fmt = book.quoted(fmt)
                write_string(row, col, value, fmt)
            elif kind is dt.date:
                self._write_datetime(row, col, value, book.date if fmt is None else fmt)
            elif kind is int or kind is float:
                self._write_number(row, col, value, fmt)
            elif kind is bool:
                self._write_boolean(row, col, value, fmt)
            else:
                self._write_other(row, col, value, fmt)

    def _write_other(self, row: int, col: int, value: Any, fmt: Format | None) -> None:
        if isinstance(value, str):
            self.write_cells(row, [str(value)], [fmt], col)
        elif isinstance(value, dt.date):
            if is_partial(value):
                self.write_cells(
                    row, [value.shown()], [self.book.text if fmt is None else fmt], col
                )
                return
            if fmt is None:
                fmt = self.book.datetime if isinstance(value, dt.datetime) else self.book.date
            self._write_datetime(row, col, value, fmt)
        elif isinstance(value, (int, float, Decimal)):
            self._write_number(row, col, value, fmt)
        else:
            self.write_cells(row, [str(value)], [fmt], col)

    def write_cell(self, row: int, col: int, value: Any, fmt: Format | None = None) -> None:
        """One cell, by the rule of :meth:`write_cells`."""
        self.write_cells(row, (value,), [fmt], col)

    def merge_cells(
        self, first_row: int, first_col: int, last_row: int, last_col: int, value: Any, fmt: Format
    ) -> None:
        """A merged range showing ``value`` (by the rule of :meth:`write_cells`)."""
        self.merge_range(first_row, first_col, last_row, last_col, None, fmt)
        self.write_cell(first_row, first_col, value, fmt)


class XlsxBook(xlsxwriter.Workbook):  # type: ignore[misc]
    """An xlsxwriter workbook for :func:`workbook_output`: made inside its block, passed to its
    ``save``. Every format is in the Chinese face; text never becomes a formula, a number or a
    link (xlsxwriter's string conversions are off, and :meth:`XlsxSheet.write_cells` writes
    text as text); ``constant_memory`` streams each sheet's rows to an unnamed file in the
    target's folder, so sheets must be filled row by row, top to bottom.
    """

    worksheet_class = XlsxSheet

    def __init__(self, *, constant_memory: bool = True) -> None:
        buffers = _block_buffers()
        super().__init__(
            None,
            {
                "constant_memory": constant_memory,
                "tmpdir": str(buffers.folder),
                "default_format_properties": dict(FONT_PROPERTIES),
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        buffers.books.append(self)
        self._styles: dict[tuple[tuple[str, Any], ...], Format] = {}
        self._quoted: dict[int, Format] = {}
        self.text = self.style(num_format="@")
        self.date = self.style(num_format=DATE_FORMAT)
        self.datetime = self.style(num_format=DATETIME_FORMAT)

    def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> XlsxSheet:
        sheet = super().add_worksheet(name, worksheet_class)
        sheet.book = self
        return sheet

    def style(self, **properties: Any) -> Format:
        """The workbook's format with these properties (made once, shared)."""
        key = tuple(sorted(properties.items()))
        found = self._styles.get(key)
        if found is None:
            found = self._styles[key] = self.add_format(properties)
            found._partybuild_properties = properties  # noqa: SLF001
        return found

    def quoted(self, fmt: Format | None) -> Format:
        """``fmt`` with Excel's quote prefix: the cell shows its text, never a formula."""
        found = self._quoted.get(id(fmt))
        if found is None:
            properties = {} if fmt is None else dict(fmt._partybuild_properties)  # noqa: SLF001
            found = self._quoted[id(fmt)] = self.style(**properties, quote_prefix=True)
        return found

    def _get_packager(self) -> Packager:
        return _Packager()

    def write_to(self, path: str) -> None:
        """Assemble the workbook into ``path`` (an :func:`atomic_output` temporary file)."""
        self.filename = path
        try:
            self.close()
        except FileCreateError as exc:  # xlsxwriter's wrapper of the OSError (disk full…)
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
            if cause is None:
                raise
            raise cause from exc

    def discard(self) -> None:
        """Close what a workbook left unsaved holds open (its sheets' row files)."""
        for sheet in self.worksheets():
            handle = getattr(sheet, "row_data_fh", None)
            if handle is not None and not handle.closed:
                handle.close()
        self.fileclosed = True


# --------------------------------------------------------------------------- files


def check_xlsx(path: str) -> None:
    """The saved file is a complete workbook: a sound zip holding a workbook part."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            names = set(archive.namelist())
    except (zipfile.BadZipFile, EOFError) as exc:
        raise ValueError("不是完整的 Excel 工作簿") from exc
    if bad is not None:
        raise ValueError(f"工作簿中的“{bad}”已损坏")
    if "xl/workbook.xml" not in names:
        raise ValueError("工作簿缺少 xl/workbook.xml")


SaveWorkbook = Callable[[Workbook | XlsxBook], None]


@contextlib.contextmanager
def workbook_output(target: Path | str, *, private: bool) -> Iterator[SaveWorkbook]:
    """Build a workbook inside this block and pass it to the yielded ``save``.

    The block's openpyxl sheet buffers are unnamed files in the target's folder; ``save``
    writes the workbook atomically (checked, fsynced, renamed). Not calling ``save`` writes
    nothing. Any OSError in the block becomes an :class:`OutputError` naming the target.
    """
    target = resolve_target(Path(target))
    check_target(target)
    existed = target.exists()

    def save(workbook: Workbook) -> None:
        with atomic_output(target, private=private, verify=check_xlsx) as temp:
            if isinstance(workbook, XlsxBook):
                workbook.write_to(temp)
            else:
                workbook.save(temp)

    try:
        with _buffers_in(target.parent):
            yield save
    except OutputError:
        raise
    except OSError as exc:
        raise as_output_error(exc, target, existed) from exc
