"""党费 on paper: a branch's 党费收缴公示表 (a month or a quarter) and its yearly 党费收缴台账.

Both are :class:`~partybuild.printing.layout.Document` s, so the preview, a printer and a PDF get
the same pages as every other print. Members' incomes (缴费基数) are printed as “***” unless the
park's setting says prints are made for the party committee (党费规则 → 打印显示收入); a document
that shows them is private (its PDF is saved readable by the owner only). Nothing here imports Qt.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from partybuild.domain import collation
from partybuild.domain import dues as rules_mod
from partybuild.domain.dates import PartialDate
from partybuild.printing.layout import SMALL_PT, Column, Document, Table
from partybuild.services import dues, name_order, records
from partybuild.store import models as m
from partybuild.store.accounts import masked_only

HIDDEN = "***"
ROW_H = 8.0
ZERO = Decimal("0.00")


def _day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _rows(branch_id: int, first: dt.date, last: dt.date, order: str | None = None) -> list[m.Dues]:
    """The branch's rows for months in ``first``..``last``, by member in the print's name order
    (姓氏笔画, 拼音 or 录入顺序: services.name_order), each member's months in order."""
    D, M = m.Dues, m.Member
    query = (
        D.select(D, M)
        .join(M, on=(D.member == M.id))
        .where(
            m.live(D),
            m.live(M),
            M.branch == branch_id,
            D.month <= last,
            (D.until.is_null() & (D.month >= first))
            | (D.until.is_null(False) & (D.until >= first)),
        )
    )
    return collation.sort_by_name(
        query,
        name_order.resolve(order),
        name=lambda r: r.member.name,
        entry=lambda r: (r.member.id, r.month),
    )


def _base(row: m.Dues, show: bool) -> str:
    if row.base is None:
        return ""
    return rules_mod.money_text(row.base) if show else HIDDEN


def _money(value: Decimal | None) -> str:
    return "" if value is None else rules_mod.money_text(value)


def _note(row: m.Dues) -> str:
    parts = []
    if row.until is not None:
        parts.append(f"{dues.month_text(row.month)}–{dues.month_text(row.until)}合并交纳")
    if row.reduction:
        label = "免交" if row.reduction == "exempt" else "减交"
        parts.append(f"{label}（{row.decision_doc or ''}）")
    if row.paid is not None and row.paid >= rules_mod.LARGE_PAYMENT:
        parts.append("大额党费")
    if row.note:
        parts.append(row.note)
    return "；".join(parts)


def _info(
    branch: m.Branch, period: str, due: Decimal, paid: Decimal, show: bool, today: dt.date
) -> tuple[tuple[str, str], ...]:
    rate = "—" if due == 0 else f"{(paid / due * 100).quantize(Decimal('0.1'))}%"
    return (
        ("党组织", branch.name),
        ("期间", period),
        ("应交合计", f"{rules_mod.money_text(due)} 元"),
        ("实交合计", f"{rules_mod.money_text(paid)} 元（收缴率 {rate}）"),
        ("制表日期", _day(today)),
        (
            "说明",
            "缴费基数完整显示，仅供党委内部使用"
            if show
            else "缴费基数（收入）已隐去；依据中组发〔2008〕3号",
        ),
    )


def notice(
    branch_id: int,
    first: dt.date,
    last: dt.date | None = None,
    *,
    committee: bool | None = None,
    today: dt.date | None = None,
    order: str | None = None,
) -> Document:
    """党费收缴公示表 of the months ``first``..``last`` (one month or a quarter)."""
    branch: m.Branch = records.get("branches", branch_id)  # type: ignore[assignment]
    first = dues.month_of(first)
    last = dues.month_of(last or first)
    show = dues.load_rules().committee_print if committee is None else committee
    show = show and not masked_only()  # the viewer prints masked, always
    rows = _rows(branch_id, first.earliest(), last.earliest(), order)
    today = today or dt.date.today()
    if first == last:
        period = f"{first.year}年{first.month}月"
        cells = tuple(
            (
                r.member.name,
                rules_mod.KIND_LABELS.get(r.kind, r.kind),
                _base(r, show),
                rules_mod.percent_text(r.rate),
                _money(r.due),
                _money(r.paid),
                f"{r.paid_on:%Y-%m-%d}" if r.paid_on else "",
                dues.STATE_LABELS[dues.state_of(r.due, r.paid, r.paid_on, r.month, r.until)],
                _note(r),
            )
            for r in rows
        )
        columns = (
            Column("序号", 5, "center"),
            Column("姓名", 10, "center"),
            Column("缴费类别", 9, "center"),
            Column("缴费基数", 11, "right"),
            Column("比例", 7, "center"),
            Column("应交", 9, "right"),
            Column("实交", 9, "right"),
            Column("交纳日期", 12, "center"),
            Column("状态", 7, "center"),
            Column("备注", 21),
        )
        names = tuple(r.member.name for r in rows)
    else:
        period = f"{first.year}年{first.month}月至{last.month}月"
        per: dict[int, list[m.Dues]] = {}
        for r in rows:
            per.setdefault(r.member.id, []).append(r)
        lines = []
        for items in per.values():
            latest = items[-1]
            owing = [
                f"{x.month.month}月"
                for x in items
                if dues.state_of(x.due, x.paid, x.paid_on, x.month, x.until) in ("unpaid", "short")
            ]
            lines.append(
                (
                    latest.member.name,
                    _base(latest, show),
                    rules_mod.percent_text(latest.rate),
                    _money(latest.due),
                    _money(sum((x.due for x in items), ZERO)),
                    _money(sum((x.paid or ZERO for x in items), ZERO)),
                    "、".join(owing) or "无",
                    "；".join(n for n in (_note(x) for x in items) if n),
                )
            )
        cells = tuple(lines)
        columns = (
            Column("序号", 5, "center"),
            Column("姓名", 10, "center"),
            Column("缴费基数", 11, "right"),
            Column("比例", 7, "center"),
            Column("月应缴", 9, "right"),
            Column("本期应交", 10, "right"),
            Column("本期实交", 10, "right"),
            Column("未交月份", 14, "center"),
            Column("备注", 24),
        )
        names = tuple(items[-1].member.name for items in per.values())
    due = sum((r.due for r in rows), ZERO)
    paid = sum((r.paid or ZERO for r in rows), ZERO)
    return Document(
        "dues_notice",
        f"{branch.name}{period}党费收缴公示表",
        _info(branch, period, due, paid, show, today),
        (Table(columns, cells, ROW_H, numbered=True, font_pt=SMALL_PT),),
        landscape=False,
        names=names,
        private=show,
    )


