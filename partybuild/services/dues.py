"""党费: the park's rules stored with the data, the calculator, the monthly ledger's use cases
(a branch's month from the previous one, bulk marking paid), arrears and the year's figures.

The rules themselves are :mod:`partybuild.domain.dues` (中组发〔2008〕3号, as data). A month's
state is derived, never stored:

- 免交: the due is 0 (an approved exemption);
- 未交: something is due and nothing was paid;
- 少交: less was paid than is due;
- 补交: paid in full, but in a later month than the one it is for (paid_on's month is after it);
- 已交: paid in full in the month or before.

Arrears (as of a day) count only months that have ended: a month is in arrears while it is 未交 or
少交. Six or more unpaid months in a row draw the 党章's 自行脱党 warning for the secretary — a
warning, never a change of the member's status; unpaid months older than 6 months are past the
usual back-payment window (第十二条); a single payment of 1000 元 or more is a 大额党费 (第十一条).
Nothing here imports Qt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import peewee as pw

from partybuild.domain import dues as rules_mod
from partybuild.domain.dates import PartialDate
from partybuild.domain.dues import Calculation, DuesRules
from partybuild.store import models as m

# --------------------------------------------------------------------------- rules, stored

# The rules last read, with the database they were read from (held, so it is that very one).
_cache: dict[str, tuple[object, DuesRules]] = {}


def _db_key() -> str:
    return "rules"


def load_rules() -> DuesRules:
    """The park's rules from the Setting table (the defaults when none are stored).

    Raises ValueError (Chinese) when the stored value cannot be understood.
    """
    database = m.db_proxy.obj
    cached = _cache.get(_db_key())
    if cached is not None and cached[0] is database:
        return cached[1]
    row = m.Setting.get_or_none(m.Setting.key == rules_mod.SETTING_KEY)
    rules = rules_mod.default_rules() if row is None else rules_mod.rules_from_json(row.value)
    _cache[_db_key()] = (database, rules)
    return rules


def save_rules(rules: DuesRules) -> None:
    """Store the rules with the data, so every user of the database calculates the same way."""
    text = rules_mod.rules_to_json(rules)
    rules_mod.rules_from_json(text)  # refuse to store what could not be read back
    with m.db_proxy.obj.atomic():
        (
            m.Setting.insert(key=rules_mod.SETTING_KEY, value=text)
            .on_conflict(conflict_target=[m.Setting.key], preserve=[m.Setting.value])
            .execute()
        )
    _cache.pop(_db_key(), None)


def reset_rules() -> None:
    m.Setting.delete().where(m.Setting.key == rules_mod.SETTING_KEY).execute()
    _cache.pop(_db_key(), None)


def forget_rules() -> None:
    """Read the rules again next time (another database was opened, another user saved)."""
    _cache.clear()


def calculate(kind: str, base: Decimal | None) -> Calculation:
    """The calculator with the park's stored rules."""
    return rules_mod.calculate(kind, base, load_rules())


# --------------------------------------------------------------------------- states

STATES: tuple[tuple[str, str], ...] = (
    ("paid", "已交"),
    ("unpaid", "未交"),
    ("short", "少交"),
    ("late", "补交"),
    ("exempt", "免交"),
)
STATE_LABELS = dict(STATES)


def month_of(value: dt.date) -> PartialDate:
    return PartialDate(value.year, value.month)


def month_index(value: dt.date) -> int:
    return value.year * 12 + value.month - 1


