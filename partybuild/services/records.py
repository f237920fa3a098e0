"""Create, update, soft-delete, restore and purge records of every ledger, with validation.

Validation is driven by the ledger description (:mod:`partybuild.ledgers.spec`) plus the rules of
the domain (:func:`_rules`). A refused write raises :class:`ValidationError` and writes nothing;
an update names the version it was based on and is refused when the record has moved on.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

import peewee as pw

from partybuild.domain import dates
from partybuild.domain import dues as dues_rules
from partybuild.domain import validators as v
from partybuild.ledgers import spec
from partybuild.ledgers.spec import Column, Ledger
from partybuild.services import audit, recruitment
from partybuild.services.errors import (
    RecordNotFound,
    StaleRecordError,
    ValidationError,
    busy_as_storage_busy,
)
from partybuild.store import models as m

MAX_TEXT = 255
MAX_LONGTEXT = 20_000


def _db() -> pw.Database:
    """The database to write to. A read-only account (the viewer) is refused here, before any
    validation — the database would refuse it anyway, but a masked value read back (a starred
    ID number) would first fail validation and say the wrong thing."""
    database = m.db_proxy.obj
    account = getattr(database, "partybuild_account", None)
    if account is not None and not account.can_write:
        from partybuild.services.errors import PermissionDenied, permission_message

        raise PermissionDenied(permission_message(Exception(), "viewer"))
    return database


# --------------------------------------------------------------------------- field cleaning


# C0 control characters but tab and newline, and DEL (one search instead of a test a character).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def _clean_text(value: Any, column: Column) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("应为文字")
    text = v.normalize_text(value) if column.kind != spec.LONGTEXT else value.strip()
    if _CONTROL.search(text) is not None:
        raise ValueError("含有不可见的控制字符")
    if column.kind != spec.LONGTEXT and "\n" in text:
        raise ValueError("不能换行")
    limit = MAX_LONGTEXT if column.kind == spec.LONGTEXT else (column.max_length or MAX_TEXT)
    if len(text) > limit:
        raise ValueError(f"过长（{len(text)} 字，最多 {limit} 字）")
    return text or None


def clean_value(value: Any, column: Column) -> Any:
    """Check one value against its column; return the value to store (None for empty)."""
    kind = column.kind
    if value == "" or value is None:
        return None
    if kind in (spec.TEXT, spec.LONGTEXT):
        return _clean_text(value, column)
    if kind == spec.ID_NUMBER:
        text = _clean_text(
            v.normalize_id_number(value) if isinstance(value, str) else value, column
        )
        if text is not None:
            v.check_id_number(text)
        return text
    if kind == spec.CREDIT_CODE:
        text = _clean_text(value, column)
        if text is not None:
            v.check_credit_code(text)
        return text
    if kind == spec.PHONE:
        text = _clean_text(v.normalize_phone(value) if isinstance(value, str) else value, column)
        if text is not None:
            v.check_phone(text)
        return text
    if kind == spec.CHOICE:
        vocabulary = column.vocabulary
        assert vocabulary is not None
        return vocabulary.resolve(value)  # UnknownChoice is a ValueError with the reason
    if kind in spec.DATE_KINDS:
        partial = kind == spec.PARTIAL_DATE
        if isinstance(value, str):
            # Typed text (the form's date fields pass on what they could not read as a date):
            # 1998.11 is a date of record to the month where the field allows it, and refused
            # with the reason where an event needs its day.
            value = dates.parse(v.normalize_text(value), partial=partial)
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise ValueError("应为日期")
        if dates.is_partial(value) and not partial:
            assert isinstance(value, dates.PartialDate)
            if value.precision == dates.MONTH:
                raise ValueError(dates.month_only_message(value.shown()))
            raise ValueError(dates.year_only_message(value.shown(), value.year))
        if not 1900 <= value.year <= 2100:
            raise ValueError(f"日期 {dates.shown(value)} 不在合理范围内")
        if not dates.is_partial(value):
            value = dt.date(value.year, value.month, value.day)
        return value
    if kind == spec.DATETIME:
        if not isinstance(value, dt.datetime):
            raise ValueError("应为日期和时间")
        return value.replace(microsecond=0)
    if kind == spec.BOOL:
        if not isinstance(value, bool):
            raise ValueError("应为“是”或“否”")
        return value
    if kind == spec.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("应为整数")
        if value < 0 or value > 10_000_000:
            raise ValueError("数值不在合理范围内")
        return value
    if kind == spec.FLOAT:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise ValueError("应为数字")
        if value < 0 or value > 100_000:
            raise ValueError("数值不在合理范围内")
        return float(value)
    if kind == spec.MONEY:
        return dues_rules.money(value, column.label)
    if kind == spec.RATE:
        return dues_rules.rate_value(value, column.label)
    if kind == spec.LINK:
        return _clean_link(value, column)
    raise AssertionError(kind)


def _clean_link(value: Any, column: Column) -> int:
    target = column.link_model
    assert target is not None
    record_id = value.id if isinstance(value, pw.Model) else value
    if isinstance(record_id, bool) or not isinstance(record_id, int):
        raise ValueError("应选择一条记录")
    row = target.get_or_none(target.id == record_id)
    if row is None:
        raise ValueError("所选记录不存在")
    if row.deleted:
        raise ValueError(f"所选“{spec.ledger_for_model(target).title(row)}”在回收站中")
    return record_id


def _spoken(value: dates.PartialDate) -> str:
    return f"{value.year}年{value.month}月" if value.precision == dates.MONTH else f"{value.year}年"


def _labels(ledger: Ledger) -> dict[str, str]:
    return {c.name: c.label for c in ledger.columns}


# --------------------------------------------------------------------------- rules of the domain


def apply_rules(
    ledger: Ledger,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    today: dt.date | None = None,
) -> None:
    """Cross-field rules; they add to ``errors`` and may fill fields read from the ID number.

    ``today`` (the date "not later than today" is checked against) is read from the clock when
    not given; an import gives the one date its whole plan is checked against."""
    if today is None:
        today = dt.date.today()
    if ledger is spec.RECRUITMENT:
        recruitment.prepare(values, errors)  # the category follows the stage
    if ledger in (spec.MEMBERS, spec.RECRUITMENT):
        id_number = values.get("id_number")
        if id_number and "id_number" not in errors:
            # The ID number is the record of birth date and sex: read them from it when they are
            # empty, refuse a contradiction rather than choose between them.
            born = v.birth_date_from_id(id_number)
            sex = v.gender_from_id(id_number)
            given = values.get("birth_date")
            if given is None:
                values["birth_date"] = born
            elif dates.is_partial(given) and "birth_date" not in errors:
                # 出生年月 “1985.06”: the ID number is the record of the day; take it when it
                # agrees with the month (or year) given, refuse a contradiction.
                if given.contains(born):
                    values["birth_date"] = born
                else:
                    errors["birth_date"] = (
                        f"{_spoken(given)}与身份证号中的出生日期 {born:%Y-%m-%d} 不一致"
                    )
            elif given != born and "birth_date" not in errors:
                errors["birth_date"] = f"与身份证号中的出生日期 {born:%Y-%m-%d} 不一致"
            if values.get("gender") is None:
                values["gender"] = sex
            elif values["gender"] != sex and "gender" not in errors:
                errors["gender"] = "与身份证号显示的性别不一致"
        joined, confirmed = values.get("joined_on"), values.get("confirmed_on")
        # Dates given to the month or year are compared by what is certain: a rule refuses only
        # what is wrong whatever day the month or year stands for (dates.certainly_*).
        for name in ("birth_date", "joined_on", "confirmed_on"):
            if values.get(name) and dates.earliest(values[name]) > today and name not in errors:
                errors[name] = "不能晚于今天"
        if confirmed and not joined:
            errors.setdefault("joined_on", "填写了转正日期，必须同时填写入党日期")
        if joined and confirmed:
            if dates.certainly_not_after(confirmed, joined):
                errors.setdefault("confirmed_on", "转正日期必须晚于入党日期")
            elif ledger is spec.MEMBERS and dates.certainly_before(
                confirmed, dates.add_years(dates.earliest(joined), 1)
            ):  # 发展党员 checks the probation with its extension (services.recruitment)
                # 预备期为一年（党章第七条）: 转正 cannot come sooner (it may come later: 延长预备期).
                errors.setdefault(
                    "confirmed_on",
                    f"转正日期距入党日期（{dates.shown(joined)}）不足一年，预备期为一年",
                )
        born = values.get("birth_date")
        if born and joined and dates.certainly_not_after(joined, born):
            errors.setdefault("joined_on", "入党日期必须晚于出生日期")
        if values.get("category") in ("candidate", "activist", "applicant") and joined:
            errors.setdefault("joined_on", "入党申请人、积极分子和发展对象不应有入党日期")
        if values.get("category") == "probationary" and confirmed:
            errors.setdefault("confirmed_on", "预备党员尚未转正，不应有转正日期")
        if ledger is spec.RECRUITMENT:
            recruitment.apply_hard_rules(values, errors)
    elif ledger is spec.TRAININGS:
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end < start:
            errors.setdefault("end_date", "结束日期不能早于开始日期")
    elif ledger is spec.ISSUES:
        received, resolved = values.get("received_on"), values.get("resolved_on")
        deadline = values.get("deadline")
        if received and resolved and resolved < received:
            errors.setdefault("resolved_on", "办结日期不能早于受理日期")
        if received and deadline and deadline < received:
            errors.setdefault("deadline", "办结时限不能早于受理日期")
        state = values.get("state") or "open"
        if state == "resolved" and not resolved:
            errors.setdefault("resolved_on", "状态为已解决时必须填写办结日期")
        if resolved and state in ("open", "in_progress"):
            errors.setdefault("state", "已填写办结日期，状态应为已解决或无法解决")
    elif ledger is spec.DUES:
        from partybuild.services import dues

        dues.apply_rules(values, errors)
    elif ledger is spec.ATTENDANCE and not values.get("member") and not values.get("person_name"):
        errors.setdefault("person_name", "请选择党员，或填写非党员的姓名")
    parent = values.get("parent") if ledger is spec.BRANCHES else None
    if parent is not None and parent == values.get("id"):
        errors.setdefault("parent", "上级党组织不能是自己")


def _unique_checks(
    ledger: Ledger, values: dict[str, Any], record_id: int | None, errors: dict[str, str]
) -> None:
    """Turn unique-constraint clashes into field messages before the database refuses them."""
    model = ledger.model
    for column in ledger.columns:
        f = column.field
        if f.unique and values.get(column.name) is not None and column.name not in errors:
            query = model.select().where(f == values[column.name])
            if record_id is not None:
                query = query.where(model.id != record_id)
            other = query.first()
            if other is not None:
                where = "回收站中" if other.deleted else ""
                errors[column.name] = f"与{where}已有记录“{ledger.title(other)}”重复"
    # Composite natural keys (activities, trainings, services) are unique indexes too.
    for index in model._meta.indexes:
        if not isinstance(index, tuple):
            continue  # a named index (models.Member's partial member_stages): never unique
        fields, unique = index
        if not unique or any(values.get(name) is None for name in fields):
            continue
        query = model.select().where(*[model._meta.fields[n] == values[n] for n in fields])
        if record_id is not None:
            query = query.where(model.id != record_id)
        other = query.first()
        if other is not None:
            where = "（在回收站中）" if other.deleted else ""
            labels = "、".join(ledger.column(n).label for n in fields if n in ledger.by_name)
            errors.setdefault(fields[-1], f"已有{labels}相同的记录{where}")


def validate(
    ledger: Ledger, data: Mapping[str, Any], record_id: int | None = None
) -> dict[str, Any]:
    """Check every field and the rules; return the values to store or raise ValidationError."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    unknown = set(data) - set(ledger.by_name)
    if unknown:
        errors["__all__"] = f"未知字段：{'、'.join(sorted(unknown))}"
    for column in ledger.columns:
        raw = data.get(column.name)
        try:
            values[column.name] = clean_value(raw, column)
        except ValueError as exc:
            errors[column.name] = str(exc)
            values[column.name] = None
            continue
        if values[column.name] is None:
            if column.required:
                errors[column.name] = "必填"
            elif not column.field.null:
                values[column.name] = column.field.default
    values["id"] = record_id
    apply_rules(ledger, values, errors)
    values.pop("id")
    _unique_checks(ledger, values, record_id, errors)
    if errors:
        raise ValidationError(errors, _labels(ledger))
    return values


