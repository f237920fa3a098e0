"""One description per ledger: the columns a user sees, in order, with everything that drives
the table, the form, the Excel import/export and the templates.

A :class:`Column` names a model field and adds what the model cannot say: the Excel header and its
aliases, the column width and the value kind (an ID number is text with a checksum, not any text).
Label, required-ness and choices are read from the peewee field itself, so they are written once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import peewee as pw

from partybuild.domain import vocab
from partybuild.domain.vocab import Vocabulary
from partybuild.store import models as m

# Value kinds. Most are read off the peewee field; these three are text with rules of their own.
TEXT, LONGTEXT, INT, FLOAT, BOOL, DATE, DATETIME, CHOICE, LINK = (
    "text",
    "longtext",
    "int",
    "float",
    "bool",
    "date",
    "datetime",
    "choice",
    "link",
)
ID_NUMBER, CREDIT_CODE, PHONE = "id_number", "credit_code", "phone"
MASK_YEAR = "year"
MASK_HIDDEN = "hidden"  # not shown at all in a masked file: someone's income (党费)
# A date of record that may be given to the month or the year (入党时间 “1998.11”, 成立时间
# “2005”): a :class:`store.models.PartialDateField`. Event dates are DATE and need a day.
PARTIAL_DATE = "partial_date"
DATE_KINDS = (DATE, PARTIAL_DATE)
# Amounts of yuan (exact Decimal, to the fen) and rates (a share: 0.015 = 1.5 %): 党费.
MONEY, RATE = "money", "rate"
NUMBER_KINDS = (INT, FLOAT, MONEY, RATE)

_VOCABS_BY_CHOICES = {voc.choices(): voc for voc in vocab.ALL}


@dataclass(frozen=True)
class Column:
    """One column of a ledger, bound to a model field by name."""

    name: str
    aliases: tuple[str, ...] = ()
    width: int = 12
    kind_override: str | None = None
    header_override: str | None = None
    required_override: bool | None = None
    excel_header_override: str | None = None
    # Headers other systems use for something else (owip's 人员类别 is a staffing type): taken
    # for this column only when the column's values fit it (see exchange.importer).
    loose_aliases: tuple[str, ...] = ()
    # A default that states a fact of record (类别 正式党员): a file without the column is not
    # given it unless the user says so (``--map "类别=正式党员"`` or the wizard's question).
    confirm_default: bool = False
    # How a masked file, print or the viewer's screen shows a column that would re-identify a
    # person beside the masked ID number: MASK_YEAR keeps the year only, MASK_HIDDEN
    # shows “***” (an income: 党费 缴费基数) (ledgers.display.masked_value).
    masked_as: str | None = None
    model: type[pw.Model] | None = field(default=None, compare=False, repr=False)

    @property
    def field(self) -> pw.Field:
        assert self.model is not None
        return self.model._meta.fields[self.name]

    @property
    def label(self) -> str:
        return self.header_override or self.field.verbose_name or self.name

    @property
    def excel_header(self) -> str:
        """The header in Excel ledgers; usually the label, except where Excel names a key."""
        return self.excel_header_override or self.label

    @property
    def kind(self) -> str:
        if self.kind_override:
            return self.kind_override
        f = self.field
        if isinstance(f, pw.ForeignKeyField):
            return LINK
        if f.choices:
            return CHOICE
        if isinstance(f, pw.BooleanField):
            return BOOL
        if isinstance(f, pw.DateTimeField):
            return DATETIME
        if isinstance(f, m.PartialDateField):
            return PARTIAL_DATE
        if isinstance(f, m.MoneyField):
            return MONEY
        if isinstance(f, m.RateField):
            return RATE
        if isinstance(f, pw.DateField):
            return DATE
        if isinstance(f, pw.IntegerField):
            return INT
        if isinstance(f, pw.FloatField):
            return FLOAT
        if isinstance(f, pw.TextField):
            return LONGTEXT
        return TEXT

    @property
    def required(self) -> bool:
        if self.required_override is not None:
            return self.required_override
        f = self.field
        return not f.null and f.default is None and not isinstance(f, pw.BooleanField)

    @property
    def vocabulary(self) -> Vocabulary | None:
        choices = self.field.choices
        return _VOCABS_BY_CHOICES[tuple(choices)] if choices else None

    @property
    def link_model(self) -> type[m.BaseModel] | None:
        f = self.field
        return f.rel_model if isinstance(f, pw.ForeignKeyField) else None

    @property
    def max_length(self) -> int | None:
        return (
            getattr(self.field, "max_length", None)
            if self.kind in (TEXT, ID_NUMBER, CREDIT_CODE, PHONE)
            else None
        )


@dataclass(frozen=True)
class Ledger:
    """A ledger (台账): its model, its columns in display order and its natural key."""

    name: str
    label: str
    model: type[m.BaseModel]
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    title_field: str = "name"
    search_fields: tuple[str, ...] = ()
    # The page's filters (党组织, 类型, 年度, 状态) → the field each one filters on. A dotted name
    # follows a link ("team.branch": the branch of the service's team).
    filters: tuple[tuple[str, str], ...] = ()
    sort_field: str = "id"
    # Which rows of the model the ledger shows (发展党员: the people on the way in), or all.
    scope: Callable[[], pw.Expression] | None = field(default=None, compare=False, repr=False)
    # Headings the form puts above a field (发展党员: one per stage), field name → heading.
    sections: tuple[tuple[str, str], ...] = ()

    @property
    def filter_map(self) -> dict[str, str]:
        return dict(self.filters)

    def __post_init__(self) -> None:
        bound = tuple(Column(**{**c.__dict__, "model": self.model}) for c in self.columns)
        object.__setattr__(self, "columns", bound)

    @cached_property
    def by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    def column(self, name: str) -> Column:
        return self.by_name[name]

    def title(self, record: m.BaseModel) -> str:
        """A short human name for a record, for messages and pickers."""
        value = getattr(record, self.title_field, None)
        return str(value) if value is not None else f"#{record.id}"


C = Column

BRANCHES = Ledger(
    "branches",
    "党组织",
    m.Branch,
    (
        C("name", ("党组织名称", "支部名称", "党支部", "党支部名称"), width=28),
        C("kind", ("党组织类型", "类别"), width=12, loose_aliases=("支部类别", "组织类别")),
        C("parent", ("上级党组织",), width=24),
        C("secretary", ("支部书记", "书记姓名"), width=10),
        C("founded_on", ("成立时间",), width=12),
        C("renewed_on", ("换届时间", "上次换届日期"), width=12),
        C("term_years", ("任期", "届期", "任期年限"), width=8),
        C("has_committee", ("是否设支委会",), width=10),
        C("has_groups", ("是否设党小组",), width=10),
        C("note", ("说明",), width=24),
    ),
    natural_key=("name",),
    search_fields=("name", "secretary"),
    filters=(("kind", "kind"), ("year", "founded_on")),
    sort_field="name",
)

ENTERPRISES = Ledger(
    "enterprises",
    "企业",
    m.Enterprise,
    (
        C("name", ("企业名称", "市场主体名称", "单位名称"), width=28),
        C("credit_code", ("信用代码", "社会信用代码"), width=22, kind_override=CREDIT_CODE),
        C("industry", ("所属产业", "行业"), width=10),
        C("kind", ("企业类型", "主体类型"), width=10),
        C("employees", ("职工人数", "员工数", "从业人数", "员工人数"), width=8),
        C("above_scale", ("是否规上企业", "规上"), width=8),
        C("high_tech", ("是否高新技术企业", "高新"), width=8),
        C("project_state", ("项目进展",), width=8),
        C("liaison", ("联系干部", "挂点干部"), width=10),
        C("in_service", ("是否纳入联系服务",), width=10),
        C("branch", ("党组织", "所在党组织", "所属党组织名称", "所在党支部"), width=24),
        C("note", ("说明",), width=24),
    ),
    natural_key=("credit_code", "name"),
    search_fields=("name", "credit_code", "liaison"),
    filters=(("branch", "branch"), ("kind", "industry"), ("status", "project_state")),
    sort_field="name",
)

MEMBERS = Ledger(
    "members",
    "党员",
    m.Member,
    (
        C("name", ("党员姓名",), width=10),
        C("gender", (), width=6),
        C("ethnicity", (), width=8),
        C("birth_date", ("出生年月",), width=12, masked_as=MASK_YEAR),
        C("id_number", ("公民身份号码", "身份证号码", "身份证"), width=21, kind_override=ID_NUMBER),
        C("education", ("文化程度", "最高学历"), width=10),
        C(
            "phone",
            ("联系方式", "手机号码", "电话", "手机", "手机号", "联系电话号码"),
            width=14,
            kind_override=PHONE,
        ),
        C("enterprise", ("所在单位", "工作单位", "企业"), width=26),
        C(
            "branch",
            (
                "党组织",
                "所在党组织",
                "所在支部",
                "所属支部",
                "所在党支部",
                "所属党支部",
                "所属党组织名称",
                "所在党组织名称",
                "党支部名称",
                "党支部",
            ),
            width=24,
        ),
        C(
            "category",
            ("党籍状态", "党员类别", "政治面貌", "预/正", "党员类型"),
            width=12,
            loose_aliases=("人员类别",),
            confirm_default=True,
        ),
        C(
            "joined_on",
            ("入党时间", "加入党组织日期", "接收预备党员日期", "入党年月", "加入党组织时间"),
            width=12,
        ),
        C(
            "confirmed_on",
            ("转正时间", "转为正式党员日期", "正式转正日期", "转正年月", "转为正式党员时间"),
            width=12,
        ),
        C("party_post", ("党内职务",), width=10),
        C("job_title", ("职务", "岗位", "工作岗位", "现任职务"), width=12),
        C("status", ("党员状态",), width=8),
        C("note", ("说明",), width=20),
    ),
    natural_key=("id_number",),
    search_fields=("name", "id_number", "phone"),
    filters=(
        ("branch", "branch"),
        ("kind", "category"),
        ("year", "joined_on"),
        ("status", "status"),
    ),
    sort_field="name",
)

ACTIVITIES = Ledger(
    "activities",
    "组织生活",
    m.Activity,
    (
        C(
            "branch",
            (
                "党支部",
                "所属党组织",
                "所在党支部",
                "所属党组织名称",
                "党支部名称",
                "所在党组织",
                "党组织名称",
            ),
            width=24,
        ),
        C("kind", ("活动类型", "会议类型"), width=12, loose_aliases=("活动名称", "会议名称")),
        C(
            "date",
            ("活动日期", "会议日期", "时间", "实际会议时间", "实际时间", "会议时间", "活动时间"),
            width=12,
        ),
        C("topic", ("活动主题", "会议主题", "内容", "会议议题", "议题"), width=30),
        C("place", ("活动地点", "会议地点"), width=16),
        C("host", ("主持人姓名",), width=10),
        C("recorder", ("记录人姓名",), width=10),
        C("minutes", ("会议纪要", "内容摘要", "会议内容", "主要内容", "主要内容及特色"), width=30),
        C("resolutions", ("决议事项", "会议决议"), width=24),
    ),
    natural_key=("branch", "kind", "date", "topic"),
    title_field="topic",
    search_fields=("topic", "place", "host"),
    filters=(("branch", "branch"), ("kind", "kind"), ("year", "date")),
    sort_field="-date",
)

TRAININGS = Ledger(
    "trainings",
    "培训",
    m.Training,
    (
        C("name", ("培训名称", "培训主题", "培训班名称"), width=30),
        C("kind", ("培训类型",), width=10, loose_aliases=("培训类别", "培训班类型")),
        C("start_date", ("培训日期", "开始时间", "培训开始时间", "培训开始日期"), width=12),
        C("end_date", ("结束时间", "培训结束时间", "培训结束日期"), width=12),
        C("place", ("培训地点",), width=16),
        C("lecturer", ("授课人", "宣讲人"), width=10),
        C("organiser", ("主办", "举办单位", "培训班主办方", "主办方"), width=16),
        C("hours", ("课时", "培训学时"), width=6),
        C("content", ("培训内容",), width=30),
    ),
    natural_key=("name", "start_date"),
    search_fields=("name", "lecturer", "place"),
    filters=(("kind", "kind"), ("year", "start_date")),
    sort_field="-start_date",
)

ATTENDANCE = Ledger(
    "attendance",
    "培训签到",
    m.Attendance,
    (
        C("training", ("培训名称",), width=30, excel_header_override="培训名称"),
        C("member", ("身份证号", "公民身份号码"), width=21, excel_header_override="党员身份证号"),
        C("person_name", ("参训人员",), width=10),
        C("person_unit", ("所在单位", "工作单位"), width=24),
        C("status", ("签到状态",), width=8),
        C("signed_at", (), width=18),
        C("note", (), width=16),
    ),
    natural_key=("training", "member", "person_name", "person_unit"),
    title_field="person_name",
    filters=(("kind", "status"),),
    search_fields=("person_name", "person_unit"),
)

TEAMS = Ledger(
    "teams",
    "志愿服务队",
    m.Team,
    (
        C("name", ("服务队名称", "队伍名称"), width=28),
        C("kind", ("队伍类型",), width=14),
        C("branch", ("党组织",), width=24),
        C("leader", (), width=10),
        C("founded_on", ("成立时间",), width=12),
        C("focus", (), width=20),
        C("note", (), width=20),
    ),
    natural_key=("name",),
    search_fields=("name", "leader", "focus"),
    filters=(("branch", "branch"), ("kind", "kind"), ("year", "founded_on")),
    sort_field="name",
)

SERVICES = Ledger(
    "services",
    "志愿服务活动",
    m.Service,
    (
        C("team", ("服务队名称",), width=28),
        C("date", ("服务日期", "活动日期"), width=12),
        C("topic", ("服务主题", "活动主题"), width=28),
        C("place", ("服务地点",), width=16),
        C("target_enterprise", ("服务单位",), width=24),
        C("target_text", (), width=16),
        C("hours", ("服务时长",), width=8),
        C("outcome", ("服务成效",), width=24),
    ),
    natural_key=("team", "date", "topic"),
    title_field="topic",
    search_fields=("topic", "place", "target_text"),
    filters=(("branch", "team.branch"), ("year", "date")),
    sort_field="-date",
)

ISSUES = Ledger(
    "issues",
    "企业诉求",
    m.EnterpriseIssue,
    (
        C("enterprise", ("企业名称",), width=26),
        C("received_on", ("受理时间", "收集日期"), width=12),
        C("source", ("问题来源",), width=8),
        C("category", ("问题类别", "诉求类别"), width=14),
        C("description", ("诉求内容", "问题", "难题描述"), width=34),
        C("responsible_unit", ("承办单位",), width=18),
        C("responsible_person", (), width=10),
        C("deadline", ("办结期限",), width=12),
        C("state", ("办理状态", "办理情况"), width=8, confirm_default=True),
        C("resolved_on", ("办结时间",), width=12),
        C("measures", ("办理结果",), width=30),
        C("evaluation", ("满意度",), width=10),
    ),
    natural_key=("enterprise", "received_on", "description"),
    title_field="description",
    search_fields=("description", "responsible_unit", "responsible_person"),
    filters=(
        ("branch", "enterprise.branch"),
        ("kind", "category"),
        ("year", "received_on"),
        ("status", "state"),
    ),
    sort_field="-received_on",
)


def _in_pipeline() -> pw.Expression:
    """发展党员 shows whoever is not yet a full member, and full members with stages recorded."""
    M = m.Member
    return (M.category != "full") | M.applied_on.is_null(False)


RECRUITMENT = Ledger(
    "recruitment",
    "发展党员",
    m.Member,
    (
        C("name", ("党员姓名", "发展对象姓名"), width=10),
        C("id_number", ("公民身份号码", "身份证号码", "身份证"), width=21, kind_override=ID_NUMBER),
        C("gender", (), width=6),
        C("birth_date", ("出生年月",), width=12),
        C("branch", MEMBERS.column("branch").aliases, width=24),
        C("enterprise", ("所在单位", "工作单位", "企业"), width=24),
        C(
            "category",
            ("发展阶段", "党籍状态", "政治面貌", "类别"),
            width=12,
            header_override="发展阶段",
            excel_header_override="当前发展阶段",
        ),
        C(
            "applied_on",
            ("递交入党申请书时间", "申请入党时间"),
            width=12,
            excel_header_override="提交书面申请书时间",
        ),
        C("talked_on", ("谈话时间",), width=12),
        C(
            "activist_on",
            ("确定积极分子时间",),
            width=12,
            excel_header_override="确定为入党积极分子时间",
        ),
        C("mentors", ("培养人", "培养联系人姓名"), width=12),
        C("activist_training", ("积极分子培训时间",), width=20),
        C("reviewed_on", ("考察时间", "最近考察时间"), width=12),
        C("plan_on", (), width=12, excel_header_override="列入发展计划时间"),
        C(
            "candidate_on",
            ("确定发展对象时间",),
            width=12,
            excel_header_override="确定为发展对象时间",
        ),
        C("vetted_on", ("政审时间", "政治审查时间"), width=12),
        C("candidate_training", ("发展对象培训时间",), width=20),
        C("training_start", ("集中培训开始时间", "培训开始时间"), width=12),
        C("training_end", ("集中培训结束时间", "培训结束时间"), width=12),
        C("publicized_on", ("公示时间", "公示日期"), width=12),
        C("prechecked_on", ("预审时间", "上级党委预审时间"), width=12),
        C("pledge_on", ("领取入党志愿书时间",), width=12, excel_header_override="领取志愿书时间"),
        C("pledge_number", ("入党志愿书编号",), width=14),
        C(
            "introducer_1",
            ("入党介绍人1", "第一入党介绍人", "介绍人一"),
            width=21,
            excel_header_override="入党介绍人一身份证号",
        ),
        C(
            "introducer_2",
            ("入党介绍人2", "第二入党介绍人", "介绍人二"),
            width=21,
            excel_header_override="入党介绍人二身份证号",
        ),
        C(
            "joined_on",
            ("支部大会讨论接收时间", "接收预备党员时间", "加入党组织日期", "入党日期"),
            width=12,
            header_override="支部大会讨论接收日期",
            excel_header_override="入党时间",
        ),
        C("admission_entitled", (), width=8),
        C("admission_present", (), width=8),
        C("admission_yes", (), width=8),
        C("approved_on", ("审批时间", "上级党委审批时间"), width=12),
        C("extension_months", ("延长预备期", "延长预备期月数"), width=8),
        C(
            "confirmed_on",
            ("转为正式党员时间", "转为正式党员日期", "转正日期"),
            width=12,
            header_override="转正日期",
            excel_header_override="转正时间",
        ),
        C("confirm_entitled", (), width=8),
        C("confirm_present", (), width=8),
        C("confirm_yes", (), width=8),
        C("note", ("说明",), width=20),
    ),
    natural_key=("id_number",),
    search_fields=("name", "id_number", "mentors"),
    filters=(("branch", "branch"), ("kind", "category"), ("year", "applied_on")),
    sort_field="name",
    scope=_in_pipeline,
    sections=(
        ("name", "基本信息"),
        ("applied_on", "入党申请"),
        ("activist_on", "入党积极分子的确定和培养"),
        ("plan_on", "发展对象的确定和考察"),
        ("introducer_1", "支部大会讨论接收预备党员"),
        ("approved_on", "审批、预备期和转正"),
        ("note", "其他"),
    ),
)

DUES = Ledger(
    "dues",
    "党费",
    m.Dues,
    (
        C("member", ("党员身份证号",), width=10),
        C("month", ("缴费月份", "所属月份", "月度", "年月", "缴费起始月份", "起始月份"), width=9),
        C("until", ("缴费截止月份", "补交至", "至月份"), width=9),
        C("kind", ("人员类别", "党员类别"), width=9, loose_aliases=("缴费类型",)),
        C(
            "base",
            ("缴费基数", "月工资收入", "月工资", "工资收入", "税后工资", "月收入", "离退休费"),
            width=11,
            header_override="缴费基数",
            masked_as=MASK_HIDDEN,
        ),
        C("rate", ("执行标准", "比例", "交纳比例", "缴费比例", "执行比例"), width=7),
        # Filled by the calculator when left empty (services.dues.apply_rules).
        C(
            "due",
            ("月应缴", "应缴", "应交金额", "应缴金额", "应缴党费"),
            width=9,
            required_override=False,
        ),
        C("paid", ("实缴", "实交金额", "实缴金额", "缴费金额", "实缴党费"), width=9),
        C("paid_on", ("缴费日期", "交费日期", "交纳时间", "缴费时间"), width=11),
        C("method", ("缴费方式", "交费方式"), width=8),
        C("reduction", ("减免情况", "减免类型"), width=6),
        C("decision_on", ("批准时间",), width=11),
        C("decision_doc", ("批准文件", "文号"), width=14),
        C("note", ("说明", "缴费说明"), width=20),
    ),
    natural_key=("member", "month"),
    title_field="title",
    search_fields=("note", "decision_doc"),
    filters=(("branch", "member.branch"), ("kind", "kind"), ("year", "month")),
    sort_field="-month",
)

LEDGERS: dict[str, Ledger] = {
    ledger.name: ledger
    for ledger in (
        BRANCHES,
        ENTERPRISES,
        MEMBERS,
        ACTIVITIES,
        TRAININGS,
        ATTENDANCE,
        TEAMS,
        SERVICES,
        ISSUES,
        RECRUITMENT,
        DUES,
    )
}


# 附件 (issue 16): not a page or an Excel ledger, but binned, restored and audited like one.
ATTACHMENTS = Ledger(
    "attachments",
    "附件",
    m.Attachment,
    (
        C("owner_ledger", (), width=12),
        C("owner_id", (), width=8),
        C("name", (), width=30),
        C("kind", (), width=10),
        C("size", (), width=10),
        C("sha256", (), width=20),
        C("added_at", (), width=18),
    ),
    natural_key=("owner_ledger", "owner_id"),
    search_fields=("name",),
    sort_field="added_at",
)

#: Ledgers that have no page and no Excel sheet of their own, yet are records of the recycle bin
#: and the 操作日志.
INNER_LEDGERS: dict[str, Ledger] = {ATTACHMENTS.name: ATTACHMENTS}


def binned_ledgers() -> list[Ledger]:
    """Every ledger whose records can be in the recycle bin: the pages' own (a scoped ledger such
    as 发展党员 is a view of another's table, its records binned there) and the inner ones."""
    return [*(x for x in LEDGERS.values() if x.scope is None), *INNER_LEDGERS.values()]


def ledger(name: str) -> Ledger:
    try:
        return LEDGERS[name] if name in LEDGERS else INNER_LEDGERS[name]
    except KeyError:
        raise KeyError(f"未知台账：{name}（可用：{', '.join(LEDGERS)}）") from None


def ledger_for_model(model: type[pw.Model]) -> Ledger:
    for item in binned_ledgers():
        if item.model is model:
            return item
    raise KeyError(model.__name__)