def month_from_index(index: int) -> PartialDate:
    return PartialDate(index // 12, index % 12 + 1)


def month_text(value: dt.date) -> str:
    return f"{value.year}.{value.month:02d}"


def state_of(
    due: Decimal,
    paid: Decimal | None,
    paid_on: dt.date | None,
    month: dt.date,
    until: dt.date | None = None,
) -> str:
    """The state of a row; a row for several months is 补交 when paid after its last month."""
    month = until or month
    if due == 0:
        return "exempt"
    if paid is None or paid == 0:
        return "unpaid"
    if paid < due:
        return "short"
    if paid_on is not None and month_index(paid_on) > month_index(month):
        return "late"
    return "paid"


def state_condition(model: type[m.Dues], state: str) -> pw.Expression:
    """:func:`state_of` as SQL, for the page's 状态 filter."""
    nothing = model.paid.is_null() | (model.paid == 0)
    full = (model.due > 0) & model.paid.is_null(False) & (model.paid >= model.due)
    paid_index = model.paid_on.year * 12 + model.paid_on.month
    later = model.paid_on.is_null(False) & (
        (model.until.is_null() & (paid_index > model.month.year * 12 + model.month.month))
        | (model.until.is_null(False) & (paid_index > model.until.year * 12 + model.until.month))
    )
    if state == "exempt":
        return model.due == 0
    if state == "unpaid":
        return (model.due > 0) & nothing
    if state == "short":
        return (model.due > 0) & (model.paid > 0) & (model.paid < model.due)
    if state == "late":
        return full & later
    if state == "paid":
        return full & ~later
    raise ValueError(f"未知的交纳状态：{state}")


def filter_condition(
    model: type[m.Dues], month: int | None, state: str | None
) -> pw.Expression | None:
    """The dues page's own filters (月份 within the chosen year, 状态)."""
    cond: pw.Expression | None = None
    if month is not None:
        cond = model.month.month == month
    if state is not None:
        term = state_condition(model, state)
        cond = term if cond is None else (cond & term)
    return cond


# --------------------------------------------------------------------------- validation


def apply_rules(values: dict[str, Any], errors: dict[str, str]) -> None:
    """The ledger's cross-field rules (called by services.records for the form and the import).

    The month is kept to the month; rate and due come from the calculator unless the kind has
    no rule (其他) or a reduction/exemption was approved — a given rate or due that disagrees is
    refused with the calculator's figure, never stored silently.
    """
    month = values.get("month")
    if month is not None and "month" not in errors:
        month = values["month"] = month_of(month)
    until = values.get("until")
    months = 1
    if until is not None and "until" not in errors:
        until = values["until"] = month_of(until)
        if month is not None and until < month:
            errors["until"] = f"截止月份 {month_text(until)} 早于月份 {month_text(month)}"
        elif month is not None:
            months = month_index(until) - month_index(month) + 1
            if months == 1:
                values["until"] = None  # one month: no range
            elif months > MONTHS_A_ROW:
                errors["until"] = f"一条记录最多合并 {MONTHS_A_ROW} 个月，请分行填写"
    if month is not None and "month" not in errors and "until" not in errors:
        clash = _overlapping(values.get("member"), month, values.get("until"), values.get("id"))
        if clash:
            errors["until" if values.get("until") else "month"] = clash
    kind = values.get("kind") or "working"
    base = values.get("base")
    reduction = values.get("reduction")
    try:
        rules = load_rules()
    except ValueError as exc:
        errors.setdefault("__all__", str(exc))
        return
    if kind in ("working", "retired") and base is None and "base" not in errors:
        errors["base"] = "在职和离退休党员须填写缴费基数（税后月工资或实际领取的离退休费）"
        return
    calc: Calculation | None = None
    if kind != "other" and "base" not in errors and "kind" not in errors:
        calc = rules_mod.calculate(kind, base, rules)
    if calc is not None and months > 1:
        calc = Calculation(calc.kind, calc.base, calc.rate, calc.due * months)
    if calc is not None and "rate" not in errors:
        given_rate = values.get("rate")
        if given_rate is None:
            values["rate"] = calc.rate
        elif calc.rate is None or given_rate != calc.rate:
            expected = rules_mod.percent_text(calc.rate) if calc.rate is not None else "无比例"
            errors["rate"] = (
                f"比例 {rules_mod.percent_text(given_rate)} 与缴费基数不符，应为 {expected}"
            )
    due = values.get("due")
    if "due" not in errors:
        if due is None and calc is not None:
            due = values["due"] = Decimal("0.00") if reduction == "exempt" else calc.due
        if due is None:
            errors["due"] = "缴费类别为其他时须填写月应缴"
        elif calc is not None and reduction is None and due != calc.due:
            what = "" if months == 1 else f"{months} 个月应交 "
            errors["due"] = (
                f"{what}{rules_mod.money_text(due)} 与计算结果 {rules_mod.money_text(calc.due)} 不符；"
                "少交或免交须经支部决定、上级党委批准，请填写减免、批准日期和批准文号"
            )
        elif reduction == "exempt" and due != 0:
            errors["due"] = "免交时月应缴应为 0"
        elif reduction == "reduced" and calc is not None and not 0 < due < calc.due:
            errors["due"] = f"减交时月应缴应大于 0 且少于计算结果 {rules_mod.money_text(calc.due)}"
    if reduction is not None:
        if values.get("decision_on") is None:
            errors.setdefault("decision_on", "减交或免交须填写上级党委的批准日期")
        if not values.get("decision_doc"):
            errors.setdefault("decision_doc", "减交或免交须填写批准文号")
    elif values.get("decision_on") is not None or values.get("decision_doc"):
        errors.setdefault("reduction", "填写了批准日期或文号，请选择减交或免交")
    paid, paid_on = values.get("paid"), values.get("paid_on")
    if paid is not None and paid > 0 and paid_on is None:
        errors.setdefault("paid_on", "填写了实交金额，请填写交纳日期")
    if paid_on is not None and (paid is None or paid == 0):
        errors.setdefault("paid", "填写了交纳日期，请填写实交金额")
    if paid_on is not None and paid_on > dt.date.today():
        errors.setdefault("paid_on", "不能晚于今天")


def _overlapping(
    member: object, month: dt.date, until: dt.date | None, record_id: object
) -> str | None:
    """Another row of the member covering one of these months (one row per member per month)."""
    if not isinstance(member, int):
        return None
    D = m.Dues
    first, last = month_of(month).earliest(), month_of(until or month).earliest()
    query = D.select(D.id, D.month, D.until, D.deleted).where(
        D.member == member,
        D.month <= last,
        (D.until.is_null() & (D.month >= first)) | (D.until.is_null(False) & (D.until >= first)),
    )
    if isinstance(record_id, int):
        query = query.where(D.id != record_id)
    other = query.first()
    if other is None:
        return None
    if other.month == first and other.until is None and until is None:
        return None  # the same single month: the unique index's own message says it
    shown = month_text(other.month)
    if other.until is not None:
        shown += f"–{month_text(other.until)}"
    where = "（在回收站中）" if other.deleted else ""
    return f"与该党员 {shown} 的记录{where}月份重叠"


def covered(month: dt.date, until: dt.date | None) -> list[PartialDate]:
    """The months a row is for."""
    return [month_from_index(i) for i in range(month_index(month), month_index(until or month) + 1)]


# --------------------------------------------------------------------------- use cases


@dataclass
class MonthResult:
    """What :func:`create_month` did: rows made, members skipped and why."""

    created: int = 0
    existing: int = 0
    without_previous: list[str] = field(default_factory=list)

    def message(self, month: dt.date) -> str:
        text = f"已生成 {month.year}年{month.month}月 党费记录 {self.created} 条"
        if self.existing:
            text += f"，{self.existing} 名党员本月已有记录"
        if self.without_previous:
            names = "、".join(self.without_previous[:10])
            more = "等" if len(self.without_previous) > 10 else ""
            text += (
                f"；{len(self.without_previous)} 名党员上月没有记录（{names}{more}），"
                "请逐一新建并填写缴费基数"
            )
        return text


def paying_members(branch_id: int) -> pw.ModelSelect:
    """Members of a branch who pay dues: full and probationary members on the roll."""
    M = m.Member
    return M.select().where(
        m.live(M),
        M.branch == branch_id,
        M.category.in_(("full", "probationary")),
        M.status.in_(("normal", "mobile")),
    )


def create_month(branch_id: int, month: dt.date) -> MonthResult:
    """A branch's month in one step: each paying member gets the previous month's kind and base
    (第十条: a base stays until a new wage is paid), rate and due by the calculator."""
    from partybuild.ledgers import spec
    from partybuild.services import records

    month = month_of(month)
    previous = month_from_index(month_index(month) - 1)
    result = MonthResult()
    D = m.Dues
    with m.db_proxy.obj.atomic():
        for member in paying_members(branch_id).order_by(m.Member.name):
            mine = D.select().where(D.member == member.id)
            if mine.where(_covers(month)).exists():
                result.existing += 1
                continue
            last = mine.where(m.live(D), _covers(previous)).order_by(D.month.desc()).first()
            if last is None:
                result.without_previous.append(member.name)
                continue
            data: dict[str, Any] = {"member": member.id, "month": month, "kind": last.kind}
            data["base"] = last.base
            if last.kind == "other":
                months = len(covered(last.month, last.until))
                data["due"] = (last.due / months).quantize(rules_mod.CENT)
            records.create(spec.DUES, data)
            result.created += 1
    return result


def _covers(month: dt.date) -> pw.Expression:
    D = m.Dues
    day = month_of(month).earliest()
    return (D.month == day) | (D.until.is_null(False) & (D.month <= day) & (D.until >= day))


def mark_paid(
    record_ids: Sequence[int], paid_on: dt.date, method: str | None = None
) -> tuple[int, list[str]]:
    """Bulk 标记已交: each row's 实交 becomes its 应交 (rows already paid in full are left)."""
    from partybuild.ledgers import spec
    from partybuild.services import records
    from partybuild.services.errors import StaleRecordError, ValidationError

    done, failed = 0, []
    with m.db_proxy.obj.atomic():
        for record_id in record_ids:
            record = records.get(spec.DUES, record_id)
            if record.paid is not None and record.paid >= record.due:
                continue
            data: dict[str, Any] = {"paid": record.due, "paid_on": paid_on}
            if method is not None:
                data["method"] = method
            try:
                records.update(spec.DUES, record_id, data, record.version)
                done += 1
            except (ValidationError, StaleRecordError) as exc:
                failed.append(f"{spec.DUES.title(record)}：{exc}")
    return done, failed


# --------------------------------------------------------------------------- arrears


@dataclass(frozen=True)
class Arrears:
    """One member's unpaid months (ended months, 未交 or 少交) as of a day."""

    member_id: int
    name: str
    branch: str | None
    months: tuple[PartialDate, ...]
    owed: Decimal
    longest_run: int
    backpay_late: tuple[PartialDate, ...]  # unpaid months past the 6-month back-payment window
    record_ids: tuple[int, ...] = ()  # the unpaid rows (概览 opens them)
    branch_id: int | None = None  # the member's branch (stats counts arrears per branch)

    @property
    def lapse(self) -> bool:
        return self.longest_run >= rules_mod.LAPSE_MONTHS

    def message(self) -> str:
        where = f"（{self.branch}）" if self.branch else ""
        months = "、".join(month_text(x) for x in self.months[:12])
        more = f"等 {len(self.months)} 个月" if len(self.months) > 12 else ""
        text = (
            f"{self.name}{where}欠交党费 {len(self.months)} 个月（{months}{more}），"
            f"共 {rules_mod.money_text(self.owed)} 元"
        )
        if self.backpay_late:
            text += f"；其中 {len(self.backpay_late)} 个月已超过 6 个月补交期限（第十二条）"
        if self.lapse:
            text += (
                f"；已连续 {self.longest_run} 个月未交，按党章规定无正当理由连续6个月不交纳党费视为"
                "自行脱党，请支部核实并处理（系统不改变党员状态）"
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "name": self.name,
            "branch": self.branch,
            "months": [month_text(x) for x in self.months],
            "owed": rules_mod.money_text(self.owed),
            "longest_run": self.longest_run,
            "backpay_overdue_months": [month_text(x) for x in self.backpay_late],
            "lapse_warning": self.lapse,
            "message": self.message(),
        }


def _rows(start: dt.date, end: dt.date, branch_id: int | None = None) -> pw.ModelSelect:
    D, M, B = m.Dues, m.Member, m.Branch
    query = (
        D.select(
            D.id,
            D.member,
            D.month,
            D.until,
            D.due,
            D.paid,
            D.paid_on,
            M.name,
            M.branch,
            B.name.alias("bn"),
        )
        .join(M, on=(D.member == M.id))
        .join(B, pw.JOIN.LEFT_OUTER, on=(M.branch == B.id))
        .where(m.live(D), m.live(M), D.month.between(start, end))
    )
    if branch_id is not None:
        query = query.where(M.branch == branch_id)
    return query


def _maybe_owing(model: type[m.Dues]) -> pw.Expression:
    """SQL: the rows that can be 未交 or 少交 (:func:`state_of` decides, row by row): nothing
    paid, less than the due, or under a fen. Amounts compare here as stored; rounded to the fen
    they keep their order, so every row short after rounding is short as stored too."""
    return model.paid.is_null() | (model.paid < model.due) | (model.paid < Decimal("0.01"))


#: The most months one dues row may cover (a range paid at once, 预交 or 补交).
MONTHS_A_ROW = 12


def arrears(as_of: dt.date, branch_id: int | None = None, since_months: int = 24) -> list[Arrears]:
    """Members with unpaid ended months in the ``since_months`` before ``as_of`` (a range begun
    before them counts with its months among them)."""
    last = month_index(as_of) - 1  # the current month is still open
    first = last - since_months + 1
    per: dict[int, dict[str, Any]] = {}
    for row in _rows(*_begun_in(first, last), branch_id).where(_maybe_owing(m.Dues)).dicts():
        spanned = _ended_unpaid(row["due"], row["paid"], row["month"], row["until"], last, first)
        if not spanned:
            continue
        item = per.setdefault(
            row["member"],
            {
                "name": row["name"],
                "branch": row["bn"],
                "branch_id": row["branch"],
                "months": [],
                "owed": [],
                "ids": [],
            },
        )
        item["ids"].append(row["id"])
        item["months"].extend(spanned)
        share = Decimal(len(spanned)) / len(covered(row["month"], row["until"]))
        item["owed"].append(((row["due"] - (row["paid"] or 0)) * share).quantize(rules_mod.CENT))
    result = []
    for member_id, item in per.items():
        months = sorted(item["months"])
        indexes = [month_index(x) for x in months]
        run = best = 0
        for i, index in enumerate(indexes):
            run = run + 1 if i and index == indexes[i - 1] + 1 else 1
            best = max(best, run)
        late = tuple(x for x in months if last - month_index(x) >= rules_mod.BACKPAY_MONTHS)
        result.append(
            Arrears(
                member_id,
                item["name"],
                item["branch"],
                tuple(months),
                sum(item["owed"], Decimal("0.00")),
                best,
                late,
                tuple(item["ids"]),
                item["branch_id"],
            )
        )
    result.sort(key=lambda a: (-a.longest_run, a.branch or "", a.name))
    return result


def _begun_in(first: int, last: int) -> tuple[dt.date, dt.date]:
    """The first months (``month``) of the rows that may cover a month from the month index
    ``first`` to ``last``: a row covers at most MONTHS_A_ROW months from its first."""
    return (
        month_from_index(first - MONTHS_A_ROW + 1).earliest(),
        month_from_index(last).earliest(),
    )


def _ended_unpaid(
    due: Decimal,
    paid: Decimal | None,
    month: dt.date,
    until: dt.date | None,
    last: int,
    first: int,
) -> list[PartialDate]:
    """The months of a row from the month index ``first`` to ``last`` when it is 未交 or 少交,
    else none. (Whether a row is either does not depend on the day it was paid:
    :func:`state_of`.)"""
    if state_of(due, paid, None, month, until) not in ("unpaid", "short"):
        return []
    return [x for x in covered(month, until) if first <= month_index(x) <= last]


def reminders(year: int, today: dt.date | None = None) -> list[tuple[str, list[int]]]:
    """概览's 党费 reminders: each member in arrears (message, the unpaid rows)."""
    as_of = min(today or dt.date.today(), dt.date(year + 1, 1, 1))
    return [(a.message(), list(a.record_ids)) for a in arrears(as_of, since_months=24)]


def large_payments(start: dt.date, end: dt.date) -> list[tuple[int, str, Decimal]]:
    """Single payments of 1000 元 or more (大额党费, 第十一条): (record id, name, amount)."""
    D, M = m.Dues, m.Member
    query = (
        D.select(D.id, M.name, D.paid)
        .join(M, on=(D.member == M.id))
        .where(m.live(D), D.paid >= rules_mod.LARGE_PAYMENT, D.paid_on.between(start, end))
        .tuples()
    )
    return [(rid, name, Decimal(paid).quantize(rules_mod.CENT)) for rid, name, paid in query]


# --------------------------------------------------------------------------- the year's figures


@dataclass(frozen=True)
class Collection:
    """应交, 实交 and 收缴率 of a period (rate None when nothing was due)."""

    due: Decimal
    paid: Decimal
    members: int

    @property
    def rate(self) -> Decimal | None:
        if self.due == 0:
            return None
        return (self.paid / self.due * 100).quantize(Decimal("0.1"))

    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate}%"


