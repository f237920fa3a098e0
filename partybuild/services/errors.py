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
