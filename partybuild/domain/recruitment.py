"""发展党员: the stages of recruitment and their time rules, as data a park can change.

《中国共产党发展党员工作细则》 (中共中央办公厅, 2014) sets the order of the stages and the
intervals between them. Each rule is a :class:`Rule` record — a number, a unit, whether it is on,
and the article it comes from — stored as JSON in the ``Setting`` table under
:data:`SETTING_KEY`; the settings dialog edits it like the 三会一课 rules. Hard rules refuse a
record (form and import, the rule named); warnings only remind (概览, ``check --json``, the
annual summary). 换届 terms by branch kind live here too (:data:`TERM_SETTING_KEY`).

Everything here is pure: dates and numbers in, messages out. Dates of record may be known only
to the month (:class:`~partybuild.domain.dates.PartialDate`); a hard rule refuses only what is
wrong whatever day the month stands for (``dates.certainly_*``), never a guess.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from partybuild.domain import dates, vocab
from partybuild.domain.compliance import more_than_half

SETTING_KEY = "recruitment_rules"
TERM_SETTING_KEY = "branch_terms"
XIZE = "《中国共产党发展党员工作细则》"
DANGZHANG = "《中国共产党章程》"

HARD, WARNING = "hard", "warning"
KIND_LABELS = {HARD: "硬性规定（拒绝）", WARNING: "提醒"}
UNITS = {
    "age": "周岁",
    "years": "年",
    "months": "个月",
    "days": "天",
    "working_days": "个工作日",
    "people": "名",
    "none": "",
}


@dataclass(frozen=True)
class Rule:
    """One time rule of recruitment: ``value`` in ``unit``; ``value2`` for a range or an
    alternative (集中培训 3 天 *or* 24 学时; 延长预备期 6–12 个月)."""

    key: str
    label: str
    kind: str
    value: int
    unit: str
    basis: str
    enabled: bool = True
    value2: int | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def spoken(self) -> str:
        """The rule's number as read: 18周岁, 1年, 6–12个月, 3天或24学时."""
        unit = UNITS.get(self.unit, self.unit)
        if self.unit == "none":
            return ""
        if self.key == "short_training":
            return f"{self.value}天或{self.value2}学时"
        if self.value2 is not None:
            return f"{self.value}–{self.value2}{unit}"
        return f"{self.value}{unit}"

    @property
    def named(self) -> str:
        """How a refusal names the rule: “入党积极分子培养考察满1年（《…细则》第十四条）”."""
        return f"{self.label}{self.spoken}（{self.basis}）"


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("order", "各阶段日期先后有序", HARD, 0, "none", f"{XIZE}第二章至第五章的程序"),
    Rule("min_age", "递交入党申请书时年满", HARD, 18, "age", f"{XIZE}第五条"),
    Rule("activist_training", "入党积极分子培养考察满", HARD, 1, "years", f"{XIZE}第十四条"),
    Rule("introducers", "须有正式党员作入党介绍人", HARD, 2, "people", f"{XIZE}第十五条"),
    Rule(
        "admission_vote",
        "支部大会到会和赞成均须超过应到会有表决权正式党员的半数",
        HARD,
        0,
        "none",
        f"{XIZE}第二十条、第二十一条、第三十三条",
    ),
    Rule("probation", "预备期从支部大会通过之日算起为", HARD, 1, "years", f"{DANGZHANG}第七条"),
    Rule(
        "extension",
        "延长预备期只能一次，时间",
        HARD,
        6,
        "months",
        f"{DANGZHANG}第七条；{XIZE}第三十二条",
        value2=12,
    ),
    Rule("talk", "收到入党申请书后派人谈话，期限", WARNING, 1, "months", f"{XIZE}第七条"),
    Rule("review", "党支部考察入党积极分子，每隔", WARNING, 6, "months", f"{XIZE}第十二条"),
    Rule(
        "short_training",
        "发展对象短期集中培训不少于",
        WARNING,
        3,
        "days",
        f"{XIZE}第十七条",
        value2=24,
    ),
    Rule(
        "approval",
        "基层党委审批接收预备党员，期限",
        WARNING,
        3,
        "months",
        f"{XIZE}第二十六条（特殊情况不超过6个月）",
    ),
    Rule("publicity", "发展对象公示不少于", WARNING, 5, "working_days", "各地实践（细则未定天数）"),
    Rule(
        "application_age",
        "递交申请书满一定时间方可确定为积极分子",
        WARNING,
        6,
        "months",
        "部分地方规定（默认不启用）",
        enabled=False,
    ),
    Rule("notice", "到期前提前提醒", WARNING, 30, "days", "园区设置"),
)
RULE_KEYS = tuple(r.key for r in DEFAULT_RULES)


def default_rules() -> list[Rule]:
    return list(DEFAULT_RULES)