def collection(
    start: dt.date, end: dt.date, branch_id: int | None = None, *, members: bool = True
) -> dict[int | None, Collection]:
    """Per branch (None: members without a branch) the period's dues and what was paid for it.

    Summed in SQL in whole fen, one row per branch. The amounts are kept to the fen (the form and
    the import refuse more places), so on SQLite, which stores them as floating point, each
    rounds to its fen exactly as reading it does (:class:`models.MoneyField`); should a stored
    amount be off the fen after all, the query says so and the period is summed amount by amount,
    as read (:func:`_collection_as_read`). ``members=False``: the paying members need not
    be counted (``Collection.members`` may then be 0), for the figures that do not show them.
    """
    D, M = m.Dues, m.Member
    rows = _collection_rows(start, end, branch_id)
    sums = {}
    for branch, paying, due, paid, *off in (
        rows.select(
            M.branch,
            pw.fn.COUNT(D.member.distinct()) if members else pw.Value(0),
            *_in_fen(D),
        )
        .group_by(M.branch)
        .tuples()
    ):
        if _off_fen(*off):
            return _collection_as_read(rows)
        sums[branch] = Collection(_yuan(due), _yuan(paid), int(paying))
    return sums


def _in_fen(D: type[m.Dues]) -> tuple[pw.Function, ...]:
    """SQL: the sum of the dues and of the payments in whole fen, and of each how far the amount
    furthest off the fen is off it, in fen (:func:`_off_fen` reads them)."""
    due, paid = D.due * 100, pw.fn.COALESCE(D.paid, 0) * 100
    due_fen, paid_fen = pw.fn.ROUND(due), pw.fn.ROUND(paid)
    return (
        pw.fn.SUM(due_fen),
        pw.fn.SUM(paid_fen),
        pw.fn.MAX(pw.fn.ABS(due - due_fen)),
        pw.fn.MAX(pw.fn.ABS(paid - paid_fen)),
    )