# --------------------------------------------------------------------------- use cases


def get(ledger: Ledger | str, record_id: int, *, include_deleted: bool = False) -> m.BaseModel:
    ledger = spec.ledger(ledger) if isinstance(ledger, str) else ledger
    record = ledger.model.get_or_none(ledger.model.id == record_id)
    if record is None or (record.deleted and not include_deleted):
        raise RecordNotFound(f"{ledger.label}中没有编号为 {record_id} 的记录")
    return record


@busy_as_storage_busy
def create(ledger: Ledger | str, data: Mapping[str, Any]) -> m.BaseModel:
    """Validate and insert a record; return it."""
    ledger = spec.ledger(ledger) if isinstance(ledger, str) else ledger
    with _db().atomic():
        values = validate(ledger, data)
        now = m.now()
        try:
            record = ledger.model.create(
                **values, created_at=now, updated_at=now, updated_by=audit.operator()
            )
        except pw.IntegrityError as exc:
            raise ValidationError({"__all__": f"与已有记录冲突：{exc}"}) from exc
        audit.log("create", ledger, record.id, ledger.title(record), audit.diff(ledger, {}, values))
        return record


@busy_as_storage_busy
def update(
    ledger: Ledger | str, record_id: int, data: Mapping[str, Any], expected_version: int
) -> m.BaseModel:
    """Apply changes made to version ``expected_version``; refuse if the record has moved on.

    ``data`` holds the full set of fields as edited (fields left out keep their stored value).
    """
    ledger = spec.ledger(ledger) if isinstance(ledger, str) else ledger
    model = ledger.model
    with _db().atomic():
        current = model.get_or_none(model.id == record_id)
        if current is None or current.deleted:
            raise StaleRecordError(f"{ledger.label}#{record_id}", None)
        if current.version != expected_version:
            raise StaleRecordError(
                ledger.title(current), current.version, current.updated_at, current.updated_by
            )
        before = {c.name: _stored(current, c) for c in ledger.columns}
        merged = {**before, **data}
        values = validate(ledger, merged, record_id)
        changes = audit.diff(ledger, before, values)
        changed = (
            model.update(
                **values,
                version=expected_version + 1,
                updated_at=m.now(),
                updated_by=audit.operator(),
            )
            .where(
                (model.id == record_id)
                & (model.version == expected_version)
                & (model.deleted == False)  # noqa: E712
            )
            .execute()
        )
        if changed != 1:
            fresh = model.get_or_none(model.id == record_id)
            raise StaleRecordError(
                ledger.title(current),
                fresh.version if fresh else None,
                fresh.updated_at if fresh else None,
                fresh.updated_by if fresh else None,
            )
        updated = model.get_by_id(record_id)
        if changes:
            audit.log("update", ledger, record_id, ledger.title(updated), changes)
        return updated


