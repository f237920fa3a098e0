"""Starting the desktop application: fonts, database, main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

from partybuild import APP_NAME, __version__

# The damage check starts after the window's first paint, or this long after the window was
# built if it has not been painted by then.
CHECK_AT_THE_LATEST_MS = 2000


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

    app = make_application()
    try:
        location = resolve_location(db)
        if sign_in.needs_sign_in(location):
            database = sign_in.sign_in(location)  # a shared database without a password in the URL
            if database is None:
                return 0
        else:
            # The damage check follows the window's first paint; no write before it has passed.
            database = open_database(db, check_later=True)
    except DatabaseRefused as exc:
        QMessageBox.critical(None, APP_NAME, f"无法打开数据库：\n{exc}")
        return 2
    startup = Startup(database)
    window = startup.open_window()
    if window is None:
        return 2
    window.show()
    try:
        return app.exec()
    finally:
        startup.stop()


def end_process(code: int) -> None:
    """The GUI's last step (``partybuild`` with no subcommand), once :func:`run` has returned: the
    window is closed and the background work abandoned; the database is closed (SQLite folds its
    WAL back into the file), the settings and the output are flushed — and then the process ends
    at once, instead of the interpreter tearing down the Qt wrappers and modules one by one
    (0.3 s on a loaded machine, with nothing in it the user needs; and a daemon thread still in
    SQLite cannot meet a half-finalised interpreter). Every write was committed when it was made.
    """
    import contextlib
    import logging
    import os

    from PySide6.QtCore import QSettings

    from partybuild.store.database import close_database

    QSettings().sync()
    try:
        close_database()
    finally:
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to say
                stream.flush()
        os._exit(code)


class Startup:
    """What happens between opening the database and a usable window, in the order a user
    waits for it — and what is kept off that path:

    1. the window is built with the overview's layout and shown;
    2. after its first paint the damage check (if the database was opened with ``check_later``)
       starts in a worker thread, then the overview's figures in another (main_window.py);
       writes wait for the check's verdict, and a write that comes before the check has begun
       makes it first (store/database.py);
    3. once the check has passed, the day's backup (if due) is copied and verified in a worker
       thread, with its guarantees unchanged (services/backup.py); a failure is a warning, as
       before, and the status bar says when the copy is made.

    A damaged file found by the check: the user is told in Chinese which backup is the newest good
    one (the same message as before), and the app ends with exit code 2. :meth:`stop` (the quit)
    abandons whatever is still running within a fraction of a second.
    """

    def __init__(self, database) -> None:  # noqa: ANN001 - pw.Database
        from partybuild.store.database import opening_check

        self.database = database
        self.check = opening_check(database)
        self.check_job = None
        self.backup_job = None
        self.backup_path = None  # the day's copy, once made
        self.backup_error: str | None = None
        self.refused: str | None = None  # the message shown when the check refused the file
        self.window = None
        self.stopped = False  # the quit: nothing more is started

    @property
    def settled(self) -> bool:
        """The check has a verdict and the backup (if any) is over: nothing left running."""
        jobs = [j for j in (self.check_job, self.backup_job) if j is not None]
        return all(j.finished for j in jobs) and (self.check is None or self.check.done)

    def open_window(self):  # noqa: ANN201 - MainWindow | None
        from PySide6.QtCore import QSettings, QTimer

        from partybuild.services import operator_name

        try:
            # On SQLite a display name; signed in to a shared database the server writes the login.
            # (services.audit reads it: that module is imported when first needed, not here.)
            operator_name.set_name(str(QSettings().value("operator", "")) or None)
            offer_demo_if_empty(None)
            from partybuild.ui.main_window import MainWindow

            self.window = window = MainWindow(self.database)
        except Exception as exc:
            # A damaged page read before the check's verdict: the verdict says what to do.
            message = self._refusal_for(exc)
            if message is None:
                raise
            QMessageBox.critical(None, APP_NAME, message)
            self.refused = message
            self.stop()
            return None
        window.startup = self  # type: ignore[attr-defined]
        if self.check is None:
            QTimer.singleShot(0, self._start_backup)
        else:
            # After the first paint, so that it does not compete with building and painting the
            # window (a write before then makes the check itself first: OpeningCheck.authorize);
            # a window that is not painted soon (started minimised) starts it all the same.
            window.when_painted(self._start_check)
            QTimer.singleShot(CHECK_AT_THE_LATEST_MS, window, self._start_check)
        return window

    def _start_check(self) -> None:
        from partybuild.ui import background

        if self.check_job is not None or self.check is None or self.stopped:
            return
        self.check_job = background.run(
            self.check.run, self._checked, self._check_failed, name="check"
        )

    def _refusal_for(self, exc: BaseException) -> str | None:
        import sqlite3

        import peewee as pw

        if self.check is None or not isinstance(exc, sqlite3.Error | pw.PeeweeException):
            return None
        self.check.run()  # not begun yet (it follows the first paint): made here, now
        if self.check.damage is not None:
            return f"无法打开数据库：\n{self.check.damage}"
        from partybuild.services.errors import storage_message

        return f"无法打开数据库：\n{storage_message(exc, self.check.path)}"

    def _checked(self, damage) -> None:  # noqa: ANN001 - DatabaseDamaged | None
        if damage is None and self.check is not None and self.check.error is not None:
            self._check_failed(self.check.error)
            return
        if damage is None:
            self._start_backup()
            return
        self._refuse(f"无法打开数据库：\n{damage}")

    def _check_failed(self, exc: BaseException) -> None:
        from partybuild.services.errors import storage_message

        where = self.check.path if self.check is not None else None
        self._refuse(f"无法打开数据库：\n{storage_message(exc, where)}")

    def _refuse(self, message: str) -> None:
        self.refused = message
        QMessageBox.critical(self.window, APP_NAME, message)
        QCoreApplication.exit(2)

    def _start_backup(self) -> None:
        from partybuild.services import backup
        from partybuild.ui import background

        location = getattr(self.database, "partybuild_location", None)
        if location is None or not location.is_sqlite or self.window is None:
            return
        path = location.path
        try:
            if not backup.daily_backup_due(path):
                return
        except OSError:
            return

        def work(cancel):  # noqa: ANN001, ANN202 - Cancel -> Path | None
            with background.own_connection(cancel, self.database):  # keep_count() reads a setting
                return backup.daily_backup_if_due(path, cancel=cancel)

        self.backup_job = background.run(
            work, self._backed_up, self._backup_failed, owner=self.window, name="backup"
        )

    def _backed_up(self, target) -> None:  # noqa: ANN001 - Path | None
        self.backup_path = target
        if target is not None and self.window is not None:
            self.window.statusBar().showMessage(f"今日自动备份已完成：{target.name}", 8000)

    def _backup_failed(self, exc: BaseException) -> None:
        from partybuild.services import backup

        if not isinstance(exc, OSError | backup.BackupError):
            raise exc
        self.backup_error = str(exc)
        QMessageBox.warning(self.window, APP_NAME, f"今日自动备份失败：{exc}")

    def stop(self, timeout: float = 0.3) -> bool:
        """Abandon what is still running (the quit); True if it all stopped within ``timeout``."""
        from partybuild.ui import background

        self.stopped = True
        return background.cancel_all(timeout)


def database_is_empty() -> bool:
    """No record of any ledger, not even in the recycle bin: a first start."""
    from partybuild.store import models as m

    return all(not model.select().exists() for model in m.LEDGER_MODELS)


def offer_demo_if_empty(parent) -> bool:  # noqa: ANN001 - QWidget | None
    """On a first start, offer the demo ledger so there is something to look at and try."""
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
    from partybuild.services.demo import build_demo  # only then: it is a big module

    build_demo(db_proxy.obj)
    return True
