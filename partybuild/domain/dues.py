"""The rules of 党费 (party dues), as data a park can change, and the calculator.

Source: 《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）. The articles cited below
follow its 党费收缴 part:

- 第一条 the base is the fixed monthly wage after tax; what "after tax" deducts differs by
  locality (individual income tax only, or also the member's social insurance, housing fund and
  occupational annuity) — :attr:`DuesRules.deduction`;
- 第二条 working members pay a share of the **whole** base, each upper bound inclusive:
  ≤ 3000 元 0.5 %, > 3000 to ≤ 5000 1 %, > 5000 to ≤ 10000 1.5 %, > 10000 2 % (the official
  Q&A's worked examples: 5100 → 76.50, 4900 → 49.00);
- 第三条 annual-salary earners use the month's actual pay; 第四条 members without a monthly wage
  use the previous quarter's average monthly net income (both are a base, entered as such);
- 第五条 retirees: the pension actually received, ≤ 5000 元 0.5 %, > 5000 1 %;
- 第六条 students, laid-off or unemployed members and members living on relief or 低保 pay
  0.2 元 a month; farmers 0.2–1 元 a month (the park's amount is a setting);
- 第十条 a new base applies from the month the new wage is paid; 第十一条 paying more is allowed,
  a single payment of 1000 元 or more is recorded as such; 第十二条 monthly, or quarterly with the
  branch's consent, back-payment generally no more than 6 months.
- Rounding: there is no national rule; the default is to the fen, half up (a setting).

The rules are a record (:class:`DuesRules`), stored as JSON in the ``Setting`` table under
:data:`SETTING_KEY` with every amount as a decimal string; all arithmetic is
:class:`decimal.Decimal`. Nothing here imports Qt or the database (see services.dues).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from typing import Any

SETTING_KEY = "dues_rules"
SOURCE = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）"
SHORT = "中组发〔2008〕3号"

CENT = Decimal("0.01")
ZERO = Decimal("0")

#: Kinds of member for the calculator (the ledger's 缴费类别).
KINDS: tuple[tuple[str, str], ...] = (
    ("working", "在职"),
    ("retired", "离退休"),
    ("student", "学生"),
    ("unemployed", "下岗失业"),
    ("relief", "低保救济"),
    ("farmer", "农民"),
    ("other", "其他"),
)
KIND_LABELS = dict(KINDS)
#: Kinds that pay a fixed amount a month, not a share of a base (第六条).
FLAT_KINDS = ("student", "unemployed", "relief", "farmer")

#: What "after tax" deducts from the wage (第一条; differs by locality).
DEDUCTIONS: tuple[tuple[str, str], ...] = (
    ("tax", "只扣除个人所得税"),
    ("tax_and_contributions", "扣除个人所得税及个人缴纳的社会保险费、住房公积金、职业年金"),
)
DEDUCTION_LABELS = dict(DEDUCTIONS)

#: Rounding of a computed due: to the fen, the jiao or the yuan; how.
QUANTA: tuple[tuple[str, str], ...] = (("0.01", "分"), ("0.1", "角"), ("1", "元"))
QUANTUM_LABELS = dict(QUANTA)
MODES: tuple[tuple[str, str], ...] = (
    (ROUND_HALF_UP, "四舍五入"),
    (ROUND_HALF_EVEN, "四舍六入五成双"),
    (ROUND_UP, "进位"),
    (ROUND_DOWN, "舍去"),
)
MODE_LABELS = dict(MODES)

#: The bounds the settings may take: a rate is a share of the base, under 10 %.
MAX_RATE = Decimal("0.1")
FARMER_MIN, FARMER_MAX = Decimal("0.20"), Decimal("1.00")
#: A single payment of this much or more is recorded as a 大额党费 (第十一条).
LARGE_PAYMENT = Decimal("1000")
#: Back-payment generally no more than this many months (第十二条).
BACKPAY_MONTHS = 6
#: This many months unpaid without good reason: the 党章's 自行脱党 rule (a warning only).
LAPSE_MONTHS = 6


@dataclass(frozen=True)
class Bracket:
    """Up to and including ``upper`` (None: no upper bound), ``rate`` of the whole base."""

    upper: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class DuesRules:
    """The park's dues rules; the defaults are those of 中组发〔2008〕3号."""

    working: tuple[Bracket, ...] = (
        Bracket(Decimal("3000"), Decimal("0.005")),
        Bracket(Decimal("5000"), Decimal("0.01")),
        Bracket(Decimal("10000"), Decimal("0.015")),
        Bracket(None, Decimal("0.02")),
    )
    retired: tuple[Bracket, ...] = (
        Bracket(Decimal("5000"), Decimal("0.005")),
        Bracket(None, Decimal("0.01")),
    )
    student: Decimal = Decimal("0.20")
    unemployed: Decimal = Decimal("0.20")
    relief: Decimal = Decimal("0.20")
    farmer: Decimal = Decimal("0.20")
    quantum: str = "0.01"
    rounding: str = ROUND_HALF_UP
    deduction: str = "tax"
    # Prints (公示表, 台账) show members' incomes only when made for the party committee.
    committee_print: bool = False
    basis: dict[str, str] = field(default_factory=dict, compare=False)

    def flat(self, kind: str) -> Decimal:
        return {
            "student": self.student,
            "unemployed": self.unemployed,
            "relief": self.relief,
            "farmer": self.farmer,
        }[kind]