def _stored(record: m.BaseModel, column: Column) -> Any:
    if column.kind == spec.LINK:
        return getattr(record, column.field.column_name)
    return getattr(record, column.name)


@busy_as_storage_busy
def soft_delete(ledger: Ledger | str, record_id: int) -> None:
    """Move a record to the recycle bin; its links stay so a restore puts it back whole."""
    _set_deleted(ledger, record_id, True)


@busy_as_storage_busy
def restore(ledger: Ledger | str, record_id: int) -> None:
    """Bring a record back from the recycle bin."""
    ledger = spec.ledger(ledger) if isinstance(ledger, str) else ledger
    record = get(ledger, record_id, include_deleted=True)
    # A live record may have taken its unique name meanwhile: say so rather than fail later.
    values = {c.name: _stored(record, c) for c in ledger.columns}
    errors: dict[str, str] = {}
    _unique_checks(ledger, values, record_id, errors)
    clash = {k: msg for k, msg in errors.items() if "回收站" not in msg}
    if clash:
        raise ValidationError(clash, _labels(ledger))
    _set_deleted(ledger, record_id, False)


def _set_deleted(ledger: Ledger | str, record_id: int, deleted: bool) -> None:
    ledger = spec.ledger(ledger) if isinstance(ledger, str) else ledger
    model = ledger.model
    with _db().atomic():
        record = get(ledger, record_id, include_deleted=True)
        if record.deleted == deleted:
            return
        model.update(
            deleted=deleted,
            deleted_at=m.now() if deleted else None,
            version=model.version + 1,
            updated_at=m.now(),
            updated_by=audit.operator(),
        ).where(model.id == record_id).execute()
        audit.log("delete" if deleted else "restore", ledger, record_id, ledger.title(record))


