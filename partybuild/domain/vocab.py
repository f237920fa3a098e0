"""Choice vocabularies: the English codes stored in the database, their Chinese labels and the
other spellings that mean the same.

Every choice field in the data model takes its codes from here, and every label shown to a
user (table, form, Excel, print) comes from here, so a code is never spelled twice. The
synonyms (本科 → 大学本科, 支委会 → 支部委员会, √ → 已签到) live beside the codes, and
:meth:`Vocabulary.resolve` is the one reading of a typed or imported word: the importer, the
form's typed input and the search box all go through it, so what one accepts the others accept.

Matching folds width (NFKC), drops spaces and invisible characters, ignores case and a trailing
full stop or enclosing brackets, and then looks the word up exactly: nothing beyond the listed
spellings is guessed. A word that is known to be ambiguous (大学: 本科 or 专科?) or a range
(本科及以上) is refused with its reason. 学历 and 民族 also take the numeric codes of their
national standards (GB/T 4658 "21 大学", GB/T 3304 "01 汉族").

Some vocabularies are the park's own choice (产业, 问题来源, 问题类别 and the suggestion lists for
责任单位 and 服务方向): the park can rename their labels, add items and synonyms and reorder
them in 查看 → 选项词表. Those additions are stored in the database (``vocabulary_item``) and laid
over the built-in items by :func:`apply_park` when a database is opened. The built-in items, which
the statistics' JSON keys name, cannot be removed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from partybuild.domain import standards
from partybuild.domain.dues import KINDS as _dues_kinds

CHOICE_KIND, SUGGESTION_KIND = "choice", "suggestions"

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
_TRAILING = "。.，,；;、：:！!？?"
_BRACKETS = {"(": ")", "[": "]", "【": "】", "〔": "〕", "「": "」", "《": "》", "<": ">"}
_CODE_FIRST = re.compile(r"(\d{2})[-_:、.]?(.*)")
_CODE_LAST = re.compile(r"(.*?)\((\d{2})\)")


def normalise(text: str) -> str:
    """The form of a word that matching compares: width folded, no spaces, no case, no trailing
    full stop, no enclosing brackets."""
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    key = "".join(folded.split()).casefold()
    while True:
        before = key
        key = key.rstrip(_TRAILING)
        if len(key) >= 2 and _BRACKETS.get(key[0]) == key[-1]:
            key = key[1:-1]
        if key == before:
            return key


class UnknownChoice(ValueError):
    """A word that is none of a vocabulary's spellings; the message says why."""


@dataclass(frozen=True)
class ParkItem:
    """One item as the park keeps it: a built-in code relabelled, or an item of its own."""

    code: str
    label: str
    synonyms: tuple[str, ...] = ()


