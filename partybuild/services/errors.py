"""The errors a service call can answer with; each carries a message a user can act on."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import peewee as pw

T = TypeVar("T")


class ValidationError(Exception):
    """A refused write: field name → Chinese message. Nothing was written."""

    def __init__(self, errors: dict[str, str], labels: dict[str, str] | None = None) -> None:
        self.errors = dict(errors)
        self.labels = dict(labels or {})
        super().__init__(self.message())

    def message(self) -> str:
        parts = []
        for name, text in self.errors.items():
            label = self.labels.get(name, name)
            # Validators may already name the field ("身份证号校验位不正确"); don't say it twice.
            parts.append(
                text if name == "__all__" or text.startswith(label) else f"{label}：{text}"
            )
        return "；".join(parts)


class StaleRecordError(Exception):
    """Someone saved the record after it was opened; the update was not applied."""

    def __init__(
        self,
        title: str,
        current_version: int | None,
        updated_at: object = None,
        updated_by: str | None = None,
    ) -> None:
        self.current_version = current_version
        self.updated_at = updated_at
        self.updated_by = updated_by
        if current_version is None:
            text = f"“{title}”已被他人删除，未保存本次修改"
        else:
            who = updated_by or "他人"
            when = f"于 {updated_at:%Y-%m-%d %H:%M:%S} " if updated_at is not None else ""
            text = f"“{title}”已被{who}{when}修改，为避免覆盖，本次修改未保存。请重新载入后再改"
        super().__init__(text)


class RecordNotFound(Exception):
    """No such record (or it is in the recycle bin when a live one was asked for)."""


class StorageBusy(pw.OperationalError):
    """Another writer held the database past the busy timeout; nothing was written.

    A subclass of peewee's OperationalError so every place that already reports database
    errors shows this Chinese message instead of SQLite's "database is locked".
    """

    def __init__(self) -> None:
        super().__init__("数据库正被其他人写入（等待 5 秒后仍未释放），本次操作未保存，请稍后重试")


def is_busy(exc: pw.OperationalError) -> bool:
    """SQLite's "database is locked" / "busy": another writer kept the lock past the timeout."""
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def busy_as_storage_busy(function: Callable[..., T]) -> Callable[..., T]:
    """Turn SQLite's "database is locked" after the busy timeout into :class:`StorageBusy`."""

    @functools.wraps(function)
    def inner(*args: Any, **kwargs: Any) -> T:
        try:
            return function(*args, **kwargs)
        except pw.OperationalError as exc:
            if isinstance(exc, StorageBusy):
                raise
            if is_busy(exc):
                raise StorageBusy() from exc
            raise

    return inner


# --------------------------------------------------------------------------- permission


class PermissionDenied(pw.ProgrammingError):
    """The shared database refused the signed-in account (row-level security or no grant).

    Nothing was written. The message is one line saying what the role may do.
    """


