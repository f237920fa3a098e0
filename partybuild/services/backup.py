"""Backups and restore of an SQLite database, always through SQLite's online backup API.

Automatic copies go to a ``backups`` folder beside the database file — before every import,
restore and schema upgrade, and once a day on the first start — and only the newest N are kept
(setting ``backup_keep``, default 30). Every copy is written to a private temporary file beside
its target, verified with ``PRAGMA integrity_check`` and only then given its name: a copy that
exists is complete and good (a damaged database gives no "good" copy, it is refused).

A restore loses nothing (:func:`restore_file`): the backup is checked (ours, intact, not newer),
copied aside, upgraded and given its 恢复数据库 audit entry — all before the live database is
touched. Then the live database's write lock is taken and held: under it the current contents are
copied to ``backups/…-before-restore-…`` (so a write another process committed while the restore
waited is in that copy), and the prepared contents replace them in the same, single transaction.
A kill at any moment leaves the database before or after, and "after" includes the audit entry.
A shared PostgreSQL database is backed up on its server (pg_dump).

The app takes the day's copy in a background thread once its window is up (``ui/app.py``), with
the same guarantees; a quit meanwhile abandons it (``cancel``: the copy stops within a step, the
check is interrupted, the temporary file removed, no copy named) and the next start takes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import peewee as pw

from partybuild.services import audit
from partybuild.services.errors import storage_message
from partybuild.store import database as store
from partybuild.store import models as m
from partybuild.store.database import (
    BUSY_TIMEOUT_MS,
    Cancel,
    Cancelled,
    CopyDamaged,
    DatabaseDamaged,
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


def _automatic_target(path: Path, reason: str) -> Path:
    target = backup_dir(path) / f"{path.stem}-{reason}-{dt.datetime.now().strftime(_STAMP)}.sqlite3"
    while target.exists():  # two copies in one microsecond: take the next
        target = (
            backup_dir(path) / f"{path.stem}-{reason}-{dt.datetime.now().strftime(_STAMP)}.sqlite3"
        )
    return target


def _prune(path: Path) -> None:
    keep = keep_count() if m.db_proxy.obj is not None else DEFAULT_KEEP
    copies = automatic_backups(path)
    for old in copies[: max(0, len(copies) - keep)]:
        old.unlink(missing_ok=True)


def backup_now(reason: str, db_path: Path | None = None, cancel: Cancel | None = None) -> Path:
    """An automatic copy (``reason`` like ``import``, ``daily``), then prune to the newest N.

    The copy is verified before it gets its name; a damaged database raises BackupError with the
    damage line (and no copy is kept), a full disk or a read-only folder one line saying so.
    Setting ``cancel`` meanwhile raises :class:`Cancelled` with nothing kept.
    """
    path = db_path or _sqlite_path()
    target = _automatic_target(path, reason)
    try:
        backup_sqlite(path, target, cancel=cancel)
    except Cancelled:
        raise
    except CopyDamaged as exc:
        raise BackupError(str(DatabaseDamaged(path, str(exc)))) from exc
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"{_write_problem(exc, target)}，请腾出空间或检查权限后重试") from exc
    _prune(path)
    return target


def daily_backup_due(db_path: Path | None = None) -> bool:
    """No automatic copy of this database was made today (and there is something to copy)."""
    path = db_path or _sqlite_path()
    if not path.exists() or path.stat().st_size == 0:
        return False
    today = dt.date.today().strftime("%Y%m%d")
    return not any(f"-{today}-" in p.name for p in automatic_backups(path))


def daily_backup_if_due(db_path: Path | None = None, cancel: Cancel | None = None) -> Path | None:
    """The first start of a day copies the database (if there is anything to copy)."""
    path = db_path or _sqlite_path()
    if not daily_backup_due(path):
        return None
    return backup_now("daily", path, cancel=cancel)


def backup_to(target: Path) -> Path:
    """An explicit backup into a file of the user's choosing (never over an existing file).

    Written to a private temporary file in the target's folder, verified, fsynced and linked to
    its name: after a kill, a full disk or an error there is nothing at ``target``.
    """
    source = _sqlite_path()
    if target.exists():
        raise BackupError(f"“{target}”已存在，为避免覆盖，请换一个文件名")
    if target.resolve() == source.resolve():
        raise BackupError("备份文件不能是数据库本身")
    if not target.parent.is_dir():
        raise BackupError(f"文件夹“{target.parent}”不存在，未备份")
    try:
        backup_sqlite(source, target)
    except CopyDamaged as exc:
        raise BackupError(f"未备份：{DatabaseDamaged(source, str(exc))}") from exc
    except FileExistsError as exc:
        raise BackupError(f"“{target}”已存在，为避免覆盖，请换一个文件名") from exc
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"未备份：{_write_problem(exc, target)}") from exc
    return target


def _write_problem(exc: BaseException, target: Path) -> str:
    import errno

    if isinstance(exc, OSError):
        reason = {
            errno.ENOSPC: "磁盘空间已满",
            errno.EACCES: "没有权限",
            errno.EPERM: "没有权限",
            errno.EROFS: "文件夹只读",
        }.get(exc.errno or 0, exc.strerror or str(exc))
        return f"无法写入“{target}”：{reason}"
    from partybuild.services.errors import storage_kind

    kind = storage_kind(exc)
    if kind == "full":
        return f"无法写入“{target}”：磁盘空间已满"
    if kind in ("readonly", "cantopen", "permission"):
        return f"无法写入“{target}”：文件夹不可写或没有权限"
    return storage_message(exc, target)


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
    """Replace the open database's contents with a backup and reopen it; the pre-restore copy."""
    path = _sqlite_path()
    location = current_location()
    if source.resolve() == path.resolve():
        raise BackupError("不能用数据库自身恢复")
    check_backup_file(source)
    m.db_proxy.obj.close()
    try:
        return restore_file(path, source)
    finally:
        from partybuild.store.database import open_database

        open_database(location=location)


