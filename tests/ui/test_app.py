"""Starting the app: an unusable database is refused with a dialog and left untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from partybuild.ui import app


@pytest.mark.parametrize("content", [b"# notes\n", b"SQLite format 3\x00" + b"\xff" * 200])
def test_unusable_database_gets_a_dialog_and_is_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(content)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert app.run(str(path)) == 2
    assert len(shown) == 1 and "无法打开数据库" in shown[0]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.sqlite3"]


def test_qt_own_words_are_chinese() -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    app.make_application()
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No)
    assert sorted(b.text() for b in box.buttons()) == ["否(&N)", "是(&Y)"]
