"""The main window: one page per ledger, navigation on the left, the database in the status bar."""

from __future__ import annotations

import peewee as pw
from PySide6.QtWidgets import QLabel, QMainWindow

from partybuild import APP_NAME


class MainWindow(QMainWindow):
    def __init__(self, database: pw.Database) -> None:
        super().__init__()
        self.database = database
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 800)
        location = getattr(database, "partybuild_location", None)
        where = location.display() if location is not None else ""
        self.db_label = QLabel(self.tr("数据库：%s") % where)
        self.statusBar().addPermanentWidget(self.db_label)
