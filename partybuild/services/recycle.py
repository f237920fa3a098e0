"""The recycle bin (回收站): every binned record of every ledger, restored or purged from one place.

Listing is one ``UNION ALL`` over the ledgers' tables ordered by deletion time with LIMIT/OFFSET,
so the database sorts and pages and only one page of records is ever loaded. Restoring goes
through :func:`partybuild.services.records.restore` one record at a time, so one refusal (a live
record took the name meanwhile) does not hold back the others; purging is all-or-nothing.

Soft delete keeps a record's links (a binned branch's enterprises still point at it), so a
restore puts the record back whole. A purge is different: the database deletes what hangs off
the record (a branch's activities, a member's attendance rows); :func:`purge_impact` counts
them so the user is told before confirming.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass

import peewee as pw

from partybuild.domain import dates
from partybuild.domain.vocab import Vocabulary
from partybuild.ledgers import spec
from partybuild.ledgers.spec import Ledger
from partybuild.services import query as query_rules
from partybuild.services import records
from partybuild.services.errors import RecordNotFound, ValidationError
from partybuild.store import models as m

PAGE_SIZE = 200
# Natural-key parts never shown as context: personal data, and codes that say nothing to a reader.
_NOT_CONTEXT = (spec.ID_NUMBER, spec.PHONE, spec.CREDIT_CODE)


@dataclass(frozen=True)
class DeletedRow:
    """One record in the recycle bin, as the bin lists it."""

    ledger: str
    ledger_label: str
    record_id: int
    title: str
    deleted_at: dt.datetime | None
    #: The rest of the natural key (branch and date of an activity…), so that
    #: "学习二十大" says which one; empty for ledgers whose title is their key.
    context: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.ledger, self.record_id)


def _ledgers(ledger_name: str | None) -> list[Ledger]:
    if ledger_name:
        return [spec.ledger(ledger_name)]
    # A scoped ledger (发展党员) is a view of another's table: a member is binned once, as 党员;
    # 附件 are binned too (spec.binned_ledgers).
    return spec.binned_ledgers()


def _search_condition(ledger: Ledger, search: str) -> pw.Expression | None:
    """Match the title and search fields, and the title of records in the natural key's links."""
    text = search.strip()
    if not text:
        return None
    model = ledger.model
    names = dict.fromkeys((ledger.title_field, *ledger.search_fields))
    terms: list[pw.Expression] = []
    for name in names:
        column = ledger.by_name.get(name)
        if column is not None and column.kind in query_rules.SHOWN_PARTS:
            terms.append(query_rules.number_match(column, text))  # never the masked middle
        elif name in model._meta.fields:
            terms.append(model._meta.fields[name].contains(text))
    for name in ledger.natural_key:
        column = ledger.column(name)
        target = column.link_model
        if target is not None:
            title_field = spec.ledger_for_model(target).title_field
            sub = target.select(target.id).where(target._meta.fields[title_field].contains(text))
            terms.append(column.field.in_(sub))
    return functools.reduce(operator.or_, terms)


def _binned(ledger: Ledger, search: str) -> pw.ModelSelect:
    model = ledger.model
    query = model.select(
        pw.Value(ledger.name, converter=False).alias("ledger"),
        model.id.alias("record_id"),
        model.deleted_at.alias("deleted_at"),
    ).where(model.deleted == True)  # noqa: E712
    condition = _search_condition(ledger, search)
    return query.where(condition) if condition is not None else query


def count_deleted(ledger_name: str | None = None, search: str = "") -> int:
    """How many records are in the bin (of one ledger, or all), optionally matching ``search``."""
    return sum(_binned(ledger, search).count() for ledger in _ledgers(ledger_name))


def deleted_records(
    ledger_name: str | None = None, search: str = "", offset: int = 0, limit: int = PAGE_SIZE
) -> list[DeletedRow]:
    """One page of the bin, most recently deleted first (ties in a stable ledger/id order)."""
    ledgers = _ledgers(ledger_name)
    union = functools.reduce(operator.add, (_binned(ledger, search) for ledger in ledgers))
    page = (
        union.order_by(
            pw.SQL('"deleted_at"').desc(nulls="LAST"),
            pw.SQL('"ledger"'),
            pw.SQL('"record_id"').desc(),
        )
        .limit(limit)
        .offset(offset)
    )
    keys = [(name, record_id, deleted_at) for name, record_id, deleted_at in page.tuples()]
    by_ledger: dict[str, list[int]] = {}
    for name, record_id, _ in keys:
        by_ledger.setdefault(name, []).append(record_id)
    described = {
        (name, rid): text
        for name, ids in by_ledger.items()
        for rid, text in _describe(spec.ledger(name), ids).items()
    }
    rows: list[DeletedRow] = []
    for name, record_id, deleted_at in keys:
        # A record purged by someone else between the two queries keeps a placeholder title.
        title, context = described.get((name, record_id), (f"#{record_id}", ""))
        ledger = spec.ledger(name)
        rows.append(
            DeletedRow(name, ledger.label, record_id, title, _as_datetime(deleted_at), context)
        )
    return rows


def _as_datetime(value: object) -> dt.datetime | None:
    # SQLite hands back text from a compound select, where peewee cannot apply the field type.
    if value is None or isinstance(value, dt.datetime):
        return value  # type: ignore[return-value]
    return dt.datetime.fromisoformat(str(value))