def _off_fen(due_off: object, paid_off: object) -> bool:
    """Some amount is off the fen by more than a thousandth of a fen (:func:`_in_fen`'s last
    two; floating point leaves amounts on the fen a few billionths of a fen off it)."""
    return any(off is not None and off > 0.001 for off in (due_off, paid_off))  # type: ignore[operator]


_FEW_GONE = 100


def _total(start: dt.date, end: dt.date, branch_id: int | None) -> Collection:
    """The period's dues and payments of live members (of one branch): :func:`collection`
    summed, without reading the member rows (a member's live rows are picked by id)."""
    D, M = m.Dues, m.Member
    query = D.select(*_in_fen(D)).where(m.live(D), D.month.between(start, end))
    if branch_id is not None:
        query = query.where(D.member.in_(M.select(M.id).where(m.live(M), M.branch == branch_id)))
    else:
        # The members in the recycle bin, few as a rule (none: no condition): left out by their
        # ids, which costs less than testing every row against a subquery; by one when many.
        deleted = M.select(M.id).where(M.deleted == True)  # noqa: E712
        gone = [i for (i,) in deleted.limit(_FEW_GONE + 1).tuples()]
        if len(gone) > _FEW_GONE:
            query = query.where(D.member.not_in(deleted))
        elif gone:
            query = query.where(D.member.not_in(gone))
    due, paid, *off = query.tuples().get()
    if _off_fen(*off):
        parts = collection(start, end, branch_id).values()
        due_sum = sum((c.due for c in parts), Decimal("0.00"))
        return Collection(due_sum, sum((c.paid for c in parts), Decimal("0.00")), 0)
    return Collection(_yuan(due), _yuan(paid), 0)


