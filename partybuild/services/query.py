"""Paged, filtered, sorted reads of a ledger for the pages of the app.

Everything happens in SQL: the search box becomes ``LIKE`` conditions, the filters ``WHERE``
clauses, a column click ``ORDER BY`` and scrolling ``LIMIT/OFFSET``. A page of 50,000 members
never brings more than one page of rows into Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from partybuild.domain import validators, vocab
from partybuild.domain.dates import PartialDate
from partybuild.domain.vocab import Vocabulary
from partybuild.ledgers import spec
from partybuild.ledgers.spec import Column, Ledger
from partybuild.store import models as m

PAGE_SIZE = 200


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the page to; None means no filter."""

    search: str = ""
    branch_id: int | None = None
    kind: str | None = None
    year: int | None = None
    status: str | None = None
    record_ids: tuple[int, ...] | None = None  # drill-down from the overview: exactly these
    overdue: bool | None = None  # 企业诉求: past 办结时限 today and not closed (or not)

    def active(self) -> bool:
        return bool(self.search.strip()) or any(
            v is not None
            for v in (
                self.branch_id,
                self.kind,
                self.year,
                self.status,
                self.record_ids,
                self.overdue,
            )
        )


@dataclass
class Row:
    """One table row: the record's id and version, and a value per ledger column."""

    id: int
    version: int
    values: list[Any] = field(default_factory=list)


# The parts of an ID number and a phone number a table shows (validators.mask_id_number and
# mask_phone): the search box matches those, or the whole number typed in full, never the hidden
# middle -- typing 1239 must not pick out a member by digits the table shows as ****.
SHOWN_PARTS = {spec.ID_NUMBER: (4, 4), spec.PHONE: (3, 4)}


def search_words(text: str) -> list[str]:
    """The words of a search: a whole ID or phone number typed grouped (``138 0013 8000``,
    ``110101 19900307 123x``) is one word, everything else splits at blanks."""
    for whole in (validators.normalize_id_number(text), validators.normalize_phone(text)):
        full = len(whole) in (11, 18) and whole.isascii() and whole[:-1].isdigit()
        if " " in text.strip() and full and (whole[-1].isdigit() or whole[-1] == "X"):
            return [whole]
    return text.split()


def number_match(column: Column, word: str) -> pw.Expression:
    """``word`` in the shown head or tail of a masked number, or the whole number itself."""
    head, tail = SHOWN_PARTS[column.kind]
    field = column.field
    normal = (
        validators.normalize_id_number(word)
        if column.kind == spec.ID_NUMBER
        else validators.normalize_phone(word)
    )
    # Shorter values are not masked this way (validators._mask_short): whole-number match only.
    # contains() matches % and _ literally.
    shown = (pw.fn.LENGTH(field) > head + tail) & (
        pw.fn.SUBSTR(field, 1, head).contains(normal)
        | pw.fn.SUBSTR(field, pw.fn.LENGTH(field) - (tail - 1), tail).contains(normal)
    )
    return (field == normal) | shown


def matching_codes(vocabulary: Vocabulary, word: str) -> list[str]:
    """The codes a search word finds: the one it spells (本科 → bachelor, 支委会 →
    committee_meeting, the same reading as the importer's) and, for two characters or more, those
    whose label contains it (大学 → 大学本科, 大学专科)."""
    codes = []
    code = vocabulary.code(word)
    if code is not None:
        codes.append(code)
    key = vocab.normalise(word)
    if len(key) >= 2:
        codes += [c for c, label in vocabulary if key in vocab.normalise(label) and c not in codes]
    return codes