def live_state(path: Path) -> str:
    """What is at the database path: ``missing``/``empty``, ``ok``, or ``damaged``.

    Anything else (not a database, another application's, newer) is refused with BackupError:
    a restore replaces a partybuild database, damaged or not, never someone else's file.
    """
    try:
        inspection = inspect_sqlite(path)
    except DatabaseDamaged:
        return "damaged"
    except DatabaseRefused as exc:
        raise BackupError(f"不能恢复到“{path}”：{exc}") from exc
    if inspection.empty:
        return "empty"
    try:
        problem = store.check_sqlite(path)
    except sqlite3.Error as exc:
        raise BackupError(f"无法恢复：{storage_message(exc, path)}") from exc
    return "ok" if problem is None else "damaged"


def restore_file(path: Path, source: Path) -> Path:
    """Restore ``source`` into the database file ``path`` (no connection of ours may be open).

    Returns the copy of the database as it was just before (``…-before-restore-…``, or
    ``…-before-restore-damaged-…`` when it failed its check: kept, but never offered as good).
    """
    if source.resolve() == path.resolve():
        raise BackupError("不能用数据库自身恢复")
    check_backup_file(source)
    state = live_state(path)
    reason = "before-restore-damaged" if state == "damaged" else "before-restore"
    before = _automatic_target(path, reason)
    store.remove_stale_temps(path.parent)
    try:
        before.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        store.remove_stale_temps(before.parent)
        after = _prepare_after(path, source, before)
    except (OSError, sqlite3.Error, pw.PeeweeException, CopyDamaged) as exc:
        raise BackupError(f"恢复失败，数据库未改变：{_write_problem(exc, path)}") from exc
    try:
        if state == "ok":
            _swap_under_lock(path, after, before)
        else:
            _copy_over(path, after, before, verify_before=False)
    except BackupError:
        raise
    except (OSError, sqlite3.Error, CopyDamaged) as exc:
        raise BackupError(f"恢复失败，数据库未改变：{_write_problem(exc, path)}") from exc
    finally:
        store._remove_temp(after)
    _prune(path)
    return before


