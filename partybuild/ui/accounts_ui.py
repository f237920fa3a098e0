"""The signed-in account in the window: who and what role in the status bar, only the actions the
role may take, and the 用户管理 page for the committee office (store.accounts).

The database enforces every right (row-level security, grants); the window only avoids offering
what it would refuse. On SQLite, or a server database without accounts, nothing here changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee as pw
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from partybuild.store import accounts
from partybuild.store.accounts import Account

if TYPE_CHECKING:
    from partybuild.ui.main_window import MainWindow

ACCOUNTS_PAGE = "accounts"


def account_text(account: Account) -> str:
    return f"已登录：{account.login}（{account.role_label}：{account.scope_text()}）"


def apply_account(window: MainWindow) -> None:
    """Show the account and fit the window to its role (called once by the main window)."""
    from partybuild.ledgers import display

    account: Account | None = getattr(window.database, "partybuild_account", None)
    display.set_screen_unlinkable(bool(account and account.unlinkable))
    if account is None:
        return
    from partybuild.ui.ledger_page import LedgerPage

    window.account_label = QLabel(account_text(account))
    window.account_label.setObjectName("account_label")
    window.statusBar().addPermanentWidget(window.account_label)
    # On the shared database the server writes who did it: no name to set.
    window.operator_action.setVisible(False)
    # Backups and restores of a server are pg_dump's (README); rules and vocabularies are the park's.
    for action in (window.backup_action, window.restore_action):
        action.setVisible(False)
    for action in (window.rules_action, window.vocabulary_action):
        action.setEnabled(account.manages_accounts)
    window.import_action.setEnabled(account.can_write)
    refusal = (
        "查看账户只能查看，不能新建、修改或删除"
        if account.role == "viewer"
        else "权限不足：只能修改本支部的记录"
    )

    def permit(name: str, page: QWidget) -> None:
        if isinstance(page, LedgerPage):
            page.may_create = account.may("create", name)
            page.may_edit = account.may("edit", name)
            page.may_delete = account.may("delete", name)
            page.refusal = refusal

    window.pages.when_built(permit)  # pages are built on first visit (ui/lazy_pages.py)
    if account.role == "viewer":
        _hide_page(window, "audit")
    if account.manages_accounts:
        _add_accounts_page(window)

    fit_actions(window)


def fit_actions(window: MainWindow) -> None:
    """新建/编辑/删除 enabled only where the page's account may use them."""
    from partybuild.ui.main_window import is_ledger_page  # no import of ledger_page before one

    page = window.current_page() if window.nav.currentItem() is not None else None
    if is_ledger_page(page):
        window.new_action.setEnabled(page.may_create)
        window.edit_action.setEnabled(page.may_edit)
        window.delete_action.setEnabled(page.may_delete)


def _hide_page(window: MainWindow, name: str) -> None:
    for row in range(window.nav.count()):
        if window.nav.item(row).data(Qt.ItemDataRole.UserRole) == name:
            window.nav.item(row).setHidden(True)
    if name in window.page_actions:
        window.page_actions[name].setEnabled(False)


def _add_accounts_page(window: MainWindow) -> None:
    page = AccountsPage(window.database)
    window.pages[ACCOUNTS_PAGE] = page
    window.stack.addWidget(page)
    item = QListWidgetItem(window.tr("用户管理"))
    item.setData(Qt.ItemDataRole.UserRole, ACCOUNTS_PAGE)
    window.nav.addItem(item)