#: Where each rule comes from, shown beside it in the settings dialog and on prints.
BASIS: dict[str, str] = {
    "base": f"{SHORT}第一条：以每月工资收入（税后）为计算基数；第三条年薪制按当月实际所得；"
    "第四条无固定工资的按上一季度月平均纯收入",
    "working": f"{SHORT}第二条：在职党员按月工资收入（税后）的比例交纳，含上限",
    "retired": f"{SHORT}第五条：离退休党员以实际领取的离退休费或养老金为基数",
    "flat": f"{SHORT}第六条：学生、下岗失业、依靠抚恤或救济生活、领取最低生活保障金的党员每月0.2元",
    "farmer": f"{SHORT}第六条：农民党员每月0.2元至1元",
    "backpay": f"{SHORT}第十二条：补交党费一般不超过6个月",
    "lapse": "《中国共产党章程》第九条：连续6个月不交纳党费的，视为自行脱党（仅提醒，不改变党员状态）",
    "large": f"{SHORT}第十一条：一次性交纳1000元以上的党费，作为大额党费单独记载",
    "rounding": "全国无统一规定，默认到分、四舍五入",
}


def default_rules() -> DuesRules:
    return DuesRules()


# --------------------------------------------------------------------------- the calculator


@dataclass(frozen=True)
class Calculation:
    """What one member owes for one month: the rate applied (None for a fixed amount)."""

    kind: str
    base: Decimal | None
    rate: Decimal | None
    due: Decimal

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``dues calc --json``: amounts as two-decimal strings, the rate as given."""
        return {
            "kind": self.kind,
            "base": money_text(self.base) if self.base is not None else None,
            "rate": rate_text(self.rate) if self.rate is not None else None,
            "due": money_text(self.due),
        }


def rate_for(brackets: Sequence[Bracket], base: Decimal) -> Decimal:
    """The rate of the bracket the base falls in; each upper bound belongs to its bracket."""
    for bracket in brackets:
        if bracket.upper is None or base <= bracket.upper:
            return bracket.rate
    raise AssertionError("the last bracket has no upper bound")


def round_due(amount: Decimal, rules: DuesRules) -> Decimal:
    """Round a computed due by the park's rule, then write it to the fen."""
    return amount.quantize(Decimal(rules.quantum), rounding=rules.rounding).quantize(CENT)