def _describe(ledger: Ledger, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Title and context for records of one ledger, with one query per linked ledger."""
    model = ledger.model
    found = {r.id: r for r in model.select().where(model.id.in_(ids))}
    link_titles: dict[str, dict[int, str]] = {}
    for name in ledger.natural_key:
        column = ledger.column(name)
        target = column.link_model
        if target is None:
            continue
        linked = {getattr(r, column.field.column_name) for r in found.values()} - {None}
        target_ledger = spec.ledger_for_model(target)
        link_titles[name] = (
            {t.id: target_ledger.title(t) for t in target.select().where(target.id.in_(linked))}
            if linked
            else {}
        )

    result: dict[int, tuple[str, str]] = {}
    for rid, record in found.items():
        title = ledger.title(record)
        skip = {ledger.title_field}
        if title == f"#{rid}" and "member" in link_titles:
            # An attendance row of a member has no name of its own: the member's is its title.
            title = link_titles["member"].get(record.member_id) or title
            skip.add("member")
        parts: list[str] = []
        for name in ledger.natural_key:
            column = ledger.column(name)
            if name in skip or column.kind in _NOT_CONTEXT:
                continue
            if name in link_titles:
                value = link_titles[name].get(getattr(record, column.field.column_name))
            else:
                value = _plain(getattr(record, name), column.vocabulary)
            if value:
                parts.append(value)
        result[rid] = (" ".join(title.split()), "，".join(parts))
    return result


def _plain(value: object, vocabulary: Vocabulary | None) -> str:
    if value is None:
        return ""
    if vocabulary is not None:
        return vocabulary.label(str(value))
    if isinstance(value, dt.date):
        return dates.shown(value)
    return str(value)


def restore_many(rows: Iterable[tuple[str, int]]) -> list[str]:
    """Restore each record on its own; return a Chinese message for each one refused."""
    errors: list[str] = []
    for ledger_name, record_id in rows:
        ledger = spec.ledger(ledger_name)
        try:
            records.restore(ledger, record_id)
        except ValidationError as exc:
            record = ledger.model.get_or_none(ledger.model.id == record_id)
            title = ledger.title(record) if record is not None else f"#{record_id}"
            errors.append(f"{ledger.label}“{title}”未能恢复：{exc}")
        except RecordNotFound:
            errors.append(f"{ledger.label} #{record_id} 已不存在（可能已被他人彻底删除）")
    return errors


def purge_many(rows: Iterable[tuple[str, int]]) -> int:
    """Delete records for good, all or none; return how many of ``rows`` were deleted.

    A record that is already gone (purged by someone else, or taken with a parent purged just
    before it in this same call) is skipped. A record that is no longer in the bin (restored
    meanwhile) refuses the whole purge with :class:`ValidationError`.
    """
    wanted = [(spec.ledger(name), record_id) for name, record_id in rows]
    with m.db_proxy.obj.atomic():
        present = []
        for ledger, record_id in wanted:
            record = ledger.model.get_or_none(ledger.model.id == record_id)
            if record is None:
                continue
            if not record.deleted:
                raise ValidationError(
                    {
                        "__all__": f"{ledger.label}“{ledger.title(record)}”已不在回收站中，未删除任何记录"
                    }
                )
            present.append((ledger, record_id))
        for ledger, record_id in present:
            if ledger.model.get_or_none(ledger.model.id == record_id) is not None:
                records.purge(ledger, record_id)
    return len(present)


def purge_impact(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Ledger label → how many other records the database would delete along with ``rows``.

    Only ledger records linked with ON DELETE CASCADE count (a branch's activities, a training's
    or member's attendance rows, an enterprise's issues); links that are merely cleared (an
    enterprise's branch) are not deletions.
    """
    chosen: dict[type[m.BaseModel], set[int]] = {}
    for ledger_name, record_id in rows:
        chosen.setdefault(spec.ledger(ledger_name).model, set()).add(record_id)
    ledger_models = {ledger.model: ledger for ledger in _ledgers(None)}
    impact: dict[str, int] = {}
    for model, ids in chosen.items():
        for fk in model._meta.backrefs:
            dependent = fk.model
            if fk.on_delete != "CASCADE" or dependent not in ledger_models or dependent is model:
                continue
            query = dependent.select().where(fk.in_(sorted(ids)))
            already = chosen.get(dependent)
            if already:
                query = query.where(dependent.id.not_in(sorted(already)))
            n = query.count()
            if n:
                label = ledger_models[dependent].label
                impact[label] = impact.get(label, 0) + n
    attached = _attachments_of(chosen)  # linked by ledger name and id, not by a foreign key
    if attached:
        impact[spec.ATTACHMENTS.label] = impact.get(spec.ATTACHMENTS.label, 0) + attached
    return impact


def _attachments_of(chosen: dict[type[m.BaseModel], set[int]]) -> int:
    from partybuild.services.attachments import OWNERS

    n = 0
    already = chosen.get(m.Attachment, set())
    for ledger_name, model in OWNERS.items():
        ids = chosen.get(model)
        if ids:
            query = m.Attachment.select().where(
                m.Attachment.owner_ledger == ledger_name, m.Attachment.owner_id.in_(sorted(ids))
            )
            if already:
                query = query.where(m.Attachment.id.not_in(sorted(already)))
            n += query.count()
    return n


def purge_blockers(rows: Iterable[tuple[str, int]]) -> list[str]:
    """Why some of ``rows`` cannot be purged (live records still refer to them), before asking.

    The same rule as :func:`partybuild.services.records.purge`, checked up front so the user is
    not asked to confirm a deletion that will then be refused.
    """
    reasons = []
    for ledger_name, record_id in rows:
        ledger = spec.ledger(ledger_name)
        record = ledger.model.get_or_none(ledger.model.id == record_id)
        if record is None:
            continue
        users = records.live_references(record)
        if users:
            reasons.append(f"“{ledger.title(record)}”仍被{records.references_text(users)}使用")
    return reasons