class NewAccountDialog(QDialog):
    """新建账户: name, role, branches; the password is generated and shown once afterwards."""

    def __init__(self, database: pw.Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from partybuild.store import models as m

        self.database = database
        self.password: str | None = None
        self.setWindowTitle(self.tr("新建账户"))
        self.login_edit = QLineEdit()
        self.login_edit.setObjectName("account_login")
        self.login_edit.setPlaceholderText(self.tr("小写字母开头，如 zhang_san"))
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("account_role")
        for code, label in accounts.ROLES.items():
            self.role_combo.addItem(f"{label}（{code}）", code)
        self.role_combo.setCurrentIndex(1)
        self.branch_list = QListWidget()
        self.branch_list.setObjectName("account_branches")
        for branch in m.Branch.select().where(m.live(m.Branch)).order_by(m.Branch.name):
            entry = QListWidgetItem(branch.name)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Unchecked)
            self.branch_list.addItem(entry)
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        form = QFormLayout()
        form.addRow(self.tr("账户名："), self.login_edit)
        form.addRow(self.tr("角色："), self.role_combo)
        form.addRow(self.tr("党组织："), self.branch_list)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("建立"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("密码由程序生成，建立后只显示一次，请转交本人。")))
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(460, 520)

    def chosen_branches(self) -> list[str]:
        return [
            self.branch_list.item(i).text()
            for i in range(self.branch_list.count())
            if self.branch_list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def create(self) -> None:
        try:
            self.password = accounts.add_user(
                self.database,
                self.login_edit.text().strip(),
                str(self.role_combo.currentData()),
                self.chosen_branches(),
            )
        except accounts.AccountError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        self.accept()


class AccountsPage(QWidget):
    """用户管理 (office): the accounts of this database, new ones, branches, passwords, 停用."""

    HEADERS = ("账户", "角色", "党组织", "状态")

    def __init__(self, database: pw.Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.rows: list[accounts.AccountRow] = []
        title = QLabel(self.tr("用户管理"))
        title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        note = QLabel(
            self.tr(
                "账户就是数据库的登录角色，权限由数据库强制执行：支部书记只能看到和修改本支部的记录，"
                "查看账户只读且身份证号、电话、出生日期脱敏，党委办公室管理全部。"
            )
        )
        note.setWordWrap(True)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setObjectName("accounts_table")
        self.table.setHorizontalHeaderLabels([self.tr(h) for h in self.HEADERS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.message = QLabel()
        self.message.setObjectName("accounts_message")
        self.message.setWordWrap(True)
        self.new_button = QPushButton(self.tr("新建账户…"))
        self.grant_button = QPushButton(self.tr("增加党组织…"))
        self.revoke_button = QPushButton(self.tr("取消党组织…"))
        self.password_button = QPushButton(self.tr("重设密码"))
        self.disable_button = QPushButton(self.tr("停用"))
        self.new_button.clicked.connect(self.new_account)
        self.grant_button.clicked.connect(self.grant_branch)
        self.revoke_button.clicked.connect(self.revoke_branch)
        self.password_button.clicked.connect(self.reset_password)
        self.disable_button.clicked.connect(self.disable_account)
        bar = QHBoxLayout()
        for button in (
            self.new_button,
            self.grant_button,
            self.revoke_button,
            self.password_button,
            self.disable_button,
        ):
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def refresh(self) -> None:
        try:
            self.rows = accounts.list_accounts(self.database)
        except accounts.AccountError as exc:
            self.rows = []
            self.show_message(str(exc), error=True)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            scope = "、".join(row.branches) or ("全部党组织" if row.role != "secretary" else "无")
            values = (row.login, row.role_label, scope, "正常" if row.enabled else "已停用")
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        self._update_buttons()

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)

    def selected(self) -> accounts.AccountRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        row = self.selected()
        for button in (self.grant_button, self.revoke_button, self.password_button):
            button.setEnabled(row is not None and row.enabled)
        self.revoke_button.setEnabled(bool(row and row.enabled and row.branches))
        self.disable_button.setEnabled(bool(row and row.enabled))

    def _run(self, action, done: str) -> bool:  # noqa: ANN001 - a callable
        try:
            action()
        except accounts.AccountError as exc:
            self.show_message(str(exc), error=True)
            return False
        self.refresh()
        self.show_message(done)
        return True

    def new_account(self) -> NewAccountDialog:
        dialog = NewAccountDialog(self.database, self)
        self.dialog = dialog

        def created() -> None:
            self.refresh()
            login = dialog.login_edit.text().strip()
            self.show_message(self.tr("已建立账户 %s") % login)
            QMessageBox.information(
                self,
                self.tr("新建账户"),
                self.tr("账户 %s 的初始密码（只显示这一次）：\n\n%s") % (login, dialog.password),
            )

        dialog.accepted.connect(created)
        dialog.open()
        return dialog

    def _branch_names(self) -> list[str]:
        from partybuild.store import models as m

        query = m.Branch.select().where(m.live(m.Branch)).order_by(m.Branch.name)
        return [b.name for b in query]

    def grant_branch(self) -> None:
        row = self.selected()
        if row is None:
            return
        choices = [b for b in self._branch_names() if b not in row.branches]
        name, ok = QInputDialog.getItem(
            self, self.tr("增加党组织"), self.tr("账户 %s 可管理：") % row.login, choices, 0, False
        )
        if ok and name:
            self._run(
                lambda: accounts.grant(self.database, row.login, name),
                self.tr("账户 %s 已可管理 %s") % (row.login, name),
            )

    def revoke_branch(self) -> None:
        row = self.selected()
        if row is None or not row.branches:
            return
        name, ok = QInputDialog.getItem(
            self,
            self.tr("取消党组织"),
            self.tr("账户 %s 不再管理：") % row.login,
            list(row.branches),
            0,
            False,
        )
        if ok and name:
            self._run(
                lambda: accounts.revoke(self.database, row.login, name),
                self.tr("账户 %s 已不再管理 %s") % (row.login, name),
            )

    def reset_password(self) -> None:
        row = self.selected()
        if row is None:
            return
        holder: dict[str, str] = {}

        def reset() -> None:
            holder["password"] = accounts.set_password(self.database, row.login)

        if self._run(reset, self.tr("已重设账户 %s 的密码") % row.login):
            QMessageBox.information(
                self,
                self.tr("重设密码"),
                self.tr("账户 %s 的新密码（只显示这一次）：\n\n%s")
                % (row.login, holder["password"]),
            )

    def disable_account(self) -> None:
        row = self.selected()
        if row is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("停用账户"),
            self.tr("停用后账户 %s 不能再登录（已打开的窗口在关闭前仍可使用）。确定停用吗？")
            % row.login,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(
                lambda: accounts.disable(self.database, row.login),
                self.tr("账户 %s 已停用") % row.login,
            )