def calculate(kind: str, base: Decimal | None, rules: DuesRules | None = None) -> Calculation:
    """The monthly due of a member of ``kind`` with ``base`` (the after-tax wage or pension).

    Raises ValueError (Chinese) for a kind the calculator has no rule for or a missing base.
    """
    rules = rules or default_rules()
    if kind in FLAT_KINDS:
        return Calculation(kind, base, None, rules.flat(kind).quantize(CENT))
    if kind not in ("working", "retired"):
        raise ValueError(f"缴费类别“{KIND_LABELS.get(kind, kind)}”没有计算规则，月应缴须手工填写")
    if base is None:
        raise ValueError("缺少缴费基数")
    if base < 0:
        raise ValueError("缴费基数不能为负数")
    rate = rate_for(rules.working if kind == "working" else rules.retired, base)
    return Calculation(kind, base, rate, round_due(base * rate, rules))


def base_after_tax(
    wage: Decimal, income_tax: Decimal, contributions: Decimal, rules: DuesRules
) -> Decimal:
    """第一条: the base from the wage, by what the park's locality deducts."""
    deducted = income_tax + (contributions if rules.deduction == "tax_and_contributions" else ZERO)
    return max(ZERO, wage - deducted).quantize(CENT)


# --------------------------------------------------------------------------- amounts as text


def money(value: object, what: str = "金额") -> Decimal:
    """A non-negative amount of yuan from text or a number, exactly to the fen."""
    if isinstance(value, bool):
        raise ValueError(f"{what}应为数字")
    if isinstance(value, float):
        value = format(value, ".15g")  # as Excel shows a number: 15 significant digits
    text = str(value).strip().replace(",", "").replace("，", "")
    for unit in ("元", "¥", "￥"):
        text = text.replace(unit, "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{what}“{value}”应为数字") from None
    if not amount.is_finite():
        raise ValueError(f"{what}“{value}”应为数字")
    if amount < 0:
        raise ValueError(f"{what}不能为负数")
    if amount != amount.quantize(CENT):
        raise ValueError(f"{what}“{value}”只能精确到分")
    if amount >= Decimal("100000000"):
        raise ValueError(f"{what}“{value}”过大")
    return amount.quantize(CENT)


def rate_value(value: object, what: str = "比例") -> Decimal:
    """A rate from "1.5%", "0.015" or a percent-formatted cell (0.015); "1.5" is refused."""
    if isinstance(value, bool):
        raise ValueError(f"{what}应为数字")
    if isinstance(value, float):
        value = format(value, ".15g")
    text = str(value).strip().replace("％", "%")
    percent = text.endswith("%")
    try:
        number = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        raise ValueError(f"{what}“{value}”应写成 1.5% 或 0.015") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{what}“{value}”应写成 1.5% 或 0.015")
    rate = number / 100 if percent else number
    if rate >= MAX_RATE:
        raise ValueError(f"{what}“{value}”过大：比例应写成 1.5% 或 0.015")
    return rate.normalize() if rate else ZERO


def money_text(value: Decimal) -> str:
    return f"{value.quantize(CENT):f}"


def rate_text(value: Decimal) -> str:
    """ "0.015": the rate as a plain decimal, no exponent, no trailing zeros."""
    text = f"{value.normalize():f}"
    return text


def percent_text(value: Decimal | None) -> str:
    """ "1.5%" for tables and prints."""
    if value is None:
        return ""
    return f"{(value * 100).normalize():f}%"


# --------------------------------------------------------------------------- JSON


def _brackets_json(brackets: Sequence[Bracket]) -> list[dict[str, str | None]]:
    return [
        {"upper": None if b.upper is None else f"{b.upper:f}", "rate": f"{b.rate:f}"}
        for b in brackets
    ]


def rules_to_json(rules: DuesRules) -> str:
    return json.dumps(
        {
            "working": _brackets_json(rules.working),
            "retired": _brackets_json(rules.retired),
            "student": money_text(rules.student),
            "unemployed": money_text(rules.unemployed),
            "relief": money_text(rules.relief),
            "farmer": money_text(rules.farmer),
            "quantum": rules.quantum,
            "rounding": rules.rounding,
            "deduction": rules.deduction,
            "committee_print": rules.committee_print,
        },
        ensure_ascii=False,
    )


