"""The rules of 三会一课 and organisational life, as data a park can change.

DESIGN.md (《中国共产党支部工作条例（试行）》 and common park practice): 支部党员大会 generally
once a quarter; 支委会 generally monthly, where a branch has a committee; 党小组会 generally
monthly, where it has groups; 主题党日 monthly; 党课 — the 条例 sets no frequency, many parks
require one a quarter, so it is a setting with that default; 组织生活会 and 民主评议党员 yearly.

A rule is a record (activity kind, period, which branches, label), not a code path: the list is
stored as JSON in the ``Setting`` table under :data:`SETTING_KEY`, and a park with other rules
edits it in the settings dialog. Nothing here imports Qt.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from partybuild.domain import vocab

SETTING_KEY = "compliance_rules"

#: How often a rule falls due; each period of a year is checked on its own.
PERIODS: tuple[tuple[str, str], ...] = (
    ("month", "每月"),
    ("quarter", "每季度"),
    ("half_year", "每半年"),
    ("year", "每年"),
)
PERIOD_LABELS: dict[str, str] = dict(PERIODS)

#: Which branches a rule applies to: every branch, or only those with a committee / with groups.
APPLIES_TO: tuple[tuple[str, str], ...] = (
    ("all", "全部党支部"),
    ("has_committee", "设支委会的党支部"),
    ("has_groups", "设党小组的党支部"),
)
APPLIES_TO_LABELS: dict[str, str] = dict(APPLIES_TO)

#: Kinds a rule may name: every activity kind except the catch-all 其他.
RULE_KINDS: tuple[str, ...] = tuple(c for c in vocab.ACTIVITY_KIND.codes if c != "other")


@dataclass(frozen=True)
class Rule:
    """One obligation: hold at least one activity of ``kind`` in every ``period``."""

    kind: str
    period: str
    applies_to: str = "all"
    label: str = ""
    enabled: bool = True
    basis: str = ""  # where the rule comes from, shown in the settings dialog

    @property
    def title(self) -> str:
        return self.label or vocab.ACTIVITY_KIND.label(self.kind)

    @property
    def period_label(self) -> str:
        return PERIOD_LABELS.get(self.period, self.period)

    @property
    def applies_label(self) -> str:
        return APPLIES_TO_LABELS.get(self.applies_to, self.applies_to)

    def applies(self, has_committee: bool, has_groups: bool) -> bool:
        """Whether a branch with these settings owes this activity."""
        if self.applies_to == "has_committee":
            return has_committee
        if self.applies_to == "has_groups":
            return has_groups
        return True


TIAOLI = "《中国共产党支部工作条例（试行）》"

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("general_meeting", "quarter", "all", "支部党员大会", True, f"{TIAOLI}：一般每季度召开1次"),
    Rule(
        "committee_meeting",
        "month",
        "has_committee",
        "支部委员会",
        True,
        f"{TIAOLI}：一般每月召开1次",
    ),
    Rule("group_meeting", "month", "has_groups", "党小组会", True, f"{TIAOLI}：一般每月召开1次"),
    Rule("party_lesson", "quarter", "all", "党课", True, "条例未规定频次，园区要求每季度1次"),
    Rule("theme_day", "month", "all", "主题党日", True, "每月相对固定1天开展"),
    Rule("life_meeting", "year", "all", "组织生活会", True, f"{TIAOLI}：一般每年召开1次"),
    Rule("review", "year", "all", "民主评议党员", True, f"{TIAOLI}：一般每年开展1次"),
)


def more_than_half(part: int, whole: int) -> bool:
    """A 党员大会's quorum and a vote's majority: more than half of those entitled to vote
    (exactly half is not enough; nobody entitled decides nothing)."""
    return whole > 0 and part * 2 > whole


def default_rules() -> list[Rule]:
    return list(DEFAULT_RULES)


# --------------------------------------------------------------------------- JSON


def rules_to_json(rules: Iterable[Rule]) -> str:
    return json.dumps([asdict(r) for r in rules], ensure_ascii=False)


def _rule_from(item: Any, index: int) -> Rule:
    where = f"第 {index + 1} 条规则"
    if not isinstance(item, dict):
        raise ValueError(f"{where}格式不对")
    kind, period = item.get("kind"), item.get("period")
    applies_to = item.get("applies_to", "all")
    if kind not in RULE_KINDS:
        raise ValueError(f"{where}的会议类型“{kind}”不认识")
    if period not in PERIOD_LABELS:
        raise ValueError(f"{where}的频次“{period}”不认识（可选：{'、'.join(PERIOD_LABELS)}）")
    if applies_to not in APPLIES_TO_LABELS:
        raise ValueError(f"{where}的适用范围“{applies_to}”不认识")
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ValueError(f"{where}的“启用”应为 true 或 false")
    label, basis = item.get("label") or "", item.get("basis") or ""
    if not isinstance(label, str) or not isinstance(basis, str):
        raise ValueError(f"{where}的名称和依据应为文字")
    return Rule(kind, period, applies_to, label, enabled, basis)


def rules_from_json(text: str) -> list[Rule]:
    """Parse stored rules; anything not understood is refused, never guessed."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"三会一课规则设置不是有效的 JSON：{exc.msg}") from None
    if not isinstance(data, list):
        raise ValueError("三会一课规则设置应为规则列表")
    rules = [_rule_from(item, i) for i, item in enumerate(data)]
    seen: set[tuple[str, str]] = set()
    for rule in rules:
        key = (rule.kind, rule.applies_to)
        if key in seen:
            raise ValueError(f"“{rule.title}”的规则重复了")
        seen.add(key)
    return rules


# --------------------------------------------------------------------------- stored with the data


def load_rules() -> list[Rule]:
    """The park's rules from the Setting table, the defaults when none are stored.

    Raises ValueError (a Chinese message) when the stored value cannot be understood.
    """
    from partybuild.store import models as m

    row = m.Setting.get_or_none(m.Setting.key == SETTING_KEY)
    if row is None:
        return default_rules()
    return rules_from_json(row.value)


def save_rules(rules: Sequence[Rule]) -> None:
    """Store the rules with the data, so every user of the database checks the same way."""
    from partybuild.store import models as m

    text = rules_to_json(rules)
    rules_from_json(text)  # refuse to store what could not be read back
    with m.db_proxy.obj.atomic():
        (
            m.Setting.insert(key=SETTING_KEY, value=text)
            .on_conflict(conflict_target=[m.Setting.key], preserve=[m.Setting.value])
            .execute()
        )


def reset_rules() -> None:
    """Back to the defaults of DESIGN.md."""
    from partybuild.store import models as m

    m.Setting.delete().where(m.Setting.key == SETTING_KEY).execute()


def with_changes(rule: Rule, *, enabled: bool | None = None, period: str | None = None) -> Rule:
    """A copy of ``rule`` with the fields the settings dialog edits."""
    changes: dict[str, Any] = {}
    if enabled is not None:
        changes["enabled"] = enabled
    if period is not None:
        if period not in PERIOD_LABELS:
            raise ValueError(f"频次“{period}”不认识")
        changes["period"] = period
    return replace(rule, **changes)
