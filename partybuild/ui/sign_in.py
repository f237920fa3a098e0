"""Signing in to the shared PostgreSQL database: user and password asked, never stored in clear.

A server URL that carries no password opens :class:`SignInDialog`. The user name is remembered in
QSettings (per server); the password never is — neither there nor in any log or message. 记住密码
keeps it in the operating system's keyring through the ``keyring`` library, when there is one: on
a machine without a keyring backend (a bare Linux session) the box is disabled and says why.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlparse

import peewee as pw
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from partybuild.store.database import Location

KEYRING_SERVICE = "partybuild"


def needs_sign_in(location: Location) -> bool:
    """A server URL without a password: ask for one (a password in the URL is used as it is)."""
    return location.url is not None and urlparse(location.url).password is None


def server_key(location: Location) -> str:
    """Which server and database a remembered name and password belong to (no user in it)."""
    parsed = urlparse(location.url or "")
    try:
        port = parsed.port or 5432
    except ValueError:
        port = 5432
    return f"{parsed.hostname or 'localhost'}:{port}{parsed.path}"


def _keyring():  # noqa: ANN202 - the keyring module, or None
    """The keyring module when a real backend is there; None otherwise (never an exception)."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # not installed, or a backend that fails to load
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return keyring


def keyring_available() -> bool:
    return _keyring() is not None


def remembered_password(location: Location, user: str) -> str | None:
    ring = _keyring()
    if ring is None or not user:
        return None
    try:
        return ring.get_password(KEYRING_SERVICE, f"{user}@{server_key(location)}")
    except Exception:  # a locked or broken keyring: ask instead
        return None


def remember_password(location: Location, user: str, password: str | None) -> bool:
    """Keep (or with None forget) the password in the keyring; False when that is not possible."""
    ring = _keyring()
    if ring is None:
        return False
    key = f"{user}@{server_key(location)}"
    try:
        if password is None:
            with contextlib.suppress(Exception):  # nothing stored: nothing to forget
                ring.delete_password(KEYRING_SERVICE, key)
        else:
            ring.set_password(KEYRING_SERVICE, key, password)
    except Exception:
        return False
    return True


class SignInDialog(QDialog):
    """用户名 and 密码 for the shared database; 登录 tries them, a refusal is shown in place."""

    def __init__(self, location: Location, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.location = location
        self.database: pw.Database | None = None
        self.setWindowTitle(self.tr("登录共享数据库"))
        self.server_label = QLabel(location.display())
        self.user_edit = QLineEdit()
        self.user_edit.setObjectName("sign_in_user")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("sign_in_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember_check = QCheckBox(self.tr("记住密码（保存在系统钥匙串中）"))
        self.remember_check.setObjectName("sign_in_remember")
        if not keyring_available():
            self.remember_check.setEnabled(False)
            self.remember_check.setText(self.tr("记住密码（本机没有可用的系统钥匙串，每次需输入）"))
        self.error_label = QLabel()
        self.error_label.setObjectName("sign_in_error")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        form = QFormLayout()
        form.addRow(self.tr("服务器："), self.server_label)
        form.addRow(self.tr("用户名："), self.user_edit)
        form.addRow(self.tr("密码："), self.password_edit)
        form.addRow("", self.remember_check)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登录"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.try_sign_in)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

        user = urlparse(location.url or "").username or str(
            QSettings().value(f"sign_in/{server_key(location)}/user", "")
        )
        self.user_edit.setText(user)
        stored = remembered_password(location, user)
        if stored:
            self.password_edit.setText(stored)
            self.remember_check.setChecked(True)
        (self.password_edit if user else self.user_edit).setFocus()

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def try_sign_in(self) -> None:
        from partybuild.store.database import DatabaseRefused, open_database

        user = self.user_edit.text().strip()
        password = self.password_edit.text()
        if not user:
            self.show_error(self.tr("请输入用户名"))
            self.user_edit.setFocus()
            return
        try:
            self.database = open_database(location=self.location, user=user, password=password)
        except DatabaseRefused as exc:
            # the driver's words never carry the password; say it once more to be sure
            self.show_error(str(exc).replace(password, "***") if password else str(exc))
            self.password_edit.selectAll()
            self.password_edit.setFocus()
            return
        QSettings().setValue(f"sign_in/{server_key(self.location)}/user", user)
        if self.remember_check.isEnabled():
            remember_password(
                self.location, user, password if self.remember_check.isChecked() else None
            )
        self.password_edit.clear()
        self.accept()


def sign_in(location: Location, parent: QWidget | None = None) -> pw.Database | None:
    """The signed-in database, or None when the user cancels."""
    dialog = SignInDialog(location, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.database
