"""What the user says about a file's columns: ``--map`` on the command line, the wizard's 列对应
step, and the choices remembered per header set.

``--map`` is a comma-separated list of ``A=B`` items (DESIGN.md's CLI contract, issue 11):

- ``文件列=字段`` — the file's column 文件列 fills the field 字段 (its label or header, as the
  template writes it): ``--map "党籍状态=类别"``;
- ``文件列=不导入`` — the column is not imported: ``--map "人员类别=不导入"``;
- ``字段=值`` — the file has no column for 字段 and every row gets 值:
  ``--map "类别=正式党员"``. Which form an item is follows from its right side: a field name or
  不导入 makes it a column item, anything else a value.

A mapping names fields of a ledger, so without ``--ledger`` it applies to the sheets whose ledger
has every field it names; an item that applies to no sheet of the file is refused (exit 2), as is
a name that is neither a column of the file nor a field.

Remembered mappings live in the database's ``Setting`` table under a key made of the ledger and a
hash of the file's cleaned header list, so the next file of the same shape opens with the same
choices in the wizard (the command line uses only what it is given; see :func:`remembered`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from partybuild.exchange import read as rd
from partybuild.exchange import sheets as lay
from partybuild.exchange.sheets import SheetSpec, XColumn

NOT_IMPORTED = "不导入"
_NOT_IMPORTED = frozenset({NOT_IMPORTED, "忽略", "不用", "跳过"})
_SPLIT = re.compile(r"[,，;；\n]")
SETTING_PREFIX = "import_mapping"


class MappingError(ValueError):
    """A mapping that cannot be used: one Chinese line naming what (exit 2)."""


@dataclass
class SheetMapping:
    """The wizard's choices for one sheet: physical column → field key (None: 不导入), and
    fields without a column that take a value for every row (field key → value as a label)."""

    ledger: str
    columns: dict[int, str | None] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    # Where the header was found and what it says (from the first reading of the file).
    rows: tuple[int, ...] = ()
    headers: dict[int, str] = field(default_factory=dict)

    def as_json(self, headers: Sequence[str]) -> str:
        return json.dumps(
            {
                "headers": list(headers),
                "columns": {str(i): key for i, key in sorted(self.columns.items())},
                "constants": self.constants,
            },
            ensure_ascii=False,
        )


@dataclass
class Resolved:
    """A mapping as it applies to one sheet spec: by cleaned header or by column index."""

    by_header: dict[str, XColumn | None] = field(default_factory=dict)
    by_index: dict[int, XColumn | None] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)  # XColumn.key → parsed value
    shown: dict[str, str] = field(default_factory=dict)  # XColumn.key → value as given
    items: dict[str, int] = field(default_factory=dict)  # cleaned header → item number
    constant_items: dict[str, int] = field(default_factory=dict)  # key → item number

    def forced(self, index: int, text: str) -> tuple[bool, XColumn | None]:
        """(whether the user said something about this column, the column it fills or None)."""
        if index in self.by_index:
            return True, self.by_index[index]
        if text in self.by_header:
            return True, self.by_header[text]
        return False, None


@dataclass
class Mapping:
    """``--map`` items (by header and field name) and/or the wizard's choices (by sheet)."""

    columns: list[tuple[str, str | None]] = field(default_factory=list)
    constants: list[tuple[str, str]] = field(default_factory=list)
    sheets: dict[str, SheetMapping] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)  # each item as typed, for messages
    used: set[int] = field(default_factory=set)  # positions in ``text`` of the items used
    # Position in ``text`` of each of ``columns`` and of ``constants``.
    column_items: list[int] = field(default_factory=list)
    constant_items: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.columns or self.constants or self.sheets)

    def for_sheet(self, title: str, sheet_spec: SheetSpec, epoch: Any = None) -> Resolved | None:
        """The mapping for one sheet read as ``sheet_spec``; None when it does not apply there."""
        chosen = self.sheets.get(title)
        if chosen is not None:
            if chosen.ledger != sheet_spec.name:
                return None
            return _resolve_sheet(chosen, sheet_spec, epoch)
        if not self.columns and not self.constants:
            return None
        return self.resolve(sheet_spec, epoch)

    def resolve(self, sheet_spec: SheetSpec, epoch: Any = None) -> Resolved | None:
        """The ``--map`` items for ``sheet_spec``; None when it lacks a field they name or a
        fixed value does not fit its field."""
        result = Resolved()
        for number, (header, target) in enumerate(self.columns):
            col: XColumn | None = None
            if target is not None:
                col = sheet_spec.by_name.get(rd.clean_header(target))
                if col is None:
                    return None
            result.by_header[rd.clean_header(header)] = col
            result.items[rd.clean_header(header)] = self._item(self.column_items, number)
        for offset, (name, value) in enumerate(self.constants):
            col = sheet_spec.by_name.get(rd.clean_header(name))
            if col is None:
                return None
            try:
                parsed = constant_value(col, value, epoch)
            except MappingError:
                return None
            result.constants[col.key] = parsed
            result.shown[col.key] = value
            result.constant_items[col.key] = self._item(self.constant_items, offset)
        return result

    @staticmethod
    def _item(positions: list[int], number: int) -> int:
        return positions[number] if number < len(positions) else -1

    def check_for(self, sheet_spec: SheetSpec) -> None:
        """With ``--ledger``: every item must name a field of that ledger, every value fit."""
        unknown = []
        for header, target in self.columns:
            if target is not None and rd.clean_header(target) not in sheet_spec.by_name:
                unknown.append(f"“{target}”（{header}={target}）")
        for name, value in self.constants:
            col = sheet_spec.by_name.get(rd.clean_header(name))
            if col is None:
                unknown.append(f"“{name}”（{name}={value}）")
                continue
            constant_value(col, value)
        if unknown:
            raise MappingError(
                f"--map 中的{'、'.join(unknown)}不是“{sheet_spec.label}”的字段"
                f"（可用：{'、'.join(field_names(sheet_spec))}）"
            )

    def unused(self) -> list[str]:
        return [t for i, t in enumerate(self.text) if i not in self.used]