def rules_by_key(rules: Iterable[Rule]) -> dict[str, Rule]:
    return {r.key: r for r in rules}


def rules_to_json(rules: Iterable[Rule]) -> str:
    return json.dumps([asdict(r) for r in rules], ensure_ascii=False)


def rules_from_json(text: str) -> list[Rule]:
    """Stored rules over the defaults; anything not understood is refused, never guessed."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"发展党员规则设置不是有效的 JSON：{exc.msg}") from None
    if not isinstance(data, list):
        raise ValueError("发展党员规则设置应为规则列表")
    stored: dict[str, Rule] = {}
    defaults = rules_by_key(DEFAULT_RULES)
    for index, item in enumerate(data):
        where = f"发展党员规则第 {index + 1} 条"
        if not isinstance(item, dict) or item.get("key") not in defaults:
            raise ValueError(f"{where}不认识")
        base = defaults[item["key"]]
        value, value2, enabled = item.get("value"), item.get("value2"), item.get("enabled", True)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{where}（{base.label}）的数值应为非负整数")
        if value2 is not None and (not isinstance(value2, int) or value2 < 0):
            raise ValueError(f"{where}（{base.label}）的第二个数值应为非负整数")
        if not isinstance(enabled, bool):
            raise ValueError(f"{where}的“启用”应为 true 或 false")
        stored[base.key] = replace(base, value=value, value2=value2, enabled=enabled)
    return [stored.get(r.key, r) for r in DEFAULT_RULES]


def check_rule(rule: Rule) -> None:
    """Refuse a setting that could not be applied (延长 6–12: the first not above the second)."""
    if rule.value2 is not None and rule.key == "extension" and rule.value > rule.value2:
        raise ValueError(f"“{rule.label}”的最少月数不能大于最多月数")


# --------------------------------------------------------------------------- terms (换届)

#: 任期 by branch kind: 3 years for the branches of a park's enterprises (中共中央办公厅
#: 《关于党的基层组织任期的意见》, 2018: 总支部委员会、支部委员会每届任期3年; 村、社区 5 年);
#: a park sets its own per kind, and a branch its own in the 党组织 ledger.
DEFAULT_TERMS: dict[str, int] = dict.fromkeys(vocab.BRANCH_KIND.codes, 3)
TERM_BASIS = "《关于党的基层组织任期的意见》（2018）：党的支部委员会每届任期3年"
#: Reminded this many months before the term ends, then monthly after it.
RENEWAL_NOTICES: tuple[int, ...] = (6, 3)


def terms_from_json(text: str) -> dict[str, int]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"任期设置不是有效的 JSON：{exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError("任期设置应为“党组织类型: 年数”")
    terms = dict(DEFAULT_TERMS)
    for kind, years in data.items():
        if kind not in DEFAULT_TERMS:
            raise ValueError(f"任期设置中的党组织类型“{kind}”不认识")
        if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 10:
            raise ValueError(f"“{vocab.BRANCH_KIND.label(kind)}”的任期应为 1–10 年")
        terms[kind] = years
    return terms


def term_end(base: dt.date | None, years: int) -> dt.date | None:
    """应换届日期: the founding or last 换届 plus the term (from the first day a month-only
    date stands for, so a reminder is early rather than late)."""
    if base is None:
        return None
    return dates.add_years(dates.earliest(base), years)


@dataclass(frozen=True)
class RenewalStep:
    """Which 换届 reminder applies on a day: 6 or 3 months before, or N months after."""

    rule: str
    remind_on: dt.date
    months_after: int = 0


def renewal_step(due: dt.date, today: dt.date) -> RenewalStep | None:
    """The reminder for a term ending on ``due``: none more than 6 months before; from 6 months
    before “6个月内届满”, from 3 months “3个月内届满”; after the end one a month, “已届满N个月”."""
    if today >= due:
        months = months_between(due, today)
        if months == 0:
            return RenewalStep("任期已届满，应及时换届", due, 0)
        return RenewalStep(f"任期已届满{months}个月，应及时换届", add_months(due, months), months)
    for notice in sorted(RENEWAL_NOTICES):
        start = add_months(due, -notice)
        if today >= start:
            return RenewalStep(f"任期将于{notice}个月内届满，应准备换届", start)
    return None


# --------------------------------------------------------------------------- month arithmetic


def add_months(value: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (31 January + 1 month → 28/29 February)."""
    value = dates.earliest(value)
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    day = min(value.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 until a month has passed)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(0, months)


def last_working_day(start: dt.date, days: int) -> dt.date:
    """The last day of a 公示 of ``days`` working days (Monday–Friday) from ``start``, the start
    counted when it is a working day. Public holidays are not known here: a park with a holiday
    in the window checks it by hand."""
    day = dates.earliest(start)
    left = days - (1 if day.weekday() < 5 else 0)
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


