"""Choice vocabularies: the English codes stored in the database and their Chinese labels.

Every choice field in the data model takes its codes from here, and every label shown to a
user (table, form, Excel, print) comes from here, so a code is never spelled twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of (code, Chinese label) pairs."""

    name: str
    items: tuple[tuple[str, str], ...]

    def label(self, code: str | None) -> str:
        if code is None:
            return ""
        return dict(self.items).get(code, code)

    def code(self, text: str) -> str | None:
        """The code for a Chinese label or a code itself; None when unknown."""
        text = text.strip()
        for code, label in self.items:
            if text in (code, label):
                return code
        return None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.items)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for _, label in self.items)

    def choices(self) -> tuple[tuple[str, str], ...]:
        """Pairs in the form peewee's ``choices=`` expects."""
        return self.items

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.items)

    def __contains__(self, code: object) -> bool:
        return code in self.codes


BRANCH_KIND = Vocabulary(
    "branch_kind",
    (
        ("standalone", "独立党支部"),
        ("joint", "联合党支部"),
        ("regional", "区域党支部"),
        ("temporary", "临时党支部"),
    ),
)

INDUSTRY = Vocabulary(
    "industry",
    (
        ("fine_chemical", "精细化工"),
        ("biomedicine", "生物医药"),
        ("new_material", "新材料"),
        ("other", "其他"),
    ),
)

ENTERPRISE_KIND = Vocabulary(
    "enterprise_kind",
    (
        ("industrial", "工业企业"),
        ("individual", "个体工商户"),
        ("other", "其他"),
    ),
)

PROJECT_STATE = Vocabulary(
    "project_state",
    (
        ("construction", "在建"),
        ("trial", "试生产"),
        ("production", "投产"),
        ("halted", "停产"),
    ),
)

GENDER = Vocabulary("gender", (("male", "男"), ("female", "女")))

EDUCATION = Vocabulary(
    "education",
    (
        ("postgraduate", "研究生"),
        ("bachelor", "大学本科"),
        ("college", "大学专科"),
        ("secondary", "中专"),
        ("high_school", "高中"),
        ("junior", "初中及以下"),
    ),
)

MEMBER_CATEGORY = Vocabulary(
    "member_category",
    (
        ("full", "正式党员"),
        ("probationary", "预备党员"),
        ("candidate", "发展对象"),
        ("activist", "入党积极分子"),
        ("applicant", "入党申请人"),
    ),
)

MEMBER_STATUS = Vocabulary(
    "member_status",
    (
        ("normal", "正常"),
        ("mobile", "流动"),
        ("transferred", "转出"),
        ("deceased", "去世"),
    ),
)

ACTIVITY_KIND = Vocabulary(
    "activity_kind",
    (
        ("general_meeting", "支部党员大会"),
        ("committee_meeting", "支部委员会"),
        ("group_meeting", "党小组会"),
        ("party_lesson", "党课"),
        ("theme_day", "主题党日"),
        ("life_meeting", "组织生活会"),
        ("review", "民主评议党员"),
        ("other", "其他"),
    ),
)

ATTENDEE_STATUS = Vocabulary(
    "attendee_status",
    (("present", "出席"), ("leave", "请假"), ("absent", "缺席")),
)

TRAINING_KIND = Vocabulary(
    "training_kind",
    (
        ("rotation", "轮训"),
        ("lecture", "集中宣讲"),
        ("party_lesson", "专题党课"),
        ("business", "业务培训"),
        ("other", "其他"),
    ),
)

ATTENDANCE_STATUS = Vocabulary(
    "attendance_status",
    (
        ("signed", "已签到"),
        ("leave", "请假"),
        ("absent", "缺席"),
        ("expected", "未签到"),
    ),
)

TEAM_KIND = Vocabulary(
    "team_kind",
    (("volunteer", "党员志愿服务队"), ("commando", "党员突击队")),
)

ISSUE_SOURCE = Vocabulary(
    "issue_source",
    (
        ("visit", "走访"),
        ("forum", "座谈"),
        ("phone", "电话"),
        ("walk_in", "来访"),
        ("other", "其他"),
    ),
)

ISSUE_CATEGORY = Vocabulary(
    "issue_category",
    (
        ("staffing", "用工"),
        ("utilities", "水电气等要素保障"),
        ("project", "项目建设"),
        ("approval", "审批手续"),
        ("finance", "融资"),
        ("policy", "政策申报"),
        ("technology", "技术"),
        ("safety_env", "安全环保"),
        ("other", "其他"),
    ),
)

ISSUE_STATE = Vocabulary(
    "issue_state",
    (
        ("open", "待办"),
        ("in_progress", "办理中"),
        ("resolved", "已解决"),
        ("unresolvable", "无法解决"),
    ),
)

ISSUE_EVALUATION = Vocabulary(
    "issue_evaluation",
    (("satisfied", "满意"), ("fair", "基本满意"), ("dissatisfied", "不满意")),
)

ALL: tuple[Vocabulary, ...] = (
    BRANCH_KIND,
    INDUSTRY,
    ENTERPRISE_KIND,
    PROJECT_STATE,
    GENDER,
    EDUCATION,
    MEMBER_CATEGORY,
    MEMBER_STATUS,
    ACTIVITY_KIND,
    ATTENDEE_STATUS,
    TRAINING_KIND,
    ATTENDANCE_STATUS,
    TEAM_KIND,
    ISSUE_SOURCE,
    ISSUE_CATEGORY,
    ISSUE_STATE,
    ISSUE_EVALUATION,
)