def _yuan(fen: object) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(rules_mod.CENT)


def _collection_rows(start: dt.date, end: dt.date, branch_id: int | None) -> pw.ModelSelect:
    D, M = m.Dues, m.Member
    rows = (
        D.select()
        .join(M, on=(D.member == M.id))
        .where(m.live(D), m.live(M), D.month.between(start, end))
    )
    return rows.where(M.branch == branch_id) if branch_id is not None else rows


def _collection_as_read(rows: pw.ModelSelect) -> dict[int | None, Collection]:
    """:func:`collection` from the amounts as each row reads them, grouped by amount."""
    D, M = m.Dues, m.Member
    sums: dict[int | None, list[Decimal]] = {}
    for branch, due, paid, n in (
        rows.select(M.branch, D.due, D.paid, pw.fn.COUNT(D.id))
        .group_by(M.branch, D.due, D.paid)
        .tuples()
    ):
        item = sums.setdefault(branch, [Decimal("0.00"), Decimal("0.00")])
        item[0] += due * n
        item[1] += (paid or 0) * n
    members = dict(
        rows.select(M.branch, pw.fn.COUNT(D.member.distinct())).group_by(M.branch).tuples()
    )
    return {k: Collection(v[0], v[1], members[k]) for k, v in sums.items()}


