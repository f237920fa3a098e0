"""The app signed in to the real PostgreSQL server: the sign-in dialog, the account in the status
bar, the window fitted to the role, the 用户管理 page, and the database's refusal in one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from partybuild.ledgers import display, spec
from partybuild.store import accounts
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database, resolve_location
from partybuild.ui import sign_in
from partybuild.ui.accounts_ui import ACCOUNTS_PAGE, AccountsPage
from partybuild.ui.ledger_page import LedgerPage
from partybuild.ui.main_window import MainWindow
from tests.pg import PgCluster
from tests.pg_accounts import Park, make_park
from tests.ui.test_form import fill


@pytest.fixture(scope="module")
def park(pg_cluster: PgCluster) -> Iterator[Park]:
    yield make_park(pg_cluster)


@pytest.fixture(autouse=True)
def _screen_masking_off() -> Iterator[None]:
    yield
    display.set_screen_unlinkable(False)


def bare_url(park: Park) -> str:
    return f"postgresql://127.0.0.1:{park.cluster.port}/{park.dbname}"


def window_for(park: Park, who: str, qtbot: QtBot) -> MainWindow:
    database = open_database(park.url(who))
    win = MainWindow(database)
    qtbot.addWidget(win)
    win.show()
    return win


def test_a_url_without_password_signs_in_through_the_dialog(park: Park, qtbot: QtBot) -> None:
    location = resolve_location(bare_url(park))
    assert sign_in.needs_sign_in(location)
    assert not sign_in.needs_sign_in(resolve_location(park.url("sec_a")))
    dialog = sign_in.SignInDialog(location)
    qtbot.addWidget(dialog)
    # no keyring backend on this machine: the box says so instead of failing later
    assert not dialog.remember_check.isEnabled()
    assert "没有可用的系统钥匙串" in dialog.remember_check.text()
    dialog.user_edit.setText(park.logins["sec_a"])
    dialog.password_edit.setText("不对的密码")
    dialog.try_sign_in()
    assert dialog.error_label.isVisible() or not dialog.isVisible()
    assert "用户名或密码不正确" in dialog.error_label.text()
    assert "不对的密码" not in dialog.error_label.text()
    assert dialog.result() != dialog.DialogCode.Accepted
    dialog.password_edit.setText(park.passwords["sec_a"])
    dialog.try_sign_in()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.database is not None
    assert dialog.database.partybuild_account.login == park.logins["sec_a"]
    assert dialog.password_edit.text() == ""
    # the user name is remembered for this server, the password nowhere in the settings
    settings = QSettings()
    settings.sync()
    stored = {k: str(settings.value(k)) for k in settings.allKeys()}
    assert park.logins["sec_a"] in stored.values()
    assert not any(park.passwords["sec_a"] in v for v in stored.values())
    path = Path(settings.fileName())
    if path.exists():
        assert park.passwords["sec_a"].encode() not in path.read_bytes()
    # the next dialog offers the same user
    again = sign_in.SignInDialog(location)
    qtbot.addWidget(again)
    assert again.user_edit.text() == park.logins["sec_a"]
    assert again.password_edit.text() == ""


class MemoryKeyring:
    """A keyring backend in memory (keyring's own KeyringBackend interface)."""

    def __new__(cls):  # noqa: ANN204 - built lazily: keyring is optional
        from keyring.backend import KeyringBackend

        class Backend(KeyringBackend):
            priority = 10  # type: ignore[assignment]

            def __init__(self) -> None:
                super().__init__()
                self.store: dict[tuple[str, str], str] = {}

            def get_password(self, service: str, username: str) -> str | None:
                return self.store.get((service, username))

            def set_password(self, service: str, username: str, password: str) -> None:
                self.store[(service, username)] = password

            def delete_password(self, service: str, username: str) -> None:
                self.store.pop((service, username), None)

        return Backend()


def test_remember_password_keeps_it_in_the_keyring_only(park: Park, qtbot: QtBot) -> None:
    keyring = pytest.importorskip("keyring")
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    try:
        location = resolve_location(bare_url(park))
        dialog = sign_in.SignInDialog(location)
        qtbot.addWidget(dialog)
        assert dialog.remember_check.isEnabled()
        dialog.user_edit.setText(park.logins["sec_b"])
        dialog.password_edit.setText(park.passwords["sec_b"])
        dialog.remember_check.setChecked(True)
        dialog.try_sign_in()
        assert dialog.result() == dialog.DialogCode.Accepted
        assert list(ring.store.values()) == [park.passwords["sec_b"]]
        close_database()
        again = sign_in.SignInDialog(location)
        qtbot.addWidget(again)
        assert again.user_edit.text() == park.logins["sec_b"]
        assert again.password_edit.text() == park.passwords["sec_b"]
        assert again.remember_check.isChecked()
        again.remember_check.setChecked(False)  # unticked: forgotten
        again.try_sign_in()
        assert ring.store == {}
    finally:
        keyring.set_keyring(before)


def test_a_secretarys_window_shows_the_account_and_only_their_branch(
    park: Park, qtbot: QtBot
) -> None:
    win = window_for(park, "sec_a", qtbot)
    assert (
        win.account_label.text() == f"已登录：{park.logins['sec_a']}（支部书记：{park.branch_a}）"
    )
    assert not win.operator_action.isVisible()  # the server writes who did it
    names = [win.nav.item(i).data(Qt.ItemDataRole.UserRole) for i in range(win.nav.count())]
    assert ACCOUNTS_PAGE not in names
    members = win.go_to("members")
    assert isinstance(members, LedgerPage)
    own = m.Member.select().where(m.Member.branch == park.branch_a_id, m.live(m.Member)).count()
    assert members.model.total == own > 0
    assert win.new_action.isEnabled() and win.delete_action.isEnabled()
    win.go_to("trainings")
    assert not win.new_action.isEnabled()  # trainings are the office's
    assert win.edit_action.isEnabled()  # …but the sign-in list of their members is theirs
    # a member moved to another branch: the database refuses, the form says it in one line
    members = win.go_to("members")
    members.table.selectRow(0)
    members.table.setCurrentIndex(members.model.index(0, 0))
    members.edit_current()
    dialog = members.dialog
    qtbot.waitUntil(dialog.isVisible)
    fill(qtbot, dialog.form, "branch", park.branch_b_id)
    dialog.save()
    assert dialog.isVisible()
    shown = dialog.form.general_error.text()
    assert "权限不足：只能修改本支部的记录" in shown
    record = m.Member.get_by_id(members.current_id())
    assert record.branch_id == park.branch_a_id


def test_a_viewers_window_writes_nothing_and_shows_birth_years(park: Park, qtbot: QtBot) -> None:
    win = window_for(park, "viewer", qtbot)
    assert "（查看：全部党组织）" in win.account_label.text()
    members = win.go_to("members")
    assert isinstance(members, LedgerPage)
    for action in (win.new_action, win.edit_action, win.delete_action, win.import_action):
        assert not action.isEnabled()
    members.table.selectRow(0)
    members.table.setCurrentIndex(members.model.index(0, 0))
    members.edit_current()  # Enter / double click: no form (it would show the full numbers)
    assert getattr(members, "dialog", None) is None
    column = [c.name for c in spec.MEMBERS.columns].index("birth_date")
    shown = members.model.index(0, column).data()
    assert shown.isdigit() and len(shown) == 4
    audit_rows = [
        win.nav.item(i)
        for i in range(win.nav.count())
        if win.nav.item(i).data(Qt.ItemDataRole.UserRole) == "audit"
    ]
    assert audit_rows and audit_rows[0].isHidden()


def test_the_office_manages_accounts_from_the_app(
    park: Park, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    win = window_for(park, "office", qtbot)
    page = win.go_to(ACCOUNTS_PAGE)
    assert isinstance(page, AccountsPage)
    listed = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    assert set(park.logins.values()) <= set(listed)
    shown_passwords: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "information", lambda _p, _t, text: shown_passwords.append(text)
    )
    dialog = page.new_account()
    login = f"new_ui_{park.dbname.lower()}"
    dialog.login_edit.setText(login)
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("secretary"))
    for i in range(dialog.branch_list.count()):
        if dialog.branch_list.item(i).text() == park.branch_b:
            dialog.branch_list.item(i).setCheckState(Qt.CheckState.Checked)
    dialog.create()
    assert not dialog.isVisible()
    assert len(shown_passwords) == 1 and dialog.password in shown_passwords[0]
    rows = {page.table.item(r, 0).text(): r for r in range(page.table.rowCount())}
    assert page.table.item(rows[login], 1).text() == "支部书记"
    assert page.table.item(rows[login], 2).text() == park.branch_b
    close_database()
    # the password shown once signs in, and the account sees branch B
    database = open_database(bare_url(park), user=login, password=dialog.password)
    assert database.partybuild_account.branches == (park.branch_b,)
    close_database()
    open_database(park.url("office"))
    page.database = m.db_proxy.obj
    page.refresh()
    rows = {page.table.item(r, 0).text(): r for r in range(page.table.rowCount())}
    page.table.selectRow(rows[login])
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    page.disable_account()
    rows = {page.table.item(r, 0).text(): r for r in range(page.table.rowCount())}
    assert page.table.item(rows[login], 3).text() == "已停用"
    assert {r.login: r.enabled for r in accounts.list_accounts(m.db_proxy.obj)}[login] is False


