"""Fixtures for widget tests: the application as the user gets it (bundled Chinese font)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from partybuild.ui.app import make_application


@pytest.fixture(scope="session", autouse=True)
def _partybuild_app(qapp: QApplication) -> QApplication:
    """Register the bundled font once, after pytest-qt has created the QApplication."""
    return make_application()
