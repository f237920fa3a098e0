"""Importing Excel ledgers: read the file, plan every row, then write all of it or nothing.

1. **Read** (:func:`read_file`, no database): each sheet is recognised as a ledger by its name and
   headers; the header row is found within the first rows (a title above it, a second header row
   below it); 序号 columns, blank rows, 填报人/审核人 footers and the template's example row are
   skipped; every cell is parsed by its column's kind (:mod:`excel_read`). Which column fills
   which field is settled from the headers (other systems' words are aliases; 【必填】, ``*``,
   （选填） and line breaks are stripped; 联系电话/手机 tries each part) and the values under
   them (:func:`settle`): rival or doubtful columns are decided by whether their values fit, or
   flagged; a sheet lacking a required field or a default of record (类别) says so once. The
   user's word — ``--map`` or the wizard's 列对应 step — comes as a :class:`Mapping`.
2. **Plan** (:func:`plan`): links are resolved by natural title — against the file's own rows
   first, then the database (one query per linked ledger; the keys of a sheet bound as one
   array) — and each row is cleaned by the same field cleaning and rules as the form
   (``services.records``), each distinct text of a column once. Every row
   becomes new / update / unchanged / invalid, with the reason in Chinese and the row number as
   Excel shows it. A key twice in one file makes both rows invalid, never an overwrite.
3. **Apply** (:func:`apply`): in one transaction, after an online backup of an SQLite database;
   new rows in bulk (``executemany`` on SQLite, the indexes of a table that more than doubles
   built after the insert; ``execute_values`` on PostgreSQL); with ``skip_invalid`` only the
   valid rows go in. Unchanged rows are not written; updates keep
   the record's id and bump its version.

Validation per row mirrors :func:`partybuild.services.records.validate` field for field, but finds
links and unique clashes in per-ledger dictionaries instead of three queries a row: 50,000 members
must import in seconds (see ``tests/benchmarks/bench_excel.py``). ``tests/exchange`` checks that the
two give the same answers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import peewee as pw
from openpyxl.utils import get_column_letter

from partybuild.domain import dates
from partybuild.exchange import read as rd
from partybuild.exchange import sheets as lay
from partybuild.exchange.mapping import (
    NOT_IMPORTED,
    Mapping,
    MappingError,
    Resolved,
    SheetMapping,
)
from partybuild.exchange.sheets import HeaderChoice, SheetSpec, XColumn
from partybuild.ledgers import spec
from partybuild.services import records
from partybuild.services.errors import is_busy
from partybuild.store import models as m

NEW, UPDATE, UNCHANGED, INVALID = "new", "update", "unchanged", "invalid"
STATES = (NEW, UPDATE, UNCHANGED, INVALID)
STATE_LABELS = {NEW: "新增", UPDATE: "更新", UNCHANGED: "未变", INVALID: "错误"}
HEADER_SCAN_ROWS = 20
QUIET_SHEETS = frozenset({"填写说明", "填表说明", "说明"})
CHUNK = 500  # values per IN-list (well under SQLite's bound-variable limit)
_SPACES = re.compile(r"[\s\u3000\xa0]+")
FOOTER = re.compile(
    r"^(填报人|填表人|制表人|审核人|审批人|负责人|联系人|统计人|经办人|填报单位|填报日期|制表日期|"
    r"填表日期|报送日期|单位盖章|盖章|注|备注|说明)\s*[:：]|^(合计|总计|小计)"
)
_BRACKETED = re.compile(r"^[（(【\[].*[)）】\]]$")
_SUFFIX = re.compile(r"^(.+?)[（(].*[)）]$")

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


class ImportCancelled(Exception):
    """The user cancelled; nothing was written."""


class ImportRefused(Exception):
    """The plan cannot be applied as it stands; nothing was written. The message says why.

    ``unusable`` marks a refusal by the storage (busy, full, read-only, damaged, a conflicting
    import at the same time), not by the file's content: exit code 2 rather than 1.
    """

    def __init__(self, message: str, *, unusable: bool = False) -> None:
        super().__init__(message)
        self.unusable = unusable


class _Err:
    """A cell that could not be parsed (its message is already among the row's reasons)."""

    def __repr__(self) -> str:
        return "<error>"


ERR = _Err()
_MISSING = object()


# --------------------------------------------------------------------------- the plan


@dataclass(eq=False, slots=True)
class PlannedRow:
    """One data row of a sheet and what the import will do with it."""

    sheet: SheetPlan
    row: int
    raw: tuple[Any, ...]
    parsed: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    state: str = ""
    reasons: list[str] = field(default_factory=list)
    record_id: int | None = None
    version: int | None = None
    revive: bool = False
    referenced: bool = False
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    title_key: tuple[Any, ...] | None = None
    failed: set[str] = field(default_factory=set)
    # The rows of the same file this row's links name (field → row), and the values it was
    # planned from (for duplicate keys, also when the row is invalid).
    links_to: dict[str, PlannedRow] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] | None = None  # stored values of an updated record (for 操作日志)

    @property
    def reason(self) -> str:
        return "；".join(dict.fromkeys(self.reasons))

    @property
    def where(self) -> str:
        return f"{self.sheet.title} 第 {self.row} 行"

    def summary(self) -> str:
        """What happens to the row, in a few words (the preview's 说明 column)."""
        if self.state == INVALID:
            return self.reason
        if self.state == UPDATE:
            parts = [
                f"{label}：{old or '（空）'} → {new or '（空）'}"
                for label, old, new in self.changes
            ]
            return "；".join(parts) or "更新"
        return ""


@dataclass(eq=False)
class SheetPlan:
    """A sheet of the file recognised as a ledger (or link table)."""

    spec: SheetSpec
    title: str
    header: HeaderChoice
    width: int
    rows: list[PlannedRow] = field(default_factory=list)
    problem: str | None = None  # the whole sheet is refused (said once, rows not planned)
    # Columns the sheet lacks that its new rows need (a required field, a default of record):
    # each said once for the sheet; rows that update a stored record keep its values.
    gaps: list[str] = field(default_factory=list)
    gap_fields: set[str] = field(default_factory=set)
    skipped_blank: int = 0
    skipped_footer: int = 0
    skipped_example: int = 0
    extra_columns: list[str] = field(default_factory=list)
    _layout: Any = field(default=None, repr=False)
    _asked: list[XColumn] | None = field(default=None, repr=False)

    def asked_blank(self) -> list[XColumn]:
        """Columns present whose default states a fact of record (类别): a blank cell in them
        is not given the default silently."""
        if self._asked is None:
            self._asked = [
                c
                for c in self.header.mapping.values()
                if c.field and c.column is not None and c.column.confirm_default
            ]
        return self._asked

    @property
    def headers(self) -> list[str]:
        """The header of every physical column as the file writes it ('' where none)."""
        return [self.header.headers.get(i, "") for i in range(self.width)]

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)

    def layout(self) -> tuple[list[tuple[str, str]], list[tuple[str, str, tuple[str, ...], str]]]:
        """(field, parsed key) of the plain columns present, and (field, target, parsed keys,
        header as written) of the links present — worked out once per sheet, used per row."""
        if self._layout is None:
            present = self.header.present
            plain = [(c.field, c.key) for c in self.spec.columns if c.field and c.header in present]
            links = []
            for link in self.spec.links:
                cols = [self.spec.by_header[h] for h in link.headers]
                if not any(c.header in present for c in cols):
                    continue
                header = self.header.headers.get(_index_of(self.header, cols[0]), cols[0].header)
                links.append((link.field, link.target, tuple(c.key for c in cols), header))
            self._layout = (plain, links)
        return self._layout


@dataclass(frozen=True)
class ImportWarning:
    """A note about the file that does not stop the import (``import --json``'s ``warnings``)."""

    ledger: str | None
    sheet: str | None
    row: int | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {
            "ledger": self.ledger,
            "sheet": self.sheet,
            "row": self.row,
            "message": self.message,
        }

    def text(self) -> str:
        where = f"工作表“{self.sheet}”" if self.sheet else ""
        if self.row is not None:
            where += f"第 {self.row} 行"
        return f"{where}：{self.message}" if where else self.message


@dataclass(eq=False)
class ImportPlan:
    """Everything found in a file, and (after :func:`plan`) what importing it would do."""

    path: Path
    sheets: list[SheetPlan] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # notes on sheets not imported
    planned: bool = False
    # Sheet-level notes that are not errors: defaults applied, columns ignored, hidden sheets or
    # rows, merged ranges filled. Each is said once, with its row where it is about one row.
    warnings: list[ImportWarning] = field(default_factory=list)

    def warn(self, ledger: str | None, sheet: str | None, row: int | None, message: str) -> None:
        """Record a warning once (the same sentence about the same place is not repeated)."""
        note = ImportWarning(ledger, sheet, row, message)
        if note not in self.warnings:
            self.warnings.append(note)

    def rows(self) -> Iterator[PlannedRow]:
        for sheet in self.sheets:
            yield from sheet.rows

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for sheet in self.sheets:
            entry = result.setdefault(
                sheet.spec.name, {"new": 0, "updated": 0, "unchanged": 0, "invalid": 0}
            )
            for row in sheet.rows:
                key = {NEW: "new", UPDATE: "updated", UNCHANGED: "unchanged"}.get(
                    row.state, "invalid"
                )
                entry[key] += 1
        return result

    @property
    def invalid(self) -> list[PlannedRow]:
        return [r for r in self.rows() if r.state == INVALID]

    @property
    def to_write(self) -> int:
        return sum(1 for r in self.rows() if r.state in (NEW, UPDATE))

    def unknown_columns(self) -> list[dict[str, str]]:
        found = []
        for sheet in self.sheets:
            for text in [*sheet.header.unknown, *sheet.header.duplicate, *sheet.extra_columns]:
                found.append({"ledger": sheet.spec.name, "sheet": sheet.title, "column": text})
        return found

    def report(self, written: bool) -> dict[str, Any]:
        """The ``import --json`` object; its keys are a contract (issue 4)."""
        return {
            "written": written,
            "ledgers": self.counts(),
            "invalid_rows": [
                {
                    "ledger": r.sheet.spec.name,
                    "sheet": r.sheet.title,
                    "row": r.row,
                    "reason": r.reason,
                }
                for r in self.invalid
            ],
            "unknown_columns": self.unknown_columns(),
            "warnings": [w.as_json() for w in self.warnings],
        }


# --------------------------------------------------------------------------- reading


