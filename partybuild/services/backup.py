"""Backups and restore of an SQLite database, always through SQLite's online backup API.

Automatic copies go to a ``backups`` folder beside the database file — before every import,
restore and schema upgrade, and once a day on the first start — and only the newest N are kept
(setting ``backup_keep``, default 30). A restore checks the file first (a partybuild database,
intact, not from a newer version), backs up the current database, and then copies the file in
with the backup API: one transaction on the destination, so a crash leaves the old data or the
new, never a mixture. A shared PostgreSQL database is backed up on its server (pg_dump).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from partybuild.services import audit
from partybuild.store import models as m
from partybuild.store.database import (
    DatabaseRefused,
    Inspection,
    Location,
    backup_sqlite,
    current_location,
    inspect_sqlite,
)

KEEP_SETTING = "backup_keep"
DEFAULT_KEEP = 30
_STAMP = "%Y%m%d-%H%M%S-%f"  # microseconds: copies made in the same second still sort right


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in Chinese."""


def _sqlite_path(location: Location | None = None) -> Path:
    location = location or current_location()
    if location is None or location.path is None:
        raise BackupError(
            "共享的 PostgreSQL 数据库请由服务器管理员用 pg_dump 备份和恢复，本程序只备份 SQLite 数据库文件"
        )
    return location.path


def backup_dir(db_path: Path) -> Path:
    return db_path.parent / "backups"


def keep_count() -> int:
    row = m.Setting.get_or_none(m.Setting.key == KEEP_SETTING)
    try:
        return max(1, int(row.value)) if row is not None else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def set_keep_count(n: int) -> None:
    if n < 1:
        raise BackupError("保留的备份份数至少为 1")
    m.Setting.replace(key=KEEP_SETTING, value=str(n)).execute()


def automatic_backups(db_path: Path) -> list[Path]:
    """This database's automatic copies, oldest first."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    pattern = re.compile(
        re.escape(db_path.stem) + r"-[a-z-]+-(?P<stamp>\d{8}-\d{6}-\d{6})\.sqlite3$"
    )
    found = []
    for p in folder.iterdir():
        match = pattern.match(p.name)
        if match:
            found.append((match["stamp"], p))
    return [p for _stamp, p in sorted(found)]


def backup_now(reason: str, db_path: Path | None = None) -> Path:
    """An automatic copy (``reason`` like ``import``, ``daily``), then prune to the newest N."""
    path = db_path or _sqlite_path()
    target = backup_dir(path) / f"{path.stem}-{reason}-{dt.datetime.now().strftime(_STAMP)}.sqlite3"
    while target.exists():  # two copies in one microsecond: take the next
        target = (
            backup_dir(path) / f"{path.stem}-{reason}-{dt.datetime.now().strftime(_STAMP)}.sqlite3"
        )
    backup_sqlite(path, target)
    keep = keep_count() if m.db_proxy.obj is not None else DEFAULT_KEEP
    copies = automatic_backups(path)
    for old in copies[: max(0, len(copies) - keep)]:
        old.unlink(missing_ok=True)
    return target


def daily_backup_if_due(db_path: Path | None = None) -> Path | None:
    """The first start of a day copies the database (if there is anything to copy)."""
    path = db_path or _sqlite_path()
    if not path.exists() or path.stat().st_size == 0:
        return None
    today = dt.date.today().strftime("%Y%m%d")
    if any(f"-{today}-" in p.name for p in automatic_backups(path)):
        return None
    return backup_now("daily", path)


def backup_to(target: Path) -> Path:
    """An explicit backup into a file of the user's choosing (never over an existing file)."""
    source = _sqlite_path()
    if target.exists():
        raise BackupError(f"“{target}”已存在，为避免覆盖，请换一个文件名")
    if target.resolve() == source.resolve():
        raise BackupError("备份文件不能是数据库本身")
    try:
        backup_sqlite(source, target)
    except (OSError, sqlite3.Error) as exc:
        target.unlink(missing_ok=True)
        raise BackupError(f"无法写入“{target}”：{exc}") from exc
    return target


def check_backup_file(path: Path) -> Inspection:
    """Is this a usable backup? Header, integrity check, our schema, not newer — read-only."""
    if not path.is_file():
        raise BackupError(f"备份文件“{path}”不存在")
    try:
        inspection = inspect_sqlite(path)
    except DatabaseRefused as exc:
        raise BackupError(f"不能用“{path}”恢复：{exc}") from exc
    if inspection.empty:
        raise BackupError(f"“{path}”是空文件或空数据库，不是党建台账的备份")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            result = con.execute("PRAGMA integrity_check").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"备份文件“{path}”已损坏：{exc}") from exc
    if result != [("ok",)]:
        raise BackupError(f"备份文件“{path}”未通过完整性检查：{result[0][0]}")
    return inspection


def restore_from(source: Path) -> Path:
    """Replace the current database's contents with a backup; returns the pre-restore copy."""
    path = _sqlite_path()
    location = current_location()
    check_backup_file(source)
    if source.resolve() == path.resolve():
        raise BackupError("不能用数据库自身恢复")
    before = backup_now("before-restore", path)
    database = m.db_proxy.obj
    database.close()
    src = sqlite3.connect(f"file:{quote(str(source.resolve()))}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(path), timeout=5)
        try:
            src.backup(dst)  # one transaction on the destination: all of it or none
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise BackupError(f"恢复失败，数据库未改变：{exc}") from exc
    finally:
        src.close()
    # An older backup is upgraded on opening, as any older database is (after its own copy).
    from partybuild.store.database import open_database

    open_database(location=location)
    with m.db_proxy.obj.atomic():
        audit.log(
            "db_restore",
            None,
            None,
            source.name,
            note=f"从“{source}”恢复；恢复前的数据库已备份为“{before.name}”",
        )
    return before