def field_names(sheet_spec: SheetSpec) -> list[str]:
    return list(dict.fromkeys(c.label for c in sheet_spec.columns if not c.info))


def constant_value(col: XColumn, value: str, epoch: Any = None) -> Any:
    """A fixed value given for a field, parsed like a cell of its column."""
    try:
        parsed = rd.parser(col.kind, col.vocabulary, epoch)(value)
    except rd.CellError as exc:
        raise MappingError(f"--map 中“{col.label}={value}”：{exc}") from None
    if parsed is None:
        raise MappingError(f"--map 中“{col.label}=”没有给出值")
    return parsed


def _resolve_sheet(chosen: SheetMapping, sheet_spec: SheetSpec, epoch: Any) -> Resolved:
    result = Resolved()
    for index, key in chosen.columns.items():
        result.by_index[index] = sheet_spec.by_key.get(key) if key is not None else None
    for key, value in chosen.constants.items():
        col = sheet_spec.by_key.get(key)
        if col is not None:
            result.constants[key] = constant_value(col, value, epoch)
            result.shown[key] = value
    return result


def all_field_names(specs: Iterable[SheetSpec]) -> set[str]:
    return {name for s in specs for name in s.by_name}


def parse_map(items: str | Sequence[str], ledger: str | None = None) -> Mapping:
    """``--map`` text (one or several arguments) → a :class:`Mapping`; MappingError if malformed
    or naming a field that no ledger (or not ``ledger``) has."""
    texts = [items] if isinstance(items, str) else list(items)
    specs = [lay.sheet(ledger)] if ledger else list(lay.SHEETS.values())
    names = all_field_names(specs)
    result = Mapping()
    for text in texts:
        for raw in _SPLIT.split(text):
            item = raw.strip()
            if not item:
                continue
            left, sep, right = item.replace("＝", "=").partition("=")
            left, right = left.strip(), right.strip()
            if not sep or not left:
                raise MappingError(
                    f"--map 中的“{item}”应写成“文件列=字段”、“文件列=不导入”或“字段=值”"
                )
            position = len(result.text)
            if right in _NOT_IMPORTED:
                result.columns.append((left, None))
                result.column_items.append(position)
            elif rd.clean_header(right) in names:
                result.columns.append((left, right))
                result.column_items.append(position)
            elif rd.clean_header(left) in names and right:
                result.constants.append((left, right))
                result.constant_items.append(position)
            else:
                where = f"“{lay.sheet(ledger).label}”的" if ledger else "任何台账的"
                raise MappingError(
                    f"--map 中的“{item}”：“{right or left}”不是{where}字段，也不是“不导入”"
                )
            result.text.append(item)
    if ledger:
        result.check_for(lay.sheet(ledger))
    else:  # a fixed value must fit its field in at least one ledger
        for name, value in result.constants:
            errors = []
            for sheet_spec in specs:
                col = sheet_spec.by_name.get(rd.clean_header(name))
                if col is None:
                    continue
                try:
                    constant_value(col, value)
                except MappingError as exc:
                    errors.append(exc)
                else:
                    break
            else:
                if errors:
                    raise errors[0]
    return result