def year_figures(year: int, branch_id: int | None = None, today: dt.date | None = None) -> dict:
    """``stats --json``'s ``dues``: the year's due, paid, 收缴率 (percent) and members in arrears."""
    return period_figures(dt.date(year, 1, 1), dt.date(year, 12, 31), branch_id, today)


def period_figures(
    start: dt.date, end: dt.date, branch_id: int | None = None, today: dt.date | None = None
) -> dict[str, Any]:
    """Months from ``start`` to ``end``: 应交, 实交 (what was paid for those months), 收缴率 and
    the members with an ended month of the period 未交 or 少交 (as of the period's end or today)."""
    owing = _owing(start, end, branch_id, today)
    return _figures([_total(start, end, branch_id)], sum(owing.values()))


def period_figures_by_branch(
    start: dt.date, end: dt.date, today: dt.date | None = None
) -> dict[int | None, dict[str, Any]]:
    """:func:`period_figures` of every branch at once (key: the branch id; None: no branch)."""
    per = collection(start, end, members=False)
    owing = _owing(start, end, None, today)
    return {
        k: _figures([per[k]] if k in per else [], owing.get(k, 0))
        for k in per.keys() | owing.keys()
    }


def empty_figures() -> dict[str, Any]:
    """The figures of a period without dues."""
    return _figures([], 0)