class Vocabulary:
    """An ordered set of (code, Chinese label) pairs with the other spellings of each code."""

    def __init__(
        self,
        name: str,
        items: Sequence[tuple[str, str]],
        *,
        title: str = "",
        synonyms: Mapping[str, Sequence[str]] | None = None,
        refusals: Mapping[str, str] | None = None,
        refuse_suffixes: Mapping[str, str] | None = None,
        standard: Mapping[str, tuple[str, str | None]] | None = None,
        standard_refusal: str = "",
        unknown_hint: str = "",
        editable: bool = False,
        kind: str = CHOICE_KIND,
    ) -> None:
        self.name = name
        self.title = title or name
        self.builtin: tuple[tuple[str, str], ...] = tuple(items)
        self.builtin_synonyms: dict[str, tuple[str, ...]] = {
            code: tuple(words) for code, words in (synonyms or {}).items()
        }
        self.refusals = {normalise(k): reason for k, reason in (refusals or {}).items()}
        self.refuse_suffixes = dict(refuse_suffixes or {})
        self.standard = dict(standard or {})
        self.standard_refusal = standard_refusal
        self.unknown_hint = unknown_hint
        self.editable = editable
        self.kind = kind
        unknown = set(self.builtin_synonyms) - {code for code, _ in self.builtin}
        assert not unknown, f"{name}: synonyms for unknown codes {unknown}"
        self._park: tuple[ParkItem, ...] = ()
        self._items = self.builtin
        self._index = self._build_index(strict=True)

    def __repr__(self) -> str:
        return f"Vocabulary({self.name!r})"

    # -- the park's layer ------------------------------------------------------------------
    def set_park(self, items: Iterable[ParkItem]) -> None:
        """Lay the park's items over the built-in ones (in the park's order); () resets."""
        park = tuple(items)
        mentioned = {item.code for item in park}
        ordered = [(item.code, item.label) for item in park]
        ordered += [(code, label) for code, label in self.builtin if code not in mentioned]
        self._park = park
        self._items = tuple(ordered)
        self._index = self._build_index(strict=False)

    @property
    def park_items(self) -> tuple[ParkItem, ...]:
        return self._park

    def is_builtin(self, code: str) -> bool:
        return any(code == c for c, _ in self.builtin)

    def synonyms(self, code: str) -> tuple[str, ...]:
        """Every other spelling of a code: built-in ones, a renamed built-in label, the park's."""
        words = list(self.builtin_synonyms.get(code, ()))
        original = dict(self.builtin).get(code)
        if original is not None and original != self.label(code):
            words.append(original)
        for item in self._park:
            if item.code == code:
                words.extend(item.synonyms)
        return tuple(dict.fromkeys(words))

    def park_synonyms(self, code: str) -> tuple[str, ...]:
        return next((item.synonyms for item in self._park if item.code == code), ())

    def spellings(self) -> dict[str, str]:
        """Every normalised spelling → its code (labels, codes, synonyms)."""
        return dict(self._index)

    def _build_index(self, *, strict: bool) -> dict[str, str]:
        index: dict[str, str] = {}

        def add(word: str, code: str) -> None:
            key = normalise(word)
            if not key:
                return
            if key in index and index[key] != code:
                assert not strict, f"{self.name}: “{word}” means {index[key]} and {code}"
                return  # the park's word cannot take over one that already means another code
            index[key] = code

        for code, label in self.builtin:
            add(label, code)
        for code, _ in self.builtin:
            add(code, code)
        for code, words in self.builtin_synonyms.items():
            for word in words:
                add(word, code)
        for code, label in self._items:
            add(label, code)
            add(code, code)
        for item in self._park:
            for word in item.synonyms:
                add(word, item.code)
        return index

    # -- reading ---------------------------------------------------------------------------
    @property
    def items(self) -> tuple[tuple[str, str], ...]:
        return self._items

    def label(self, code: str | None) -> str:
        if code is None:
            return ""
        for c, label in self._items:
            if c == code:
                return label
        return code

    def code(self, text: str) -> str | None:
        """The code for a label, a code or one of their spellings; None when unknown."""
        try:
            return self.resolve(text)
        except UnknownChoice:
            return None

    def resolve(self, text: object) -> str:
        """The code a word means; :class:`UnknownChoice` with the reason when it means none."""
        shown = str(text).strip()
        key = normalise(shown)
        code = self._index.get(key)
        if code is not None:
            return code
        if key in self.refusals:
            raise UnknownChoice(f"“{shown}”{self.refusals[key]}")
        if self.standard:
            code = self._by_standard(key, shown)
            if code is not None:
                return code
        for suffix, reason in self.refuse_suffixes.items():
            if key.endswith(suffix) and len(key) > len(suffix):
                raise UnknownChoice(f"“{shown}”{reason}")
        raise UnknownChoice(self.unknown_message(shown))

    def _by_standard(self, key: str, shown: str) -> str | None:
        match = _CODE_FIRST.fullmatch(key)
        if match:
            number, rest = match.groups()
        else:
            match = _CODE_LAST.fullmatch(key)
            if not match:
                return None
            rest, number = match.groups()
        if number not in self.standard:
            return None
        name, code = self.standard[number]
        if code is None:
            raise UnknownChoice(f"“{shown}”：{self.standard_refusal.format(name=name)}")
        if rest and self._index.get(rest) != code:
            known = (normalise(name), normalise(self.label(code)))
            if not any(full.startswith(rest) for full in known):
                raise UnknownChoice(f"“{shown}”：代码 {number} 是“{name}”，与“{rest}”不符")
        return code

    def unknown_message(self, shown: str) -> str:
        if self.unknown_hint:
            return f"“{shown}”{self.unknown_hint}"
        return f"“{shown}”不是可选值（可选：{'、'.join(self.labels)}）"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self._items)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for _, label in self._items)

    def choices(self) -> tuple[tuple[str, str], ...]:
        """The built-in pairs, in the form peewee's ``choices=`` expects (static, like a model)."""
        return self.builtin

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._items)

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
    title="党组织类型",
    synonyms={
        "standalone": ("独立支部", "单独组建", "单独建立党支部", "单建"),
        "joint": ("联合支部", "联合组建", "联建"),
        "regional": ("区域支部", "区域性党支部"),
        "temporary": ("临时支部",),
    },
)