def as_map_text(sheet_spec: SheetSpec, headers: Sequence[str], chosen: SheetMapping) -> str:
    """The ``--map`` argument that makes the command line do what the wizard's choice does."""
    parts = []
    for index, key in sorted(chosen.columns.items()):
        if index >= len(headers) or not headers[index]:
            continue
        col = sheet_spec.by_key.get(key) if key else None
        parts.append(f"{headers[index]}={col.label if col else NOT_IMPORTED}")
    for key, value in chosen.constants.items():
        col = sheet_spec.by_key.get(key)
        if col is not None:
            parts.append(f"{col.label}={value}")
    return ",".join(parts)


# --------------------------------------------------------------------------- remembered


def header_key(ledger: str, headers: Sequence[str]) -> str:
    """The Setting key of a header set: the ledger and a hash of the cleaned headers in order."""
    cleaned = "\x1f".join(rd.clean_header(h) for h in headers)
    digest = hashlib.sha256(cleaned.encode("utf-8")).hexdigest()[:24]
    return f"{SETTING_PREFIX}:{ledger}:{digest}"


def remembered(ledger: str, headers: Sequence[str]) -> SheetMapping | None:
    """The choice saved for this ledger and header set, if any (bound database needed).

    Only the wizard uses it, to pre-fill its 列对应 step where the user sees and confirms it; the
    command line does what its arguments say, so a script gives the same result on any database.
    """
    from partybuild.store import models as m

    row = m.Setting.get_or_none(m.Setting.key == header_key(ledger, headers))
    if row is None:
        return None
    try:
        data = json.loads(row.value)
        columns = {int(i): key for i, key in data.get("columns", {}).items()}
        constants = {str(k): str(v) for k, v in data.get("constants", {}).items()}
    except (ValueError, TypeError, AttributeError):
        return None  # a damaged entry is ignored, never trusted
    sheet_spec = lay.sheet(ledger)
    known = set(sheet_spec.by_key)
    columns = {i: k for i, k in columns.items() if k is None or k in known}
    constants = {k: v for k, v in constants.items() if k in known}
    return SheetMapping(ledger, columns, constants)


def remember(headers: Sequence[str], chosen: SheetMapping) -> None:
    """Save the wizard's choice for files with the same headers."""
    from partybuild.store import models as m

    key = header_key(chosen.ledger, headers)
    value = chosen.as_json(headers)
    database = m.db_proxy.obj
    with database.atomic():
        (
            m.Setting.insert(key=key, value=value)
            .on_conflict(conflict_target=[m.Setting.key], preserve=[m.Setting.value])
            .execute()
        )
