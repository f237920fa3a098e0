"""Saving a PDF so that a full disk, a kill or a failed painter never leaves a broken file.

Qt's PDF writer reports nothing when its file cannot be written: with a full disk it paints into
the void and the caller prints success over a truncated file. So the PDF is painted into memory
(a QBuffer; our documents are a few hundred kilobytes), the painter's result is checked, and the
bytes are written with :func:`partybuild.outputs.write_bytes`, where every write error is a real
OSError. Before the temporary file is renamed into place it is read back with QtPdf's
QPdfDocument, which must find the number of pages that were painted.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QPdfWriter

from partybuild.outputs import OutputError, write_bytes

Paint = Callable[[QPdfWriter], int]
"""Sets up the writer's page layout, paints every page and returns the page count."""


class PaintFailed(OSError):
    """The painter could not start or finish on the PDF writer."""


def pdf_bytes(
    paint: Paint, *, title: str, creator: str, resolution: int | None = None
) -> tuple[bytes, int]:
    """The PDF ``paint`` draws, as bytes, and its page count."""
    data = QByteArray()
    buffer = QBuffer(data)
    if not buffer.open(QIODevice.OpenModeFlag.WriteOnly):
        raise PaintFailed("无法准备 PDF 输出缓冲区")
    writer = QPdfWriter(buffer)
    if resolution is not None:
        writer.setResolution(resolution)
    writer.setTitle(title)
    writer.setCreator(creator)
    pages = paint(writer)
    del writer  # the engine writes the trailer when it goes
    buffer.close()
    content = bytes(data.data())
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-64:]:
        raise PaintFailed("PDF 未能完整生成")
    return content, pages


def check_pages(pages: int) -> Callable[[str], None]:
    """A verify callable: the file is a PDF QtPdf can open, with exactly ``pages`` pages."""

    def verify(path: str) -> None:
        from PySide6.QtPdf import QPdfDocument

        document = QPdfDocument()
        try:
            status = document.load(path)
            if status != QPdfDocument.Error.None_:
                raise ValueError(f"无法读回 PDF（{status.name}）")
            if document.pageCount() != pages:
                raise ValueError(f"应有 {pages} 页，读回 {document.pageCount()} 页")
        finally:
            document.close()

    return verify


def save_pdf(
    path: Path | str,
    paint: Paint,
    *,
    title: str,
    creator: str,
    private: bool,
    resolution: int | None = None,
) -> int:
    """Paint a PDF and save it at ``path`` atomically, checked; returns its page count.

    Raises :class:`partybuild.outputs.OutputError` (one Chinese line) when it cannot be saved.
    """
    try:
        content, pages = pdf_bytes(paint, title=title, creator=creator, resolution=resolution)
    except PaintFailed as exc:
        raise OutputError(
            errno.EIO, f"无法保存“{path}”：{exc.strerror or exc}", Path(path)
        ) from exc
    write_bytes(path, content, private=private, verify=check_pages(pages))
    return pages