INDUSTRY = Vocabulary(
    "industry",
    (
        ("fine_chemical", "精细化工"),
        ("biomedicine", "生物医药"),
        ("new_material", "新材料"),
        ("other", "其他"),
    ),
    title="产业",
    synonyms={"other": ("其它",)},
    editable=True,
)

ENTERPRISE_KIND = Vocabulary(
    "enterprise_kind",
    (
        ("industrial", "工业企业"),
        ("individual", "个体工商户"),
        ("other", "其他"),
    ),
    title="企业类型",
    synonyms={"individual": ("个体户",), "other": ("其它",)},
)

PROJECT_STATE = Vocabulary(
    "project_state",
    (
        ("construction", "在建"),
        ("trial", "试生产"),
        ("production", "投产"),
        ("halted", "停产"),
    ),
    title="项目状态",
    synonyms={
        "construction": ("建设中", "在建项目"),
        "trial": ("试产",),
        "production": ("已投产", "正常生产"),
        "halted": ("已停产",),
    },
)

GENDER = Vocabulary(
    "gender",
    (("male", "男"), ("female", "女")),
    title="性别",
    # M/F are what other systems' exports write; they say nothing but male/female.
    synonyms={"male": ("男性", "M"), "female": ("女性", "F")},
)

EDUCATION = Vocabulary(
    "education",
    (
        ("postgraduate", "研究生"),
        ("doctor", "博士研究生"),
        ("master", "硕士研究生"),
        ("bachelor", "大学本科"),
        ("college", "大学专科"),
        ("secondary", "中专"),
        ("vocational_high", "职业高中"),
        ("technical_school", "技工学校"),
        ("high_school", "高中"),
        ("high_school_or_below", "高中及以下"),
        ("middle_school", "初中"),
        ("junior", "初中及以下"),
        ("primary", "小学"),
        ("other", "其他"),
    ),
    title="学历",
    synonyms={
        "postgraduate": ("研究生毕业", "研究生及以上", "研究生班毕业"),
        "doctor": ("博士", "博士研究生毕业", "博士及以上", "博士研究生及以上"),
        "master": ("硕士", "硕士研究生毕业"),
        "bachelor": ("本科", "大本", "大学本科毕业", "本科毕业"),
        "college": ("大专", "专科", "大学专科毕业", "大专毕业", "专科毕业"),
        "secondary": ("中等专科", "中等专科毕业", "中专毕业"),
        "vocational_high": ("职高", "职业高中毕业", "职高毕业"),
        "technical_school": ("技校", "中技", "技工学校毕业", "技校毕业"),
        "high_school": ("普通高中", "普高", "高级中学", "普通高级中学", "高中毕业", "普通高中毕业"),
        "middle_school": ("初级中学", "初中毕业"),
        "junior": ("高中以下",),
        "primary": ("小学毕业",),
        "other": ("其它",),
    },
    refusals={
        "大学": "没有说明是大学本科还是大学专科，请填写“大学本科”或“大学专科”",
        "大学毕业": "没有说明是大学本科还是大学专科，请填写“大学本科”或“大学专科”",
        "中学": "没有说明是初中还是高中",
    },
    refuse_suffixes={
        "及以上": "是一个学历范围，台账记本人的最高学历，请填写具体学历",
        "以上": "是一个学历范围，台账记本人的最高学历，请填写具体学历",
        "及以下": "是一个学历范围，不在可选范围内（可用“高中及以下”“初中及以下”），请填写具体学历",
        "以下": "是一个学历范围，不在可选范围内（可用“高中及以下”“初中及以下”），请填写具体学历",
        "肄业": "未毕业，台账的学历记最高毕业学历，请核实后填写",
        "结业": "未毕业，台账的学历记最高毕业学历，请核实后填写",
    },
    standard=standards.EDUCATION_CODES,
    standard_refusal="GB/T 4658 的“{name}”未毕业，台账的学历记最高毕业学历，请核实后填写",
)

