"""The demo ledger: the park's 2023 party-building work, with synthetic people and real figures.

The figures are those of section 一.8 (党的建设) of the park's 2023 work summary
(``seed/000_02df8b4a2fa06c62.txt``), which the annual statistics must give back:

- “组织了党的二十大精神轮训6期，培训党员650余人” — 6 rotation trainings (轮训) whose
  sign-in rows total 666 (654 members and 12 non-members); every full or probationary member
  (688 in all) is expected at exactly one session.
- “今年4月至7月对园区企业基本情况开展了全面摸排” — the registry is entered April–July 2023.
- “针对前期摸底的28家企业联合成立为6个联合党支部” — 6 joint branches (联合党支部) covering
  28 enterprises (5, 5, 5, 5, 4, 4), each enterprise with 1–2 members, founded July–August.
- “没有党员的16家企业组建1个区域党支部” — 1 regional branch (区域党支部) covering 16 enterprises
  without members; its own members are 5 park cadres.
- “开展习近平总书记考察江西重要讲话精神集中宣讲19次” — 19 lectures (集中宣讲), after the
  visit of 2023-10-10…13.
- “开展主题教育专题党课50余次” — 52 party lessons (专题党课), April–December.
- “各党组织成立了18只党员志愿服务队和6只党员突击队” — 18 volunteer teams and 6 commando teams.
- “目前已开展志愿服务60余次” — 64 services.
- “为企业解决发展难题50余件，协调解决项目建设中的问题12件” — 54 resolved issues of other
  categories and 12 resolved project issues, plus a few still open and 2 unresolvable.

Around these figures sit the ordinary records of a year: 15 standalone branches in the larger
enterprises, 三会一课 for every branch (with two missed quarterly 党员大会 and two missed
主题党日 on purpose, so that the compliance reminders have something to show), some business
trainings and 20 individual businesses without a branch.

Everything personal is synthetic and looks it: every given name starts with 示 (张示安, 李示华),
ID numbers use the non-existent region code 999999 (with a correct GB 11643 check character),
phones are 1990000xxxx, enterprises are a fixed word plus an industry (恒远化工有限公司).
The build is deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

import peewee as pw

from partybuild.domain import validators as v
from partybuild.services import demo_recruitment
from partybuild.services.dues_demo import build_demo_dues
from partybuild.store import models as m

Row = dict[str, Any]

YEAR = 2023
YEAR_START = dt.date(YEAR, 1, 1)
YEAR_END = dt.date(YEAR, 12, 31)

REGION = "999999"  # not a real region code: the ID numbers are unmistakably fake
CREDIT_PREFIX = "91360281"  # GB 32100: 9 工商, 1 企业; then the 6-digit region
INDIVIDUAL_CREDIT_PREFIX = "92360281"  # 9 工商, 2 个体工商户
PHONE_PREFIX = "1990000"
COMMITTEE = "园区非公企业综合党委"
PARTY_HALL = "园区党群服务中心"

# Figures of the report (see the module docstring).
JOINT_SIZES = (5, 5, 5, 5, 4, 4)  # enterprises per joint branch: 28, at most 5 each
REGIONAL_ENTERPRISES = 16
STANDALONE_BRANCHES = 15
INDIVIDUAL_BUSINESSES = 20
REGIONAL_CADRES = 5
PARTY_MEMBERS = 688  # full + probationary members of the park
STANDALONE_SIZE = (32, 46)  # full + probationary per standalone branch
CANDIDATES_PER_BRANCH = 4  # candidates, activists, applicants; a branch stays at most 50
ROTATION_DATES = tuple(
    dt.date(YEAR, mo, d) for mo, d in ((2, 16), (4, 13), (5, 18), (7, 20), (9, 14), (11, 16))
)
ROTATION_SIGNED_MEMBERS = 654
ROTATION_GUESTS_PER_SESSION = 2
LECTURES = 19
SURVEY_START, SURVEY_END = dt.date(YEAR, 4, 3), dt.date(YEAR, 7, 28)  # 4月至7月摸排
AFTER_VISIT = dt.date(YEAR, 10, 16)  # first Monday after the visit to Jiangxi of 10–13 October
LECTURES_FROM = AFTER_VISIT
PARTY_LESSONS_PER_STANDALONE = 3  # 15 * 3 + 6 joint + 1 regional = 52
VOLUNTEER_TEAMS_STANDALONE = 15
VOLUNTEER_TEAMS_JOINT = 3
SERVICES = 64
RESOLVED_OTHER = 54
RESOLVED_PROJECT = 12
BATCH_VARIABLES = 990  # SQLite's historic limit of bound variables per statement


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
)
MALE_GIVEN = "军强伟勇杰涛斌磊超辉峰刚鹏浩波林东亮俊飞龙成彬明"
FEMALE_GIVEN = "芳敏静丽娟霞红燕玲婷慧琳洁萍倩雪莉琴梅兰"
EITHER_GIVEN = "安华平文宇晨宁欣"

FIRM_WORDS = _words(
    "恒远 瑞丰 华泰 金诚 鑫达 宏运 博雅 天成 润泽 永盛 嘉禾 赣源 晶鑫 新锐 宏图 汇通 昌盛 康宁 "
    "绿源 海纳 聚力 正邦 德润 振华 鼎盛 华锦 亿丰 卓越 蓝天 同创 凯达 明阳 长青 万通 远航 富源 "
    "安泰 丰华 国瑞 和盛 金桥 九洲 坤元 立信 茂源 南岭 普惠 启航 荣达 盛世 泰和 通达 旺达 祥和 "
    "信诚 扬帆 裕丰 众鑫 中研 东升 北辰 西湖 星火 云峰"
)
INDUSTRY_WORDS = (
    ("化工", "fine_chemical"),
    ("医药", "biomedicine"),
    ("新材料", "new_material"),
    ("科技", "other"),
)
SHOP_WORDS = ("便利店", "餐馆", "五金店", "汽车修理部", "快餐店", "打印部", "劳保用品店", "水果店")
ETHNIC_MINORITIES = ("畲族", "回族", "苗族", "壮族", "满族", "土家族")
EDUCATION_WEIGHTS = (
    ("postgraduate", 5),
    ("bachelor", 33),
    ("college", 30),
    ("secondary", 12),
    ("high_school", 13),
    ("junior", 7),
)
JOB_TITLES = _words(
    "操作工 操作工 操作工 班组长 车间主任 技术员 工程师 安全员 质检员 设备维修工 仓管员 化验员 "
    "财务会计 行政专员 人力资源专员 销售经理 采购员 环保专员 生产部经理 研发工程师"
)
SECRETARY_TITLES = ("副总经理", "行政人事经理", "党群工作部部长", "生产副总", "综合办主任")
CADRE_TITLES = _words(
    "园区党建工作办公室主任 园区党建指导员 园区企业服务中心干部 园区企业服务中心干部 园区党建指导员"
)
CHINESE_NUMERALS = "一二三四五六七八九十"

# --------------------------------------------------------------------------- texts of the year

THEME_DAY_TOPICS = {
    1: "新春走访慰问困难党员和老党员",
    2: "学习党的二十大报告原文",
    3: "学雷锋志愿服务进企业",
    4: "清明祭英烈·传承红色基因",
    5: "劳动最光荣——岗位建功在一线",
    6: "“安全生产月”党员带头查隐患",
    7: "庆祝中国共产党成立102周年·重温入党誓词",
    8: "八一建军节走访慰问退役军人党员",
    9: "主题教育读书分享会",
    10: "学习习近平总书记考察江西重要讲话精神",
    11: "消防安全知识宣传与应急演练",
    12: "重温入党初心，开展年终岗位承诺践诺",
}
GENERAL_MEETING_TOPICS = {
    1: "审议支部2023年度工作计划和党费收缴情况",
    2: "学习贯彻习近平新时代中国特色社会主义思想主题教育动员部署",
    3: "讨论发展对象和入党积极分子培养情况",
    4: "学习习近平总书记考察江西重要讲话精神，总结全年工作",
}
FOUNDING_MEETING_TOPIC = "支部成立大会暨选举支部委员会（书记）"
LESSON_TOPICS = {
    1: "以党的二十大精神引领企业高质量发展",
    2: "牢记初心使命，争做合格党员",
    3: "深刻把握新时代新征程党的中心任务",
    4: "学习习近平总书记考察江西重要讲话精神，奋力谱写中国式现代化江西篇章",
}
GROUP_TOPICS = _words(
    "学习党章和党内法规 交流岗位建功体会 学习安全生产法律法规 学习党的二十大报告 "
    "讨论班组降本增效措施 学习主题教育指定书目"
)
PARTY_LESSON_TRAINING_TOPICS = _words(
    "学思想、强党性、重实践、建新功 深刻领悟“两个确立”的决定性意义 "
    "以学铸魂，以学增智，以学正风，以学促干 党员在安全生产中当先锋作表率 "
    "弘扬井冈山精神，立足岗位作贡献 大兴调查研究之风 坚持以人民为中心的发展思想 "
    "推进新型工业化，建设现代化产业体系 全面从严治党永远在路上 非公企业党建与企业发展深度融合"
)
BUSINESS_TRAININGS = (
    (dt.date(YEAR, 3, 23), "党务工作者业务培训", "支部工作条例、三会一课规范"),
    (dt.date(YEAR, 6, 8), "发展党员工作规范培训", "发展党员工作流程和档案材料规范"),
    (dt.date(YEAR, 9, 21), "党费收缴使用和管理培训", "党费计算、收缴、使用和管理规定"),
    (dt.date(YEAR, 12, 7), "党建工作台账规范化培训", "党建工作台账的建立、更新和归档"),
)
VOLUNTEER_SERVICES = (
    ("安全生产宣传", "企业生产车间", "发放安全生产宣传资料，讲解岗位安全操作要点"),
    ("环境整治", "园区主干道及企业周边", "清理卫生死角，整治乱堆乱放"),
    ("政策宣讲", "企业会议室", "宣讲稳岗返还、研发费用加计扣除等惠企政策"),
    ("招聘会志愿服务", "园区人力资源市场", "引导求职群众入场，协助企业登记求职意向"),
    ("关爱困难职工", "职工家中", "走访慰问困难职工，送去慰问品"),
    ("消防安全宣传", "企业宿舍区", "讲解灭火器使用方法，排查宿舍用电隐患"),
    ("义务植树", "园区绿化带", "补植绿化苗木，美化园区环境"),
    ("垃圾分类宣传", "企业食堂", "宣传垃圾分类知识，设置分类指引"),
    ("交通安全劝导", "园区路口", "上下班高峰劝导职工文明出行"),
    ("职工义诊", "企业职工之家", "联系医院为职工测量血压、解答健康问题"),
)
COMMANDO_SERVICES = (
    ("项目建设帮扶", "项目施工现场", "协调施工难点，推动项目按节点推进"),
    ("设备安装抢工", "新建车间", "党员带头加班，保障设备按期安装调试"),
    ("防汛值守", "厂区及周边排水沟渠", "巡查排水设施，清理淤堵，确保安全度汛"),
    ("安全隐患排查", "项目施工现场", "排查施工现场安全隐患并督促整改"),
    ("技术攻关", "生产车间", "攻关工艺难题，提升产品合格率"),
)
SERVICE_TARGETS = ("园区企业职工", "园区群众", "求职群众", "周边村民")

ISSUES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "staffing": (
        (
            "扩产急需招聘操作工{n}名，本地招工困难",
            "市人社局",
            "组织专场招聘会并推送岗位信息，已招到位",
        ),
        ("缺少持证危化品操作人员{n}名", "市人社局", "联系职业院校开展定向培训取证"),
        ("新招员工住宿紧张，申请园区公寓{n}间", "园区企业服务中心", "协调园区公寓入住，已安排到位"),
        ("技术工人流失较多，希望组织技能培训", "市人社局", "开展以工代训和技能提升培训"),
    ),
    "utilities": (
        ("新建车间需架设10KV供电专线", "市供电公司", "供电公司开辟绿色通道，专线已送电"),
        ("厂区污水管网未接入园区污水主管网", "园区规划建设局", "完成管网接驳，污水已纳管"),
        ("燃气管网未通至厂区，影响锅炉改造", "市燃气公司", "燃气管网延伸到厂区并完成点火"),
        ("生产用水压力不足，影响正常生产", "市水务集团", "更换加压设备，水压恢复正常"),
        ("厂区周边道路路灯损坏，夜间通勤不便", "园区规划建设局", "完成路灯维修并加装照明"),
    ),
    "project": (
        ("项目用地红线内高压线塔需迁改", "市供电公司", "协调迁改方案并完成线路迁改"),
        ("二期厂房施工临时用电报装进度慢", "市供电公司", "现场办公，临时用电已接通"),
        ("项目施工道路与园区道路衔接需协调", "园区规划建设局", "完成道路开口审批并施工衔接"),
        ("项目土方外运受阻", "园区规划建设局", "协调弃土场地，土方外运完成"),
        ("项目施工许可办理材料不清楚", "市行政审批局", "安排专人帮办代办，施工许可已领证"),
        ("项目消防验收前置条件需协调", "市住建局", "组织预验收并指导整改，已通过验收"),
        ("设备进场需临时占用园区道路", "园区企业服务中心", "协调交通疏导，设备顺利进场"),
        ("项目规划方案调整需重新审查", "市自然资源局", "开展联合审查，规划调整已批复"),
    ),
    "approval": (
        ("新建项目环评手续办理进度慢", "市生态环境局", "提前介入指导，环评已批复"),
        ("安全评价手续办理需专家指导", "市应急管理局", "组织专家上门指导，安评已通过"),
        ("排污许可证变更办理", "市生态环境局", "指导完善材料，许可证已变更"),
        ("危险化学品经营许可证延续", "市应急管理局", "帮办代办，许可证已延续"),
    ),
    "finance": (
        ("流动资金紧张，希望对接“财园信贷通”", "园区财政金融局", "对接合作银行，贷款已发放"),
        ("设备更新贷款贴息申请", "园区财政金融局", "指导申报，贴息资金已拨付"),
    ),
    "policy": (
        ("申报高新技术企业需要辅导", "市科技局", "组织申报辅导，材料已按时报送"),
        ("专精特新中小企业申报材料准备", "市工信局", "指导完善申报材料，已通过认定"),
        ("研发费用加计扣除政策咨询", "市税务局", "税务专员上门辅导，已享受政策"),
        ("稳岗返还资金申领", "市人社局", "核实参保信息，返还资金已到账"),
    ),
    "technology": (
        ("生产工艺优化需对接高校技术支持", "市科技局", "对接高校团队签订合作协议"),
        ("产品检测需对接第三方检测机构", "园区企业服务中心", "推荐检测机构并完成检测"),
        ("智能化改造方案需要论证", "市工信局", "组织专家论证，方案已实施"),
    ),
    "safety_env": (
        ("危废暂存间规范化整改需要指导", "市生态环境局", "上门指导整改，已通过复查"),
        ("VOCs治理设施提标改造", "市生态环境局", "指导选定治理工艺，改造完成"),
        ("安全生产标准化创建需要指导", "市应急管理局", "组织专家辅导，已通过评审"),
    ),
    "other": (
        ("职工子女入学需协调", "市教育局", "协调就近学校，已办理入学"),
        ("企业门前需设置公交站点", "市交通运输局", "增设公交站点，已投入使用"),
    ),
}
UNRESOLVABLE_ISSUES = (
    (
        "policy",
        "申请享受西部大开发税收优惠政策",
        "市税务局",
        "园区所在地不属于政策适用地区，已向企业解释",
    ),
    (
        "utilities",
        "申请将厂区用电价格降至居民电价",
        "市供电公司",
        "不符合电价政策，已说明并推荐市场化交易",
    ),
)
OPEN_ISSUES = (
    ("project", "三期项目用地报批进度慢", "市自然资源局"),
    ("utilities", "新建仓库需增容变压器", "市供电公司"),
    ("staffing", "年底用工高峰缺少包装工{n}名", "市人社局"),
    ("approval", "新产品生产线安全条件审查", "市应急管理局"),
    ("finance", "技改项目融资担保需协调", "园区财政金融局"),
    ("technology", "产品中试需要公共试验平台", "园区企业服务中心"),
)


# --------------------------------------------------------------------------- helpers


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _quarter(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _short(enterprise: Row) -> str:
    """恒远化工有限公司 → 恒远化工."""
    return str(enterprise["name"]).removesuffix("有限公司")


class _Demo:
    """Collects the rows of every ledger in memory, with ids assigned here."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.rows: dict[type[m.BaseModel], list[Row]] = {model: [] for model in m.LEDGER_MODELS}
        self._names: set[str] = set()
        self._id_numbers: set[str] = set()
        self._credit_codes: set[str] = set()
        self._phones = list(range(10_000))
        self.rng.shuffle(self._phones)
        # Filled as the ledgers are built.
        self.standalone: list[Row] = []
        self.joint: list[Row] = []
        self.regional: Row = {}
        self.enterprise_of: dict[int, Row] = {}  # standalone branch id → its enterprise
        self.members_of: dict[int, list[Row]] = {}  # branch id → members (all categories)
        self.teams: list[Row] = []
        self.team_members: dict[int, list[Row]] = {}

    # ----------------------------------------------------------------- rows and values

    def add(self, model: type[m.BaseModel], entered: dt.datetime, **fields: Any) -> Row:
        rows = self.rows[model]
        row: Row = {
            "id": len(rows) + 1,
            "created_at": entered,
            "updated_at": entered,
            "version": 1,
            "deleted": False,
            "deleted_at": None,
            **fields,
        }
        rows.append(row)
        return row

    def entered(self, day: dt.date, lag: int = 2) -> dt.datetime:
        """A plausible moment of data entry: office hours on the day or a few days later."""
        day = day + dt.timedelta(days=self.rng.randint(0, lag))
        return dt.datetime.combine(day, dt.time(self.rng.randint(9, 17), self.rng.randint(0, 59)))

    def date_between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def name(self, male: bool) -> str:
        pool = (MALE_GIVEN if male else FEMALE_GIVEN) + EITHER_GIVEN
        while True:
            candidate = self.rng.choice(SURNAMES) + "示" + self.rng.choice(pool)
            if candidate not in self._names:
                self._names.add(candidate)
                return candidate

    def any_name(self) -> str:
        return self.name(self.rng.random() < 0.7)

    def person(self, male: bool | None = None, born: tuple[int, int] = (1963, 2001)) -> Row:
        """Name, sex, birth date and a matching, valid, fake ID number."""
        if male is None:
            male = self.rng.random() < 0.68
        birth = self.date_between(dt.date(born[0], 1, 1), dt.date(born[1], 12, 31))
        while True:
            seq = self.rng.randrange(500) * 2 + (1 if male else 0)  # 17th digit odd for men
            id_number = v.make_id_number(REGION, birth, seq)
            if id_number not in self._id_numbers:
                self._id_numbers.add(id_number)
                break
        return {
            "name": self.name(male),
            "gender": "male" if male else "female",
            "birth_date": birth,
            "id_number": id_number,
        }

    def phone(self) -> str:
        return f"{PHONE_PREFIX}{self._phones.pop():04d}"

    def credit_code(self, prefix: str = CREDIT_PREFIX) -> str:
        while True:
            body = "".join(self.rng.choice(v.CREDIT_CODE_ALPHABET) for _ in range(9))
            code = v.make_credit_code(prefix + body)
            if code not in self._credit_codes:
                self._credit_codes.add(code)
                return code

    def weighted(self, pairs: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]

    def party(self, branch: Row, on: dt.date | None = None) -> list[Row]:
        """Full and probationary members of a branch (who had joined by a date)."""
        return [
            p
            for p in self.members_of[branch["id"]]
            if p["category"] in ("full", "probationary") and (on is None or p["joined_on"] <= on)
        ]

    def all_branches(self) -> list[Row]:
        return [*self.standalone, *self.joint, self.regional]

    def post_holder(self, branch: Row, *posts: str) -> Row | None:
        for post in posts:
            for person in self.members_of[branch["id"]]:
                if person["party_post"] == post:
                    return person
        return None

    # ----------------------------------------------------------------- registry

    def build_registry(self) -> None:
        rng = self.rng
        cadres = [self.person() for _ in range(REGIONAL_CADRES)]
        words = list(FIRM_WORDS)
        rng.shuffle(words)

        def enterprise(**fields: Any) -> Row:
            word = words.pop()
            industry_word, industry = rng.choice(INDUSTRY_WORDS)
            return self.add(
                m.Enterprise,
                self.entered(self.date_between(SURVEY_START, SURVEY_END)),
                name=f"{word}{industry_word}有限公司",
                credit_code=self.credit_code(),
                industry=industry,
                kind="industrial",
                liaison=rng.choice(cadres)["name"],
                in_service=True,
                note=None,
                **fields,
            )

        # Standalone branches: one per larger enterprise, founded in earlier years.
        states = ["construction"] * 3 + ["trial"] * 2 + ["production"] * 10
        rng.shuffle(states)
        for state in states[:STANDALONE_BRANCHES]:
            founded = self.date_between(dt.date(2008, 1, 1), dt.date(2021, 12, 28))
            # 换届: every 3 years; the last one before the survey began in April.
            terms = (YEAR - founded.year) // 3
            while terms and _add_years(founded, 3 * terms) >= SURVEY_START:
                terms -= 1
            renewed = _add_years(founded, 3 * terms) if terms else None
            branch = self.add(
                m.Branch,
                self.entered(self.date_between(SURVEY_START, SURVEY_END)),
                name="",  # named after its enterprise below
                kind="standalone",
                parent=None,
                secretary=None,
                founded_on=founded,
                renewed_on=renewed,
                has_committee=True,
                has_groups=False,
                note=None,
            )
            firm = enterprise(
                employees=rng.randint(180, 900),
                above_scale=True,
                high_tech=rng.random() < 0.5,
                project_state=state,
                branch=branch["id"],
            )
            branch["name"] = f"{firm['name']}党支部"
            self.standalone.append(branch)
            self.enterprise_of[branch["id"]] = firm
        for branch in rng.sample(self.standalone, 6):
            branch["has_groups"] = True

        # Joint branches: founded July–August 2023 after the April–July survey.
        joint_dates = sorted(
            self.date_between(dt.date(YEAR, 7, 10), dt.date(YEAR, 8, 25)) for _ in JOINT_SIZES
        )
        joint_firms: list[list[Row]] = []
        for index, (size, founded) in enumerate(zip(JOINT_SIZES, joint_dates, strict=True)):
            branch = self.add(
                m.Branch,
                self.entered(founded),
                name=f"园区第{CHINESE_NUMERALS[index]}联合党支部",
                kind="joint",
                parent=None,
                secretary=None,
                founded_on=founded,
                renewed_on=None,
                has_committee=False,
                has_groups=False,
                note="2023年4月至7月摸排后，由党员不足3名的企业联合组建",
            )
            self.joint.append(branch)
            joint_firms.append(
                [
                    enterprise(
                        employees=rng.randint(20, 150),
                        above_scale=rng.random() < 0.3,
                        high_tech=rng.random() < 0.15,
                        project_state=self.weighted(
                            (("production", 6), ("construction", 2), ("trial", 1))
                        ),
                        branch=branch["id"],
                    )
                    for _ in range(size)
                ]
            )

        founded = self.date_between(dt.date(YEAR, 7, 20), dt.date(YEAR, 8, 25))
        self.regional = self.add(
            m.Branch,
            self.entered(founded),
            name="园区非公企业区域党支部",
            kind="regional",
            parent=None,
            secretary=None,
            founded_on=founded,
            renewed_on=None,
            has_committee=False,
            has_groups=False,
            note="覆盖2023年摸排中没有党员的企业，由园区干部组成",
        )
        for _ in range(REGIONAL_ENTERPRISES):
            enterprise(
                employees=rng.randint(8, 60),
                above_scale=False,
                high_tech=False,
                project_state=self.weighted((("production", 9), ("construction", 5), ("trial", 2))),
                branch=self.regional["id"],
            )

        for index in range(INDIVIDUAL_BUSINESSES):
            word = FIRM_WORDS[index * 3 % len(FIRM_WORDS)]
            self.add(
                m.Enterprise,
                self.entered(self.date_between(SURVEY_START, SURVEY_END)),
                name=f"{word}{SHOP_WORDS[index % len(SHOP_WORDS)]}",
                credit_code=self.credit_code(INDIVIDUAL_CREDIT_PREFIX),
                industry="other",
                kind="individual",
                employees=rng.randint(1, 8),
                above_scale=False,
                high_tech=False,
                project_state=None,
                liaison=rng.choice(cadres)["name"],
                in_service=True,
                branch=None,
                note=None,
            )

        self.build_members(cadres, joint_firms)

    def add_member(
        self,
        person: Row,
        *,
        branch: Row,
        enterprise: Row | None,
        category: str,
        entered: dt.date,
        job_title: str | None = None,
    ) -> Row:
        rng = self.rng
        joined = confirmed = None
        if category == "full":
            adult = _add_years(person["birth_date"], 18)
            joined = self.date_between(max(adult, dt.date(1985, 1, 1)), dt.date(YEAR - 1, 11, 30))
            confirmed = _add_years(joined, 1)  # 预备期一年
        elif category == "probationary":
            joined = self.date_between(dt.date(YEAR, 1, 5), dt.date(YEAR, 10, 31))
            entered = max(entered, joined)
        ethnicity = "汉族" if rng.random() < 0.96 else rng.choice(ETHNIC_MINORITIES)
        member = self.add(
            m.Member,
            self.entered(entered),
            **person,
            ethnicity=ethnicity,
            education=self.weighted(EDUCATION_WEIGHTS),
            phone=self.phone(),
            enterprise=enterprise["id"] if enterprise else None,
            branch=branch["id"],
            category=category,
            joined_on=joined,
            confirmed_on=confirmed,
            party_post=None,
            job_title=job_title or rng.choice(JOB_TITLES),
            status="normal",
            note=None,
        )
        self.members_of.setdefault(branch["id"], []).append(member)
        return member

    def build_members(self, cadres: list[Row], joint_firms: list[list[Row]]) -> None:
        rng = self.rng
        # Regional branch: park cadres, in no enterprise.
        for person, title in zip(cadres, CADRE_TITLES, strict=True):
            self.add_member(
                person,
                branch=self.regional,
                enterprise=None,
                category="full",
                entered=self.regional["founded_on"],
                job_title=title,
            )
        # Joint branches: 1–2 members per enterprise (fewer than 3 full members each).
        for branch, firms in zip(self.joint, joint_firms, strict=True):
            for firm in firms:
                for _ in range(rng.choice((1, 1, 2, 2, 2))):
                    category = "probationary" if rng.random() < 0.06 else "full"
                    self.add_member(
                        self.person(),
                        branch=branch,
                        enterprise=firm,
                        category=category,
                        entered=branch["founded_on"],
                    )
        # Standalone branches: the rest of the park's members, 32–46 each, plus candidates.
        placed = sum(len(self.party(b)) for b in (*self.joint, self.regional))
        remaining = PARTY_MEMBERS - placed
        count = len(self.standalone)
        sizes = [remaining // count + (1 if i < remaining % count else 0) for i in range(count)]
        low, high = STANDALONE_SIZE
        for _ in range(40):
            i, j = rng.randrange(count), rng.randrange(count)
            step = rng.randint(1, 4)
            if i != j and sizes[i] + step <= high and sizes[j] - step >= low:
                sizes[i] += step
                sizes[j] -= step
        for branch, size in zip(self.standalone, sizes, strict=True):
            firm = self.enterprise_of[branch["id"]]
            registered = branch["created_at"].date()
            for _ in range(size):
                category = "probationary" if rng.random() < 0.05 else "full"
                self.add_member(
                    self.person(),
                    branch=branch,
                    enterprise=firm,
                    category=category,
                    entered=registered,
                )
            for category in rng.sample(
                ("candidate", "activist", "activist", "applicant", "applicant"),
                CANDIDATES_PER_BRANCH,
            ):
                self.add_member(
                    self.person(born=(1990, 2001)),
                    branch=branch,
                    enterprise=firm,
                    category=category,
                    entered=registered,
                )
        self.assign_posts()

    def assign_posts(self) -> None:
        """书记 and, where 7+ full members call for a 支委会, its 委员; a few flowing members."""
        rng = self.rng
        for branch in self.all_branches():
            full = [p for p in self.members_of[branch["id"]] if p["category"] == "full"]
            # 《支部工作条例》: 7+ full members → a branch committee; fewer → a secretary only.
            branch["has_committee"] = len(full) >= 7
            seniors = sorted(full, key=lambda p: p["birth_date"])[: max(3, len(full) // 2)]
            if branch["has_committee"]:
                posts = ["书记", "组织委员", "宣传委员"]
                if branch["kind"] == "standalone":
                    posts.append("纪检委员")
                    if len(full) >= 40:
                        posts.insert(1, "副书记")
            else:
                posts = ["书记"]
            for post, person in zip(posts, rng.sample(seniors, len(posts)), strict=True):
                person["party_post"] = post
                if branch["kind"] == "standalone" and post in ("书记", "副书记"):
                    person["job_title"] = rng.choice(SECRETARY_TITLES)
            secretary = self.post_holder(branch, "书记")
            assert secretary is not None
            branch["secretary"] = secretary["name"]
        plain = [
            p
            for b in self.standalone
            for p in self.members_of[b["id"]]
            if p["category"] == "full" and p["party_post"] is None
        ]
        for person in rng.sample(plain, 8):
            person["status"] = "mobile"
            person["note"] = "外出务工，流动党员"

    # ----------------------------------------------------------------- trainings

    def add_training(self, entered: dt.date, **fields: Any) -> Row:
        return self.add(
            m.Training,
            self.entered(entered - dt.timedelta(days=self.rng.randint(3, 10)), lag=0),
            **fields,
        )

    def attend(
        self,
        training: Row,
        member: Row | None,
        status: str,
        *,
        person_name: str | None = None,
        person_unit: str | None = None,
        note: str | None = None,
    ) -> Row:
        start: dt.date = training["start_date"]
        signed_at = None
        if status == "signed":
            signed_at = dt.datetime.combine(start, dt.time(8, 0)) + dt.timedelta(
                minutes=self.rng.randint(0, 40)
            )
        row = self.add(
            m.Attendance,
            training["created_at"],
            training=training["id"],
            member=member["id"] if member else None,
            person_name=person_name,
            person_unit=person_unit,
            status=status,
            signed_at=signed_at,
            note=note,
        )
        row["updated_at"] = dt.datetime.combine(start, dt.time(17, 30))
        return row

    def usual_status(self, member: Row, present: float = 0.93) -> str:
        if member["status"] == "mobile":
            return "leave"
        roll = self.rng.random()
        if roll < present:
            return "signed"
        return "leave" if roll < present + (1 - present) * 0.6 else "absent"

    def build_trainings(self) -> None:
        self.build_rotation()
        self.build_lectures()
        self.build_party_lessons()
        self.build_business()

    def build_rotation(self) -> None:
        """轮训6期: every full or probationary member expected at exactly one session."""
        rng = self.rng
        sessions = [
            self.add_training(
                day,
                name=f"党的二十大精神轮训第{CHINESE_NUMERALS[n]}期",
                kind="rotation",
                start_date=day,
                end_date=day + dt.timedelta(days=1),
                place=PARTY_HALL,
                lecturer=self.any_name(),
                organiser=COMMITTEE,
                hours=12.0,
                content="系统学习党的二十大报告和党章修正案，交流学习体会，进行测试",
            )
            for n, day in enumerate(ROTATION_DATES)
        ]
        # Branches go to sessions as a whole, the largest first into the emptiest session.
        load = [0] * len(sessions)
        expected: list[tuple[Row, Row]] = []
        for branch in sorted(self.all_branches(), key=lambda b: -len(self.party(b))):
            index = load.index(min(load))
            for member in self.party(branch):
                # A probationary member joined in 2023 goes to the first session after joining.
                at = index
                while sessions[at]["start_date"] < member["joined_on"]:
                    at += 1
                expected.append((sessions[at], member))
                load[at] += 1
        missing = len(expected) - ROTATION_SIGNED_MEMBERS
        mobile = [i for i, (_, p) in enumerate(expected) if p["status"] == "mobile"]
        others = [i for i, (_, p) in enumerate(expected) if p["status"] != "mobile"]
        away = set(mobile[:missing])
        away.update(rng.sample(others, max(0, missing - len(away))))
        for i, (session, member) in enumerate(expected):
            if i not in away:
                self.attend(session, member, "signed")
            elif member["status"] == "mobile":
                self.attend(session, member, "leave", note="流动党员，在外地参加学习")
            elif rng.random() < 0.6:
                self.attend(session, member, "leave", note=rng.choice(("出差", "病假", "生产值班")))
            else:
                self.attend(session, member, "absent")
        # Non-members: managers of enterprises without members, invited to listen.
        firms = [e for e in self.rows[m.Enterprise] if e["branch"] == self.regional["id"]]
        for session in sessions:
            for firm in rng.sample(firms, ROTATION_GUESTS_PER_SESSION):
                self.attend(
                    session,
                    None,
                    "signed",
                    person_name=self.any_name(),
                    person_unit=firm["name"],
                    note="非党员企业负责人，列席",
                )

    def build_lectures(self) -> None:
        """集中宣讲19次: leading cadres lecture in branches after the visit of October 2023."""
        rng = self.rng
        lecturers = [self.any_name() for _ in range(8)]
        days = sorted(rng.sample(range((dt.date(YEAR, 12, 28) - LECTURES_FROM).days), LECTURES))
        branches = rng.sample([*self.standalone, *self.joint], LECTURES)
        for n, (offset, branch) in enumerate(zip(days, branches, strict=True), start=1):
            day = LECTURES_FROM + dt.timedelta(days=offset)
            place = self.branch_place(branch)
            lecture = self.add_training(
                day,
                name=f"习近平总书记考察江西重要讲话精神集中宣讲（第{n}场）",
                kind="lecture",
                start_date=day,
                end_date=day,
                place=place,
                lecturer=rng.choice(lecturers),
                organiser=COMMITTEE,
                hours=2.0,
                content=f"到{branch['name']}宣讲习近平总书记考察江西重要讲话精神",
            )
            party = self.party(branch, day)
            for member in rng.sample(party, min(len(party), rng.randint(12, 30))):
                self.attend(lecture, member, self.usual_status(member, 0.95))

    def build_party_lessons(self) -> None:
        """主题教育专题党课52次: three per standalone branch, one per joint/regional branch."""
        rng = self.rng
        used: set[tuple[str, dt.date]] = set()
        plan = [(b, PARTY_LESSONS_PER_STANDALONE) for b in self.standalone]
        plan += [(b, 1) for b in (*self.joint, self.regional)]
        for branch, count in plan:
            first = max(dt.date(YEAR, 4, 6), branch["founded_on"] + dt.timedelta(days=7))
            secretary = self.post_holder(branch, "书记")
            assert secretary is not None
            for topic in rng.sample(PARTY_LESSON_TRAINING_TOPICS, count):
                name = f"主题教育专题党课：{topic}"
                day = self.date_between(first, dt.date(YEAR, 12, 22))
                while (name, day) in used:
                    day += dt.timedelta(days=1)
                used.add((name, day))
                lesson = self.add_training(
                    day,
                    name=name,
                    kind="party_lesson",
                    start_date=day,
                    end_date=day,
                    place=self.branch_place(branch),
                    lecturer=secretary["name"],
                    organiser=branch["name"],
                    hours=2.0,
                    content=f"{secretary['name']}同志讲授专题党课“{topic}”",
                )
                for member in self.party(branch, day):
                    self.attend(lesson, member, self.usual_status(member, 0.92))

    def build_business(self) -> None:
        """A few business trainings for secretaries and 组织委员 of the branches of the day."""
        for day, name, content in BUSINESS_TRAININGS:
            training = self.add_training(
                day,
                name=name,
                kind="business",
                start_date=day,
                end_date=day,
                place=PARTY_HALL,
                lecturer=self.any_name(),
                organiser=COMMITTEE,
                hours=4.0,
                content=content,
            )
            for branch in self.all_branches():
                if branch["founded_on"] > day:
                    continue
                for post in ("书记", "组织委员"):
                    member = self.post_holder(branch, post)
                    if member is not None:
                        self.attend(training, member, self.usual_status(member, 0.95))

    def branch_place(self, branch: Row) -> str:
        firm = self.enterprise_of.get(branch["id"])
        return f"{_short(firm)}党员活动室" if firm else PARTY_HALL

    # ----------------------------------------------------------------- teams and services

    def build_teams(self) -> None:
        rng = self.rng
        volunteer_dates = sorted(
            self.date_between(dt.date(YEAR, 4, 10), dt.date(YEAR, 9, 28))
            for _ in range(VOLUNTEER_TEAMS_STANDALONE - 1)
        )
        volunteer_dates.insert(0, dt.date(YEAR, 4, 6))  # in time for the 18 April job fair
        for branch, founded in zip(self.standalone, volunteer_dates, strict=True):
            self.add_team(
                branch,
                founded,
                f"{_short(self.enterprise_of[branch['id']])}党员志愿服务队",
                "volunteer",
                "安全生产宣传、环境整治、关爱职工",
            )
        by_size = sorted(self.joint, key=lambda b: -len(self.party(b)))
        for branch in by_size[:VOLUNTEER_TEAMS_JOINT]:
            founded = min(
                branch["founded_on"] + dt.timedelta(days=rng.randint(10, 30)),
                dt.date(YEAR, 9, 29),
            )
            self.add_team(
                branch,
                founded,
                f"{branch['name']}党员志愿服务队",
                "volunteer",
                "服务企业、服务职工",
            )
        projects = [
            b
            for b in self.standalone
            if self.enterprise_of[b["id"]]["project_state"] in ("construction", "trial")
        ]
        others = [b for b in self.standalone if b not in projects]
        commando = projects + rng.sample(others, 6 - len(projects))
        names = (
            "项目建设党员突击队一队",
            "项目建设党员突击队二队",
            "项目建设党员突击队三队",
            "项目建设党员突击队四队",
            "安全生产党员突击队",
            "技术攻关党员突击队",
        )
        for branch, name in zip(commando, names, strict=True):
            founded = self.date_between(dt.date(YEAR, 5, 4), dt.date(YEAR, 9, 15))
            self.add_team(branch, founded, name, "commando", "项目建设攻坚、急难险重任务")

    def add_team(self, branch: Row, founded: dt.date, name: str, kind: str, focus: str) -> None:
        rng = self.rng
        pool = self.party(branch, founded)
        crew = rng.sample(pool, min(len(pool), rng.randint(5, 12)))
        team = self.add(
            m.Team,
            self.entered(founded),
            name=name,
            kind=kind,
            branch=branch["id"],
            leader=crew[0]["name"],
            founded_on=founded,
            focus=focus,
            note=None,
        )
        self.teams.append(team)
        self.team_members[team["id"]] = crew
        for index, member in enumerate(crew):
            role = "队长" if index == 0 else "副队长" if index == 1 else "队员"
            self.add(
                m.TeamMember, team["created_at"], team=team["id"], member=member["id"], role=role
            )

    def build_services(self) -> None:
        rng = self.rng
        last = dt.date(YEAR, 12, 28)
        counts = {team["id"]: 1 for team in self.teams}
        weights = [(last - t["founded_on"]).days for t in self.teams]
        for team in rng.choices(self.teams, weights=weights, k=SERVICES - len(self.teams)):
            counts[team["id"]] += 1
        firms = [e for e in self.rows[m.Enterprise] if e["kind"] == "industrial"]
        used: set[tuple[int, dt.date, str]] = set()
        first_team = min(self.teams, key=lambda t: t["founded_on"])
        self.add_service(
            first_team,
            dt.date(YEAR, 4, 18),
            VOLUNTEER_SERVICES[3],
            None,
            "求职群众及园区企业",
            used,
        )
        counts[first_team["id"]] -= 1
        for team in self.teams:
            pool = VOLUNTEER_SERVICES if team["kind"] == "volunteer" else COMMANDO_SERVICES
            for _ in range(counts[team["id"]]):
                while True:
                    day = self.date_between(team["founded_on"] + dt.timedelta(days=3), last)
                    what = rng.choice(pool)
                    if (team["id"], day, what[0]) not in used:
                        break
                if rng.random() < 0.7:
                    own = self.enterprise_of.get(team["branch"])
                    target = own if own and rng.random() < 0.5 else rng.choice(firms)
                    self.add_service(team, day, what, target, None, used)
                else:
                    self.add_service(team, day, what, None, rng.choice(SERVICE_TARGETS), used)

    def add_service(
        self,
        team: Row,
        day: dt.date,
        what: tuple[str, str, str],
        target: Row | None,
        target_text: str | None,
        used: set[tuple[int, dt.date, str]],
    ) -> None:
        rng = self.rng
        topic, place, outcome = what
        used.add((team["id"], day, topic))
        service = self.add(
            m.Service,
            self.entered(day),
            team=team["id"],
            date=day,
            topic=topic,
            place=f"{_short(target)}{place.removeprefix('企业')}" if target else place,
            target_enterprise=target["id"] if target else None,
            target_text=target_text,
            hours=rng.choice((1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)),
            outcome=outcome,
        )
        crew = self.team_members[team["id"]]
        for member in rng.sample(crew, min(len(crew), rng.randint(3, 8))):
            self.add(
                m.ServiceParticipant,
                service["created_at"],
                service=service["id"],
                member=member["id"],
            )

    # ----------------------------------------------------------------- enterprise issues

    def build_issues(self) -> None:
        """50余件 resolved, 12 project issues resolved, a few open, two unresolvable."""
        rng = self.rng
        firms = [e for e in self.rows[m.Enterprise] if e["kind"] == "industrial"]
        projects = [e for e in firms if e["project_state"] in ("construction", "trial")]
        shops = [e for e in self.rows[m.Enterprise] if e["kind"] == "individual"]
        other_categories = [c for c in ISSUES if c != "project"]
        plan = [("project", rng.choice(projects)) for _ in range(RESOLVED_PROJECT)]
        for _ in range(RESOLVED_OTHER):
            category = self.weighted(
                [
                    (c, 4 if c in ("staffing", "utilities", "approval", "policy") else 2)
                    for c in other_categories
                ]
            )
            firm = rng.choice(shops) if category == "other" and rng.random() < 0.5 else None
            plan.append((category, firm or rng.choice(firms)))
        for category, firm in plan:
            description, unit, measures = rng.choice(ISSUES[category])
            received = self.date_between(dt.date(YEAR, 1, 9), dt.date(YEAR, 11, 24))
            limit = rng.randint(15, 60)
            took = rng.randint(2, limit) if rng.random() < 0.9 else limit + rng.randint(1, 10)
            resolved = min(received + dt.timedelta(days=took), dt.date(YEAR, 12, 29))
            self.add_issue(
                firm,
                category,
                description.format(n=rng.choice((10, 15, 20, 30, 50))),
                unit,
                received,
                limit,
                state="resolved",
                resolved_on=resolved,
                measures=measures,
                evaluation=self.weighted((("satisfied", 9), ("fair", 1))),
            )
        for category, description, unit, measures in UNRESOLVABLE_ISSUES:
            received = self.date_between(dt.date(YEAR, 5, 8), dt.date(YEAR, 8, 30))
            closed = received + dt.timedelta(days=rng.randint(10, 30))
            self.add_issue(
                rng.choice(firms),
                category,
                description,
                unit,
                received,
                30,
                state="unresolvable",
                resolved_on=closed,
                measures=measures,
                evaluation="fair",
            )
        # Still open at year end: the first two past their deadline (超期), the rest due in 2024.
        for index, (category, description, unit) in enumerate(OPEN_ISSUES):
            if index < 2:
                received = self.date_between(dt.date(YEAR, 9, 4), dt.date(YEAR, 10, 27))
                limit = rng.randint(15, 30)
            else:
                received = self.date_between(dt.date(YEAR, 12, 1), dt.date(YEAR, 12, 20))
                limit = rng.randint(30, 60)
            firm = rng.choice(projects if category == "project" else firms)
            self.add_issue(
                firm,
                category,
                description.format(n=20),
                unit,
                received,
                limit,
                state="in_progress" if index % 3 else "open",
                resolved_on=None,
                measures=None,
                evaluation=None,
            )

    def add_issue(
        self,
        firm: Row,
        category: str,
        description: str,
        unit: str,
        received: dt.date,
        limit: int,
        **fields: Any,
    ) -> None:
        rng = self.rng
        entered = self.entered(received)
        row = self.add(
            m.EnterpriseIssue,
            entered,
            enterprise=firm["id"],
            received_on=received,
            source=self.weighted((("visit", 5), ("forum", 2), ("phone", 2), ("walk_in", 1))),
            category=category,
            description=description,
            responsible_unit=unit,
            responsible_person=self.any_name(),
            deadline=received + dt.timedelta(days=limit),
            **fields,
        )
        if row["resolved_on"] is not None:
            row["updated_at"] = max(entered, self.entered(row["resolved_on"]))
        elif row["state"] == "in_progress":
            row["updated_at"] = entered + dt.timedelta(days=rng.randint(1, 5))

    # ----------------------------------------------------------------- 三会一课

    def build_activities(self) -> None:
        rng = self.rng
        skip_meeting = {
            b["id"]: q for b, q in zip(rng.sample(self.standalone, 2), (2, 3), strict=True)
        }
        skip_theme = rng.choice([b for b in self.standalone if b["id"] not in skip_meeting])
        for branch in self.all_branches():
            start = max(YEAR_START, branch["founded_on"])
            founding = branch["founded_on"] >= YEAR_START
            for quarter in range(_quarter(start), 5):
                first = max(start, dt.date(YEAR, quarter * 3 - 2, 1))
                if quarter == 4:  # the fourth quarter's topics are the October speech
                    first = max(first, AFTER_VISIT)
                last = _month_end(YEAR, quarter * 3)
                day = self.date_between(first, last - dt.timedelta(days=3))
                self.add_activity(branch, "party_lesson", day, LESSON_TOPICS[quarter])
                if skip_meeting.get(branch["id"]) == quarter:
                    continue  # deliberately missed: the compliance check should notice
                if founding and quarter == _quarter(start):
                    self.add_activity(branch, "general_meeting", start, FOUNDING_MEETING_TOPIC)
                else:
                    day = self.date_between(first, last - dt.timedelta(days=5))
                    topic = GENERAL_MEETING_TOPICS[quarter]
                    self.add_activity(branch, "general_meeting", day, topic)
            for month in range(start.month, 13):
                first = max(start, dt.date(YEAR, month, 1))
                last = _month_end(YEAR, month)
                if not (branch is skip_theme and month in (7, 8)):
                    day = self.date_between(max(first, AFTER_VISIT) if month == 10 else first, last)
                    self.add_activity(branch, "theme_day", day, THEME_DAY_TOPICS[month])
                if branch["has_committee"]:
                    self.add_activity(
                        branch,
                        "committee_meeting",
                        self.date_between(first, last),
                        f"研究部署{month}月份支部工作",
                    )
                if branch["has_groups"]:
                    self.add_activity(
                        branch,
                        "group_meeting",
                        self.date_between(first, last),
                        f"党小组学习：{rng.choice(GROUP_TOPICS)}",
                    )
            self.add_activity(
                branch,
                "life_meeting",
                self.date_between(dt.date(YEAR, 12, 11), dt.date(YEAR, 12, 22)),
                "2023年度组织生活会",
            )
            self.add_activity(
                branch,
                "review",
                self.date_between(dt.date(YEAR, 12, 23), dt.date(YEAR, 12, 29)),
                "2023年度民主评议党员",
            )

    def add_activity(self, branch: Row, kind: str, day: dt.date, topic: str) -> None:
        rng = self.rng
        host = self.post_holder(branch, "书记")
        recorder = self.post_holder(branch, "组织委员", "宣传委员")
        assert host is not None
        if kind in ("general_meeting", "theme_day", "life_meeting", "review"):
            invited = self.party(branch, day)
        elif kind == "committee_meeting":
            invited = [p for p in self.party(branch, day) if p["party_post"]]
        else:
            invited = []
        statuses = []
        for person in invited:
            if person["party_post"] == "书记":
                statuses.append("present")
            elif person["status"] == "mobile":
                statuses.append("leave" if rng.random() < 0.8 else "absent")
            else:
                statuses.append(self.weighted((("present", 90), ("leave", 7), ("absent", 3))))
        body = f"{host['name']}主持，围绕“{topic}”进行学习讨论"
        if invited:
            present = statuses.count("present")
            body = (
                f"应到{len(invited)}人，实到{present}人，请假{statuses.count('leave')}人，"
                f"缺席{statuses.count('absent')}人。{body}"
            )
        activity = self.add(
            m.Activity,
            self.entered(day),
            branch=branch["id"],
            kind=kind,
            date=day,
            topic=topic,
            place=self.branch_place(branch),
            host=host["name"],
            recorder=(recorder or host)["name"],
            minutes=body + "。",
            resolutions="会议一致同意会议议题"
            if kind in ("general_meeting", "committee_meeting")
            else None,
        )
        for person, status in zip(invited, statuses, strict=True):
            self.add(
                m.ActivityAttendee,
                activity["created_at"],
                activity=activity["id"],
                member=person["id"],
                status=status,
                note=person["note"]
                if status != "present" and person["status"] == "mobile"
                else None,
            )

    # ----------------------------------------------------------------- writing

    def write(self, database: pw.Database) -> dict[str, int]:
        counts: dict[str, int] = {}
        for model in (
            m.Branch,
            m.Enterprise,
            m.Member,
            m.Training,
            m.Attendance,
            m.Team,
            m.TeamMember,
            m.Service,
            m.ServiceParticipant,
            m.EnterpriseIssue,
            m.Activity,
            m.ActivityAttendee,
        ):
            rows = self.rows[model]
            fields = list(model._meta.sorted_field_names)
            batch = max(1, BATCH_VARIABLES // len(fields))
            for start in range(0, len(rows), batch):
                chunk = [{f: row.get(f) for f in fields} for row in rows[start : start + batch]]
                model.insert_many(chunk).execute()
            counts[model._meta.table_name] = len(rows)
        if isinstance(database, pw.PostgresqlDatabase):
            # Ids were given explicitly: move each sequence past them for later inserts.
            for model in m.LEDGER_MODELS:
                table = model._meta.table_name
                database.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
                )
        return counts


def build_demo(database: pw.Database, *, seed: int = 2023) -> dict[str, int]:
    """Fill an empty partybuild database with the park's 2023 ledger; return rows per table.

    Deterministic for a seed; written in one transaction, so a failure leaves nothing behind.
    """
    with database.bind_ctx(m.ALL_MODELS, bind_refs=False, bind_backrefs=False):
        if any(model.select().exists() for model in m.LEDGER_MODELS):
            raise ValueError("数据库不是空的（已有台账记录），演示数据只能写入新建的空数据库")
        demo = _Demo(seed)
        demo.build_registry()
        demo.build_trainings()
        demo.build_teams()
        demo.build_services()
        demo.build_issues()
        demo.build_activities()
        demo_recruitment.add_pipeline(demo, seed)  # 发展党员 and 换届, from its own generator
        with database.atomic():
            counts = demo.write(database)
            counts["dues"] = build_demo_dues(demo.rows[m.Member], YEAR, seed)  # 党费 (issue 14)
            from partybuild.services import audit

            audit.log(
                "import",
                None,
                None,
                "演示台账",
                note=f"载入 2023 年演示台账（{sum(counts.values())} 条记录，人员和证件号码均为虚构）",
            )
            return counts