def _owing(
    start: dt.date, end: dt.date, branch_id: int | None, today: dt.date | None
) -> dict[int | None, int]:
    """Per branch (None: no branch) how many members :func:`arrears` finds with a month of the
    period 未交 or 少交 (as of the period's end or today): its rows and its rule, counted without
    building the list (no names, no amounts owed, no runs)."""
    as_of = min(today or dt.date.today(), end + dt.timedelta(days=1))
    last = month_index(as_of) - 1  # as arrears(as_of, branch_id, span + 1) reads the months
    first = last - (month_index(end) - month_index(start) + 1)
    D, M = m.Dues, m.Member
    query = (
        D.select(D.member, M.branch, D.month, D.until, D.due, D.paid)
        .join(M, on=(D.member == M.id))
        .where(
            m.live(D),
            m.live(M),
            D.month.between(*_begun_in(first, last)),
            _maybe_owing(D),
        )
    )
    if branch_id is not None:
        query = query.where(M.branch == branch_id)
    owing: dict[int, int | None] = {}
    for member, branch, month, until, due, paid in query.tuples():
        if member not in owing and any(
            start <= x.earliest() <= end
            for x in _ended_unpaid(due, paid, month, until, last, first)
        ):
            owing[member] = branch
    counts: dict[int | None, int] = {}
    for branch in owing.values():
        counts[branch] = counts.get(branch, 0) + 1
    return counts