def read_file(
    path: Path | str,
    ledger: str | None = None,
    *,
    mapping: Mapping | None = None,
    guess_header: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportPlan:
    """Read and parse every recognised sheet (no database needed). Raises WorkbookRefused, or
    MappingError when ``mapping`` (``--map``, the wizard's choices) names what the file lacks.

    With ``ledger`` and ``guess_header`` (the wizard, before its 列对应 step), a sheet whose
    header is not recognised is still offered, its first row of several texts taken as the header
    for the user to map column by column; nothing of it is imported unless mapped."""
    path = Path(path)
    result = ImportPlan(path)
    candidates = _candidates(ledger)
    if mapping is not None and ledger is not None and (mapping.columns or mapping.constants):
        mapping.check_for(lay.sheet(ledger))
    with rd.bulk_work(), rd.open_workbook(path) as workbook:
        epoch = workbook.epoch
        sheets = rd.worksheets(workbook)
        if not sheets:
            raise rd.WorkbookRefused(f"“{path.name}”中没有工作表")
        hidden: list[str] = []
        for number, ws in enumerate(sheets):
            if progress:
                progress(number, len(sheets), f"读取工作表“{ws.title}”")
            if ws.hidden:
                # A hidden sheet is most often a stale copy or a lookup list: what the user sees
                # is what is imported.
                how = "深度隐藏（very hidden）" if ws.state == rd.VERY_HIDDEN else "隐藏"
                note = f"{how}的工作表，未导入（如需导入，请先取消隐藏）"
                hidden.append(f"工作表“{ws.title}”是{note}")
                result.warn(None, ws.title, None, note)
                continue
            sheet = _read_sheet(
                ws, candidates, ledger, epoch, result, cancel, mapping, guess_header
            )
            if sheet is not None:
                result.sheets.append(sheet)
    if mapping is not None and mapping.unused():
        names = "、".join(f"“{t}”" for t in mapping.unused())
        found = "；".join(
            f"工作表“{s.title}”：{'、'.join(h for h in s.headers if h)}" for s in result.sheets
        )
        raise MappingError(
            f"--map 中的{names}在文件中用不上：没有这样的列，或没有含该字段的台账"
            + (f"（{found}）" if found else "")
        )
    if not result.sheets:
        what = f"“{lay.sheet(ledger).label}”" if ledger else "任何台账"
        notes = "；".join([*result.ignored, *hidden])
        raise rd.WorkbookRefused(
            f"“{path.name}”中没有可识别为{what}的工作表（未找到表头）"
            + (f"：{notes}" if notes else "")
        )
    if ledger is None and {"members", "recruitment"} <= {s.spec.name for s in result.sheets}:
        # 发展党员 rows are member rows: beside a 党员 sheet they would be written twice.
        for sheet in [s for s in result.sheets if s.spec.name in lay.SEPARATE]:
            result.sheets.remove(sheet)
            result.ignored.append(
                f"工作表“{sheet.title}”是发展党员台账，与党员台账同在一个文件中，"
                "未导入（请单独导入：导入时选择“发展党员”）"
            )
    order = list(lay.SHEETS)
    result.sheets.sort(key=lambda s: order.index(s.spec.name))
    return result


def _candidates(ledger: str | None) -> list[SheetSpec]:
    if ledger is None:
        return list(lay.SHEETS.values())
    return [lay.sheet(ledger)]


# --------------------------------------------------------------------------- headers

_ALTERNATIVES = re.compile(r"[/／|｜]|或")
SAMPLE_ROWS = 12  # values of a column looked at to see whether they fit a field
SHOWN_SAMPLES = 3  # values of a column the wizard's 列对应 step shows
_FIT_RANK = {True: 2, None: 1, False: 0}


def _shown(cell: Any) -> str:
    """A header as the file writes it, on one line (line breaks in a header are layout)."""
    return "".join(str(cell).split())


def _map_row(
    row: Sequence[Any], sheet_spec: SheetSpec, forced: Resolved | None = None
) -> HeaderChoice:
    """Which columns a row's headers would fill. The first column claiming a field holds it for
    now; :func:`settle` decides between rivals once the values below are known."""
    choice = HeaderChoice(sheet_spec, ())
    for index, cell in enumerate(row):
        text = rd.clean_header(cell)
        if not text:
            continue
        shown = _shown(cell)
        choice.headers[index] = shown
        said, col = forced.forced(index, text) if forced is not None else (False, None)
        if said and col is None:
            choice.ignored.append(shown)
            continue
        claim = (col, lay.FORCED) if said and col is not None else _header_claim(text, sheet_spec)
        if claim is None:
            if text not in lay.IGNORED_HEADERS:
                choice.unknown.append(shown)
            continue
        choice.claims[index] = claim
        if claim[1] > lay.LOOSE and claim[0] not in choice.mapping.values():
            choice.mapping[index] = claim[0]
    return choice


def _header_claim(text: str, sheet_spec: SheetSpec) -> tuple[XColumn, int] | None:
    """The column a cleaned header names and how sure: the header itself, without a bracketed
    note (出生日期（年月日）), or one of the alternatives it offers (联系电话/手机)."""
    index = sheet_spec.header_priority
    found = index.get(text)
    if found is not None:
        return found
    match = _SUFFIX.match(text)  # 出生日期（年月日）, 党籍状态（正式党员或预备党员）
    if match:
        found = index.get(match[1])
        if found is not None:
            return found
    parts = [p for p in _ALTERNATIVES.split(text) if p]
    if len(parts) > 1:
        for part in parts:
            found = index.get(part)
            if found is not None:
                return found
    return None


def _header_column(text: str, sheet_spec: SheetSpec) -> XColumn | None:
    claim = _header_claim(text, sheet_spec)
    return claim[0] if claim is not None and claim[1] > lay.LOOSE else None


def _is_header_like(text: str, sheet_spec: SheetSpec) -> bool:
    return (
        text in lay.IGNORED_HEADERS
        or _header_claim(text, sheet_spec) is not None
        or bool(_BRACKETED.match(text))
    )


def choose_header(
    first: list[tuple[int, tuple[Any, ...]]],
    sheet_spec: SheetSpec,
    forced: Resolved | None = None,
) -> HeaderChoice | None:
    """The header row (or two rows) that best fits a sheet spec, within the first rows."""
    best: tuple[int, HeaderChoice] | None = None
    for position, (number, row) in enumerate(first):
        choice = _map_row(row, sheet_spec, forced)
        score = choice.score + sum(1 for _, p in choice.claims.values() if p == lay.FORCED)
        if score >= 2 and (best is None or choice.score > best[1].score):
            choice.rows = (number,)
            best = (position, choice)
    if best is None:
        return None
    position, choice = best
    # A two-row header: group labels above with the real headers below, or vertical merges.
    for neighbour, below in ((position - 1, False), (position + 1, True)):
        if not 0 <= neighbour < len(first):
            continue
        number, row = first[neighbour]
        gained: dict[int, tuple[XColumn, int]] = {}
        header_like = True
        for index, cell in enumerate(row):
            text = rd.clean_header(cell)
            if not text:
                continue
            claim = _header_claim(text, sheet_spec)
            if (
                claim is not None
                and claim[1] > lay.LOOSE
                and index not in choice.claims
                and claim[0] not in choice.mapping.values()
            ):
                gained[index] = claim
            elif not _is_header_like(text, sheet_spec) and (below or index not in choice.headers):
                header_like = False
        if gained and (header_like or not below):
            for index, claim in gained.items():
                old = choice.headers.get(index)
                if old is not None and old in choice.unknown:
                    choice.unknown.remove(old)  # a group label over the real header
                choice.claims[index] = claim
                choice.mapping[index] = claim[0]
                choice.headers[index] = _shown(row[index])
            choice.rows = tuple(sorted((*choice.rows, number)))
    return choice


def _guess_header(
    first: list[tuple[int, tuple[Any, ...]]],
    sheet_spec: SheetSpec,
    epoch: Any,
    forced: Resolved | None,
) -> HeaderChoice | None:
    """The first row with two or more texts, as a header to be mapped by hand."""
    for number, row in first:
        if sum(1 for c in row if isinstance(c, str) and c.strip()) >= 2:
            choice = _map_row(row, sheet_spec, forced)
            choice.rows = (number,)
            return settle(choice, first, epoch, forced)
    return None


def _chosen_header(chosen: SheetMapping, sheet_spec: SheetSpec, forced: Resolved) -> HeaderChoice:
    """The header exactly as the user mapped it in the wizard: its rows, column by column."""
    choice = HeaderChoice(sheet_spec, chosen.rows)
    choice.headers = dict(chosen.headers)
    for index, shown in sorted(chosen.headers.items()):
        if index in forced.by_index:
            col = forced.by_index[index]
            if col is None:
                choice.ignored.append(shown)
            else:
                choice.claims[index] = (col, lay.FORCED)
                choice.mapping[index] = col
        elif rd.clean_header(shown) not in lay.IGNORED_HEADERS:
            choice.unknown.append(shown)
    return choice


def column_gaps(
    sheet_spec: SheetSpec, present: set[str]
) -> tuple[list[str], list[XColumn], list[XColumn]]:
    """For a set of headers present: (required columns missing, defaults that need the user's
    word, other fields that will take their default)."""
    missing = sheet_spec.missing_keys(present)
    missing += [c.header for c in sheet_spec.required_columns() if c.header not in present]
    asked: list[XColumn] = []
    defaults: list[XColumn] = []
    for col in sheet_spec.default_columns():
        if col.header in present:
            continue
        assert col.column is not None
        (asked if col.column.confirm_default else defaults).append(col)
    return list(dict.fromkeys(missing)), asked, defaults


def settle(
    choice: HeaderChoice,
    first: list[tuple[int, tuple[Any, ...]]],
    epoch: Any = None,
    forced: Resolved | None = None,
) -> HeaderChoice:
    """Decide which column fills which field, from the headers and the values under them.

    A header that means something else in another system (owip's 人员类别, a staffing type) is
    taken only when its values fit the field; when two columns claim one field, the one whose
    values fit wins and the other is named in a warning; when that cannot tell them apart, the
    columns are flagged and the sheet refused until the user says (``--map``, the wizard). Then
    the fields the sheet lacks: required ones refuse the sheet, defaults of record (类别) need
    the user's word, other defaults are listed.
    """
    spec_ = choice.spec
    start = choice.data_start
    below = [(n, r) for n, r in first if n >= start]
    notes: list[int] = []
    for number, row in below:  # 必填/选填/格式 rows right under the header
        if all(rd.is_blank(c) for c in row):
            continue
        if not _is_annex(row, choice):
            break
        notes.append(number)
    choice.note_rows = tuple(notes)
    data = [r for n, r in below if n not in notes and not _is_footer(r)]
    for index in choice.headers:
        values = [r[index] for r in data if index < len(r) and not rd.is_blank(r[index])]
        choice.samples[index] = [_sample_text(v) for v in values[:SAMPLE_ROWS]]
    if forced is not None:
        choice.constants = dict(forced.constants)
        choice.constant_text = dict(forced.shown)
    groups: dict[str, list[tuple[int, int]]] = {}
    for index, (col, priority) in choice.claims.items():
        groups.setdefault(col.key, []).append((index, priority))
    mapping: dict[int, XColumn] = {}
    duplicate: list[str] = []
    for key, claims in groups.items():
        col = spec_.by_key[key]
        fits = {i: _fits(col, data, i, epoch) for i, _ in claims}
        users = [i for i, p in claims if p == lay.FORCED]
        if len(users) > 1:
            names = "、".join(f"“{choice.headers[i]}”" for i in users)
            choice.problems.append(f"{names}都对应到了“{col.label}”，只能选一列")
            for i in users:
                choice.ambiguous[i] = f"与其他列都对应到了“{col.label}”"
            continue
        if users:
            mapping[users[0]] = col
            duplicate += [
                f"{choice.headers[i]}（重复的列，已忽略）" for i, _ in claims if i != users[0]
            ]
            continue
        kept = []
        dropped = []
        for index, priority in claims:
            if priority == lay.LOOSE and fits[index] is not True:
                choice.unknown.append(choice.headers[index])
                if choice.samples.get(index):
                    dropped.append(index)
            else:
                kept.append((index, priority))
        if not kept:
            for index in dropped:
                choice.ambiguous[index] = (
                    f"值（{_examples(choice, index)}）不是“{col.label}”，未导入"
                )
                choice.warnings.append(
                    f"“{choice.headers[index]}”列的值（{_examples(choice, index)}）"
                    f"不是“{col.label}”，未导入；如该列就是{col.label}，"
                    f'请用 --map "{choice.headers[index]}={col.label}" 指定'
                )
            continue

        def rank(claim: tuple[int, int], fits: dict[int, bool | None] = fits) -> tuple[int, int]:
            return (_FIT_RANK[fits[claim[0]]], claim[1])

        kept.sort(key=rank, reverse=True)
        best = kept[0]
        rivals = [
            c
            for c in kept[1:]
            if rank(c) == rank(best)
            and rd.clean_header(choice.headers[c[0]]) != rd.clean_header(choice.headers[best[0]])
            and choice.samples.get(c[0]) != choice.samples.get(best[0])
        ]
        if rivals:
            indexes = [best[0], *(c[0] for c in rivals)]
            names = "、".join(f"“{choice.headers[i]}”" for i in indexes)
            hint = ",".join(
                f"{choice.headers[i]}={col.label if i == best[0] else NOT_IMPORTED}"
                for i in indexes
            )
            choice.problems.append(
                f"无法判断哪一列是“{col.label}”：{names}都可能是。"
                f'请用 --map 指定（如 --map "{hint}"），或在导入向导的“列对应”一步中选择'
            )
            for i in indexes:
                choice.ambiguous[i] = f"{names}都可能是“{col.label}”"
            continue
        mapping[best[0]] = col
        for index in dropped:
            choice.warnings.append(
                f"“{choice.headers[index]}”列的值（{_examples(choice, index)}）不是"
                f"“{col.label}”，已按“{choice.headers[best[0]]}”列导入{col.label}，"
                f"“{choice.headers[index]}”列未导入"
            )
            choice.ambiguous[index] = f"值不是“{col.label}”，已改用“{choice.headers[best[0]]}”"
        for index, _priority in kept[1:]:
            if fits[best[0]] is True and fits[index] is False:
                choice.warnings.append(
                    f"“{choice.headers[index]}”列的值（{_examples(choice, index)}）不是"
                    f"“{col.label}”，已按“{choice.headers[best[0]]}”列导入{col.label}，"
                    f"“{choice.headers[index]}”列未导入"
                )
                choice.unknown.append(choice.headers[index])
                choice.ambiguous[index] = f"值不是“{col.label}”，已改用“{choice.headers[best[0]]}”"
            else:
                duplicate.append(f"{choice.headers[index]}（重复的列，已忽略）")
    choice.mapping = dict(sorted(mapping.items()))
    choice.duplicate = duplicate
    for key in list(choice.constants):
        held = next((i for i, c in choice.mapping.items() if c.key == key), None)
        if held is not None:
            col = spec_.by_key[key]
            choice.problems.append(
                f"“{col.label}”已有“{choice.headers[held]}”列，又给了固定值"
                f"“{choice.constant_text.get(key, '')}”，只能选一种"
                f'（要用固定值，先写 --map "{choice.headers[held]}={NOT_IMPORTED}"）'
            )
    _gaps(choice)
    return choice


def _gaps(choice: HeaderChoice) -> None:
    """Required columns missing, defaults that need the user's word, and other defaults."""
    choice.missing, choice.asked, choice.defaults = column_gaps(choice.spec, choice.present)


def default_text(col: XColumn) -> str:
    assert col.column is not None
    value = col.column.field.default
    if col.vocabulary is not None:
        return col.vocabulary.label(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def default_question(col: XColumn, value: str | None = None) -> str:
    """The wizard's question for a default of record: 文件没有类别列，全部记为正式党员？"""
    return f"文件没有{col.label}列，全部记为{value or default_text(col)}？"


def _sheet_problems(choice: HeaderChoice) -> tuple[list[str], list[str], set[str]]:
    """What keeps rows out, each said once: (problems that refuse the whole sheet, gaps that
    refuse its new rows, the fields of those gaps). A row that updates a stored record keeps the
    stored value of a column the sheet leaves out, so only new rows are refused for a gap."""
    problems = list(choice.problems)
    keys = choice.spec.missing_keys(choice.present)
    if keys:
        problems.append(
            f"工作表缺少必需的列：{'、'.join(keys)}（可在文件中加上该列，或用 --map 指定哪一列是它）"
        )
    gaps: list[str] = []
    fields: set[str] = set()
    required = [h for h in choice.missing if h not in keys]
    if required:
        gaps.append(
            f"工作表缺少必填的列：{'、'.join(required)}，新增的行无法导入"
            f'（可在文件中加上该列，用 --map "文件列={required[0]}" 指定哪一列是它，'
            f'或用 --map "{required[0]}=值" 给每一行同一个值）'
        )
        fields.update(c.field for c in choice.spec.columns if c.header in required and c.field)
    for col in choice.asked:
        value = default_text(col)
        gaps.append(
            f"文件没有“{col.label}”列：新增的人员都会记为“{value}”，因此未导入。"
            f'加 --map "{col.label}={value}" 全部记为{value}，或在文件中加上该列'
        )
        if col.field:
            fields.add(col.field)
    return problems, gaps, fields


def _fits(col: XColumn, data: list[tuple[Any, ...]], index: int, epoch: Any) -> bool | None:
    """Whether most of a column's first values parse as the field (None: any text fits, or no
    values to judge by)."""
    if not col.checkable:
        return None
    parse = rd.parser(col.kind, col.vocabulary, epoch)
    good = total = 0
    for row in data:
        if index >= len(row) or rd.is_blank(row[index]):
            continue
        total += 1
        try:
            parse(row[index])
        except (ValueError, TypeError) as exc:  # CellError, or a cell of a kind the parser
            if isinstance(exc, rd.MonthOnly):  # does not take (a formula without its result)
                good += 1  # a date all the same, only imprecise
        else:
            good += 1
        if total >= SAMPLE_ROWS:
            break
    if not total:
        return None
    return good * 2 >= total


def _examples(choice: HeaderChoice, index: int) -> str:
    return "、".join(dict.fromkeys(choice.samples.get(index, [])[:SHOWN_SAMPLES]))


def _sample_text(value: Any) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    try:
        text = rd.cell_text(value) or ""
    except (ValueError, TypeError):
        text = str(value)
    return text if len(text) <= 24 else text[:23] + "…"


def _is_footer(row: Sequence[Any]) -> bool:
    for cell in row:
        if not rd.is_blank(cell):
            return type(cell) is str and bool(FOOTER.match(cell.strip()))
    return False


def nearest(
    first: list[tuple[int, tuple[Any, ...]]], candidates: list[SheetSpec]
) -> tuple[SheetSpec, list[str]] | None:
    """The ledger whose headers a sheet matched most, and the required columns it lacks."""
    best: tuple[int, SheetSpec, list[str]] | None = None
    for sheet_spec in candidates:
        for _number, row in first:
            choice = _map_row(row, sheet_spec)
            if not choice.mapping:
                continue
            choice.rows = (_number,)
            _gaps(choice)
            if best is None or choice.score > best[0]:
                best = (choice.score, sheet_spec, choice.missing)
    return (best[1], best[2]) if best is not None else None


def _read_sheet(
    ws: Any,
    candidates: list[SheetSpec],
    ledger: str | None,
    epoch: Any,
    result: ImportPlan,
    cancel: Cancel | None,
    mapping: Mapping | None = None,
    guess_header: bool = False,
) -> SheetPlan | None:
    title = str(ws.title)
    if rd.clean_header(title) in QUIET_SHEETS:
        return None  # a template's own instructions
    rows = rd.sheet_rows(ws)
    first: list[tuple[int, tuple[Any, ...]]] = []
    for number, row in rows:
        first.append((number, row))
        if len(first) >= HEADER_SCAN_ROWS:
            break
    if mapping is not None and title in mapping.sheets:
        candidates = [lay.sheet(mapping.sheets[title].ledger)]  # the user said which ledger
    elif ledger is not None:
        others = [s for s in lay.SHEETS.values() if s.name != ledger]
        if any(lay.sheet_names_match(s, title) for s in others) and not lay.sheet_names_match(
            candidates[0], title
        ):
            result.ignored.append(f"工作表“{title}”属于其他台账，本次只导入{candidates[0].label}")
            return None
    options = []
    forced_by_spec: dict[str, Resolved | None] = {}
    for sheet_spec in candidates:
        forced = mapping.for_sheet(title, sheet_spec, epoch) if mapping is not None else None
        forced_by_spec[sheet_spec.name] = forced
        chosen = mapping.sheets.get(title) if mapping is not None else None
        if chosen is not None and forced is not None and chosen.rows:
            choice = _chosen_header(chosen, sheet_spec, forced)
        else:
            choice = choose_header(first, sheet_spec, forced)
        if choice is None:
            continue
        settle(choice, first, epoch, forced)
        named = lay.sheet_names_match(sheet_spec, title)
        missing = sheet_spec.missing_keys(choice.present)
        # A list of people (姓名, 身份证号) under a training's name is its sign-in list, not a
        # list of trainings (owip's 参训人员录入样表).
        people = sheet_spec.name == "attendance" and bool({"姓名", "党员身份证号"} & choice.present)
        options.append((named, not missing, people, choice.score, sheet_spec, choice, missing))
    usable = [o for o in options if o[1] or o[0] or ledger is not None or len(candidates) == 1]
    if not usable and guess_header and ledger is not None:
        guessed = _guess_header(first, candidates[0], epoch, forced_by_spec.get(ledger))
        if guessed is not None:
            missing = candidates[0].missing_keys(guessed.present)
            usable = [(False, not missing, False, 0, candidates[0], guessed, missing)]
            guessed.warnings.insert(
                0,
                f"未找到“{candidates[0].label}”的表头，暂以第 {guessed.rows[0]} 行为表头，"
                "请在“列对应”中逐列选择",
            )
    if not usable:
        if any(not rd.is_blank(c) for _, row in first for c in row):
            close = nearest(first, candidates)
            hint = (
                f"（最接近“{close[0].label}”，缺少：{'、'.join(close[1])}）"
                if close is not None and close[1]
                else ""
            )
            result.ignored.append(f"工作表“{title}”未识别为任何台账{hint}，已忽略")
        return None
    usable.sort(key=lambda o: (o[0], o[1], o[2], o[3]), reverse=True)
    top = usable[0]
    tied = [o for o in usable if o[:4] == top[:4]]
    plain = [o for o in tied if o[4].name not in lay.SEPARATE]
    if len(tied) > 1 and len(plain) == 1:
        # A sheet that reads as 党员 and as 发展党员 alike is a roster unless it is named 发展党员.
        top = plain[0]
        usable = [top]
    if len(usable) > 1 and usable[1][:4] == top[:4]:
        names = "、".join(o[4].label for o in usable if o[:4] == top[:4])
        result.ignored.append(
            f"无法判断工作表“{title}”是哪个台账（{names}），请把工作表改名为台账名称后重新导入"
        )
        return None
    _named, _complete, _people, _score, sheet_spec, choice, _missing = top
    width = max([*choice.headers, *choice.mapping]) + 1
    sheet = SheetPlan(sheet_spec, title, choice, width)
    forced = forced_by_spec.get(sheet_spec.name)
    if mapping is not None and forced is not None:
        for index in choice.claims:  # the --map items this sheet used
            text = rd.clean_header(choice.headers.get(index, ""))
            if text in forced.items:
                mapping.used.add(forced.items[text])
        for text in map(rd.clean_header, choice.ignored):
            if text in forced.items:
                mapping.used.add(forced.items[text])
        mapping.used.update(forced.constant_items.values())
    problems, sheet.gaps, sheet.gap_fields = _sheet_problems(choice)
    if problems:
        sheet.problem = "；".join(problems)
    for message in choice.warnings:
        result.warn(sheet_spec.name, title, None, message)
    if choice.note_rows:
        rows_text = "、".join(str(n) for n in choice.note_rows)
        result.warn(
            sheet_spec.name,
            title,
            choice.note_rows[0],
            f"表头下的第 {rows_text} 行是填写说明（必填、选填、格式等），不是数据，已跳过",
        )
    constants = choice.constants
    examples = _example_signatures().get(sheet_spec.name, set())
    probe = _example_probe(sheet_spec.name, choice)
    # Each column's text cells are parsed once per distinct text: a roster's 50,000 学历, 民族,
    # 所属党组织 cells hold a few dozen words (the parse depends on the text alone). ID numbers
    # and phones are different in every row and not remembered.
    parsers = [
        (
            index,
            col.key,
            rd.parser(col.kind, col.vocabulary, epoch, rd.unit_of(sheet_spec.name, col.field)),
            choice.headers.get(index, col.header),
            col.link or col.field or col.key,
            None if col.kind in _UNREMEMBERED else {},
        )
        for index, col in choice.mapping.items()
    ]
    mapped = list(choice.mapping)
    stray: set[int] = set()
    data_rows = 0
    start = choice.data_start

    def all_rows() -> Iterator[tuple[int, tuple[Any, ...]]]:
        yield from first
        yield from rows

    for number, row in all_rows():
        if number < start:
            continue
        if cancel is not None and number % 2000 == 0 and cancel():
            raise ImportCancelled()
        length = len(row)
        for i in mapped:
            if i < length:
                cell = row[i]
                if cell is not None and (type(cell) is not str or cell.strip()):
                    break
        else:
            sheet.skipped_blank += 1
            continue
        if number in choice.note_rows:
            sheet.skipped_blank += 1
            continue
        first_text: Any = ""
        for cell in row:
            if cell is not None and (type(cell) is not str or cell.strip()):
                first_text = cell
                break
        if type(first_text) is str and FOOTER.match(first_text.strip()):
            sheet.skipped_footer += 1
            continue
        data_rows += 1
        if data_rows > rd.MAX_DATA_ROWS:
            raise rd.WorkbookRefused(
                f"工作表“{title}”超过 {rd.MAX_DATA_ROWS:,} 行数据，超出单次导入的上限，请拆分后分批导入"
            )
        if length > width:
            for index in range(width, length):
                if not rd.is_blank(row[index]):
                    stray.add(index)
            raw = tuple(row[:width])
        else:
            raw = tuple(row) + (None,) * (width - length)
        planned = PlannedRow(sheet, number, raw)
        parsed = planned.parsed
        for index, key, parse, header, fail, seen in parsers:
            value = raw[index]
            if value is None:
                parsed[key] = None
                continue
            if seen is not None and type(value) is str:
                got = seen.get(value, _MISSING)
                if got is _MISSING:
                    try:
                        got = parse(value)
                    except rd.CellError as exc:
                        got = _Refused(str(exc))
                    seen[value] = got
                if type(got) is _Refused:
                    parsed[key] = ERR
                    planned.failed.add(fail)
                    planned.reasons.append(_reason(header, str(got)))
                else:
                    parsed[key] = got
                continue
            if type(value) is rd.Formula:  # never read as empty: what it shows is unknown
                parsed[key] = ERR
                planned.failed.add(fail)
                cell = f"{get_column_letter(index + 1)}{number}"
                planned.reasons.append(f"“{header}”（{cell} 单元格）{rd.FORMULA_WITHOUT_VALUE}")
                continue
            try:
                parsed[key] = parse(value)
            except rd.CellError as exc:
                parsed[key] = ERR
                planned.failed.add(fail)
                planned.reasons.append(_reason(header, str(exc)))
        if constants:
            parsed.update(constants)  # fields the user gave one value for every row
        if (
            probe is not None
            and parsed.get(probe[0]) == probe[1]
            and _signature(planned, choice) in examples
        ):
            sheet.skipped_example += 1
            continue
        sheet.rows.append(planned)
    sheet.extra_columns = [
        f"第 {get_column_letter(i + 1)} 列（无表头，已忽略）" for i in sorted(stray)
    ]
    _sheet_notes(ws, sheet, start, result)
    return sheet


def _sheet_notes(ws: rd.Sheet, sheet: SheetPlan, start: int, result: ImportPlan) -> None:
    """What the reader noticed in a sheet, said once: merged ranges filled, hidden rows read, a
    long blank run that ended it."""
    name, title = sheet.spec.name, sheet.title
    body = [r for r in ws.filled if r[1] >= start]
    if body:
        result.warn(
            name,
            title,
            None,
            f"有 {len(body)} 处合并单元格，其值已填入合并区域覆盖的每一行",
        )
    hidden = [r.row for r in sheet.rows if r.row in ws.hidden_rows]
    if hidden:
        result.warn(name, title, None, f"{_row_ranges(hidden)}是隐藏行，已照常导入")
    if ws.content_after is not None and ws.last_row is not None:
        result.warn(
            name,
            title,
            None,
            f"第 {ws.last_row} 行之后有 {ws.content_after - ws.last_row - 1:,} 行空行，读取到此为止；"
            f"第 {ws.content_after} 行起的内容未导入（如需导入，请删去中间的空行）",
        )


def _row_ranges(rows: Sequence[int]) -> str:
    """第 5–9、12 行: row numbers with runs compressed."""
    parts: list[str] = []
    numbers = sorted(set(rows))
    first = previous = numbers[0]
    for number in [*numbers[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        parts.append(str(first) if first == previous else f"{first}–{previous}")
        if number is not None:
            first = previous = number
    return f"第 {'、'.join(parts)} 行"


_NOTE_CELL = re.compile(
    r"^(?:[（(【\[].*[)）】\]]|必填项?|选填项?|可选|非必填|必录|选录|可不填|必须填写|"
    r"(?:格式|注意|注|说明|要求|示例|例|例如|如|填写说明|填表说明|填写要求|注意事项)(?:[:：].*)?|"
    r".*(?:YYYY|yyyy|年-月-日|年月日|XXXX).*)$"
)
_NOTE_WORD = re.compile(r"^(?:[（(【\[])?(?:必填项?|选填项?|可选|非必填|必录|选录)(?:[)）】\]])?$")


def _note_text(value: Any) -> str:
    return _SPACES.sub("", rd.cell_text(value) or "") if not rd.is_blank(value) else ""


def _is_annex(row: Sequence[Any], choice: HeaderChoice) -> bool:
    """A row right under the header that explains it: （必填）, 必填/选填, 格式：YYYY-MM-DD,
    填写说明…, or 1 2 3 4…."""
    cells = [c for c in row if not rd.is_blank(c)]
    if not cells:
        return False
    try:
        texts = [_note_text(c) for c in cells]
    except (ValueError, TypeError):
        return False
    if all(_NOTE_CELL.match(t) for t in texts):
        return True
    words = sum(1 for t in texts if _NOTE_WORD.match(t))
    if words >= 2 and 2 * sum(1 for t in texts if _NOTE_CELL.match(t)) >= len(texts):
        return True
    numbers = [c for c in cells if isinstance(c, int) and not isinstance(c, bool)]
    return len(numbers) == len(cells) >= 3 and numbers == list(
        range(numbers[0], numbers[0] + len(numbers))
    )


def _reason(label: str, text: str) -> str:
    """“身份证号：校验位不正确” — the column once, whatever the validator's wording."""
    if label and text.startswith(label):
        rest = text[len(label) :]
        if rest.startswith(("中", "的", "与", "以", "已")):
            return text  # 身份证号以数字形式保存…: a sentence that already names the column
        return f"{label}：{rest.lstrip('：:')}"
    return f"{label}：{text}" if label else text


_EXAMPLES: dict[str, set[frozenset[tuple[str, str]]]] | None = None


def _example_signatures() -> dict[str, set[frozenset[tuple[str, str]]]]:
    """The templates' example rows, so a template filled in below its example imports cleanly."""
    global _EXAMPLES
    if _EXAMPLES is None:
        from partybuild.exchange.templates import example_rows

        _EXAMPLES = {}
        for name, values in example_rows().items():
            sig = frozenset((h, _sig_text(v)) for h, v in values.items() if not rd.is_blank(v))
            _EXAMPLES.setdefault(name, set()).add(sig)
    return _EXAMPLES


def _example_probe(name: str, choice: HeaderChoice) -> tuple[str, Any] | None:
    """One column and its parsed example value: only rows matching it are compared in full."""
    example = _example_rows().get(name)
    if not example:
        return None
    for col in choice.mapping.values():
        value = example.get(col.header)
        if value is not None and not col.info:
            try:
                return col.key, rd.parse_cell(value, col.kind, col.vocabulary)
            except rd.CellError:
                continue
    return None


def _example_rows() -> dict[str, dict[str, Any]]:
    from partybuild.exchange.templates import example_rows

    return example_rows()


def _sig_text(value: Any) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    return rd.cell_text(value) or ""


def _signature(planned: PlannedRow, choice: HeaderChoice) -> frozenset[tuple[str, str]]:
    return frozenset(
        (col.header, _sig_text(planned.raw[i]))
        for i, col in choice.mapping.items()
        if i < len(planned.raw) and not rd.is_blank(planned.raw[i])
    )


# --------------------------------------------------------------------------- existing records


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _fetch(model: type[m.BaseModel], name: str, values: Iterable[Any]) -> list[dict[str, Any]]:
    """Records whose ``name`` is among ``values``: one query per chunk, deleted ones included."""
    wanted = sorted({v for v in values if v is not None and v is not ERR}, key=repr)
    found: list[dict[str, Any]] = []
    column = model._meta.fields[name]
    # Only what planning reads: timestamps cost a parse per row and are not compared.
    skip = {"created_at", "updated_at", "deleted_at", "updated_by"}
    fields = [f for n, f in model._meta.fields.items() if n not in skip]
    database = m.db_proxy.obj
    converted = [column.db_value(v) for v in wanted]
    kinds = {type(v) for v in converted}
    if kinds == {str} or kinds == {int}:
        # The keys as one parameter (a JSON array on SQLite, an array on PostgreSQL): one query
        # whatever their number, each key a search of the column's index. IN-lists of 500 took
        # a hundred queries for 50,000 members, most of their time peewee building them.
        if isinstance(database, pw.SqliteDatabase):
            keys = pw.SQL("(SELECT value FROM json_each(?))", [json.dumps(converted)])
            condition = pw.Expression(column, pw.OP.IN, keys)
        else:
            condition = pw.Expression(column, "= ANY", pw.SQL("(%s)", [converted]))
        found.extend(model.select(*fields).where(condition).dicts())
    else:
        for chunk in _chunks(wanted):
            found.extend(model.select(*fields).where(column.in_(list(chunk))).dicts())
    if m.partial_fields(model):  # a date to the month is one value with its precision
        found = [m.combine_partial(model, row) for row in found]
    return found


@dataclass
class _Record:
    id: int
    deleted: bool
    title: str
    extra: dict[str, Any] = field(default_factory=dict)


class TargetIndex:
    """A linked ledger by natural title: the file's rows first, then the database's records."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.target = lay.TARGETS[name]
        self.db: dict[tuple[Any, ...], list[_Record]] = defaultdict(list)
        self.by_id: dict[int, _Record] = {}
        self.file: dict[tuple[Any, ...], list[PlannedRow]] = defaultdict(list)
        self.loaded = False
        self.asked: set[tuple[Any, ...]] = set()

    # -- database side
    def load(self, keys: Iterable[tuple[Any, ...]] = ()) -> None:
        if self.name == "members":
            wanted = [k for k in keys if k not in self.asked]
            self.asked.update(wanted)
            rows = _fetch(m.Member, "id_number", [k[0] for k in wanted])
            for r in rows:
                self._add(
                    (r["id_number"],),
                    _Record(
                        r["id"],
                        r["deleted"],
                        r["id_number"],
                        {"name": r["name"], "enterprise": r["enterprise"]},
                    ),
                )
            return
        if self.loaded:
            return
        self.loaded = True
        if self.name in ("branches", "enterprises", "teams"):
            model = {"branches": m.Branch, "enterprises": m.Enterprise, "teams": m.Team}[self.name]
            for rid, name, deleted in model.select(model.id, model.name, model.deleted).tuples():
                self._add((name,), _Record(rid, deleted, name))
        elif self.name == "trainings":
            t = m.Training
            for rid, name, start, deleted in t.select(
                t.id, t.name, t.start_date, t.deleted
            ).tuples():
                self._add((name, start), _Record(rid, deleted, f"{name}（{start:%Y-%m-%d}）"))
        elif self.name == "activities":
            a, b = m.Activity, m.Branch
            query = a.select(a.id, b.name, a.kind, a.date, a.topic, a.deleted).join(b).tuples()
            for rid, branch, kind, date, topic, deleted in query:
                self._add((branch, kind, date, topic), _Record(rid, deleted, topic))
        elif self.name == "services":
            s, t = m.Service, m.Team
            query = s.select(s.id, t.name, s.date, s.topic, s.deleted).join(t).tuples()
            for rid, team, date, topic, deleted in query:
                self._add((team, date, topic), _Record(rid, deleted, topic))

    def _add(self, key: tuple[Any, ...], record: _Record) -> None:
        self.db[key].append(record)
        self.by_id[record.id] = record

    # -- file side
    def register(self, key: tuple[Any, ...], row: PlannedRow) -> None:
        self.file[key].append(row)

    def title_of(self, record_id: int) -> str:
        record = self.by_id.get(record_id)
        return record.title if record else f"#{record_id}"

    def keys_by_name(self, name: str) -> list[tuple[Any, ...]]:
        """Trainings named so, when the sheet gives no start date."""
        keys = {k for k in self.file if k[0] == name} | {k for k in self.db if k[0] == name}
        return sorted(keys, key=lambda k: (k[1] is None, k[1] or dt.date.min))

    def suggestion(self, text: str) -> str:
        if self.name not in ("branches", "enterprises", "teams") or not text:
            return ""
        names = {k[0] for k in self.db} | {k[0] for k in self.file}
        close = [n for n in names if isinstance(n, str) and (text in n or n in text)]
        return f"（是否为“{close[0]}”？）" if len(close) == 1 else ""


def _display(target: str, key: tuple[Any, ...]) -> str:
    parts = []
    for value, kind_vocab in zip(
        key, lay.TARGETS[target].vocabularies or (None,) * len(key), strict=False
    ):
        if isinstance(value, dt.date):
            parts.append(f"{value:%Y-%m-%d}")
        elif kind_vocab is not None and value is not None:
            parts.append(kind_vocab.label(value))
        elif value is not None:
            parts.append(str(value))
    return " ".join(parts)


# --------------------------------------------------------------------------- planning


class _Planner:
    def __init__(self, plan: ImportPlan, progress: Progress | None, cancel: Cancel | None) -> None:
        self.plan = plan
        self.progress = progress
        self.cancel = cancel
        self.targets = {name: TargetIndex(name) for name in lay.TARGETS}
        self.total = sum(len(s.rows) for s in plan.sheets)
        self.done = 0
        self.memo: dict[str, dict[Any, Any]] = {}  # clean_values' remembered cleanings
        # find()'s answers for links that name no row of the file (they depend on nothing else)
        self.found: dict[tuple[Any, ...], tuple[Any, str | None, PlannedRow | None]] = {}

    def tick(self, n: int = 1) -> None:
        self.done += n
        if self.done % 1000 < n:
            if self.cancel is not None and self.cancel():
                raise ImportCancelled()
            if self.progress is not None:
                self.progress(self.done, self.total, "预检")

    def run(self) -> None:
        groups: dict[str, list[SheetPlan]] = defaultdict(list)
        for sheet in self.plan.sheets:
            groups[sheet.spec.name].append(sheet)
        for name in lay.SHEETS:
            if name in groups:
                self.plan_group(lay.sheet(name), groups[name])
        self.plan.planned = True
        empty: dict[str, Any] = {}
        for row in self.plan.rows():  # scratch of planning; a 50,000-row plan is lighter without
            row.parsed = row.data = empty

    # -- one ledger (all its sheets in the file)
    def plan_group(self, sheet_spec: SheetSpec, sheets: list[SheetPlan]) -> None:
        self.memo, self.found = {}, {}  # per ledger: its columns, its links
        for sheet in sheets:
            if sheet.problem:  # the sheet as a whole is refused: said once, rows not planned
                for row in sheet.rows:
                    row.reasons = [sheet.problem]
                    row.state = INVALID
                self.tick(len(sheet.rows))
        rows = [r for s in sheets if not s.problem for r in s.rows]
        own_target = lay.TARGET_OF_MODEL.get(sheet_spec.model)
        if own_target is not None and sheet_spec.title_headers:
            index = self.targets[own_target]
            for row in rows:
                row.title_key = self.title_key(sheet_spec, row)
                if row.title_key is not None:
                    index.register(row.title_key, row)
        self.load_targets(sheet_spec, rows)
        data = [self.resolve_links(sheet_spec, row) for row in rows]
        existing = _Existing(sheet_spec, rows, data)
        for row, values in zip(rows, data, strict=True):
            self.plan_row(sheet_spec, row, values, existing)
            self.tick()
        self.check_duplicates(sheet_spec, rows)
        if sheet_spec.name == "branches":
            self.check_parents(rows)
        for row in rows:
            if row.reasons:
                row.state = INVALID
        self.propagate_same_sheet(sheet_spec, rows)
        for sheet in sheets:  # fields new rows take a default for: listed, never silent
            new = sum(1 for r in sheet.rows if r.state == NEW)
            for col in sheet.header.defaults if new else ():
                self.plan.warn(
                    sheet_spec.name,
                    sheet.title,
                    None,
                    f"文件没有“{col.label}”列，新增的 {new} 行记为“{default_text(col)}”",
                )

    def title_key(self, sheet_spec: SheetSpec, row: PlannedRow) -> tuple[Any, ...] | None:
        parts = []
        for header in sheet_spec.title_headers:
            col = sheet_spec.by_header[header]
            value = row.parsed.get(col.key)
            if value is None or value is ERR:
                return None
            parts.append(value)
        return tuple(parts)

    def load_targets(self, sheet_spec: SheetSpec, rows: list[PlannedRow]) -> None:
        for link in sheet_spec.links:
            index = self.targets[link.target]
            if link.target == "members":
                cols = [sheet_spec.by_header[h] for h in link.headers]
                keys = [(r.parsed.get(cols[0].key),) for r in rows]
                index.load([k for k in keys if isinstance(k[0], str)])
            else:
                index.load()

    # -- links
    def resolve_links(self, sheet_spec: SheetSpec, row: PlannedRow) -> dict[str, Any]:
        """Field → parsed value, links resolved to an id or a new row of the file."""
        plain, links = row.sheet.layout()
        parsed = row.parsed
        data: dict[str, Any] = {name: parsed.get(key) for name, key in plain}
        if row.failed:  # a cell that could not be read (ERR) goes on as empty
            for name, value in data.items():
                if value is ERR:
                    data[name] = None
        for name, target, keys, header in links:
            parts = tuple(parsed.get(k) for k in keys)
            if ERR in parts or all(p is None for p in parts):
                data[name] = None
                continue
            value, error, file_row = self.find(target, parts, header, row)
            if error:
                row.reasons.append(error)
                row.failed.add(name)
            if file_row is not None:
                row.links_to[name] = file_row
            data[name] = value
        return data

    def find(
        self, target: str, parts: tuple[Any, ...], header: str, row: PlannedRow
    ) -> tuple[Any, str | None, PlannedRow | None]:
        """(id or new row of the file, error, the row of the file it names)."""
        index = self.targets[target]
        if target != "trainings" and parts not in index.file:
            # Named by no row of the file, the answer is the database's alone: the same for
            # every row (a roster's 50,000 rows name a few hundred branches and enterprises).
            key = (target, parts, header)
            answer = self.found.get(key)
            if answer is None:
                answer = self.found[key] = self._find(target, parts, header, row)
            return answer
        return self._find(target, parts, header, row)

    def _find(
        self, target: str, parts: tuple[Any, ...], header: str, row: PlannedRow
    ) -> tuple[Any, str | None, PlannedRow | None]:
        index = self.targets[target]
        if target == "trainings" and parts[1] is None:
            if parts[0] is None:
                return None, f"{header}：必填", None
            keys = index.keys_by_name(parts[0])
            if len(keys) > 1:
                dates = "、".join(f"{k[1]:%Y-%m-%d}" for k in keys if k[1])
                return None, f"{header}：“{parts[0]}”有多期（{dates}），请填写培训开始日期", None
            if keys:
                parts = keys[0]
        if any(p is None for p in parts):
            headers = _target_headers(row.sheet.spec, target)
            missing = [h for h, p in zip(headers, parts, strict=False) if p is None]
            return None, f"{'、'.join(missing) or header}：必填", None
        records_ = index.db.get(parts, ())
        live = [r for r in records_ if not r.deleted]
        rows = index.file.get(parts)
        if rows:
            first = rows[0]
            if first is row:
                return None, f"{header}：不能是自己", None
            same_sheet = first.sheet.spec.name == row.sheet.spec.name
            if not same_sheet:
                if any(r.state == INVALID for r in rows):
                    shown = _display(target, parts)
                    return None, f"{header}：“{shown}”所在行（{first.where}）有错误", first
                if first.record_id is not None:
                    return first.record_id, None, first
            if len(live) == 1:
                return live[0].id, None, first  # the file's row updates that record
            if not live:
                first.referenced = True
                return first, None, first
        if len(live) == 1:
            return live[0].id, None, None
        shown = _display(target, parts)
        if len(live) > 1:
            return None, f"{header}：“{shown}”对应多条记录，无法确定是哪一条", None
        if records_:
            return None, f"{header}：“{shown}”在回收站中，请先恢复", None
        if target == "members":
            return None, f"{header}：找不到身份证号为 {shown} 的党员（文件和数据库中都没有）", None
        return None, f"{header}：找不到“{shown}”{index.suggestion(str(parts[0]))}", None

    # -- one row
    def plan_row(
        self, sheet_spec: SheetSpec, row: PlannedRow, data: dict[str, Any], existing: _Existing
    ) -> None:
        ledger = sheet_spec.ledger
        self.check_people(sheet_spec, row, data)
        row.data = data
        match = existing.match(row, data)
        if isinstance(match, str):
            row.reasons.append(match)
            match = None
        if match is not None:
            row.record_id, row.version = match["id"], match["version"]
            if match["deleted"]:
                if not sheet_spec.link_table:
                    row.reasons.append(
                        f"与回收站中的记录“{_record_title(sheet_spec, match)}”相同，请先在回收站中恢复后再导入"
                    )
                    return
                row.revive = True
            merged = {c.name: match[c.name] for c in ledger.columns}
            merged.update(data)
        else:
            merged = data
        row.data = merged
        if match is None and row.sheet.gaps:
            row.reasons.extend(row.sheet.gaps)
            row.failed.update(row.sheet.gap_fields)
        if match is None:  # a blank cell is not a 正式党员 either: defaults of record are asked
            for col in row.sheet.asked_blank():
                name = col.field or ""
                if data.get(name) is None and name not in row.failed:
                    row.failed.add(name)
                    row.reasons.append(
                        f"{_label(row, sheet_spec, name)}：为空；新增的行不会默认记为"
                        f"“{default_text(col)}”，请填写"
                    )
        values, errors = clean_values(ledger, merged, row.record_id, self.memo)
        for name, text in errors.items():
            if name in row.failed:
                continue
            row.reasons.append(_reason(_label(row, sheet_spec, name), text))
        if row.reasons:
            return
        for message in existing.unique_clashes(row, values):
            row.reasons.append(message)
        if row.reasons:
            return
        row.values = values
        if match is None:
            row.state = NEW
            return
        row.changes = self.changes(sheet_spec, match, values)
        if row.revive:
            row.changes.insert(0, ("状态", "已删除", "恢复"))
        row.state = UPDATE if row.changes else UNCHANGED
        if row.state == UPDATE:
            row.before = {c.name: match[c.name] for c in ledger.columns}

    def check_people(self, sheet_spec: SheetSpec, row: PlannedRow, data: dict[str, Any]) -> None:
        """The name beside an ID number must be that member's; for attendance it is not stored."""
        member = data.get("member")
        if member is None:
            return
        name, unit = self.member_name_unit(member, row.links_to.get("member"))
        if sheet_spec.name == "attendance":
            given = data.get("person_name")
            if given is not None and given == name:
                data["person_name"] = None
            elif given is not None:
                row.reasons.append(f"姓名：“{given}”与身份证号对应的党员“{name}”不一致")
            if data.get("person_unit") is not None and data.get("person_unit") == unit:
                data["person_unit"] = None
            return
        info = next((c for c in sheet_spec.columns if c.info), None)
        if info is not None:
            given = row.parsed.get(info.key)
            if given is not None and given is not ERR and given != name:
                row.reasons.append(f"{info.header}：“{given}”与身份证号对应的党员“{name}”不一致")

    def member_name_unit(
        self, member: Any, file_row: PlannedRow | None
    ) -> tuple[str | None, str | None]:
        """The member's name and enterprise as this import will leave them."""
        enterprises = self.targets["enterprises"]
        enterprises.load()
        name = unit = None
        record = self.targets["members"].by_id.get(member) if isinstance(member, int) else None
        if record is not None:
            name = record.extra.get("name")
            enterprise = record.extra.get("enterprise")
            unit = enterprises.title_of(enterprise) if enterprise else None
        if file_row is not None:
            present = file_row.sheet.header.present
            parsed = file_row.parsed
            if "姓名" in present and isinstance(parsed.get("name"), str):
                name = parsed["name"]
            if "所在企业" in present:
                value = parsed.get("enterprise#0")
                unit = value if isinstance(value, str) else None
        return name, unit

    def changes(
        self, sheet_spec: SheetSpec, stored: dict[str, Any], values: dict[str, Any]
    ) -> list[tuple[str, str, str]]:
        found = []
        for column in sheet_spec.ledger.columns:
            old, new = stored[column.name], values[column.name]
            if isinstance(new, PlannedRow):
                new_text = _display(lay.TARGET_OF_MODEL[column.link_model], new.title_key or ())  # type: ignore[index]
                found.append((column.label, self.show(column, old), new_text))
                continue
            if old != new:
                found.append((column.label, self.show(column, old), self.show(column, new)))
        return found

    def show(self, column: spec.Column, value: Any) -> str:
        if value is None:
            return ""
        if column.kind == spec.LINK:
            target = lay.TARGET_OF_MODEL[column.link_model]  # type: ignore[index]
            return self.targets[target].title_of(value)
        return _show_value(column, value)

    # -- across rows
    def check_duplicates(self, sheet_spec: SheetSpec, rows: list[PlannedRow]) -> None:
        for what, key_of in _key_functions(sheet_spec):
            seen: dict[Any, list[PlannedRow]] = defaultdict(list)
            for row in rows:
                key = key_of(row)
                if key is not None and not any(
                    k is ERR for k in (key if isinstance(key, tuple) else (key,))
                ):
                    seen[key].append(row)
            for same in seen.values():
                if len(same) < 2:
                    continue
                for row in same:
                    others = "、".join(
                        f"第 {o.row} 行" if o.sheet is row.sheet else o.where
                        for o in same
                        if o is not row
                    )
                    row.reasons.append(f"与{others}的{what}相同（文件中重复，请只保留一行）")

    def check_parents(self, rows: list[PlannedRow]) -> None:
        """上级党组织 must not make a loop (A under B under A) among the file's branches."""
        for row in rows:
            seen = {id(row)}
            current = row.links_to.get("parent")
            while current is not None:
                if id(current) in seen:
                    row.reasons.append("上级党组织：形成循环（上下级互为上级）")
                    break
                seen.add(id(current))
                current = current.links_to.get("parent")

    def propagate_same_sheet(self, sheet_spec: SheetSpec, rows: list[PlannedRow]) -> None:
        """A branch whose 上级党组织 is an invalid row of the file is invalid too (until stable)."""
        if sheet_spec.name != "branches":
            return
        changed = True
        while changed:
            changed = False
            for row in rows:
                parent = row.links_to.get("parent")
                if row.state != INVALID and parent is not None and parent.state == INVALID:
                    name = parent.title_key[0] if parent.title_key else ""
                    row.reasons.append(f"上级党组织：“{name}”所在行（{parent.where}）有错误")
                    row.state = INVALID
                    changed = True


def _index_of(choice: HeaderChoice, col: XColumn) -> int:
    for index, mapped in choice.mapping.items():
        if mapped is col:
            return index
    return -1


def _target_headers(sheet_spec: SheetSpec, target: str) -> list[str]:
    for link in sheet_spec.links:
        if link.target == target:
            return list(link.headers)
    return []


def _label(row: PlannedRow, sheet_spec: SheetSpec, name: str) -> str:
    """The column as the file names it (公民身份号码), else our header."""
    if name == "__all__":
        return ""
    for col in sheet_spec.columns:
        if col.field == name or (col.link == name and col.part == 0):
            index = _index_of(row.sheet.header, col)
            return row.sheet.header.headers.get(index, col.header)
    return sheet_spec.ledger.column(name).label if name in sheet_spec.ledger.by_name else name


def _record_title(sheet_spec: SheetSpec, record: dict[str, Any]) -> str:
    name = sheet_spec.ledger.title_field
    return str(record.get(name) or f"#{record['id']}")


def _show_value(column: spec.Column, value: Any) -> str:
    if column.kind == spec.CHOICE and column.vocabulary is not None:
        return column.vocabulary.label(value)
    if column.kind == spec.BOOL:
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return dates.shown(value)  # 1998.11 stays 1998.11
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 30 else text[:29] + "…"


def _key_functions(sheet_spec: SheetSpec) -> list[tuple[str, Callable[[PlannedRow], Any]]]:
    """What must be unique within one file: the natural key, and every unique field."""
    ledger = sheet_spec.ledger
    result: list[tuple[str, Callable[[PlannedRow], Any]]] = []
    unique = [c.name for c in ledger.columns if c.field.unique]

    def value_key(name: str) -> Callable[[PlannedRow], Any]:
        return lambda row: (row.values or row.data).get(name)

    for name in unique:
        result.append((ledger.column(name).label, value_key(name)))
    natural = tuple(ledger.natural_key)
    if sheet_spec.name == "enterprises" or natural in [(n,) for n in unique]:
        return result
    labels = "、".join(_natural_labels(sheet_spec))
    return [*result, (labels, lambda row: _natural_key(sheet_spec, row.values or row.data))]


def _natural_labels(sheet_spec: SheetSpec) -> list[str]:
    if sheet_spec.name == "attendance":
        return ["培训", "人员"]
    return [sheet_spec.ledger.column(n).label for n in sheet_spec.ledger.natural_key]


def _natural_key(sheet_spec: SheetSpec, values: dict[str, Any]) -> tuple[Any, ...] | None:
    """The natural key of DESIGN.md over field values (links as ids or new rows)."""
    if sheet_spec.name == "attendance":
        if values.get("training") is None:
            return None
        if values.get("member") is not None:
            return (values["training"], values["member"])
        if values.get("person_name") is None:
            return None
        return (values["training"], None, values.get("person_name"), values.get("person_unit"))
    key = tuple(values.get(n) for n in sheet_spec.ledger.natural_key)
    return None if any(k is None for k in key) else key


class _Existing:
    """The records a sheet's rows may update or clash with, fetched with IN-lists."""

    def __init__(
        self, sheet_spec: SheetSpec, rows: list[PlannedRow], data: list[dict[str, Any]]
    ) -> None:
        self.spec = sheet_spec
        model = sheet_spec.model
        lookup = sheet_spec.lookup_field
        self.by_key: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        self.by_unique: dict[str, dict[Any, dict[str, Any]]] = {}
        wanted = [d.get(lookup) for d in data]
        wanted = [
            w for w in wanted if isinstance(w, (int, str, dt.date)) and not isinstance(w, bool)
        ]
        fetched = {r["id"]: r for r in _fetch(model, lookup, wanted)}
        unique = [c.name for c in sheet_spec.ledger.columns if c.field.unique]
        for name in unique:
            if name == lookup:
                records_ = list(fetched.values())
            else:
                records_ = _fetch(model, name, [d.get(name) for d in data])
                fetched.update({r["id"]: r for r in records_})
            self.by_unique[name] = {r[name]: r for r in records_ if r[name] is not None}
        if sheet_spec.name != "enterprises":
            for record in fetched.values():
                key = _natural_key(sheet_spec, record)
                if key is not None:
                    self.by_key[key].append(record)

    def match(self, row: PlannedRow, data: dict[str, Any]) -> dict[str, Any] | str | None:
        if self.spec.name == "enterprises":
            return self.match_enterprise(data)
        key = _natural_key(self.spec, data)
        if key is None or any(isinstance(k, PlannedRow) for k in key):
            return None
        found = self.by_key.get(key, [])
        live = [r for r in found if not r["deleted"]]
        if len(live) > 1:
            return "数据库中已有多条相同的记录，无法确定更新哪一条"
        if live:
            return live[0]
        return found[0] if found else None

    def match_enterprise(self, data: dict[str, Any]) -> dict[str, Any] | str | None:
        """统一社会信用代码 first, else 名称 (DESIGN.md)."""
        code, name = data.get("credit_code"), data.get("name")
        by_code = self.by_unique.get("credit_code", {}).get(code) if code else None
        if by_code is not None:
            return by_code
        by_name = self.by_unique.get("name", {}).get(name) if name else None
        if by_name is not None and code and by_name["credit_code"] not in (None, code):
            return (
                f"名称：企业“{name}”已存在，但统一社会信用代码不同"
                f"（数据库中为 {by_name['credit_code']}），请核对"
            )
        return by_name

    def unique_clashes(self, row: PlannedRow, values: dict[str, Any]) -> list[str]:
        found = []
        for name, index in self.by_unique.items():
            other = index.get(values.get(name))
            if other is not None and other["id"] != row.record_id:
                where = "回收站中" if other["deleted"] else ""
                label = _label(row, self.spec, name)
                found.append(f"{label}：与{where}已有记录“{_record_title(self.spec, other)}”重复")
        return found


class _FastColumn:
    """A spec column with its derived properties computed once.

    ``records.clean_value`` reads ``kind``, ``vocabulary`` and ``max_length`` for every value;
    they are properties over the peewee field, which costs more than the cleaning itself when a
    roster has 800,000 cells. Anything not copied here is read from the column itself.
    """

    def __init__(self, column: spec.Column) -> None:
        self._column = column
        self.name = column.name
        self.kind = column.kind
        self.vocabulary = column.vocabulary
        self.max_length = column.max_length
        self.required = column.required
        self.field = column.field
        self.link_model = column.link_model
        self.null = column.field.null
        self.default = column.field.default
        self.is_link = column.kind == spec.LINK
        self.remember = column.kind not in _UNREMEMBERED

    def __getattr__(self, name: str) -> Any:
        return getattr(self._column, name)


_FAST: dict[int, tuple[_FastColumn, ...]] = {}


def _fast_columns(ledger: spec.Ledger) -> tuple[_FastColumn, ...]:
    columns = _FAST.get(id(ledger))
    if columns is None:
        columns = _FAST[id(ledger)] = tuple(_FastColumn(c) for c in ledger.columns)
    return columns


class _Refused(str):
    """A remembered refusal of :func:`records.clean_value`: its message."""


# Kinds whose values are unique per row (ID numbers, phones, credit codes): remembering them
# would only cost a lookup each.
_UNREMEMBERED = frozenset({spec.LINK, spec.ID_NUMBER, spec.PHONE, spec.CREDIT_CODE})

# What clean_values reads of each column, one tuple a column: (name, column, is_link, its memo
# of cleanings or None, required, null, default). Unpacking a tuple costs less than the six
# attribute reads a cell it replaces.
_Step = tuple[str, "_FastColumn", bool, "dict[Any, Any] | None", bool, bool, Any]
_MEMO_STEPS = "\0steps"  # the key of a memo's steps (no column is named so)
_MEMO_TODAY = "\0today"  # the key of the date a memo's rows are checked against


def _steps(ledger: spec.Ledger, memo: dict[str, Any] | None) -> list[_Step]:
    """The columns of ``ledger`` as clean_values walks them, each with its dict of ``memo``
    (made once per memo, kept in it)."""
    if memo is not None:
        steps = memo.get(_MEMO_STEPS)
        if steps is not None and steps[0] is ledger:
            return steps[1]
    steps_made: list[_Step] = []
    for column in _fast_columns(ledger):
        seen = None
        if memo is not None and column.remember and not column.is_link:
            seen = memo.get(column.name)
            if seen is None:
                seen = memo[column.name] = {}
        steps_made.append(
            (
                column.name,
                column,
                column.is_link,
                seen,
                column.required,
                column.null,
                column.default,
            )
        )
    if memo is not None:
        memo[_MEMO_STEPS] = (ledger, steps_made)  # type: ignore[assignment]
    return steps_made


def clean_values(
    ledger: spec.Ledger,
    data: dict[str, Any],
    record_id: int | None = None,
    memo: dict[str, dict[Any, Any]] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Field cleaning and domain rules of :func:`records.validate`, without its queries.

    Links arrive resolved (an id, or a new row of the same file) and unique keys are checked in
    bulk by the caller, so nothing here touches the database. With ``memo`` (one per sheet
    group), the cleaning of a text or plain date a column repeats — a branch's 50,000 学历 and
    岗位 cells hold a few dozen words — is done once: ``records.clean_value`` depends on the
    value and the column alone. Only exact ``str`` and ``date`` values are remembered, so a
    1998-11 month (a PartialDate equal to 1998-11-01) or an Excel error text never shares an
    entry with another value. A memo also keeps the date its rows' "not later than today" rules
    are checked against, read once: one import checks every row against the same day.
    """
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    clean = records.clean_value  # the form's own cleaning, value by value
    date_kind = dt.date
    get = data.get
    for name, column, is_link, seen, required, null, default in _steps(ledger, memo):
        raw = get(name)
        if raw is None or is_link:
            value = raw
        else:
            kind = type(raw)
            if seen is not None and (kind is str or kind is date_kind):
                value = seen.get(raw, _MISSING)
                if value is _MISSING:
                    try:
                        value = clean(raw, column)
                    except ValueError as exc:
                        value = _Refused(str(exc))
                    seen[raw] = value
            else:
                try:
                    value = clean(raw, column)
                except ValueError as exc:
                    value = _Refused(str(exc))
            if type(value) is _Refused:
                errors[name] = str(value)
                values[name] = None
                continue
        if value is None:
            if required:
                errors[name] = "必填"
            elif not null:
                value = default
        values[name] = value
    values["id"] = record_id
    today = None
    if memo is not None:
        today = memo.get(_MEMO_TODAY)
        if today is None:
            today = memo[_MEMO_TODAY] = dt.date.today()  # type: ignore[assignment]
    records.apply_rules(ledger, values, errors, today=today)  # type: ignore[arg-type]
    values.pop("id")
    return values, errors


def plan(
    import_plan: ImportPlan, *, progress: Progress | None = None, cancel: Cancel | None = None
) -> ImportPlan:
    """Decide each row's fate against the bound database; nothing is written.

    A plan is made once: to plan against a changed database, read the file again.
    """
    if import_plan.planned:
        raise ValueError("this import was already planned; read the file again")
    with rd.bulk_work():
        _Planner(import_plan, progress, cancel).run()
    return import_plan


def plan_file(
    path: Path | str,
    ledger: str | None = None,
    *,
    mapping: Mapping | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportPlan:
    """Read and plan a file in one call (the CLI and the wizard's worker)."""
    read = read_file(path, ledger, mapping=mapping, progress=progress, cancel=cancel)
    return plan(read, progress=progress, cancel=cancel)


# --------------------------------------------------------------------------- applying


@dataclass
class ApplyResult:
    written: int
    backup: Path | None
    counts: dict[str, dict[str, int]]


def backup_before_import(database: pw.Database) -> Path | None:
    """An online copy of an SQLite database in ``backups/`` beside it (pruned with the other
    automatic copies); None for a server database, which is backed up on its server."""
    from partybuild.services import backup

    location = getattr(database, "partybuild_location", None)
    if location is None or location.path is None:
        return None
    return backup.backup_now("before-import", Path(location.path))


def apply(
    import_plan: ImportPlan,
    database: pw.Database | None = None,
    *,
    skip_invalid: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ApplyResult:
    """Write the planned rows in one transaction (after a backup); all of them or none.

    Raises ImportRefused when there are invalid rows and ``skip_invalid`` is false, or when the
    database changed since the plan; ImportCancelled when ``cancel()`` turns true before the
    commit. In both cases nothing is written.
    """
    if not import_plan.planned:
        raise ImportRefused("尚未预检，不能导入")
    database = database or m.db_proxy.obj
    invalid = len(import_plan.invalid)
    if invalid and not skip_invalid:
        raise ImportRefused(f"有 {invalid} 行错误，未写入任何数据（可选择跳过错误行）")
    todo = [r for r in import_plan.rows() if r.state in (NEW, UPDATE)]
    counts = import_plan.counts()
    if not todo:
        return ApplyResult(0, None, counts)
    from partybuild.services.backup import BackupError

    try:
        backup = backup_before_import(database)
    except BackupError as exc:  # a damaged database, a full disk: say so, write nothing
        raise ImportRefused(f"导入前的自动备份失败，未写入任何数据：{exc}", unusable=True) from exc
    now = m.now()
    total = len(todo)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        before, done = done, done + n
        if before // 500 == done // 500 and done != total:
            return
        if cancel is not None and cancel():
            raise ImportCancelled()
        if progress is not None:
            progress(done, total, "写入")

    who = _operator()
    try:
        with _bulk_cache(database), database.atomic():
            groups: dict[str, list[PlannedRow]] = defaultdict(list)
            for row in todo:
                groups[row.sheet.spec.name].append(row)
            for name in lay.SHEETS:
                rows = groups.get(name)
                if rows:
                    _write_group(lay.sheet(name), rows, now, who, step)
            if cancel is not None and cancel():
                raise ImportCancelled()
    except pw.IntegrityError as exc:  # e.g. the same file imported twice at the same moment
        raise ImportRefused(
            "写入时与数据库中的记录冲突（可能有人同时在修改或导入），未写入任何数据，请重新预检："
            + rd.short_reason(exc),
            unusable=True,
        ) from exc
    except pw.OperationalError as exc:
        if is_busy(exc):
            raise ImportRefused(
                "数据库正忙（有人正在写入），未写入任何数据，请稍后重试", unusable=True
            ) from exc
        refusal = _storage_refusal(exc, database)
        if refusal is None:
            raise
        raise refusal from exc
    except pw.DatabaseError as exc:
        refusal = _storage_refusal(exc, database)
        if refusal is None:
            raise
        raise refusal from exc
    return ApplyResult(total, backup, counts)


def _storage_refusal(exc: Exception, database: pw.Database) -> ImportRefused | None:
    """A full disk, a read-only or damaged database during the write: one line, nothing written
    (the transaction was rolled back, by us or by SQLite). None for anything else (a bug)."""
    from partybuild.services.errors import storage_kind, storage_message

    if storage_kind(exc) is None:
        return None
    where = getattr(database, "partybuild_location", None)
    return ImportRefused(storage_message(exc, where), unusable=True)


def _operator() -> str:
    from partybuild.services import audit

    return audit.operator()


def _final(value: Any) -> Any:
    if isinstance(value, PlannedRow):
        assert value.record_id is not None, "a linked row is written first"
        return value.record_id
    return value


def _write_group(
    sheet_spec: SheetSpec,
    rows: list[PlannedRow],
    now: dt.datetime,
    who: str,
    step: Callable[[int], None],
) -> None:
    model = sheet_spec.model
    new = [r for r in rows if r.state == NEW]
    if sheet_spec.name == "branches":
        new = _parents_first(new)
    stamp = {"created_at": now, "updated_at": now, "version": 1, "deleted": False}
    if "updated_by" in model._meta.fields:
        stamp["updated_by"] = who
    bulk: list[PlannedRow] = []
    with _indexes_deferred(m.db_proxy.obj, model._meta.table_name, len(new)):
        for row in new:
            if row.referenced:  # later sheets link to it: its id is needed now
                values = {k: _final(v) for k, v in row.values.items()}
                row.record_id = model.insert(**values, **stamp).execute()
                step(1)
            else:
                bulk.append(row)
                if len(bulk) >= 2000:
                    _insert_bulk(sheet_spec, bulk, stamp)
                    step(len(bulk))
                    bulk = []
        if bulk:
            _insert_bulk(sheet_spec, bulk, stamp)
            step(len(bulk))
    updates = {"updated_at": now}
    if "updated_by" in model._meta.fields:
        updates["updated_by"] = who
    for row in rows:
        if row.state != UPDATE:
            continue
        values = {k: _final(v) for k, v in row.values.items()}
        if row.revive:
            values.update(deleted=False, deleted_at=None)
        changed = (
            model.update(**values, **updates, version=model.version + 1)
            .where((model.id == row.record_id) & (model.version == row.version))
            .execute()
        )
        if changed != 1:
            raise ImportRefused(
                f"{row.where}：对应的记录在预检后已被他人修改或删除，未写入任何数据，请重新预检"
            )
        _log_update(sheet_spec, row)
        step(1)
    _log_summary(sheet_spec, rows)


def _insert_bulk(sheet_spec: SheetSpec, rows: list[PlannedRow], stamp: dict[str, Any]) -> None:
    """Many rows in one statement's worth of round trips: ``executemany`` on SQLite (several
    times faster than SQL per row), ``execute_values`` on PostgreSQL (a thousand rows a
    statement; peewee's ``insert_many`` there went in batches of about 45 rows, building every
    value's SQL node by node). Both bind the same values, made here once."""
    model = sheet_spec.model
    database = m.db_proxy.obj
    names = [c.name for c in sheet_spec.ledger.columns]
    # A partial date's precision column is written beside it (PartialDateField).
    partial = [c.name for c in sheet_spec.ledger.columns if c.kind == spec.PARTIAL_DATE]
    precision = [f"{name}_precision" for name in partial]
    # Columns the model computes from others (a member's pinyin sort key and search text).
    derived = list(model.derived({n: "" for n in names}))
    # Fields the ledger does not show take their model default (发展党员 rows: 状态 正常).
    shown = {*names, *precision, *derived, *stamp, "id"}
    stamp = {
        **stamp,
        **{
            f.name: f.default() if callable(f.default) else f.default
            for f in model._meta.sorted_fields
            if f.default is not None and f.name not in shown
        },
    }
    fields = [model._meta.fields[n] for n in (*names, *precision, *derived, *stamp)]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    table = model._meta.table_name
    links = {c.name for c in sheet_spec.ledger.columns if c.kind == spec.LINK}
    converters = [
        (n, f.db_value, n in links, _unconverted(f)) for n, f in zip(names, fields, strict=False)
    ]
    tail = tuple(
        f.db_value(v)
        for f, v in zip(
            fields[len(names) + len(partial) + len(derived) :], stamp.values(), strict=True
        )
    )
    params = _params(rows, converters, partial, derived, model, tail)
    if not isinstance(database, pw.SqliteDatabase):
        sql = f'COPY "{table}" ({columns}) FROM STDIN'
        made: list[tuple[Any, ...]] = []
        stream = _CopyStream(params, made)
        try:
            with database.atomic():  # a savepoint: a value COPY cannot take undoes only COPY
                database.cursor().copy_expert(sql, stream, size=COPY_READ)
            return
        except Exception:
            if not stream.refused:  # psycopg2 ends the COPY, and says so, when read() fails
                raise
        from psycopg2.extras import execute_values

        sql = f'INSERT INTO "{table}" ({columns}) VALUES %s'
        execute_values(database.cursor(), sql, [*made, *params], page_size=PG_PAGE)
        return
    marks = ", ".join("?" * len(fields))
    sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'
    with _fts_batched(database, table):
        database.cursor().executemany(sql, list(params))


def _params(
    rows: list[PlannedRow],
    converters: list[tuple[str, Callable[[Any], Any], bool, type | None]],
    partial: list[str],
    derived: list[str],
    model: type[m.BaseModel],
    tail: tuple[Any, ...],
) -> Iterator[tuple[Any, ...]]:
    """Each row's values as the database binds them, the derived columns computed."""
    for row in rows:
        values = row.values
        cells = []
        for name, convert, link, plain in converters:
            value = values[name]
            if value is not None:
                if link:
                    value = convert(_final(value))
                elif type(value) is not plain:
                    value = convert(value)
            cells.append(value)
        cells.extend(dates.precision_of(values[name]) for name in partial)
        if derived:
            computed = model.derived(values)
            cells.extend(computed.get(name) for name in derived)
        yield (*cells, *tail)


def _unconverted(f: pw.Field) -> type | None:
    """The type of value a field binds as it is (peewee's ``db_value`` returns it unchanged):
    text for text fields, int for integer fields; None when every value goes through it."""
    if type(f).db_value is not pw.Field.db_value:
        return None
    if type(f).adapt is pw.CharField.adapt:
        return str
    if type(f).adapt is pw.IntegerField.adapt:
        return int
    return None


class _NotCopied(Exception):
    """A value COPY's text format is not written for here: the rows go by INSERT instead."""


def _copy_cell(value: Any) -> str:
    """One value in PostgreSQL COPY's text format, as psycopg2 would bind it in an INSERT:
    ``\\N`` for NULL (an empty text stays empty), a backslash, tab, newline or carriage
    return escaped, booleans t/f, numbers by ``repr``/``str`` (what psycopg2 sends), dates and
    times in ISO form. Anything else (or a NUL, which PostgreSQL text cannot hold) raises
    :class:`_NotCopied`."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.translate(_COPY_ESCAPES)
        if "\0" in value:
            raise _NotCopied
        return value
    if kind is int:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is float:
        return repr(value)
    if kind is Decimal:
        return str(value)
    if kind is dt.date:
        return value.isoformat()
    if kind is dt.datetime and value.tzinfo is None:
        return value.isoformat(" ")
    raise _NotCopied


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_lines(params: Iterable[tuple[Any, ...]]) -> str:
    """Rows in COPY's text format, a line each; :class:`_NotCopied` for a value
    :func:`_copy_cell` does not write."""
    cell = _copy_cell
    return "".join(["\t".join([cell(c) for c in cells]) + "\n" for cells in params])


class _CopyStream:
    """The rows of ``COPY … FROM STDIN``, made as psycopg2 reads them, a chunk of rows at a time
    (values converted, derived columns computed, text written), so the whole text is never held
    (measured no faster than one text made at once: the gain is memory). Every row made is kept
    in ``made``, for the INSERT that follows when a value is not one COPY is written for
    (``refused``: psycopg2 then ends the COPY with an error). COPY is one statement of the
    import's transaction, as the INSERTs were: a failure or kill leaves the table as it was."""

    def __init__(self, params: Iterator[tuple[Any, ...]], made: list[tuple[Any, ...]]) -> None:
        self._params = params
        self._made = made
        self.refused = False

    def read(self, size: int = -1) -> str:  # noqa: ARG002 - a chunk is a number of rows
        chunk = list(itertools.islice(self._params, COPY_ROWS))
        self._made.extend(chunk)
        try:
            return _copy_lines(chunk)  # "" (no rows left) ends the COPY
        except _NotCopied:
            self.refused = True
            raise


# Rows per chunk of COPY's text, and the size psycopg2 is told to read (it takes what comes).
COPY_ROWS = 2000
COPY_READ = 1 << 20


# Rows per INSERT on PostgreSQL (when a value is not written for COPY): large enough that round trips do not count, small enough that
# one statement's text stays a few megabytes.
PG_PAGE = 1000


# A table that more than doubles is indexed faster after the insert than during it: SQLite (and
# PostgreSQL, see _pg_indexes_to_defer) then builds each index from sorted keys instead of
# keeping 20 B-trees in step row by row (50,000 members into an empty table: about half the
# insert's time). Only indexes that cannot
# refuse a row are set aside, so a clash still fails the insert itself; unique ones stay. Like
# the search trigger below, the DROP and the CREATE are inside the import's one transaction: a
# failure or kill leaves the schema and its indexes as they were.
DEFER_INDEXES_FROM = 5_000


@contextmanager
def _indexes_deferred(database: pw.Database, table: str, adding: int) -> Iterator[None]:
    if adding < DEFER_INDEXES_FROM:
        yield
        return
    (present,) = database.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()
    if adding <= present:
        yield
        return
    if isinstance(database, pw.SqliteDatabase):
        found = database.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL",
            (table,),
        ).fetchall()
    else:
        found = _pg_indexes_to_defer(database, table)
    indexes = [
        (name, sql)
        for name, sql in found
        if not re.match(r"\s*CREATE\s+UNIQUE\b", sql, re.IGNORECASE)
    ]
    for name, _sql in indexes:
        database.execute_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in indexes:
        database.execute_sql(sql)


def _pg_indexes_to_defer(database: pw.Database, table: str) -> list[tuple[str, str]]:
    """PostgreSQL's indexes of ``table`` (name, definition) for the same rule; its trigram GIN
    indexes (migrations 0009, 0010) are the slowest to keep row by row. Only the table's owner
    may drop them, so an office or secretary login imports with them in place. Dropping holds
    the table until the import commits (readers wait those seconds too); the lock is taken
    without waiting, in a savepoint, so a table another session is using is imported into as
    it is rather than waited for."""
    owner = database.execute_sql(
        "SELECT pg_has_role(current_user, tableowner, 'MEMBER') FROM pg_tables"
        " WHERE schemaname = current_schema() AND tablename = %s",
        (table,),
    ).fetchone()
    if not owner or not owner[0]:
        return []
    try:
        with database.atomic():
            database.execute_sql(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE NOWAIT')
    except pw.OperationalError:
        return []
    return database.execute_sql(
        "SELECT indexname, indexdef FROM pg_indexes"
        " WHERE schemaname = current_schema() AND tablename = %s",
        (table,),
    ).fetchall()


# SQLite's default page cache (2 MiB) is smaller than the member table's indexes, so a bulk
# insert keeps reading back pages it has just written; an import has a larger one while it writes.
BULK_CACHE_KIB = 64 * 1024


@contextmanager
def _bulk_cache(database: pw.Database) -> Iterator[None]:
    if not isinstance(database, pw.SqliteDatabase):
        yield
        return
    (before,) = database.execute_sql("PRAGMA cache_size").fetchone()
    database.execute_sql(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield
    finally:
        database.execute_sql(f"PRAGMA cache_size = {int(before)}")


# The FTS5 search index of a table (migration 0009) is kept by triggers; one that fires for each
# inserted row makes FTS5 write a segment per row (it flushes at every statement's savepoint):
# 50,000 members took a minute. A bulk insert therefore goes without the insert trigger and adds
# its rows to the index in one statement after. All of it, the trigger's removal and return
# included, is inside the import's one transaction: a failure or kill leaves the schema as it was.
@contextmanager
def _fts_batched(database: pw.SqliteDatabase, table: str) -> Iterator[None]:
    trigger = f"{table}_fts_insert"
    found = database.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
    ).fetchone()
    if found is None:
        yield
        return
    # Rows inserted now get ids above every id there is (INTEGER PRIMARY KEY, no id given).
    (last,) = database.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()
    database.execute_sql(f'DROP TRIGGER "{trigger}"')
    yield
    database.execute_sql(
        f'INSERT INTO "{table}_fts"(rowid, search_text) '
        f'SELECT id, search_text FROM "{table}" WHERE id > ?',
        (last,),
    )
    database.execute_sql(found[0])


def _log_update(sheet_spec: SheetSpec, row: PlannedRow) -> None:
    """An updated record gets its own 操作日志 entry with each field old → new."""
    if sheet_spec.name not in spec.LEDGERS or row.before is None:
        return
    from partybuild.services import audit

    after = {k: _final(v) for k, v in row.values.items()}
    title = row.values.get(sheet_spec.ledger.title_field)
    audit.log(
        "import",
        sheet_spec.ledger,
        row.record_id,
        str(title) if title is not None else None,
        audit.diff(sheet_spec.ledger, row.before, after),
        note=f"由“{row.sheet.title}”第 {row.row} 行导入",
    )


def _log_summary(sheet_spec: SheetSpec, rows: list[PlannedRow]) -> None:
    """One entry per ledger and file for what was added (50,000 new rows are not 50,000 entries)."""
    from partybuild.services import audit

    new = sum(1 for r in rows if r.state == NEW)
    updated = sum(1 for r in rows if r.state == UPDATE)
    if not new and not updated:
        return
    files = "、".join(dict.fromkeys(r.sheet.title for r in rows))
    name = sheet_spec.name if sheet_spec.name in spec.LEDGERS else None
    audit.log(
        "import",
        name,
        None,
        f"Excel 导入：{sheet_spec.label}",
        note=f"工作表“{files}”：新增 {new} 条，更新 {updated} 条",
    )


def _parents_first(rows: list[PlannedRow]) -> list[PlannedRow]:
    ordered: list[PlannedRow] = []
    placed: set[int] = set()

    def place(row: PlannedRow) -> None:
        if id(row) in placed:
            return
        placed.add(id(row))
        parent = row.values.get("parent")
        if isinstance(parent, PlannedRow) and parent.state == NEW:
            place(parent)
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


# --------------------------------------------------------------------------- error workbook


def _as_written(value: Any) -> Any:
    """A cell of a refused row as the error workbook gives it back: a month cell as shown."""
    return value.shown if type(value) is rd.ShownDate else value


def write_error_workbook(import_plan: ImportPlan, path: Path | str) -> int:
    """The invalid rows as they were, with 错误原因 and 原行号; returns how many were written.

    The file holds the rows as typed — full ID numbers and phones — so it is created 0600, and
    written atomically (:mod:`partybuild.outputs`). Every cell goes through the one text rule:
    formula-looking text stays text, characters no cell can hold (control characters, lone
    surrogates) are shown escaped, so the rows that held them are written too. Nothing is
    written when no row is invalid. Raises :class:`partybuild.outputs.OutputError`.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    from partybuild.outputs.workbook import text_cell, workbook_output
    from partybuild.outputs.xlsx_font import font, use_chinese_font

    sheets = [
        (sheet, [r for r in sheet.rows if r.state == INVALID]) for sheet in import_plan.sheets
    ]
    sheets = [(sheet, bad) for sheet, bad in sheets if bad]
    if not sheets:
        return 0
    written = 0
    used: set[str] = set()
    bold = font(bold=True)
    fill = PatternFill("solid", fgColor="FDE7E9")
    with workbook_output(path, private=True) as save:
        workbook = use_chinese_font(Workbook(write_only=True))
        for sheet, bad in sheets:
            title = sheet.title[:31]
            while title in used:
                title = title[:28] + f"_{len(used)}"
            used.add(title)
            ws = workbook.create_sheet(title)
            headers = sheet.headers
            for index in range(1, len(headers) + 1):
                col = sheet.header.mapping.get(index - 1)
                width = (col.width + 2) if col else 12
                ws.column_dimensions[get_column_letter(index)].width = width
            ws.column_dimensions[get_column_letter(len(headers) + 1)].width = 60
            ws.column_dimensions[get_column_letter(len(headers) + 2)].width = 8
            ws.freeze_panes = "A2"
            header_cells = []
            for text in [*headers, "错误原因", "原行号"]:
                cell = text_cell(ws, text or None)
                cell.font = bold
                header_cells.append(cell)
            ws.append(header_cells)
            for row in bad:
                cells = [text_cell(ws, _as_written(value)) for value in row.raw]
                reason = text_cell(ws, row.reason)
                reason.fill = fill
                reason.alignment = Alignment(wrap_text=True, vertical="top")
                cells += [reason, row.row]
                ws.append(cells)
                written += 1
        save(workbook)
    return written


def describe(import_plan: ImportPlan) -> list[str]:
    """One line per sheet for people: what was found and what would happen."""
    lines = []
    for sheet in import_plan.sheets:
        rows = "、".join(str(n) for n in sheet.header.rows)
        parts = [f"{STATE_LABELS[s]} {sheet.count(s)}" for s in STATES]
        skipped = []
        if sheet.skipped_footer:
            skipped.append(f"表尾 {sheet.skipped_footer} 行")
        if sheet.skipped_example:
            skipped.append(f"示例 {sheet.skipped_example} 行")
        note = f"（跳过{'、'.join(skipped)}）" if skipped else ""
        lines.append(
            f"{sheet.spec.label}（工作表“{sheet.title}”，表头第 {rows} 行）：{'，'.join(parts)}{note}"
        )
    return lines