def test_starting_the_app_on_a_url_without_password_asks_then_opens_the_window(
    park: Park, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QApplication

    from partybuild.ui import app as app_module

    asked: list[str] = []

    def answer(dialog: sign_in.SignInDialog) -> int:
        asked.append(dialog.server_label.text())
        dialog.user_edit.setText(park.logins["sec_b"])
        dialog.password_edit.setText(park.passwords["sec_b"])
        dialog.try_sign_in()
        return dialog.result()

    windows: list[MainWindow] = []
    monkeypatch.setattr(sign_in.SignInDialog, "exec", answer)
    monkeypatch.setattr(MainWindow, "show", lambda self: windows.append(self))
    monkeypatch.setattr(QApplication, "exec", lambda *_a: 0)
    assert app_module.run(bare_url(park)) == 0
    assert asked == [f"postgresql://127.0.0.1:{park.cluster.port}/{park.dbname}"]
    (window,) = windows
    qtbot.addWidget(window)
    assert (
        window.account_label.text()
        == f"已登录：{park.logins['sec_b']}（支部书记：{park.branch_b}）"
    )
    # cancelled: nothing opened, no error
    monkeypatch.setattr(sign_in.SignInDialog, "exec", lambda _d: 0)
    close_database()
    assert app_module.run(bare_url(park)) == 0
    assert len(windows) == 1