def _figures(parts: list[Collection], members_in_arrears: int) -> dict[str, Any]:
    due = sum((c.due for c in parts), Decimal("0.00"))
    paid = sum((c.paid for c in parts), Decimal("0.00"))
    total = Collection(due, paid, 0)
    return {
        "due": rules_mod.money_text(due),
        "paid": rules_mod.money_text(paid),
        # A share, as the other rates of ``stats`` (trainings.rate): 0.9674 is 96.7 %.
        "rate": None if total.due == 0 else float((paid / due).quantize(Decimal("0.0001"))),
        "members_in_arrears": members_in_arrears,
    }


def check_items(year: int, today: dt.date | None = None) -> list[dict[str, Any]]:
    """``check --json``'s ``"dues"``: the members in arrears at the year's end (or today)."""
    as_of = min(today or dt.date.today(), dt.date(year + 1, 1, 1))
    return [a.to_dict() for a in arrears(as_of, since_months=24)]


def previous_base(member_id: int, before: dt.date) -> tuple[str, Decimal | None] | None:
    """The kind and base of the member's latest month before ``before`` (for a new row)."""
    D = m.Dues
    last = (
        D.select()
        .where(m.live(D), D.member == member_id, D.month < month_of(before).earliest())
        .order_by(D.month.desc())
        .first()
    )
    return None if last is None else (last.kind, last.base)


def months_between(start: dt.date, end: dt.date) -> Iterable[PartialDate]:
    for index in range(month_index(start), month_index(end) + 1):
        yield month_from_index(index)


DUES_TABLE_HEADERS = (
    "党组织",
    "交纳党员（名）",
    "应交（元）",
    "实交（元）",
    "收缴率",
    "欠交党员（名）",
)


def branch_table(
    year: int, today: dt.date | None = None
) -> list[tuple[str, int, str, str, str, int]]:
    """The annual summary's 党费收缴情况: per branch with dues that year, then 合计."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    per = collection(start, end)
    if not per:
        return []
    names = dict(m.Branch.select(m.Branch.id, m.Branch.name).tuples())
    as_of = min(today or dt.date.today(), dt.date(year + 1, 1, 1))
    owing: dict[str | None, int] = {}
    for a in arrears(as_of, None, 12):
        if any(x.year == year for x in a.months):
            owing[a.branch] = owing.get(a.branch, 0) + 1
    rows = []
    for branch_id, c in sorted(per.items(), key=lambda kv: names.get(kv[0], "") or ""):
        name = (
            names.get(branch_id, "（未分配党组织）")
            if branch_id is not None
            else "（未分配党组织）"
        )
        rows.append(
            (
                name,
                c.members,
                rules_mod.money_text(c.due),
                rules_mod.money_text(c.paid),
                c.rate_text(),
                owing.get(names.get(branch_id) if branch_id is not None else None, 0),
            )
        )
    due = sum((c.due for c in per.values()), Decimal("0.00"))
    paid = sum((c.paid for c in per.values()), Decimal("0.00"))
    total = Collection(due, paid, sum(c.members for c in per.values()))
    rows.append(
        (
            "合计",
            total.members,
            rules_mod.money_text(due),
            rules_mod.money_text(paid),
            total.rate_text(),
            sum(owing.values()),
        )
    )
    return rows