def _brackets_from(data: Any, title: str) -> tuple[Bracket, ...]:
    if not isinstance(data, list) or not data:
        raise ValueError(f"{title}的档次应为非空列表")
    result: list[Bracket] = []
    for i, item in enumerate(data, start=1):
        where = f"{title}第 {i} 档"
        if not isinstance(item, dict):
            raise ValueError(f"{where}格式不对")
        upper_text = item.get("upper")
        last = i == len(data)
        if last and upper_text is not None:
            raise ValueError(f"{where}是最高档，不应有上限")
        if not last and upper_text is None:
            raise ValueError(f"{where}缺少上限")
        upper = None if upper_text is None else money(upper_text, f"{where}的上限")
        previous = result[-1].upper if result else None
        if upper is not None and previous is not None and upper <= previous:
            raise ValueError(f"{where}的上限 {upper} 应高于上一档的 {result[-1].upper}")
        rate = rate_value(item.get("rate", ""), f"{where}的比例")
        if rate <= 0:
            raise ValueError(f"{where}的比例应大于 0")
        result.append(Bracket(upper, rate))
    return tuple(result)


def rules_from_json(text: str) -> DuesRules:
    """Parse stored rules; anything not understood is refused, never guessed."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"党费规则设置不是有效的 JSON：{exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError("党费规则设置格式不对")
    defaults = default_rules()
    flats = {}
    for name, label in (
        ("student", "学生党员"),
        ("unemployed", "下岗失业党员"),
        ("relief", "低保救济党员"),
        ("farmer", "农民党员"),
    ):
        amount = money(data.get(name, money_text(getattr(defaults, name))), f"{label}每月金额")
        if amount <= 0:
            raise ValueError(f"{label}每月金额应大于 0")
        flats[name] = amount
    if not FARMER_MIN <= flats["farmer"] <= FARMER_MAX:
        raise ValueError(f"农民党员每月金额应在 {FARMER_MIN} 至 {FARMER_MAX} 元之间（第六条）")
    quantum = data.get("quantum", defaults.quantum)
    if quantum not in QUANTUM_LABELS:
        raise ValueError(f"取整单位“{quantum}”不认识")
    rounding = data.get("rounding", defaults.rounding)
    if rounding not in MODE_LABELS:
        raise ValueError(f"取整方式“{rounding}”不认识")
    deduction = data.get("deduction", defaults.deduction)
    if deduction not in DEDUCTION_LABELS:
        raise ValueError(f"税后工资口径“{deduction}”不认识")
    committee_print = data.get("committee_print", False)
    if not isinstance(committee_print, bool):
        raise ValueError("“打印显示收入”应为 true 或 false")
    return DuesRules(
        committee_print=committee_print,
        working=_brackets_from(data.get("working", _brackets_json(defaults.working)), "在职党员"),
        retired=_brackets_from(data.get("retired", _brackets_json(defaults.retired)), "离退休党员"),
        quantum=quantum,
        rounding=rounding,
        deduction=deduction,
        **flats,
    )


def with_changes(rules: DuesRules, **changes: Any) -> DuesRules:
    """A copy with some fields changed, checked as stored rules are."""
    return rules_from_json(rules_to_json(replace(rules, **changes)))


def brackets_text(brackets: Sequence[Bracket]) -> str:
    """“3000元及以下 0.5%；3000元以上至5000元（含） 1%；…” for the settings dialog and prints."""
    parts, lower = [], None
    for b in brackets:
        rate = percent_text(b.rate)
        if b.upper is None:
            parts.append(f"{lower:f}元以上 {rate}")
        elif lower is None:
            parts.append(f"{b.upper:f}元及以下 {rate}")
        else:
            parts.append(f"{lower:f}元以上至{b.upper:f}元（含） {rate}")
        lower = b.upper
    return "；".join(parts)
