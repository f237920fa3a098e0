"""Fixtures for widget tests: the application as the user gets it (bundled Chinese font)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from partybuild.ui import unsaved
from partybuild.ui.app import make_application


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