# --------------------------------------------------------------------------- the stages

#: The stages in order: (field of the member row, label). 支部大会讨论接收 is the 入党日期 of the
#: roster and 转正 its 转正日期 (the probation runs from the 支部大会, 党章第七条).
STAGES: tuple[tuple[str, str], ...] = (
    ("applied_on", "递交入党申请书"),
    ("talked_on", "谈话"),
    ("activist_on", "确定入党积极分子"),
    ("candidate_on", "确定发展对象"),
    ("vetted_on", "政治审查"),
    ("training_start", "集中培训开始"),
    ("training_end", "集中培训结束"),
    ("publicized_on", "公示"),
    ("prechecked_on", "上级党委预审"),
    ("joined_on", "支部大会讨论接收"),
    ("approved_on", "上级党委审批"),
    ("confirmed_on", "转为正式党员"),
)
STAGE_LABELS = dict(STAGES)
# A later stage may not be dated before the one it follows. Pairs, not a chain: 谈话 and 政审
# follow 申请 and 发展对象 but need not precede what comes next.
ORDER: tuple[tuple[str, str], ...] = (
    ("applied_on", "talked_on"),
    ("applied_on", "activist_on"),
    ("activist_on", "candidate_on"),
    ("candidate_on", "vetted_on"),
    ("candidate_on", "training_start"),
    ("training_start", "training_end"),
    ("candidate_on", "publicized_on"),
    ("candidate_on", "prechecked_on"),
    ("prechecked_on", "joined_on"),
    ("candidate_on", "joined_on"),
    ("joined_on", "approved_on"),
    ("joined_on", "confirmed_on"),
)

#: The category each stage puts a person in, latest stage first (the category follows the stage).
CATEGORY_BY_STAGE: tuple[tuple[str, str], ...] = (
    ("confirmed_on", "full"),
    ("joined_on", "probationary"),
    ("candidate_on", "candidate"),
    ("activist_on", "activist"),
    ("applied_on", "applicant"),
)
STAGE_FIELDS = tuple(name for name, _ in STAGES)


def category_for(values: Mapping[str, Any]) -> str | None:
    """The category the recorded stages put a person in (None when no stage is dated)."""
    for name, category in CATEGORY_BY_STAGE:
        if values.get(name) is not None:
            return category
    return None


@dataclass(frozen=True)
class Introducer:
    """A 入党介绍人 as the rules need to see them."""

    id: int
    name: str
    category: str
    confirmed_on: dt.date | None = None


def _spoken(rule: Rule) -> str:
    return rule.spoken


