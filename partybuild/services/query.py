"""Paged, filtered, sorted reads of a ledger for the pages of the app.

Everything happens in SQL: the search box becomes conditions on a maintained search text (FTS5
trigram on SQLite, pg_trgm on PostgreSQL) and on the few linked records whose title matches, the
filters ``WHERE`` clauses, a column click ``ORDER BY`` on an indexed key (names by their pinyin
key) and a page anywhere is a lean ordered query of ids (an index walk) and then those rows. A page
of 200,000 members never brings more than one page of rows into Python.
"""

from __future__ import annotations

import datetime as dt
import re
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
    month: int | None = None  # 党费: the month (1–12) within the year; ``status`` is its state

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
                self.month,
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


# A word that can be part of an ID or phone number (digits, an ID's final X, its grouping).
NUMBER_WORD = re.compile(r"[0-9xX\-]+")
# A word the FTS5 trigram index can answer: three characters or more, no LIKE wildcard in it.
_FTS_WORD = re.compile(r"[^%_\\]{3,}")


def _database_has(database: pw.Database, kind: type[pw.Database], flag: str, sql: str) -> bool:
    """Whether a database of ``kind`` answers ``sql`` with a row; asked once per database and
    kept on it as ``flag`` (the page asks on every query)."""
    known = getattr(database, flag, None)
    if known is None:
        known = isinstance(database, kind) and bool(database.execute_sql(sql).fetchone())
        setattr(database, flag, known)
    return known


def _has_fts(database: pw.Database) -> bool:
    """Whether the database has the member search index of migration 0009 (SQLite FTS5)."""
    return _database_has(
        database,
        pw.SqliteDatabase,
        "_partybuild_fts",
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'member_fts'",
    )


#: At most this many members found by the pieces of a word are looked up by their ids (PostgreSQL).
SHORT_WORD_IDS = 5000


def _has_grams(database: pw.Database) -> bool:
    """Whether the database has the index of short search pieces of migration 0010 (PostgreSQL)."""
    return _database_has(
        database,
        pw.PostgresqlDatabase,
        "_partybuild_grams",
        "SELECT 1 FROM pg_indexes WHERE indexname = 'member_search_grams'",
    )


def _members_with_pieces(database: pw.Database, table: str, word: str) -> list[int] | None:
    """The ids of the members whose search text has every one- and two-character piece of
    ``word`` (exactly those that contain a word of one or two characters; for a longer one, a
    few more, which the text itself then decides), read from the index of 0010; None when they
    are more than SHORT_WORD_IDS (a word in most names: a, n)."""
    pieces = sorted({word[i : i + 2] for i in range(len(word) - 1)}) if len(word) > 1 else [word]
    found = database.execute_sql(
        f'SELECT id FROM "{table}" WHERE partybuild_grams(search_text) @> %s::text[] LIMIT %s',
        (pieces, SHORT_WORD_IDS + 1),
    ).fetchall()
    return [i for (i,) in found] if len(found) <= SHORT_WORD_IDS else None