class LedgerQuery:
    """A ledger seen through filters and a sort order."""

    def __init__(
        self,
        ledger: Ledger,
        filters: Filters | None = None,
        sort_column: str | None = None,
        descending: bool = False,
    ) -> None:
        self.ledger = ledger
        self.filters = filters or Filters()
        self.sort_column = sort_column
        self.descending = descending
        self._aliases: dict[str, Any] = {}
        self._select = self._build()

    # -- building ----------------------------------------------------------------------
    def _link_alias(self, column: Column) -> Any:
        if column.name not in self._aliases:
            assert column.link_model is not None
            self._aliases[column.name] = column.link_model.alias(f"l_{column.name}")
        return self._aliases[column.name]

    def _title_of(self, column: Column) -> pw.Field:
        target = spec.ledger_for_model(column.link_model) if column.link_model else None
        title = target.title_field if target is not None else "name"
        if column.link_model is not None and column.link_model.__name__ == "Member":
            title = "name"
        return getattr(self._link_alias(column), title)

    def _build(self) -> pw.ModelSelect:
        model = self.ledger.model
        selected: list[Any] = [model.id, model.version]
        for column in self.ledger.columns:
            if column.kind == spec.LINK:
                selected.append(self._title_of(column))
            else:
                selected.append(column.field)
        # A date to the month or year is its first day and its precision (PartialDateField):
        # the precision columns follow the ledger's, and rows() makes one value of the two.
        self._partial = [
            i for i, column in enumerate(self.ledger.columns) if column.kind == spec.PARTIAL_DATE
        ]
        for i in self._partial:
            selected.append(self.ledger.columns[i].field.precision_field())
        query = model.select(*selected)
        for column in self.ledger.columns:
            if column.kind == spec.LINK:
                alias = self._link_alias(column)
                query = query.join_from(
                    model, alias, pw.JOIN.LEFT_OUTER, on=(column.field == alias.id)
                )
        return query.where(self._conditions())

    def _field_path(self, path: str) -> Any:
        """A filter field, following one link ("team.branch") through the joined alias."""
        model = self.ledger.model
        if "." not in path:
            return model._meta.fields[path]
        link, rest = path.split(".", 1)
        alias = self._link_alias(self.ledger.column(link))
        return getattr(alias, rest)

    def _conditions(self) -> pw.Expression:
        model, f = self.ledger.model, self.filters
        cond: pw.Expression = model.deleted == False  # noqa: E712
        if self.ledger.scope is not None:
            cond &= self.ledger.scope()
        fmap = self.ledger.filter_map
        if f.record_ids is not None:
            # Inlined as integer literals: a drill-down may name tens of thousands of records,
            # more than SQLite or PostgreSQL accept as bound parameters. int() keeps it safe.
            ids = ",".join(str(int(i)) for i in f.record_ids) or "-1"
            cond &= model.id.in_(pw.SQL(f"({ids})"))
        if f.overdue is not None and self.ledger.name == "issues":
            from partybuild.services import compliance  # the one rule of overdue

            late = ",".join(str(int(i.id)) for i in compliance.overdue_issues(dt.date.today()))
            inside = model.id.in_(pw.SQL(f"({late or '-1'})"))
            cond &= inside if f.overdue else ~inside
        if f.branch_id is not None and "branch" in fmap:
            path = fmap["branch"]
            cond &= (
                self._field_path(path) == f.branch_id
                if "." in path
                else (model._meta.fields[path] == f.branch_id)
            )
        if f.kind is not None and "kind" in fmap:
            cond &= self._field_path(fmap["kind"]) == f.kind
        if f.status is not None and "status" in fmap:
            cond &= self._field_path(fmap["status"]) == f.status
        if f.year is not None and "year" in fmap:
            cond &= self._field_path(fmap["year"]).between(
                dt.date(f.year, 1, 1), dt.date(f.year, 12, 31)
            )
        text = f.search.strip()
        if text:
            for word in search_words(text):
                any_match: pw.Expression | None = None
                for name in self.ledger.search_fields or (self.ledger.title_field,):
                    column = self.ledger.by_name.get(name)
                    if column is not None and column.kind in SHOWN_PARTS:
                        term = number_match(column, word)
                    else:
                        term = self.ledger.model._meta.fields[name].contains(
                            word
                        )  # % and _ literal
                    any_match = term if any_match is None else (any_match | term)
                for column in self.ledger.columns:
                    if column.kind == spec.LINK:
                        term = self._title_of(column).contains(word)
                        any_match = term if any_match is None else (any_match | term)
                    elif column.kind == spec.CHOICE and column.vocabulary is not None:
                        codes = matching_codes(column.vocabulary, word)
                        if codes:
                            term = column.field.in_(codes)
                            any_match = term if any_match is None else (any_match | term)
                assert any_match is not None
                cond &= any_match
        return cond

    def _order(self) -> list[Any]:
        model = self.ledger.model
        name = self.sort_column
        descending = self.descending
        if name is None:
            default = self.ledger.sort_field
            descending = default.startswith("-")
            name = default.lstrip("-")
        if name == "overdue" and self.ledger.name == "issues":  # 超期: longest overdue first
            issue = m.EnterpriseIssue
            key: Any = pw.Case(None, [(issue.overdue_on(dt.date.today()), issue.deadline)], None)
        elif name == "id":
            key = model.id
        else:
            column = self.ledger.column(name)
            key = self._title_of(column) if column.kind == spec.LINK else column.field
        tiebreak = model.id.desc() if descending else model.id.asc()
        return [key.desc(nulls="LAST") if descending else key.asc(nulls="LAST"), tiebreak]

    # -- reading -----------------------------------------------------------------------
    def count(self) -> int:
        return int(self._select.order_by().count())

    def rows(self, offset: int = 0, limit: int = PAGE_SIZE) -> list[Row]:
        query = self._select.order_by(*self._order()).offset(offset).limit(limit).tuples()
        width = len(self.ledger.columns)
        rows = []
        for r in query:
            values = list(r[2 : 2 + width])
            for i, precision in zip(self._partial, r[2 + width :], strict=True):
                if values[i] is not None and precision is not None:
                    values[i] = PartialDate.of(values[i], precision)
            rows.append(Row(r[0], r[1], values))
        return rows
