"""Starting the desktop application: fonts, database, main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

from partybuild import APP_NAME, __version__


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with our names (QSettings keys) and the bundled Chinese font."""
    from partybuild.ui.fonts import register_fonts, ui_font_family

    app = QApplication.instance() or QApplication(argv if argv is not None else [sys.argv[0]])
    QCoreApplication.setOrganizationName("partybuild")
    QCoreApplication.setApplicationName("partybuild")
    QCoreApplication.setApplicationVersion(__version__)
    app.setApplicationDisplayName(APP_NAME)
    register_fonts()
    font = QFont(ui_font_family())
    font.setPointSize(10)
    app.setFont(font)
    return app  # type: ignore[return-value]


def run(db: str | None) -> int:
    """Open the database (refusing it with a dialog if unusable) and run the main window."""
    from partybuild.store.database import DatabaseRefused, open_database
    from partybuild.ui.main_window import MainWindow

    app = make_application()
    try:
        database = open_database(db)
    except DatabaseRefused as exc:
        QMessageBox.critical(None, APP_NAME, f"无法打开数据库：\n{exc}")
        return 2
    window = MainWindow(database)
    window.show()
    return app.exec()