@busy_as_storage_busy
def purge(ledger: Ledger | str, record_id: int) -> None:
    """Delete for good — only what is already in the recycle bin."""
    ledger = spec.ledger(ledger) if isinstance(ledger, str) else ledger
    with _db().atomic():
        record = get(ledger, record_id, include_deleted=True)
        if not record.deleted:
            raise ValidationError({"__all__": "只能彻底删除回收站中的记录"})
        users = live_references(record)
        if users:
            listing = references_text(users)
            raise ValidationError(
                {
                    "__all__": f"“{ledger.title(record)}”仍被其他记录使用（{listing}），"
                    "彻底删除会连带删除或断开这些记录。请先删除或改挂它们"
                }
            )
        record.delete_instance()
        audit.log("purge", ledger, record_id, ledger.title(record))
        _purge_attachments(ledger.name, record_id)


def _purge_attachments(ledger_name: str, record_id: int) -> None:
    from partybuild.services import attachments  # imports this module

    attachments.purged(ledger_name, record_id)


# A record's own parts go with it when it is purged: a training's sign-in list, an activity's
# attendees, a team's members, a service's participants. Any other live record that points at it
# (a branch's enterprises and activities, a member's attendance) is history and blocks the purge.
OWNED_PARTS: frozenset[pw.ForeignKeyField] = frozenset(
    {
        m.Attendance.training,
        m.ActivityAttendee.activity,
        m.TeamMember.team,
        m.ServiceParticipant.service,
    }
)


def references_text(users: dict[str, int]) -> str:
    """ "组织生活 2 条、培训签到 5 条": what :func:`live_references` found, as a person reads it."""
    return "、".join(f"{label} {n} 条" for label, n in users.items())


def live_references(record: m.BaseModel) -> dict[str, int]:
    """Live records (outside the record's own parts) that refer to ``record``: label → count."""
    found: dict[str, int] = {}
    for fk in record._meta.backrefs:
        if fk in OWNED_PARTS:
            continue
        referrer = fk.model
        query = referrer.select().where(fk == record.id, referrer.deleted == False)  # noqa: E712
        if referrer is type(record):
            query = query.where(referrer.id != record.id)
        n = query.count()
        if n:
            try:
                label = spec.ledger_for_model(referrer).label
            except KeyError:
                label = referrer._meta.fields[fk.name].verbose_name or referrer.__name__
                label = {
                    "ActivityAttendee": "参会记录",
                    "TeamMember": "服务队队员",
                    "ServiceParticipant": "志愿服务参加记录",
                }.get(referrer.__name__, label)
            found[label] = found.get(label, 0) + n
    return found
