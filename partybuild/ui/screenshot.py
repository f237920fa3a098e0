"""``partybuild screenshot``: render the main window on one page, offscreen, into a PNG."""

from __future__ import annotations

import os
from pathlib import Path

PAGE_NAMES = (
    "overview",
    "branches",
    "enterprises",
    "members",
    "activities",
    "trainings",
    "teams",
    "services",
    "issues",
    "recruitment",
    "dues",
    "recycle-bin",
    "audit",
)


def take_screenshot(page: str, output: Path, size: tuple[int, int] = (1440, 900)) -> None:
    """The database must already be open; writes ``output`` or raises OSError (OutputError)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from partybuild.store.models import db_proxy
    from partybuild.ui.app import make_application
    from partybuild.ui.ledger_page import LedgerPage
    from partybuild.ui.main_window import MainWindow

    make_application()
    window = MainWindow(db_proxy.obj)
    window.resize(*size)
    window.show()
    shown = window.go_to(page)
    wait = getattr(shown, "wait_for_figures", None)
    if wait is not None:  # the overview's figures come in the background: the picture shows them
        wait()
    if isinstance(shown, LedgerPage) and shown.model.rowCount() > 0:
        shown.table.selectRow(0)
        shown.table.setCurrentIndex(shown.model.index(0, 0))
        shown.table.setFocus()  # where a person's keys would be: the table, not the sidebar
    for _ in range(5):
        QApplication.processEvents()
    image = window.grab()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from partybuild.outputs import write_bytes

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError(f"无法生成图片“{output}”")
    buffer.close()
    output.parent.mkdir(parents=True, exist_ok=True)
    # Encoded in memory, then written atomically: a full disk is an OSError, never half a PNG.
    write_bytes(output, bytes(data.data()), private=False)
    window.close()
    window.deleteLater()
    QApplication.processEvents()
