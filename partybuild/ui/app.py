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
    _install_qt_chinese(app)
    register_fonts()
    font = QFont(ui_font_family())
    font.setPointSize(10)
    app.setFont(font)
    return app  # type: ignore[return-value]


def _install_qt_chinese(app: QApplication) -> None:
    """Qt's own words (Yes/No, OK/Cancel, the text-box menu, the calendar, print preview) in
    Chinese, whatever the system language: the users read Chinese."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    if getattr(app, "_partybuild_translator", None) is not None:
        return
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", folder):
        app.installTranslator(translator)
        app._partybuild_translator = translator  # type: ignore[attr-defined]


def run(db: str | None) -> int:
    """Open the database (refusing it with a dialog if unusable) and run the main window."""
    from partybuild.store.database import DatabaseRefused, open_database, resolve_location
    from partybuild.ui import sign_in
    from partybuild.ui.main_window import MainWindow

    app = make_application()
    try:
        location = resolve_location(db)
        if sign_in.needs_sign_in(location):
            database = sign_in.sign_in(location)  # a shared database without a password in the URL
            if database is None:
                return 0
        else:
            database = open_database(db)
    except DatabaseRefused as exc:
        QMessageBox.critical(None, APP_NAME, f"无法打开数据库：\n{exc}")
        return 2
    from PySide6.QtCore import QSettings

    from partybuild.services import audit, backup

    # On SQLite a display name; signed in to a shared database the server writes the login.
    audit.set_operator(str(QSettings().value("operator", "")) or None)
    offer_demo_if_empty(None)
    if getattr(database, "partybuild_location", None) and database.partybuild_location.is_sqlite:
        try:
            backup.daily_backup_if_due()  # the first start of a day keeps a copy
        except (OSError, backup.BackupError) as exc:
            QMessageBox.warning(None, APP_NAME, f"今日自动备份失败：{exc}")
    window = MainWindow(database)
    window.show()
    return app.exec()


def database_is_empty() -> bool:
    """No record of any ledger, not even in the recycle bin: a first start."""
    from partybuild.store import models as m

    return all(not model.select().exists() for model in m.LEDGER_MODELS)


def offer_demo_if_empty(parent) -> bool:  # noqa: ANN001 - QWidget | None
    """On a first start, offer the demo ledger so there is something to look at and try."""
    from partybuild.services.demo import build_demo
    from partybuild.store.database import current_account
    from partybuild.store.models import db_proxy

    if current_account() is not None or not database_is_empty():
        return False  # a shared database with accounts is the park's, not a demo
    answer = QMessageBox.question(
        parent,
        APP_NAME,
        QCoreApplication.translate(
            "app",
            "数据库中还没有任何台账。\n\n是否载入演示台账（2023 年园区党建工作，人员姓名和证件号码均为虚构）？"
            "\n选“否”则从空白台账开始。",
        ),
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    build_demo(db_proxy.obj)
    return True
