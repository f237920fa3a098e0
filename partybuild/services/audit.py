"""操作日志: who did what to which record, and each changed field old → new.

Every write of the service layer calls :func:`log` inside its own transaction, so an entry exists
exactly when the change does. On SQLite the operator is the name set in the app (QSettings), else
the OS user — a display name. On a shared PostgreSQL database with accounts the server writes the
signed-in login and the time itself (a trigger, store.accounts), and nobody but the owner may
change or delete an entry. Values are stored as a person reads them; ID and phone numbers are stored in full because
the log is part of the record, and masked when shown on screen, as everywhere else.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import peewee as pw

from partybuild.ledgers import spec
from partybuild.ledgers.display import display_value, masked_value, screen_unlinkable
from partybuild.ledgers.spec import Ledger
from partybuild.services import operator_name
from partybuild.store import models as m

ACTIONS: dict[str, str] = {
    "create": "新建",
    "update": "修改",
    "delete": "删除（移入回收站）",
    "restore": "从回收站恢复",
    "purge": "彻底删除",
    "import": "导入",
    "db_restore": "恢复数据库",
    "backup": "备份数据库",
}


def default_operator() -> str:
    try:
        return getpass.getuser() or "未知用户"
    except Exception:  # no user database entry (containers): still record something honest
        return "未知用户"


def set_operator(name: str | None) -> None:
    """The name written into the log from now on (None: the OS user)."""
    operator_name.set_name(name)


def operator() -> str:
    """Who the log names. Signed in to the shared database, the login: the server stamps it
    (store.accounts), whatever this returns; elsewhere the name set in the app, else the OS user."""
    from partybuild.store.database import current_account

    account = current_account()
    if account is not None:
        return str(account.login)  # type: ignore[attr-defined]
    return operator_name.name() or default_operator()


def _title_of(model: type[pw.Model], record_id: Any) -> str:
    if record_id is None:
        return ""
    row = model.get_or_none(model.id == record_id)
    if row is None:
        return f"#{record_id}"
    try:
        return spec.ledger_for_model(model).title(row)
    except KeyError:
        return str(getattr(row, "name", record_id))


def _readable(column: spec.Column, value: Any) -> str:
    if column.kind == spec.LINK and column.link_model is not None:
        return _title_of(column.link_model, value)
    return display_value(column, value, masked=False, short=False)


def diff(
    ledger: Ledger, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[dict[str, str]]:
    """The fields whose stored value changed, as readable old → new pairs."""
    changes = []
    for column in ledger.columns:
        old, new = before.get(column.name), after.get(column.name)
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        changes.append(
            {
                "field": column.name,
                "label": column.label,
                "old": _readable(column, old),
                "new": _readable(column, new),
            }
        )
    return changes


def log(
    action: str,
    ledger: Ledger | str | None,
    record_id: int | None = None,
    title: str | None = None,
    changes: list[dict[str, str]] | None = None,
    note: str | None = None,
) -> None:
    """Append one entry. Call it inside the transaction of the change it records."""
    name = ledger.name if isinstance(ledger, Ledger) else ledger
    payload: list[dict[str, str]] = list(changes or [])
    if note:
        payload.append({"field": "", "label": "说明", "old": "", "new": note})
    m.AuditEntry.create(
        at=dt.datetime.now().replace(microsecond=0),
        operator=operator()[:255],
        action=action,
        ledger=name,
        record_id=record_id,
        title=(title or "")[:255] or None,
        changes=json.dumps(payload, ensure_ascii=False) if payload else None,
    )


@dataclass(frozen=True)
class Entry:
    id: int
    at: dt.datetime
    operator: str
    action: str
    ledger: str | None
    record_id: int | None
    title: str | None
    changes: list[dict[str, str]]

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)

    @property
    def ledger_label(self) -> str:
        if self.ledger in spec.LEDGERS or self.ledger in spec.INNER_LEDGERS:
            return spec.ledger(self.ledger).label
        return self.ledger or ""

    def summary(self, masked: bool = True, *, in_file: bool = False) -> str:
        """One line: 字段：旧 → 新；…  (ID and phone numbers masked unless asked; a masked file,
        like the viewer's screen, also keeps only the year of 出生日期: display.masked_value)."""
        parts = []
        whole = in_file or screen_unlinkable()
        for change in self.changes:
            old, new = change.get("old", ""), change.get("new", "")
            if masked and self.ledger in spec.LEDGERS and change.get("field"):
                column = spec.LEDGERS[self.ledger].by_name.get(change["field"])
                if column is not None and (
                    column.kind in (spec.ID_NUMBER, spec.PHONE)
                    or (whole and column.masked_as is not None)
                ):
                    old = str(masked_value(column, old or None) or "")
                    new = str(masked_value(column, new or None) or "")
            if change.get("field"):
                parts.append(f"{change['label']}：{old or '（空）'} → {new or '（空）'}")
            else:
                parts.append(f"{change['label']}：{new}")
        return "；".join(parts)


@dataclass(frozen=True)
class AuditFilter:
    ledger: str | None = None
    record_id: int | None = None
    operator: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""


def _query(f: AuditFilter) -> pw.ModelSelect:
    A = m.AuditEntry
    query = A.select()
    if f.ledger:
        query = query.where(A.ledger == f.ledger)
    if f.record_id is not None:
        query = query.where(A.record_id == f.record_id)
    if f.operator:
        query = query.where(A.operator == f.operator)
    if f.date_from:
        query = query.where(A.at >= dt.datetime.combine(f.date_from, dt.time.min))
    if f.date_to:
        query = query.where(A.at <= dt.datetime.combine(f.date_to, dt.time.max))
    if f.text.strip():
        like = f"%{f.text.strip()}%"
        query = query.where((A.title**like) | (A.changes**like))
    return query


def count(f: AuditFilter | None = None) -> int:
    return int(_query(f or AuditFilter()).count())


def entries(f: AuditFilter | None = None, offset: int = 0, limit: int = 200) -> list[Entry]:
    A = m.AuditEntry
    rows = _query(f or AuditFilter()).order_by(A.at.desc(), A.id.desc()).offset(offset).limit(limit)
    return [
        Entry(
            r.id,
            r.at,
            r.operator,
            r.action,
            r.ledger,
            r.record_id,
            r.title,
            json.loads(r.changes) if r.changes else [],
        )
        for r in rows
    ]


def operators() -> list[str]:
    A = m.AuditEntry
    return [r[0] for r in A.select(A.operator).distinct().order_by(A.operator).tuples()]


def export_xlsx(path: str | Path, f: AuditFilter | None = None, *, masked: bool = True) -> int:
    """The filtered log as an Excel sheet (newest first); returns the number of entries.

    Saved atomically and 0600 (names and what changed, unmasked ones with full numbers); every
    cell through the one text rule, so nothing in a log can run as a formula. Raises
    :class:`partybuild.outputs.OutputError` when it cannot be written.
    """
    from openpyxl import Workbook

    from partybuild.outputs.workbook import text_cell, workbook_output
    from partybuild.outputs.xlsx_font import font, use_chinese_font
    from partybuild.store.accounts import masked_only

    masked = masked or masked_only()
    n = 0
    with workbook_output(Path(path), private=True) as save:
        workbook = use_chinese_font(Workbook(write_only=True))
        sheet = workbook.create_sheet("操作日志")
        for letter, width in zip("ABCDEFG", (20, 12, 18, 12, 10, 28, 80), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        header = ["时间", "操作人", "操作", "台账", "记录编号", "记录", "修改内容"]
        cells = []
        for text in header:
            cell = text_cell(sheet, text)
            cell.font = font(bold=True)
            cells.append(cell)
        sheet.append(cells)
        offset = 0
        while True:
            batch = entries(f, offset, 1000)
            if not batch:
                break
            for e in batch:
                values = [
                    e.at,
                    e.operator,
                    e.action_label,
                    e.ledger_label,
                    e.record_id,
                    e.title,
                    e.summary(masked=masked, in_file=True),
                ]
                sheet.append([text_cell(sheet, value) for value in values])
                n += 1
            offset += len(batch)
        save(workbook)
    return n
