"""The order of names on printed lists and exports: 姓氏笔画, 拼音 or 录入顺序.

The default is kept with the data (the ``Setting`` table), so the app's print dialogs, its export
and the CLI's ``print``/``export`` start from the same order for everyone using the database;
each print or export can still choose another (``--order``, the dialogs' 排序 choice).
"""

from __future__ import annotations

from partybuild.domain import collation
from partybuild.services.errors import ValidationError
from partybuild.store import models as m

SETTING_KEY = "lists/name_order"
ORDER_CODES: tuple[str, ...] = tuple(code for code, _label in collation.NAME_ORDERS)


def check_order(order: str) -> str:
    """``order`` if it is one of stroke / pinyin / entry, else a refusal naming the choices."""
    if order not in ORDER_CODES:
        choices = "、".join(f"{code}（{label}）" for code, label in collation.NAME_ORDERS)
        raise ValidationError({"order": f"排序方式应为 {choices} 之一：{order}"}, {"order": "排序"})
    return order


def default_order() -> str:
    """The database's default order of names (姓氏笔画 unless the park chose another)."""
    row = m.Setting.get_or_none(m.Setting.key == SETTING_KEY)
    if row is not None and row.value in ORDER_CODES:
        return row.value
    return collation.DEFAULT_NAME_ORDER


def set_default_order(order: str) -> None:
    m.Setting.replace(key=SETTING_KEY, value=check_order(order)).execute()


def resolve(order: str | None) -> str:
    """The order asked for, or the default when none was."""
    return default_order() if order is None else check_order(order)
