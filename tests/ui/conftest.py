"""Fixtures for widget tests: the application as the user gets it (bundled Chinese font)."""

from __future__ import annotations

from collections.abc import Iterator

import peewee as pw
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from partybuild.ui import unsaved
from partybuild.ui.app import make_application
from partybuild.ui.main_window import MainWindow


@pytest.fixture(scope="session", autouse=True)
def _partybuild_app(qapp: QApplication) -> QApplication:
    """Register the bundled font once, after pytest-qt has created the QApplication."""
    return make_application()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """pytest-qt closes the widgets a test left open; a form left with typing in it would ask
    保存 / 放弃 / 继续编辑 and wait. Closing at teardown discards (tests that want the question
    ask it themselves)."""
    ask = unsaved.ask_unsaved
    unsaved.ask_unsaved = lambda *_args, **_kwargs: unsaved.DISCARD  # type: ignore[assignment]
    try:
        yield
    finally:
        unsaved.ask_unsaved = ask  # type: ignore[assignment]


@pytest.fixture
def active_demo_window(demo: pw.Database, qtbot: QtBot) -> MainWindow:
    """The main window on the demo ledger, shown and active, so keys go where a user's would."""
    win = MainWindow(demo)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    return win