ETHNICITY = Vocabulary(
    "ethnicity",
    tuple((name, name) for _, name in standards.ETHNICITIES[:56])
    + (("穿青人", "穿青人"),)
    + tuple((name, name) for _, name in standards.ETHNICITIES[56:]),
    title="民族",
    synonyms={
        **{
            name: (name.removesuffix("族"),) + standards.ETHNICITY_SYNONYMS.get(name, ())
            for _, name in standards.ETHNICITIES[:56]
        },
        **{
            name: standards.ETHNICITY_SYNONYMS[name]
            for _, name in standards.ETHNICITIES[56:]
            if name in standards.ETHNICITY_SYNONYMS
        },
        "其他": ("其它", "其他未识别民族", "未识别民族"),
    },
    standard={code: (name, name) for code, name in standards.ETHNICITIES},
    unknown_hint="不是 GB/T 3304 的民族名称（如 汉族、壮族，也可写 汉、壮 或代码 01）",
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
    title="类别",
    # 政治面貌 (GB/T 4762) writes 中共党员 for a full member and 中共预备党员 for a probationer;
    # member exports with a 预/正 column write one character.
    synonyms={
        "full": ("正式", "正", "中共党员", "中国共产党党员", "中共正式党员"),
        "probationary": ("预备", "预", "中共预备党员"),
        "candidate": ("入党发展对象", "发展党员对象"),
        "activist": ("积极分子", "入党积极份子"),
        "applicant": ("申请人", "申请入党人", "入党申请"),
    },
    refusals={"党员": "没有说明是正式党员还是预备党员"},
)

MEMBER_STATUS = Vocabulary(
    "member_status",
    (
        ("normal", "正常"),
        ("mobile", "流动"),
        ("transferred", "转出"),
        ("lost", "失联"),
        ("suspended", "停止党籍"),
        ("deceased", "去世"),
    ),
    title="状态",
    synonyms={
        "normal": ("在册", "正常党员"),
        "mobile": ("流动党员",),
        "transferred": ("已转出", "组织关系转出", "关系转出"),
        "lost": ("失联党员", "失去联系"),
        "suspended": ("停止党籍党员", "已停止党籍"),
        "deceased": ("死亡", "已故", "逝世", "已去世", "病故"),
    },
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
    title="组织生活类型",
    # The app's own annual summary writes 支委会 and 讲党课: what it writes, it reads.
    synonyms={
        "general_meeting": ("党员大会", "支部大会", "支部党员大会会议", "党员大会会议"),
        "committee_meeting": ("支委会", "支委会议", "支部委员会会议", "支委会会议"),
        "group_meeting": ("党小组会议", "小组会", "党小组会"),
        "party_lesson": ("上党课", "讲党课", "专题党课"),
        "theme_day": ("主题党日活动", "党日活动", "支部主题党日"),
        "life_meeting": ("专题组织生活会", "组织生活会议"),
        "review": ("民主评议", "民主评议党员会议"),
        "other": ("其它",),
    },
)

