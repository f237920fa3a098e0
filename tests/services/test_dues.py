"""党费 ledger on hand-built data: the calculator in the form's path, states, a branch's month,
bulk marking paid, arrears and the 6-month warning, the year's figures, stored rules."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import peewee as pw
import pytest

from partybuild.cli import main
from partybuild.domain import dues as rules_mod
from partybuild.domain.dates import PartialDate
from partybuild.domain.validators import make_id_number
from partybuild.ledgers import spec
from partybuild.services import dues, records
from partybuild.services.errors import ValidationError
from partybuild.services.query import Filters, LedgerQuery
from partybuild.store import models as m

D = Decimal


@pytest.fixture
def branch(sqlite_db: pw.Database) -> m.Branch:
    return records.create(spec.BRANCHES, {"name": "第一联合党支部", "kind": "joint"})


def member(branch: m.Branch, name: str, seq: int, **extra: object) -> m.Member:
    data = {
        "name": name,
        "id_number": make_id_number("999999", dt.date(1985, 1, 1), seq),
        "branch": branch.id,
        **extra,
    }
    return records.create(spec.MEMBERS, data)


def row(who: m.Member, year: int, month: int, **data: object) -> m.Dues:
    return records.create(spec.DUES, {"member": who.id, "month": dt.date(year, month, 1), **data})


def test_form_path_fills_rate_and_due_from_the_calculator(branch: m.Branch) -> None:
    a = member(branch, "示甲", 1)
    r = row(a, 2023, 5, base="5100")
    assert (r.rate, r.due) == (D("0.015"), D("76.50"))
    stored = records.get(spec.DUES, r.id)
    assert stored.month == PartialDate(2023, 5) and stored.month.precision == "month"
    assert str(stored.due) == "76.50" and str(stored.base) == "5100.00"
    assert stored.title == "示甲 2023.05"


def test_a_due_that_disagrees_is_refused_unless_a_reduction_was_approved(branch: m.Branch) -> None:
    a = member(branch, "示甲", 1)
    with pytest.raises(ValidationError) as info:
        row(a, 2023, 5, base="5100", due="50")
    assert "50.00 与计算结果 76.50 不符" in info.value.errors["due"]
    with pytest.raises(ValidationError) as info:
        row(a, 2023, 5, base="5100", rate="1%")
    assert info.value.errors["rate"] == "比例 1% 与缴费基数不符，应为 1.5%"
    with pytest.raises(ValidationError) as info:
        row(a, 2023, 5, base="5100", due="30", reduction="reduced")
    assert set(info.value.errors) == {"decision_on", "decision_doc"}
    reduced = row(
        a,
        2023,
        5,
        base="5100",
        due="30",
        reduction="reduced",
        decision_on=dt.date(2023, 4, 20),
        decision_doc="园党委〔2023〕5号",
    )
    assert reduced.due == D("30.00") and reduced.rate == D("0.015")
    exempt = row(
        a,
        2023,
        6,
        base="5100",
        reduction="exempt",
        decision_on=dt.date(2023, 4, 20),
        decision_doc="园党委〔2023〕5号",
    )
    assert exempt.due == D("0.00")
    with pytest.raises(ValidationError) as info:
        row(a, 2023, 7, base="5100", paid="76.50")
    assert info.value.errors["paid_on"] == "填写了实交金额，请填写交纳日期"
    with pytest.raises(ValidationError) as info:
        row(a, 2023, 5, base="5100")
    assert "已有" in info.value.errors["month"]


def test_other_kind_needs_its_due_and_working_needs_a_base(branch: m.Branch) -> None:
    a = member(branch, "示甲", 1)
    with pytest.raises(ValidationError) as info:
        row(a, 2023, 5)
    assert "须填写缴费基数" in info.value.errors["base"]
    with pytest.raises(ValidationError) as info:
        row(a, 2023, 5, kind="other")
    assert info.value.errors["due"] == "缴费类别为其他时须填写月应缴"
    assert row(a, 2023, 5, kind="other", due="12").due == D("12.00")
    assert row(a, 2023, 6, kind="student").due == D("0.20")


def test_states_and_the_page_filters(branch: m.Branch) -> None:
    a = member(branch, "示甲", 1)
    paid = row(a, 2023, 1, base="5100", paid="76.50", paid_on=dt.date(2023, 1, 10))
    late = row(a, 2023, 2, base="5100", paid="76.50", paid_on=dt.date(2023, 4, 2))
    short = row(a, 2023, 3, base="5100", paid="50", paid_on=dt.date(2023, 3, 9))
    unpaid = row(a, 2023, 4, base="5100")
    more = row(a, 2023, 5, base="5100", paid="1200", paid_on=dt.date(2023, 5, 9))
    expected = {"paid": {paid.id, more.id}, "late": {late.id}, "short": {short.id}}
    expected["unpaid"] = {unpaid.id}
    expected["exempt"] = set()
    for state, ids in expected.items():
        query = LedgerQuery(spec.DUES, Filters(status=state))
        assert {r.id for r in query.rows()} == ids, state
    assert [r.id for r in LedgerQuery(spec.DUES, Filters(year=2023, month=3)).rows()] == [short.id]
    assert LedgerQuery(spec.DUES, Filters(branch_id=branch.id)).count() == 5
    assert dues.large_payments(dt.date(2023, 1, 1), dt.date(2023, 12, 31)) == [
        (more.id, "示甲", D("1200.00"))
    ]


def test_a_branch_month_from_the_previous_carries_kind_and_base(branch: m.Branch) -> None:
    a, b, c = member(branch, "示甲", 1), member(branch, "示乙", 2), member(branch, "示丙", 3)
    member(branch, "示丁", 4, category="activist")  # pays no dues
    row(a, 2023, 5, base="5100")
    row(b, 2023, 5, kind="retired", base="5000")
    result = dues.create_month(branch.id, dt.date(2023, 6, 1))
    assert (result.created, result.existing, result.without_previous) == (2, 0, ["示丙"])
    june = {r.member.name: r for r in m.Dues.select().where(m.Dues.month == dt.date(2023, 6, 1))}
    assert set(june) == {"示甲", "示乙"}
    assert (june["示甲"].kind, june["示甲"].base, june["示甲"].due) == (
        "working",
        D("5100.00"),
        D("76.50"),
    )
    assert (june["示乙"].kind, june["示乙"].due) == ("retired", D("25.00"))
    assert "1 名党员上月没有记录（示丙）" in result.message(dt.date(2023, 6, 1))
    again = dues.create_month(branch.id, dt.date(2023, 6, 1))
    assert (again.created, again.existing) == (0, 2)
    assert c.id  # 示丙 needs a row by hand


def test_bulk_mark_paid(branch: m.Branch) -> None:
    a, b = member(branch, "示甲", 1), member(branch, "示乙", 2)
    r1, r2 = row(a, 2023, 5, base="5100"), row(b, 2023, 5, base="4900")
    done, failed = dues.mark_paid([r1.id, r2.id], dt.date(2023, 5, 20), "online")
    assert (done, failed) == (2, [])
    for r, amount in ((r1, "76.50"), (r2, "49.00")):
        fresh = records.get(spec.DUES, r.id)
        assert (str(fresh.paid), fresh.paid_on, fresh.method) == (
            amount,
            dt.date(2023, 5, 20),
            "online",
        )
    assert dues.mark_paid([r1.id], dt.date(2023, 5, 21)) == (0, [])  # already paid: left


def test_arrears_backpay_window_and_the_six_month_warning(branch: m.Branch) -> None:
    a, b = member(branch, "示甲", 1), member(branch, "示乙", 2)
    for month in range(1, 13):
        paid = {"paid": "76.50", "paid_on": dt.date(2023, month, 5)} if month <= 3 else {}
        row(a, 2023, month, base="5100", **paid)  # 示甲: April–December unpaid
        paid_b = {"paid": "49.00", "paid_on": dt.date(2023, month, 5)} if month % 2 else {}
        row(b, 2023, month, base="4900", **paid_b)  # 示乙: every other month
    found = {x.name: x for x in dues.arrears(dt.date(2023, 11, 15))}
    a_arrears, b_arrears = found["示甲"], found["示乙"]
    # November is still open on 15 November: April–October are the ended unpaid months.
    assert [x.month for x in a_arrears.months] == list(range(4, 11))
    assert a_arrears.longest_run == 7 and a_arrears.lapse
    assert a_arrears.owed == D("535.50")
    assert [x.month for x in a_arrears.backpay_late] == [4]  # > 6 months past: April only
    text = a_arrears.message()
    assert "示甲（第一联合党支部）欠交党费 7 个月" in text and "视为自行脱党" in text
    assert "系统不改变党员状态" in text
    assert not b_arrears.lapse and b_arrears.longest_run == 1
    assert records.get(spec.MEMBERS, a.id).status == "normal"  # never a status change
    five = {x.name: x for x in dues.arrears(dt.date(2023, 9, 1))}["示甲"]
    assert five.longest_run == 5 and not five.lapse


def test_year_figures_and_check_items(branch: m.Branch) -> None:
    a, b = member(branch, "示甲", 1), member(branch, "示乙", 2)
    for month in range(1, 13):
        row(a, 2023, month, base="5100", paid="76.50", paid_on=dt.date(2023, month, 5))
        row(
            b,
            2023,
            month,
            base="4900",
            **({"paid": "49", "paid_on": dt.date(2023, month, 5)} if month < 12 else {}),
        )
    figures = dues.year_figures(2023, today=dt.date(2024, 3, 1))
    assert figures == {
        "due": "1506.00",
        "paid": "1457.00",
        "rate": 0.9675,
        "members_in_arrears": 1,
    }
    items = dues.check_items(2023, today=dt.date(2024, 3, 1))
    assert [(i["name"], i["months"], i["owed"], i["lapse_warning"]) for i in items] == [
        ("示乙", ["2023.12"], "49.00", False)
    ]
    per = dues.collection(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert per[branch.id].rate_text() == "96.7%" and per[branch.id].members == 2


def test_rules_changed_in_settings_take_effect(
    branch: m.Branch, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = member(branch, "示甲", 1)
    changed = rules_mod.with_changes(
        dues.load_rules(),
        working=(
            rules_mod.Bracket(D("6000"), D("0.01")),
            rules_mod.Bracket(None, D("0.02")),
        ),
        student=D("0.50"),
    )
    dues.save_rules(changed)
    assert row(a, 2023, 5, base="5100").due == D("51.00")
    assert row(a, 2023, 6, kind="student").due == D("0.50")
    path = m.db_proxy.obj.database
    assert main(["dues", "calc", "--base", "5100", "--json", "--db", path]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "kind": "working",
        "base": "5100.00",
        "rate": "0.01",
        "due": "51.00",
    }
    dues.reset_rules()
    assert dues.calculate("working", D("5100")).due == D("76.50")


def test_a_quarter_paid_at_once_and_an_owip_back_payment_range(branch: m.Branch) -> None:
    a = member(branch, "示甲", 1)
    quarter = row(
        a, 2023, 1, until=dt.date(2023, 3, 1), base="5100", paid="229.50",
        paid_on=dt.date(2023, 3, 20),
    )  # fmt: skip
    assert (quarter.due, quarter.title) == (D("229.50"), "示甲 2023.01–2023.03")
    assert (
        dues.state_of(quarter.due, quarter.paid, quarter.paid_on, quarter.month, quarter.until)
        == "paid"
    )
    assert LedgerQuery(spec.DUES, Filters(status="paid")).count() == 1  # not 补交: paid by March
    with pytest.raises(ValidationError) as info:
        row(a, 2023, 3, base="5100")
    assert info.value.errors["month"] == "与该党员 2023.01–2023.03 的记录月份重叠"
    with pytest.raises(ValidationError) as info:
        row(a, 2023, 6, until=dt.date(2023, 4, 1), base="5100")
    assert info.value.errors["until"] == "截止月份 2023.04 早于月份 2023.06"
    with pytest.raises(ValidationError) as info:
        row(a, 2023, 4, until=dt.date(2023, 6, 1), base="5100", due="76.50")
    assert "3 个月应交 76.50 与计算结果 229.50 不符" in info.value.errors["due"]
    # 补交 of April–June in August, one row: 补交 in the state filter, no arrears after it.
    late = row(
        a, 2023, 4, until=dt.date(2023, 6, 1), base="5100", paid="229.50",
        paid_on=dt.date(2023, 8, 15),
    )  # fmt: skip
    assert [r.id for r in LedgerQuery(spec.DUES, Filters(status="late")).rows()] == [late.id]
    assert dues.arrears(dt.date(2023, 9, 1)) == []
    unpaid = row(a, 2023, 7, until=dt.date(2023, 9, 1), base="5100")
    owing = dues.arrears(dt.date(2023, 9, 15))[0]  # September still open
    assert [x.month for x in owing.months] == [7, 8] and owing.owed == D("153.00")
    assert unpaid.due == D("229.50")
    # A new month after a range carries the base on.
    october = dues.create_month(branch.id, dt.date(2023, 10, 1))
    assert october.created == 1


def test_states_arrears_and_figures_on_sqlite_and_postgresql(db: pw.Database) -> None:
    """The derived states are SQL (month arithmetic, decimals): the same on both servers."""
    branch = records.create(spec.BRANCHES, {"name": "第二党支部", "kind": "standalone"})
    a = member(branch, "示甲", 1)
    row(a, 2023, 1, base="5100", paid="76.50", paid_on=dt.date(2023, 1, 10))
    row(a, 2023, 2, base="5100", paid="76.50", paid_on=dt.date(2023, 3, 1))
    row(a, 2023, 3, base="5100", paid="10", paid_on=dt.date(2023, 3, 1))
    row(
        a,
        2023,
        4,
        until=dt.date(2023, 6, 1),
        base="5100",
        paid="229.50",
        paid_on=dt.date(2023, 6, 9),
    )
    row(a, 2023, 7, base="5100")
    counts = {s: LedgerQuery(spec.DUES, Filters(status=s)).count() for s, _ in dues.STATES}
    assert counts == {"paid": 2, "late": 1, "short": 1, "unpaid": 1, "exempt": 0}
    assert [r.values[1] for r in LedgerQuery(spec.DUES, Filters(year=2023, month=4)).rows()] == [
        PartialDate(2023, 4)
    ]
    stored = records.get(spec.DUES, LedgerQuery(spec.DUES, Filters(status="short")).rows()[0].id)
    assert stored.due == D("76.50") and stored.paid == D("10.00") and stored.rate == D("0.015")
    figures = dues.year_figures(2023, today=dt.date(2024, 1, 5))
    assert figures["due"] == "535.50" and figures["paid"] == "392.50"
    assert figures["members_in_arrears"] == 1