def driver_error(exc: BaseException, attribute: str) -> BaseException:
    """The driver's own error behind a peewee one: the first in the chain that has ``attribute``
    (psycopg2's ``pgcode``, sqlite3's ``sqlite_errorname``), else ``exc`` itself.

    peewee re-raises with the original as ``args[0]``; other wrappers chain it as the cause.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, attribute, None):
            return current
        inner = current.args[0] if current.args else None
        current = (
            inner
            if isinstance(inner, BaseException)
            else (current.__cause__ or current.__context__)
        )
    return exc


def _pg_code(exc: BaseException) -> str | None:
    code = getattr(driver_error(exc, "pgcode"), "pgcode", None)
    return str(code) if code else None


def permission_message(exc: BaseException, role: str | None) -> str:
    text = str(exc)
    if "audit_log" in text:
        return "权限不足：操作日志只能追加，不能修改或删除"
    if role == "viewer":
        return "权限不足：查看账户只能查看，不能修改记录"
    if role == "office":
        return "权限不足：这项操作只有数据库所有者可以做"
    return "权限不足：只能修改本支部的记录"


def denied_as_permission_error(exc: pw.DatabaseError, database: object) -> pw.DatabaseError:
    """``exc`` itself, or a :class:`PermissionDenied` when the server refused the account.

    PostgreSQL's 42501 (insufficient_privilege) covers both a missing grant and a row that
    row-level security refuses ("new row violates row-level security policy").
    """
    if isinstance(exc, PermissionDenied) or _pg_code(exc) != "42501":
        return exc
    account = getattr(database, "partybuild_account", None)
    return PermissionDenied(permission_message(exc, getattr(account, "role", None)))


# --------------------------------------------------------------------------- storage errors


def _sqlite_error(exc: BaseException) -> BaseException:
    """The sqlite3 error behind a peewee one."""
    return driver_error(exc, "sqlite_errorname")


def storage_kind(exc: BaseException) -> str | None:
    """What went wrong with the storage, as one word; None when it is not a storage problem.

    busy · denied (the shared database refused the account) · full · readonly · permission ·
    damaged · cantopen · io · conflict · missing
    """
    import errno

    if isinstance(exc, StorageBusy):
        return "busy"
    if isinstance(exc, PermissionDenied):
        return "denied"
    if isinstance(exc, OSError):
        return {
            errno.ENOSPC: "full",
            errno.EDQUOT: "full",
            errno.EFBIG: "full",
            errno.EROFS: "readonly",
            errno.EACCES: "permission",
            errno.EPERM: "permission",
            errno.ENOENT: "missing",
            errno.EIO: "io",
        }.get(exc.errno or 0, "io")
    original = _sqlite_error(exc)
    name = getattr(original, "sqlite_errorname", "") or ""
    text = str(original).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return "busy"
    if name == "SQLITE_FULL" or "disk is full" in text or "cannot rollback" in text:
        # "cannot rollback - no transaction is active": SQLite already rolled back after a full disk
        return "full"
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return "readonly"
    if name.startswith("SQLITE_PERM") or name == "SQLITE_AUTH":
        return "permission"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return "damaged"
    if "not a database" in text:
        return "damaged"
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return "cantopen"
    if name.startswith("SQLITE_IOERR") or "disk i/o" in text:
        return "io"
    if name.startswith("SQLITE_CONSTRAINT") or isinstance(exc, pw.IntegrityError):
        return "conflict"
    return None


def storage_message(exc: BaseException, where: object = None) -> str:
    """One line of Chinese for a storage failure, saying what happened and what to do.

    ``where`` is the database file (or any location with ``display()``); a damaged database is
    described by :class:`partybuild.store.database.DatabaseDamaged` with its newest good backup.
    """
    import os
    from pathlib import Path

    kind = storage_kind(exc)
    if hasattr(where, "display"):
        place = where.display()  # type: ignore[union-attr]
        path = getattr(where, "path", None)
    else:
        place = str(where) if where is not None else "数据库"
        path = Path(where) if isinstance(where, (str, os.PathLike)) else None
    name = f"“{place}”"
    folder = f"“{path.parent}”" if path is not None else "所在文件夹"
    if kind == "denied":
        return str(exc)
    if kind == "busy":
        return (
            f"数据库{name}正被其他程序占用（等待 5 秒后仍未释放），本次操作未做任何改动："
            "请关闭其他正在使用它的窗口或程序后重试"
        )
    if kind == "full":
        return f"磁盘空间已满，无法写入{name}，本次操作未做任何改动：请腾出磁盘空间后重试"
    if kind == "readonly" or (
        kind in ("cantopen", "permission") and path is not None and not _writable(path)
    ):
        folder_writable = path is not None and os.access(path.parent, os.W_OK | os.X_OK)
        if folder_writable and path is not None and path.exists():
            return (
                f"数据库文件{name}是只读的，无法写入，未做任何改动：请取消它的只读属性或换一个文件"
            )
        return (
            f"数据库所在文件夹{folder}不可写（SQLite 需要在数据库旁建立 -wal、-shm 文件），"
            "未做任何改动：请修改文件夹权限，或把数据库复制到可写的文件夹后再用"
        )
    if kind == "permission":
        return f"没有权限读写{name}，未做任何改动：请检查文件的权限"
    if kind == "damaged":
        if path is not None:
            from partybuild.store.database import damaged_message, newest_good_backup

            return damaged_message(path, str(_sqlite_error(exc)), newest_good_backup(path))
        return f"数据库{name}已损坏（{_sqlite_error(exc)}）：请用 partybuild restore 从备份恢复"
    if kind == "missing":
        return f"找不到{name}（{getattr(exc, 'filename', '') or exc}）：请检查路径"
    if kind == "cantopen":
        return f"无法打开数据库{name}：请检查路径和权限"
    if kind == "io":
        return f"读写{name}时发生磁盘错误（{exc}），操作未完成：请检查磁盘或存储设备后重试"
    if kind == "conflict":
        return (
            f"写入{name}时与其他同时进行的修改冲突（例如同一文件被同时导入两次），"
            "未写入任何数据：请稍后重新操作"
        )
    return f"数据库{name}出错：{exc}"


def _writable(path: object) -> bool:
    import os
    from pathlib import Path

    target = Path(path)  # type: ignore[arg-type]
    folder_ok = os.access(target.parent, os.W_OK | os.X_OK)
    return folder_ok and (not target.exists() or os.access(target, os.W_OK))