ATTENDEE_STATUS = Vocabulary(
    "attendee_status",
    (("present", "出席"), ("leave", "请假"), ("absent", "缺席")),
    title="出席情况",
    synonyms={
        "present": ("到会", "参会", "到", "已到", "参加", "√", "✓", "✔"),
        "leave": ("假", "请假缺席"),
        "absent": ("未到", "缺会", "未参加", "未参会"),
    },
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
    title="培训类型",
    synonyms={
        "rotation": ("党员轮训", "集中轮训"),
        "lecture": ("宣讲",),
        "party_lesson": ("党课",),
        "other": ("其它",),
    },
)

ATTENDANCE_STATUS = Vocabulary(
    "attendance_status",
    (
        ("signed", "已签到"),
        ("leave", "请假"),
        ("absent", "缺席"),
        ("expected", "未签到"),
    ),
    title="签到状态",
    # 未到 says the person did not come (缺席); 未签到 only that nobody has marked the row yet.
    synonyms={
        "signed": ("签到", "出席", "到", "已到", "到会", "√", "✓", "✔"),
        "leave": ("假",),
        "absent": ("未到", "缺勤"),
    },
)

TEAM_KIND = Vocabulary(
    "team_kind",
    (("volunteer", "党员志愿服务队"), ("commando", "党员突击队")),
    title="队伍类型",
    synonyms={"volunteer": ("志愿服务队", "志愿队"), "commando": ("突击队",)},
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
    title="问题来源",
    synonyms={
        "visit": ("入企走访", "上门走访", "走访企业"),
        "forum": ("座谈会", "企业座谈会"),
        "phone": ("来电", "电话反映"),
        "walk_in": ("上门来访",),
        "other": ("其它",),
    },
    editable=True,
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
    title="问题类别",
    synonyms={
        "staffing": ("用工招工", "招工"),
        "utilities": ("要素保障", "水电气"),
        "finance": ("融资贷款",),
        "safety_env": ("安全生产及环保",),
        "other": ("其它",),
    },
    editable=True,
)

ISSUE_STATE = Vocabulary(
    "issue_state",
    (
        ("open", "待办"),
        ("in_progress", "办理中"),
        ("resolved", "已解决"),
        ("unresolvable", "无法解决"),
    ),
    title="办理状态",
    synonyms={
        "open": ("未办", "待办理", "未办理"),
        "in_progress": ("正在办理", "在办"),
        "resolved": ("已办结", "办结", "完成", "已完成", "解决"),
        "unresolvable": ("不能解决", "无法办理"),
    },
    refusals={"未办结": "没有说明是待办还是办理中"},
)

ISSUE_EVALUATION = Vocabulary(
    "issue_evaluation",
    (
        ("very_satisfied", "非常满意"),
        ("satisfied", "满意"),
        ("rather_satisfied", "比较满意"),
        ("fair", "基本满意"),
        ("neutral", "一般"),
        ("dissatisfied", "不满意"),
        ("very_dissatisfied", "非常不满意"),
    ),
    title="企业评价",
)

# Free-text fields whose usual values the park keeps as a list to offer while typing.
RESPONSIBLE_UNIT = Vocabulary(
    "responsible_unit", (), title="责任单位（填写提示）", editable=True, kind=SUGGESTION_KIND
)
SERVICE_FOCUS = Vocabulary(
    "service_focus", (), title="服务方向（填写提示）", editable=True, kind=SUGGESTION_KIND
)

