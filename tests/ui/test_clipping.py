"""Every page at 1024×700 and 1920×1080: no label or button is cut off (its size against its
sizeHint), and ``partybuild screenshot --size`` grabs the window at the size asked."""

from __future__ import annotations

from pathlib import Path

import peewee as pw
import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QWidget,
)
from pytestqt.qtbot import QtBot

from partybuild.cli import main
from partybuild.ui.ledger_page import LedgerPage
from partybuild.ui.main_window import PAGES, MainWindow

SIZES = [(1024, 700), (1920, 1080)]


def clipped(root: QWidget) -> list[str]:
    """Labels, buttons and combo boxes shown smaller than their text needs."""
    found = []
    widgets = [
        w
        for kind in (QLabel, QAbstractButton, QComboBox)
        for w in root.findChildren(kind)  # type: ignore[type-var]
        if w.isVisible() and w.window() is root
    ]
    for widget in widgets:
        if isinstance(widget, QLabel) and not widget.text():
            continue
        if isinstance(widget, QAbstractButton) and not widget.text():
            continue
        # Only what is on screen: a widget scrolled out of a scroll area is not cut off.
        if widget.visibleRegion().isEmpty():
            continue
        hint, size = widget.sizeHint(), widget.size()
        if isinstance(widget, QLabel) and widget.wordWrap():
            short = widget.heightForWidth(size.width()) > size.height()
        else:
            short = size.width() < hint.width() or size.height() < hint.height()
        if short:
            text = widget.currentText() if isinstance(widget, QComboBox) else widget.text()
            found.append(
                f"{type(widget).__name__} {widget.objectName()!r} “{text[:30]}” "
                f"{size.width()}×{size.height()} < {hint.width()}×{hint.height()}"
            )
    return found


@pytest.fixture
def window(demo: pw.Database, qtbot: QtBot) -> MainWindow:
    win = MainWindow(demo)
    qtbot.addWidget(win)
    return win


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_label_or_button_is_cut_off_on_any_page(
    window: MainWindow, qtbot: QtBot, size: tuple[int, int], tmp_path: Path
) -> None:
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    problems = {}
    for name, _label in PAGES:
        page = window.go_to(name)
        if isinstance(page, LedgerPage) and page.model.rowCount() > 0:
            page.table.selectRow(0)
            page.table.setCurrentIndex(page.model.index(0, 0))
        for _ in range(3):
            QApplication.processEvents()
        assert window.size().width() == size[0] and window.size().height() == size[1]
        grabbed = window.grab()  # what a person sees, kept beside the test's files
        assert grabbed.save(str(tmp_path / f"{name}-{size[0]}x{size[1]}.png"))
        assert (grabbed.width(), grabbed.height()) == size
        if found := clipped(window):
            problems[name] = found
    assert problems == {}


def test_screenshot_takes_the_size_asked(demo: pw.Database, tmp_path: Path) -> None:
    from partybuild.store.database import close_database

    close_database()
    location = tmp_path / "demo.sqlite3"  # the demo fixture's private copy
    small, default = tmp_path / "small.png", tmp_path / "default.png"
    args = ["screenshot", "--db", str(location), "--page", "members"]
    assert main([*args, "--size", "1024x700", "-o", str(small)]) == 0
    assert main([*args, "-o", str(default)]) == 0
    assert QImage(str(small)).size().toTuple() == (1024, 700)
    assert QImage(str(default)).size().toTuple() == (1440, 900)


@pytest.mark.parametrize("text", ["1024", "1024x", "axb", "100x100", "99999x700"])
def test_a_wrong_size_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    out = tmp_path / "x.png"
    with pytest.raises(SystemExit) as exit_:
        main(["screenshot", "--db", str(tmp_path / "db.sqlite3"), "--page", "members",
              "--size", text, "-o", str(out)])  # fmt: skip
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "窗口大小" in err and text in err
    assert not out.exists()