def text_match(model: type[pw.Model], word: str) -> pw.Expression:
    """``word`` in a record's maintained search text (a member's name, its pinyin full spelling
    and initials: zs finds 张三). Three characters or more go through the FTS5 trigram index on
    SQLite; one or two are read from the column there, which a page walks in its sort order and
    stops once the page is full. On PostgreSQL the members whose text has the word's one- and
    two-character pieces are looked up first (0010: pg_trgm reads every row for a word of one or
    two characters, and for Chinese under the C locale) and their ids go into the query, as a
    link's titles do; a word in thousands of names is matched on the text (pg_trgm)."""
    field = model._meta.fields["search_text"]
    database = getattr(model._meta.database, "obj", model._meta.database)  # through the proxy
    if _FTS_WORD.fullmatch(word) and _has_fts(database):
        table = f"{model._meta.table_name}_fts"
        inner = pw.SQL(f'(SELECT rowid FROM "{table}" WHERE search_text LIKE ?)', (f"%{word}%",))
        return model.id.in_(inner)
    # Not through a viewer's masked view (security_barrier): the index could not serve it there.
    if model is m.Member and model._meta.table_name == "member" and _has_grams(database):
        found = _members_with_pieces(database, model._meta.table_name, word.lower())
        if found is not None:
            ids = ",".join(str(int(i)) for i in found) or "-1"
            term = model.id.in_(pw.SQL(f"({ids})"))
            if len(word) > 2:  # every piece is there; the word itself, in that order?
                term &= field.contains(word.lower())
            term._partybuild_candidates = True  # type: ignore[attr-defined]
            return term
    return field.contains(word.lower())


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
        self._joined: set[str] = set()  # links a filter reads through (dotted filter fields)
        self._nulls: int | None = None
        # A search named its few members by id (PostgreSQL): pages read them, then order them.
        self._fenced = False
        self._groups: list[tuple[list[int | None], int]] | None = None
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
        self._where = self._conditions()
        self._joined_select = query  # every linked title joined, no condition yet
        return query.where(self._where)

    def _field_path(self, path: str) -> Any:
        """A filter field, following one link ("team.branch") through the joined alias."""
        model = self.ledger.model
        if "." not in path:
            return model._meta.fields[path]
        link, rest = path.split(".", 1)
        self._joined.add(link)
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
        if self.ledger.name == "dues" and (f.month is not None or f.status is not None):
            from partybuild.services import dues  # 已交/未交/少交/补交 are derived (one rule)

            extra = dues.filter_condition(model, f.month, f.status)
            if extra is not None:
                cond &= extra
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
                        if not NUMBER_WORD.fullmatch(word):
                            continue  # 张三 or zs cannot be in an ID or phone number
                        term = self._number_term(column, word)
                    elif name == self.ledger.title_field and "search_text" in model._meta.fields:
                        term = text_match(model, word)  # the name, its pinyin and initials
                    else:
                        term = model._meta.fields[name].contains(word)  # % and _ literal
                    any_match = term if any_match is None else (any_match | term)
                for column in self.ledger.columns:
                    if column.kind == spec.LINK:
                        # The few linked records whose title matches, not a LIKE over a join
                        # for every row.
                        # Read first (a few hundred records at most): no match, no term.
                        ids = [i for (i,) in self._titles_matching(column, word).tuples()]
                        if ids:
                            term = column.field.in_(ids)
                            any_match = term if any_match is None else (any_match | term)
                    elif column.kind == spec.CHOICE and column.vocabulary is not None:
                        codes = matching_codes(column.vocabulary, word)
                        if codes:
                            term = column.field.in_(codes)
                            any_match = term if any_match is None else (any_match | term)
                assert any_match is not None
                # A word found only as the few members it names (by id): every row is one of them.
                self._fenced |= getattr(any_match, "_partybuild_candidates", False)
                cond &= any_match
        return cond

    def _number_term(self, column: Column, word: str) -> pw.Expression:
        """As :func:`number_match`, read from the maintained shown parts where the model keeps
        them (the search index carries them); the whole number is looked up first by its index."""
        model = self.ledger.model
        shown = model._meta.fields.get(f"{column.name.split('_')[0]}_shown")
        if shown is None:
            return number_match(column, word)
        normal = (
            validators.normalize_id_number(word)
            if column.kind == spec.ID_NUMBER
            else validators.normalize_phone(word)
        )
        whole = [i for (i,) in model.select(model.id).where(column.field == normal).tuples()]
        term = shown.contains(normal)
        return (term | model.id.in_(whole)) if whole else term

    def _titles_matching(self, column: Column, word: str) -> pw.ModelSelect:
        target = column.link_model
        assert target is not None
        title = self._title_of(column).name
        if title == "name" and "search_text" in target._meta.fields:
            return target.select(target.id).where(text_match(target, word))
        return target.select(target.id).where(getattr(target, title).contains(word))

    def _sort_key(self) -> tuple[Any, bool, Column | None]:
        """The ORDER BY key, whether it descends, and the link column it needs joined."""
        model = self.ledger.model
        name = self.sort_column
        descending = self.descending
        if name is None:
            default = self.ledger.sort_field
            descending = default.startswith("-")
            name = default.lstrip("-")
        if name == "overdue" and self.ledger.name == "issues":  # 超期: longest overdue first
            issue = m.EnterpriseIssue
            key = pw.Case(None, [(issue.overdue_on(dt.date.today()), issue.deadline)], None)
            return key, descending, None
        if name == "id":
            return model.id, descending, None
        column = self.ledger.column(name)
        if column.kind == spec.LINK:
            title = self._title_of(column)
            alias = self._link_alias(column)
            if title.name == "name" and "name_key" in column.link_model._meta.fields:  # type: ignore[union-attr]
                title = alias.name_key  # a member's name in pinyin order
            return title, descending, column
        keyed = model._meta.fields.get(f"{name}_key")  # names in pinyin order (Member.name_key)
        return (keyed if keyed is not None else column.field), descending, None

    def _order(self) -> list[Any]:
        """Empty values last either way; each part of the order on its own is index-friendly."""
        key, descending, _link = self._sort_key()
        model = self.ledger.model
        tiebreak = model.id.desc() if descending else model.id.asc()
        return [key.desc(nulls="LAST") if descending else key.asc(nulls="LAST"), tiebreak]

    # -- reading -----------------------------------------------------------------------
    def _lean(self, *selected: Any, sort_link: Column | None = None) -> pw.ModelSelect:
        """A select of ``selected`` under the conditions, joining only the links they need
        (dotted filters, a sort by a link's title), not every linked title of the page."""
        model = self.ledger.model
        query = model.select(*selected)
        needed = set(self._joined) | ({sort_link.name} if sort_link is not None else set())
        for column in self.ledger.columns:
            if column.kind == spec.LINK and column.name in needed:
                alias = self._link_alias(column)
                query = query.join_from(
                    model, alias, pw.JOIN.LEFT_OUTER, on=(column.field == alias.id)
                )
        return query.where(self._where)

    def count(self) -> int:
        return int(self._lean(pw.fn.COUNT(pw.SQL("*"))).scalar() or 0)

    def _empty_keys(self) -> int:
        """How many rows have no sort key: they come last, after every row that has one."""
        if self._nulls is None:
            key, _desc, link = self._sort_key()
            if key is self.ledger.model.id:
                self._nulls = 0
            else:
                query = self._lean(pw.fn.COUNT(pw.SQL("*")), sort_link=link)
                self._nulls = int(query.where(key.is_null(True)).scalar() or 0)
        return self._nulls

    def _ids(self, offset: int, limit: int, total: int | None) -> list[int]:
        """The ids of rows ``offset``… in order: rows with a key by the key (an index walk, no
        sort of the whole ledger), then rows without one by id. ``total`` may be unknown (None)
        for the first page only."""
        key, descending, link = self._sort_key()
        model = self.ledger.model
        if key is model.id:
            return self._page_ids(None, None, descending, offset, limit)
        if link is not None:
            return self._ids_by_link(link, descending, offset, limit)
        if total is None:
            assert offset == 0, "a page after the first needs the count"
        keyed = (total - self._empty_keys()) if total is not None else None
        ids: list[int] = []
        if keyed is None or offset < keyed:
            ids = self._page_ids(key.is_null(False), key, descending, offset, limit, link)
        if len(ids) < limit and self._empty_keys():
            start = max(0, offset - keyed) if keyed is not None else 0
            ids += self._page_ids(key.is_null(True), None, descending, start, limit - len(ids))
        return ids

    def _page_ids(
        self,
        where: pw.Expression | None,
        key: Any,
        descending: bool,
        offset: int,
        limit: int,
        sort_link: Column | None = None,
    ) -> list[int]:
        """Ids of the rows under the conditions (and ``where``) by ``key`` (None: by id alone),
        then id. When a search has named its few members by id (PostgreSQL), those are read
        first and then ordered (a subquery the planner keeps apart): left to itself, it would
        walk the whole order's index to find them, as if they were spread evenly along it."""
        model = self.ledger.model
        query = self._lean(model.id, sort_link=sort_link)
        if where is not None:
            query = query.where(where)
        if not self._fenced:
            order = [model.id] if key is None else [key, model.id]
            query = query.order_by(*(o.desc() if descending else o.asc() for o in order))
            return [i for (i,) in query.offset(offset).limit(limit).tuples()]
        columns = [model.id.alias("row_id")] + ([key.alias("row_key")] if key is not None else [])
        inner = self._lean(*columns, sort_link=sort_link)
        if where is not None:
            inner = inner.where(where)
        found = inner.offset(0).alias("found")  # OFFSET 0: a subquery planned on its own
        order = [] if key is None else [found.c.row_key]
        order.append(found.c.row_id)
        outer = pw.Select([found], [found.c.row_id]).order_by(
            *(o.desc() if descending else o.asc() for o in order)
        )
        outer = outer.offset(offset).limit(limit).bind(model._meta.database)
        return [i for (i,) in outer.tuples()]

    def _link_groups(self, link: Column, descending: bool) -> list[tuple[list[int | None], int]]:
        """Rows by a link's title, as groups: the link ids sharing one title (in title order)
        and how many rows each group has. The rows without a link come last (ids [None])."""
        if self._groups is None:
            target = link.link_model
            assert target is not None
            key, _desc, _link = self._sort_key()
            title = getattr(target, key.name)
            counted = self._lean(link.field, pw.fn.COUNT(pw.SQL("*"))).group_by(link.field)
            counts = dict(counted.tuples())
            titles = target.select(target.id, title).where(
                target.id.in_([i for i in counts if i is not None])
            )
            by_title: dict[Any, list[int]] = {}
            empty = counts.get(None, 0)
            for link_id, value in titles.tuples():
                if value is None:
                    empty += counts[link_id]
                    by_title.setdefault(None, []).append(link_id)
                else:
                    by_title.setdefault(value, []).append(link_id)
            ordered = sorted((v for v in by_title if v is not None), reverse=descending)
            groups: list[tuple[list[int | None], int]] = [
                (by_title[v], sum(counts[i] for i in by_title[v])) for v in ordered
            ]
            if empty:
                groups.append(([None, *by_title.get(None, [])], empty))
            self._groups = groups
        return self._groups

    def _ids_by_link(self, link: Column, descending: bool, offset: int, limit: int) -> list[int]:
        """A page in the order of a link's title without sorting the ledger: each title's rows
        come from the index on the link, by id."""
        ids: list[int] = []
        start = 0
        for link_ids, count in self._link_groups(link, descending):
            if len(ids) >= limit:
                break
            if start + count <= offset:
                start += count
                continue
            skip = max(0, offset - start)
            real = [i for i in link_ids if i is not None]
            inside = link.field.in_(real) if real else None
            if None in link_ids:
                inside = (
                    link.field.is_null(True) | inside
                    if inside is not None
                    else link.field.is_null(True)
                )
            ids += self._page_ids(inside, None, descending, skip, limit - len(ids))
            start += count
        return ids

    def rows(self, offset: int = 0, limit: int = PAGE_SIZE, total: int | None = None) -> list[Row]:
        """Rows ``offset``… of the page: their ids from a lean ordered query, then those rows
        whole. Any page costs about what the first does."""
        if total is None:
            total = self.count()
        return self._rows_of(self._ids(offset, limit, total))

    def first_rows(self, limit: int = PAGE_SIZE) -> tuple[list[Row], int | None]:
        """The first page without counting first, and the count when the page tells it: fewer
        rows than ``limit`` are every row there is (a search that finds a few dozen members is
        read and counted in one walk of the index); a full page leaves the count unknown (None),
        for :meth:`count` to settle."""
        ids = self._ids(0, limit, None)
        total: int | None = len(ids) if len(ids) < limit else None
        _key, descending, link = self._sort_key()
        if total is None and link is not None:  # the groups of a link's order are counted
            total = sum(n for _ids, n in self._link_groups(link, descending))
        return self._rows_of(ids), total

    def _rows_of(self, ids: list[int]) -> list[Row]:
        """These records' rows whole, in the order of ``ids``."""
        if not ids:
            return []
        model = self.ledger.model
        query = self._select.where(model.id.in_(ids)).tuples()
        if self._fenced:
            # The ids were just read under the search; the search's own list of ids beside
            # these would lead PostgreSQL's planner to read the whole table for 200 rows.
            live: pw.Expression = model.deleted == False  # noqa: E712
            if self.ledger.scope is not None:
                live &= self.ledger.scope()
            query = self._joined_select.where(live, model.id.in_(ids)).tuples()
        width = len(self.ledger.columns)
        by_id = {}
        for r in query:
            values = list(r[2 : 2 + width])
            for i, precision in zip(self._partial, r[2 + width :], strict=True):
                if values[i] is not None and precision is not None:
                    values[i] = PartialDate.of(values[i], precision)
            by_id[r[0]] = Row(r[0], r[1], values)
        return [by_id[i] for i in ids if i in by_id]

    def position(self, record_id: int, total: int | None = None) -> int | None:
        """The row a record is on under this order, or None if the filters leave it out."""
        model = self.ledger.model
        key, descending, link = self._sort_key()
        found = (
            self._lean(model.id, key, sort_link=link).where(model.id == record_id).tuples().first()
        )
        if found is None:
            return None
        value = found[1]
        before_id = (model.id > record_id) if descending else (model.id < record_id)
        if key is model.id:
            earlier = before_id
        elif value is None:  # after every row with a key, and after empty ones with a lower id
            earlier = key.is_null(False) | (key.is_null(True) & before_id)
        else:
            beyond = (key > value) if descending else (key < value)
            earlier = key.is_null(False) & (beyond | ((key == value) & before_id))
        query = self._lean(pw.fn.COUNT(pw.SQL("*")), sort_link=link).where(earlier)
        return int(query.scalar() or 0)


def attachment_counts(owner_ledger: str, owner_ids: list[int] | None = None) -> dict[int, int]:
    """Record id → number of live attachments (records with none are absent): the 附件 column.

    Plain SQL, here rather than in services.attachments, so that showing a page does not load
    Pillow and pillow-heif (which that module needs to read images, and a count does not)."""
    a = m.Attachment
    query = (
        a.select(a.owner_id, pw.fn.COUNT(a.id))
        .where(a.owner_ledger == owner_ledger, a.deleted == False)  # noqa: E712
        .group_by(a.owner_id)
    )
    if owner_ids is not None:
        query = query.where(a.owner_id.in_(owner_ids))
    return {owner_id: n for owner_id, n in query.tuples()}