def _prepare_after(path: Path, source: Path, before: Path) -> Path:
    """A private copy of the backup beside the database, upgraded to this schema, holding the
    restore's audit entry: exactly the contents the database will have after the restore."""
    src = sqlite3.connect(f"file:{quote(str(source.resolve()))}?mode=ro", uri=True)
    try:
        temp = store.copy_into_temp(src, path)
    finally:
        src.close()
    copy = pw.SqliteDatabase(str(temp), pragmas={"foreign_keys": 1})
    previous = m.db_proxy.obj
    try:
        m.db_proxy.initialize(copy)
        copy.connect()
        if inspect_sqlite(temp).pending:
            store._migrate(copy)
        with copy.atomic():
            audit.log(
                "db_restore",
                None,
                None,
                source.name,
                note=f"从“{source}”恢复；恢复前的数据库已备份为“{before.name}”",
            )
    except BaseException:
        copy.close()
        store._remove_temp(temp)
        raise
    finally:
        copy.close()
        m.db_proxy.initialize(previous)
    return temp


def _tables(con: sqlite3.Connection, schema: str) -> dict[str, str]:
    return {
        name: sql
        for name, sql in con.execute(
            f"SELECT name, sql FROM {schema}.sqlite_master "
            "WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%'"
        )
    }


def _swap_under_lock(path: Path, after: Path, before: Path) -> None:
    """Under the live database's write lock: copy it to ``before``, then replace its contents with
    ``after`` in the same transaction. Nobody can commit between the copy and the replacement."""
    live = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        live.execute("ATTACH DATABASE ? AS restored", (str(after),))
        if _tables(live, "main") != _tables(live, "restored"):
            # The live file has another schema version than the prepared copy: replace it whole.
            live.close()
            _copy_over(path, after, before, verify_before=True)
            return
        try:
            live.execute("BEGIN IMMEDIATE")  # waits (busy timeout) for a writer to finish
        except sqlite3.OperationalError as exc:
            raise BackupError(f"未恢复：{storage_message(exc, path)}") from exc
        try:
            # A second connection reads the last committed state, which nobody can change now.
            reader = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                temp = store.copy_into_temp(reader, before)
            finally:
                reader.close()
            store.publish(temp, before)
            tables = [
                r[0]
                for r in live.execute(
                    "SELECT name FROM main.sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for table in tables:
                columns = ", ".join(
                    f'"{r[1]}"' for r in live.execute(f'PRAGMA main.table_info("{table}")')
                )
                live.execute(f'DELETE FROM main."{table}"')
                live.execute(
                    f'INSERT INTO main."{table}" ({columns}) '
                    f'SELECT {columns} FROM restored."{table}"'
                )
            if _has_sequence(live, "restored") and _has_sequence(live, "main"):
                live.execute("DELETE FROM main.sqlite_sequence")
                live.execute(
                    "INSERT INTO main.sqlite_sequence (name, seq) "
                    "SELECT name, seq FROM restored.sqlite_sequence"
                )
            live.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                live.execute("ROLLBACK")
            raise
    finally:
        live.close()


def _has_sequence(con: sqlite3.Connection, schema: str) -> bool:
    return (
        con.execute(
            f"SELECT count(*) FROM {schema}.sqlite_master WHERE name = 'sqlite_sequence'"
        ).fetchone()[0]
        > 0
    )


def _copy_over(path: Path, after: Path, before: Path, *, verify_before: bool) -> None:
    """Replace a damaged, empty or other-schema database file whole, with the backup API (one
    transaction on the destination). The current file is copied aside first, if there is one."""
    if path.exists() and path.stat().st_size > 0:
        reader = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            if verify_before:
                temp = store.copy_into_temp(reader, before)
            else:  # a damaged file is kept as it is: the only record of what was there
                temp = store.copy_into_temp(reader, before, verify=False)
        finally:
            reader.close()
        store.publish(temp, before)
    src = sqlite3.connect(f"file:{quote(str(after.resolve()))}?mode=ro", uri=True)
    try:
        store._create_private(path)
        dst = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
