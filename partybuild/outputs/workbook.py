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
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.workbook import Workbook
from openpyxl.worksheet import _writer as sheet_writer

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


SaveWorkbook = Callable[[Workbook], None]


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
            workbook.save(temp)

    try:
        with _buffers_in(target.parent):
            yield save
    except OutputError:
        raise
    except OSError as exc:
        raise as_output_error(exc, target, existed) from exc