def check_stages(
    values: Mapping[str, Any],
    rules: Sequence[Rule],
    introducers: Sequence[Introducer | None] = (),
    person_id: int | None = None,
) -> dict[str, str]:
    """The hard rules on one person's stages: field → message naming the rule. Empty: fine.

    ``values`` holds the stage dates (``STAGE_FIELDS``), ``birth_date``, the votes
    (``admission_*``, ``confirm_*``) and ``extension_months``; ``introducers`` the two people
    named as 介绍人 (None where a slot is empty).
    """
    by_key = rules_by_key(rules)
    errors: dict[str, str] = {}

    def on(key: str) -> Rule | None:
        rule = by_key.get(key)
        return rule if rule is not None and rule.enabled else None

    def refuse(name: str, rule: Rule, detail: str) -> None:
        errors.setdefault(name, f"{detail}，不符合“{rule.named}”")

    order = on("order")
    if order is not None:
        for first, second in ORDER:
            a, b = values.get(first), values.get(second)
            if a is not None and b is not None and dates.certainly_before(b, a):
                refuse(
                    second,
                    order,
                    f"{STAGE_LABELS[second]}（{dates.shown(b)}）早于"
                    f"{STAGE_LABELS[first]}（{dates.shown(a)}）",
                )
    rule = on("min_age")
    born, applied = values.get("birth_date"), values.get("applied_on")
    # Refused when the application is before the 18th birthday whatever day either stands for.
    if (
        rule is not None
        and born is not None
        and applied is not None
        and dates.latest(applied) < dates.add_years(dates.earliest(born), rule.value)
    ):
        refuse("applied_on", rule, f"递交申请书时（{dates.shown(applied)}）未满{_spoken(rule)}")
    rule = on("activist_training")
    activist, candidate = values.get("activist_on"), values.get("candidate_on")
    if rule is not None and activist is not None and candidate is not None:
        needed = dates.add_years(dates.earliest(activist), rule.value)
        if dates.certainly_before(candidate, needed):
            refuse(
                "candidate_on",
                rule,
                f"确定为发展对象（{dates.shown(candidate)}）距确定为入党积极分子"
                f"（{dates.shown(activist)}）不满{_spoken(rule)}",
            )
    rule = on("introducers")
    named = [i for i in introducers if i is not None]
    if rule is not None and named:
        if len(named) < rule.value:
            refuse("introducer_2", rule, f"只填写了 {len(named)} 名入党介绍人，应有{_spoken(rule)}")
        if len({i.id for i in named}) < len(named):
            refuse("introducer_2", rule, "两名入党介绍人是同一人")
        for slot, person in zip(("introducer_1", "introducer_2"), introducers, strict=False):
            if person is None:
                continue
            if person_id is not None and person.id == person_id:
                refuse(slot, rule, "本人不能作自己的入党介绍人")
                continue
            joined = values.get("joined_on")
            full_then = person.category == "full" and (
                joined is None
                or person.confirmed_on is None
                or not dates.certainly_before(joined, person.confirmed_on)
            )
            if not full_then:
                what = vocab.MEMBER_CATEGORY.label(person.category)
                refuse(slot, rule, f"入党介绍人{person.name}是{what}，不是正式党员")
    rule = on("admission_vote")
    if rule is not None:
        for prefix, stage in (("admission", "joined_on"), ("confirm", "confirmed_on")):
            entitled = values.get(f"{prefix}_entitled")
            present = values.get(f"{prefix}_present")
            yes = values.get(f"{prefix}_yes")
            if entitled is None and present is None and yes is None:
                continue
            meeting = "讨论接收" if prefix == "admission" else "讨论转正"
            where = f"{prefix}_present"
            if entitled is None:
                refuse(f"{prefix}_entitled", rule, f"{meeting}的支部大会未填写应到会有表决权人数")
            elif present is not None and present > entitled:
                refuse(where, rule, f"到会人数（{present}）多于应到会人数（{entitled}）")
            elif yes is not None and yes > entitled:
                refuse(f"{prefix}_yes", rule, f"赞成人数（{yes}）多于应到会人数（{entitled}）")
            elif present is None or not more_than_half(present, entitled):
                refuse(
                    where,
                    rule,
                    f"{meeting}的支部大会到会 {present or 0} 人，未超过应到会有表决权的"
                    f" {entitled} 人的半数",
                )
            elif yes is None or not more_than_half(yes, entitled):
                refuse(
                    f"{prefix}_yes",
                    rule,
                    f"{meeting}赞成 {yes or 0} 人，未超过应到会有表决权的 {entitled} 人的半数",
                )
            if values.get(stage) is None:
                errors.setdefault(stage, f"填写了表决情况，请填写{STAGE_LABELS[stage]}日期")
    extension = values.get("extension_months")
    rule = on("extension")
    if rule is not None and extension:
        low, high = rule.value, rule.value2 or rule.value
        if not low <= extension <= high:
            refuse(
                "extension_months",
                rule,
                f"延长预备期 {extension} 个月，应为 {low}–{high} 个月",
            )
        elif values.get("joined_on") is None:
            errors.setdefault("joined_on", "延长预备期须先有支部大会讨论接收的日期")
    rule = on("probation")
    joined, confirmed = values.get("joined_on"), values.get("confirmed_on")
    if rule is not None and joined is not None and confirmed is not None:
        end = dates.add_years(dates.earliest(joined), rule.value)
        if extension and "extension_months" not in errors:
            end = add_months(end, int(extension))
        if dates.certainly_before(confirmed, end):
            more = f"（含延长 {extension} 个月）" if extension else ""
            refuse(
                "confirmed_on",
                rule,
                f"转正（{dates.shown(confirmed)}）早于预备期满之日 {end:%Y-%m-%d}{more}",
            )
    return errors


def probation_end(joined: dt.date, extension_months: int | None, rules: Sequence[Rule]) -> dt.date:
    """The day a probationer may first be confirmed: 支部大会 + 1 year (+ the extension)."""
    rule = rules_by_key(rules).get("probation")
    years = rule.value if rule is not None else 1
    end = dates.add_years(dates.latest(joined), years)
    return add_months(end, extension_months) if extension_months else end


def training_range(text: str | None) -> tuple[dt.date, dt.date] | None:
    """owip's 发展对象培训起止时间 “2023.03.06-2023.03.10” → the two dates, when it reads as
    exactly two dates; anything else → None (the text is kept as written)."""
    if not text:
        return None
    for sep in ("—", "－", "~", "～", "至", "到", "-"):
        parts = [p.strip() for p in text.replace("——", "—").split(sep)]
        if len(parts) == 2 and all(parts):
            try:
                first = dates.parse(parts[0], partial=True)
                second = dates.parse(parts[1], partial=True)
            except ValueError:
                continue
            return first, second
    return None


def training_days(start: dt.date | None, end: dt.date | None) -> int | None:
    """Days of a 集中培训 counted inclusively, only when both dates are known to the day."""
    if start is None or end is None or dates.is_partial(start) or dates.is_partial(end):
        return None
    return (end - start).days + 1