def yearly_ledger(
    branch_id: int,
    year: int,
    *,
    committee: bool | None = None,
    today: dt.date | None = None,
    order: str | None = None,
) -> Document:
    """党费收缴台账 of a year, in the shape branches keep: 序号, 姓名, 月工资收入（缴费基数）,
    执行标准, 月应缴, the twelve months' 实交, 全年应缴, 全年实缴, 备注."""
    branch: m.Branch = records.get("branches", branch_id)  # type: ignore[assignment]
    show = dues.load_rules().committee_print if committee is None else committee
    show = show and not masked_only()  # the viewer prints masked, always
    rows = _rows(branch_id, dt.date(year, 1, 1), dt.date(year, 12, 1), order)
    per: dict[int, list[m.Dues]] = {}
    for r in rows:
        per.setdefault(r.member.id, []).append(r)
    cells = []
    for items in per.values():
        latest = items[-1]
        by_month = {x.month.month: x for x in items if x.month.year == year}
        spanned = {
            k.month for x in items for k in dues.covered(x.month, x.until)[1:] if k.year == year
        }
        months = []
        for month in range(1, 13):
            x = by_month.get(month)
            if x is None:
                months.append("（合）" if month in spanned else "")
                continue
            state = dues.state_of(x.due, x.paid, x.paid_on, x.month, x.until)
            shown = _money(x.paid) if x.paid else ("免" if state == "exempt" else "未交")
            months.append(shown + ("*" if state == "late" else ""))
        notes = "；".join(n for n in (_note(x) for x in items) if n)
        cells.append(
            (
                latest.member.name,
                _base(latest, show),
                rules_mod.percent_text(latest.rate),
                _money(latest.due),
                *months,
                _money(sum((x.due for x in items), ZERO)),
                _money(sum((x.paid or ZERO for x in items), ZERO)),
                notes,
            )
        )
    columns = (
        Column("序号", 3.5, "center"),
        Column("姓名", 7, "center"),
        Column("缴费基数", 8, "right"),
        Column("执行\n标准", 5, "center"),
        Column("月应缴", 6, "right"),
        *(Column(f"{k}月", 5.8, "right") for k in range(1, 13)),
        Column("全年\n应缴", 7, "right"),
        Column("全年\n实缴", 7, "right"),
        Column("备注", 9),
    )
    due = sum((r.due for r in rows), ZERO)
    paid = sum((r.paid or ZERO for r in rows), ZERO)
    info = _info(branch, f"{year}年", due, paid, show, today or dt.date.today())
    info = (
        *info,
        ("注", "各月为实交金额；带 * 的为补交（交纳日期晚于所属月份）；“（合）”为与前月合并交纳"),
    )
    return Document(
        "dues_ledger",
        f"{branch.name}{year}年党费收缴台账",
        info,
        (Table(columns, tuple(cells), 9.0, numbered=True, font_pt=7.5),),
        landscape=True,
        info_columns=3,
        names=tuple(items[-1].member.name for items in per.values()),
        private=show,
    )


def quarter_of(month: PartialDate) -> tuple[PartialDate, PartialDate]:
    start = (month.month - 1) // 3 * 3 + 1
    return PartialDate(month.year, start), PartialDate(month.year, start + 2)