# 党费 (issue 14): the calculator's kinds of member (domain.dues), how dues are paid, and an
# approved reduction or exemption.
DUES_KIND = Vocabulary(
    "dues_kind",
    _dues_kinds,
    title="缴费类别",
    synonyms={
        "working": ("在职党员", "在职人员", "在岗", "在职职工"),
        "retired": ("离退休党员", "退休", "离休", "退休党员", "离休党员", "退休人员"),
        "student": ("学生党员", "在校学生"),
        "unemployed": ("下岗", "失业", "下岗失业党员", "失业党员", "下岗党员"),
        "relief": ("低保", "救济", "低保党员", "领取最低生活保障金", "依靠抚恤或救济生活"),
        "farmer": ("农民党员", "农村党员"),
        "other": ("其它",),
    },
)

DUES_METHOD = Vocabulary(
    "dues_method",
    (
        ("cash", "现金"),
        ("transfer", "转账"),
        ("online", "线上"),
        ("payroll", "工资代扣"),
        ("other", "其他"),
    ),
    title="交纳方式",
    synonyms={
        "transfer": ("银行转账", "转帐"),
        "online": ("微信", "支付宝", "网上交纳", "网上缴纳", "线上交纳", "线上缴纳", "扫码"),
        "payroll": ("代扣", "工资扣缴"),
        "other": ("其它",),
    },
)

DUES_REDUCTION = Vocabulary(
    "dues_reduction",
    (("reduced", "减交"), ("exempt", "免交")),
    title="减免",
    synonyms={"reduced": ("少交", "减缴", "批准少交"), "exempt": ("免缴", "不交", "批准免交")},
)

# 附件 (issue 16): what a file attached to a record is, and which ledger it hangs on.
ATTACHMENT_KIND = Vocabulary(
    "attachment_kind",
    (
        ("photo", "照片"),
        ("pdf", "PDF"),
        ("word", "Word 文档"),
        ("excel", "Excel 表格"),
        ("signin_sheet", "签字签到表"),
    ),
    title="附件类别",
    synonyms={"photo": ("图片",), "signin_sheet": ("签到表", "已签字签到表")},
)
ATTACHMENT_OWNER = Vocabulary(
    "attachment_owner",
    (
        ("activities", "组织生活"),
        ("trainings", "培训"),
        ("services", "志愿服务活动"),
        ("issues", "企业诉求"),
        ("members", "党员"),
    ),
    title="所属台账",
)

ALL: tuple[Vocabulary, ...] = (
    BRANCH_KIND,
    INDUSTRY,
    ENTERPRISE_KIND,
    PROJECT_STATE,
    GENDER,
    EDUCATION,
    ETHNICITY,
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
    DUES_KIND,
    DUES_METHOD,
    DUES_REDUCTION,
    ATTACHMENT_KIND,
    ATTACHMENT_OWNER,
)

#: The vocabularies a park edits in its settings, in the order the dialog lists them.
EDITABLE: tuple[Vocabulary, ...] = (
    INDUSTRY,
    ISSUE_SOURCE,
    ISSUE_CATEGORY,
    RESPONSIBLE_UNIT,
    SERVICE_FOCUS,
)

#: (ledger, field) of the free-text fields that offer a suggestion list while typing.
SUGGESTIONS: dict[tuple[str, str], Vocabulary] = {
    ("issues", "responsible_unit"): RESPONSIBLE_UNIT,
    ("teams", "focus"): SERVICE_FOCUS,
}


def by_name(name: str) -> Vocabulary:
    for vocabulary in (*ALL, *EDITABLE):
        if vocabulary.name == name:
            return vocabulary
    raise KeyError(name)


def apply_park(rows: Iterable[tuple[str, str, str, Sequence[str]]]) -> None:
    """Lay the park's stored items over the editable vocabularies.

    ``rows`` are (vocabulary, code, label, synonyms) in the park's order; vocabularies with no
    row go back to their built-in items, so opening another database never keeps this one's.
    """
    per: dict[str, list[ParkItem]] = {v.name: [] for v in EDITABLE}
    for name, code, label, synonyms in rows:
        if name in per:
            per[name].append(ParkItem(code, label, tuple(synonyms)))
    for vocabulary in EDITABLE:
        vocabulary.set_park(per[vocabulary.name])
