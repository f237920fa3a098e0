"""Finding a record by part of its name, for link pickers, without loading a whole ledger.

A picker for 所属党组织 or 党员 must stay fast with 50,000 members, so every lookup is one
``LIKE`` query with a ``LIMIT``. Records in the recycle bin are never offered. Members are shown as
"姓名（所在企业）" because namesakes are common; trainings as "名称（开始日期）" because the same
training is held every year. No Qt here: the CLI and tests use the same lookups.
"""

from __future__ import annotations

import peewee as pw

from partybuild.ledgers import spec
from partybuild.services import query as query_rules
from partybuild.store import models as m

DEFAULT_LIMIT = 50
# Brackets around the disambiguating part of a title; full-width, as Chinese text writes them.
OPEN, CLOSE = "（", "）"


def _ledger(model: type[pw.Model]) -> spec.Ledger:
    return spec.ledger_for_model(model)


def _base_query(model: type[m.BaseModel]) -> pw.ModelSelect:
    if model is m.Member:
        return (
            m.Member.select(m.Member, m.Enterprise.name.alias("enterprise_name"))
            .join(m.Enterprise, pw.JOIN.LEFT_OUTER, on=m.Member.enterprise == m.Enterprise.id)
            .objects()
        )
    return model.select()


def _display(ledger: spec.Ledger, record: m.BaseModel) -> str:
    """The title a picker shows; one formula so searching and resolving agree."""
    title = ledger.title(record)
    if isinstance(record, m.Member):
        unit = getattr(record, "enterprise_name", None)
        if unit is None and record.enterprise_id is not None:
            unit = (
                m.Enterprise.select(m.Enterprise.name)
                .where(m.Enterprise.id == record.enterprise_id)
                .scalar()
            )
        return f"{title}{OPEN}{unit}{CLOSE}" if unit else title
    if isinstance(record, m.Training) and record.start_date is not None:
        return f"{title}{OPEN}{record.start_date:%Y-%m-%d}{CLOSE}"
    return title


def search_titles(
    model: type[m.BaseModel], text: str, limit: int = DEFAULT_LIMIT
) -> list[tuple[int, str]]:
    """Live records whose title (or another search field) contains ``text``: (id, display title).

    Titles starting with the text come first, then the rest by title; an empty text lists the
    first ``limit`` records by title (enough for the dozen branches of a park).
    """
    ledger = _ledger(model)
    title_field = model._meta.fields[ledger.title_field]
    query = _base_query(model).where(model.deleted == False)  # noqa: E712
    text = text.strip()
    if text:
        names = dict.fromkeys((ledger.title_field, *ledger.search_fields))
        condition = None
        for name in names:
            column = ledger.by_name.get(name)
            if column is not None and column.kind in query_rules.SHOWN_PARTS:
                # ID and phone numbers: the parts a table shows or the whole number, as in the
                # search box (services.query), never the masked middle.
                clause = query_rules.number_match(column, text)
            else:
                clause = model._meta.fields[name].contains(text)
            condition = clause if condition is None else (condition | clause)
        query = query.where(condition).order_by(
            pw.Case(None, [(title_field.startswith(text), 0)], 1), title_field, model.id
        )
    else:
        query = query.order_by(title_field, model.id)
    return [(record.id, _display(ledger, record)) for record in query.limit(limit)]


def title_of(model: type[m.BaseModel], record_id: int) -> str:
    """The display title of one record, also when it is in the recycle bin (marked so)."""
    ledger = _ledger(model)
    record = _base_query(model).where(model.id == record_id).first()
    if record is None:
        return f"#{record_id}"
    title = _display(ledger, record)
    return f"{title}{OPEN}在回收站中{CLOSE}" if record.deleted else title


def branch_of_enterprise(enterprise_id: int) -> int | None:
    """The 所属党组织 of a live enterprise (None if it has none or is gone): a new member's
    branch is most often its enterprise's."""
    record = (
        m.Enterprise.select(m.Enterprise.branch)
        .where((m.Enterprise.id == enterprise_id) & (m.Enterprise.deleted == False))  # noqa: E712
        .first()
    )
    return record.branch_id if record is not None else None


def resolve_title(model: type[m.BaseModel], text: str) -> int | None:
    """The id of the one live record whose display title is exactly ``text``; None if not one.

    Lets a user type a full name and move on without opening the popup, while a namesake
    (two "张伟" in one enterprise) stays unresolved instead of being guessed.
    """
    text = text.strip()
    if not text:
        return None
    ledger = _ledger(model)
    # The title itself may hold brackets ("轮训（第一期）"), so try every prefix before one.
    candidates = {text} | {text[:i].strip() for i, ch in enumerate(text) if ch == OPEN}
    title_field = model._meta.fields[ledger.title_field]
    query = (
        _base_query(model)
        .where((model.deleted == False) & title_field.in_(sorted(candidates)))  # noqa: E712
        .limit(DEFAULT_LIMIT)
    )
    matches = [record.id for record in query if _display(ledger, record) == text]
    return matches[0] if len(matches) == 1 else None
