"""The command line: the GUI by default, headless subcommands for tests and other tools.

Exit codes (DESIGN.md): 0 success; 1 the input had invalid content (the message says where);
2 an unusable file, database or argument. Errors go to stderr as one line of Chinese.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Sequence

from partybuild import APP_NAME, __version__

EXIT_OK, EXIT_INVALID, EXIT_UNUSABLE = 0, 1, 2


class CliError(Exception):
    """A failure with an exit code and a message for stderr."""

    def __init__(self, message: str, code: int = EXIT_UNUSABLE) -> None:
        super().__init__(message)
        self.code = code


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD：{text}") from None


def _year(text: str) -> int:
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"年度应为四位数字：{text}")
    return int(text)


def open_db(args: argparse.Namespace, *, create: bool = False):  # noqa: ANN202 - a peewee database
    from partybuild.store.database import DatabaseRefused, open_database

    try:
        database = open_database(getattr(args, "db", None), create=create)
    except DatabaseRefused as exc:
        raise CliError(str(exc)) from exc
    for note in getattr(database, "partybuild_notes", ()):
        print(f"partybuild: 注意：{note}", file=sys.stderr)
    return database


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROL_KEEP_NEWLINE = {c: v for c, v in _CONTROL.items() if c != 0x0A}
# What terminal_json escapes: DEL and the C1 controls, and lone surrogates.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff]")


def terminal_text(text: object, *, newlines: bool = False) -> str:
    """Text from the user's data made safe for a terminal: C0/C1 control characters (ESC, BEL…)
    and lone surrogates are shown escaped (\\x1b, \\ud800) instead of acting on the terminal."""
    value = str(text).translate(_CONTROL_KEEP_NEWLINE if newlines else _CONTROL)
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        value = "".join(f"\\u{ord(ch):04x}" if "\ud800" <= ch <= "\udfff" else ch for ch in value)
    return value


def terminal_json(value: object) -> str:
    """``json.dumps(ensure_ascii=False)`` with C1 controls and lone surrogates written as \\u
    escapes too (JSON already escapes C0): the same JSON value, safe to print."""
    text = json.dumps(value, ensure_ascii=False)
    # One regular-expression pass, not a Python loop per character: ``check --json`` at
    # 200,000 members prints megabytes.
    return _JSON_UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _os_error_line(exc: OSError) -> str:
    import errno

    reasons = {
        errno.ENOSPC: "磁盘空间已满",
        errno.EDQUOT: "磁盘配额已满",
        errno.EFBIG: "文件超过了允许的大小",
        errno.EACCES: "没有权限",
        errno.EPERM: "没有权限",
        errno.EROFS: "所在的文件系统是只读的",
        errno.ENOENT: "文件或文件夹不存在",
        errno.EISDIR: "这是一个文件夹",
        errno.ENOTDIR: "路径中有一段不是文件夹",
    }
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    where = f"“{exc.filename}”" if exc.filename else ""
    return f"无法读写{where}：{reason}，操作未完成"


# --------------------------------------------------------------------------- subcommands


def cmd_demo(args: argparse.Namespace) -> int:
    from partybuild.services.demo import build_demo

    database = open_db(args, create=True)
    try:
        counts = build_demo(database)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    total = sum(counts.values())
    print(f"已生成演示台账（2023 年，{total} 条记录）：{database.partybuild_location.display()}")
    return EXIT_OK


def find_branch(name: str):  # noqa: ANN202
    from partybuild.store import models as m

    exact = list(m.Branch.select().where(m.Branch.name == name, m.Branch.deleted == False))  # noqa: E712
    if exact:
        return exact[0]
    like = list(
        m.Branch.select().where(m.Branch.name.contains(name), m.Branch.deleted == False)  # noqa: E712
    )
    if len(like) == 1:
        return like[0]
    if not like:
        raise CliError(f"没有名为“{name}”的党组织", EXIT_INVALID)
    names = "、".join(b.name for b in like)
    raise CliError(f"“{name}”对应多个党组织：{names}，请写全名", EXIT_INVALID)


def cmd_stats(args: argparse.Namespace) -> int:
    from partybuild.services import stats

    open_db(args)
    branch = find_branch(args.branch) if args.branch else None
    year = args.year or dt.date.today().year
    start = args.date_from or dt.date(year, 1, 1)
    end = args.date_to or dt.date(year, 12, 31)
    if end < start:
        raise CliError(f"结束日期 {end} 早于开始日期 {start}")
    period = stats.Period(start, end)
    figures = {"year": year, **stats.compute(period, branch)}
    if args.json:
        print(terminal_json(figures))
    else:
        print(terminal_text(stats.format_text(figures), newlines=True))
    return EXIT_OK


#: The smallest and largest window a screenshot may ask for (the window's minimum, an 8K screen).
SCREENSHOT_MIN, SCREENSHOT_MAX = (800, 560), (7680, 4320)


def _window_size(text: str) -> tuple[int, int]:
    """``--size 1024x700`` (x, X, × or *): a window size within sensible bounds."""
    import re

    found = re.fullmatch(r"\s*(\d{1,5})\s*[xX×*]\s*(\d{1,5})\s*", text)
    if found is None:
        raise argparse.ArgumentTypeError(f"窗口大小应写作 宽x高，例如 1440x900：{text}")
    size = (int(found[1]), int(found[2]))
    if not all(
        lo <= n <= hi for n, lo, hi in zip(size, SCREENSHOT_MIN, SCREENSHOT_MAX, strict=True)
    ):
        raise argparse.ArgumentTypeError(
            f"窗口大小应在 {SCREENSHOT_MIN[0]}x{SCREENSHOT_MIN[1]} 到 "
            f"{SCREENSHOT_MAX[0]}x{SCREENSHOT_MAX[1]} 之间：{text}"
        )
    return size


def cmd_screenshot(args: argparse.Namespace) -> int:
    from pathlib import Path

    from partybuild.ui.screenshot import take_screenshot

    open_db(args)
    try:
        take_screenshot(args.page, Path(args.output), args.size)
    except OSError as exc:
        raise CliError(str(exc)) from exc
    print(args.output)
    return EXIT_OK


#: ``--order`` of printed lists and the member export (partybuild.domain.collation.NAME_ORDERS).
ORDER_CHOICES = ("stroke", "pinyin", "entry")
ORDER_HELP = (
    "姓名排序：stroke 姓氏笔画、pinyin 拼音、entry 录入顺序（默认取数据库中的设置，初始为姓氏笔画）"
)


def _delegate(module: str, function: str) -> Callable[[argparse.Namespace], int]:
    """A subcommand implemented in ``partybuild.commands.<module>`` (imported only when run)."""

    def run(args: argparse.Namespace) -> int:
        import importlib

        try:
            target = importlib.import_module(f"partybuild.commands.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"partybuild.commands.{module}":
                raise
            raise CliError(f"“{args.command}”功能尚未提供") from exc
        return int(getattr(target, function)(args))

    return run


def cmd_gui(args: argparse.Namespace) -> int:
    from partybuild.ui.app import end_process, run

    code = run(getattr(args, "db", None))
    end_process(code)  # a prompt quit (ui/app.py); does not return
    return code


# --------------------------------------------------------------------------- parser


# argparse's own words (headings, -h, its error lines) in Chinese. argparse looks them up through
# gettext's ``_``/``ngettext`` bound in its module; words without a translation here fall back to
# the originals, so a newer Python's new message is English rather than missing.
ARGPARSE_WORDS = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选 %(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "ignored explicit argument %r": "忽略了多余的值 %r",
}


def _argparse_gettext(message: str) -> str:
    return ARGPARSE_WORDS.get(message, message)


def _argparse_ngettext(singular: str, plural: str, n: int) -> str:
    return _argparse_gettext(singular if n == 1 else plural)


def build_parser() -> argparse.ArgumentParser:
    argparse._ = _argparse_gettext  # type: ignore[attr-defined]
    argparse.ngettext = _argparse_ngettext  # type: ignore[attr-defined]
    db_parent = argparse.ArgumentParser(add_help=False)
    db_parent.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=argparse.SUPPRESS,
        help="数据库：SQLite 文件路径或 postgresql:// 地址（默认取 PARTYBUILD_DB 或用户数据目录）",
    )
    parser = argparse.ArgumentParser(
        prog="partybuild",
        description=f"{APP_NAME}：园区非公党建台账。不带子命令时打开图形界面。",
        parents=[db_parent],
    )
    parser.add_argument(
        "--version", action="version", version=f"partybuild {__version__}", help="显示版本号并退出"
    )
    sub = parser.add_subparsers(dest="command", metavar="子命令")

    demo = sub.add_parser(
        "demo",
        parents=[db_parent],
        help="在空数据库中生成 2023 年演示台账",
        description="按园区 2023 年工作总结生成演示台账（姓名、身份证号均为虚构）。",
    )
    demo.set_defaults(func=cmd_demo)

    st = sub.add_parser(
        "stats",
        parents=[db_parent],
        help="统计年度党建工作数据",
        description="统计党组织、党员、培训、志愿服务、企业诉求等年度数据。",
    )
    st.add_argument("--year", type=_year, help="年度（默认今年）")
    st.add_argument("--branch", metavar="NAME", help="只统计某个党组织")
    st.add_argument(
        "--from", dest="date_from", type=_date, metavar="DATE", help="起始日期 YYYY-MM-DD"
    )
    st.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="截止日期 YYYY-MM-DD")
    st.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    st.set_defaults(func=cmd_stats)

    from partybuild.ui.screenshot import PAGE_NAMES

    shot = sub.add_parser(
        "screenshot",
        parents=[db_parent],
        help="离屏渲染主窗口某一页并保存为 PNG",
        description="不需要显示器：渲染主窗口的指定页面并保存为 PNG 图片。",
    )
    shot.add_argument("--page", required=True, choices=PAGE_NAMES, help="页面名称")
    shot.add_argument("-o", "--output", required=True, metavar="FILE.png", help="输出文件")
    shot.add_argument(
        "--size",
        type=_window_size,
        default=(1440, 900),
        metavar="WxH",
        help="窗口大小，宽x高像素（默认 1440x900）",
    )
    shot.set_defaults(func=cmd_screenshot)

    ledgers = [
        "branches",
        "enterprises",
        "members",
        "activities",
        "trainings",
        "attendance",
        "teams",
        "services",
        "issues",
        "recruitment",
        "dues",
    ]
    imp = sub.add_parser(
        "import",
        parents=[db_parent],
        help="导入 Excel 台账（先预检，全部成功才写入）",
        description="导入 .xlsx 台账：逐行预检，默认有错误行则一行也不写入。",
    )
    imp.add_argument("file", metavar="FILE", help="Excel 文件（.xlsx）")
    imp.add_argument("--ledger", choices=ledgers, help="只导入某个台账（默认按工作表识别）")
    imp.add_argument("--dry-run", action="store_true", help="只预检，不写入")
    imp.add_argument("--skip-invalid", action="store_true", help="跳过错误行，导入其余行")
    imp.add_argument("--errors", metavar="OUT.xlsx", help="把错误行及错误原因写入此文件")
    imp.add_argument(
        "--map",
        dest="mapping",
        action="append",
        metavar="A=B,...",
        help=(
            "指定列的对应，逗号分隔，可写多次："
            "“文件列=字段”把文件的某列导入为某字段（如 党籍状态=类别）；"
            "“文件列=不导入”忽略某列（如 人员类别=不导入）；"
            "“字段=值”文件没有该列时每行都取此值（如 类别=正式党员）。"
            '例：--map "人员类别=不导入,党籍状态=类别"'
        ),
    )
    imp.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    imp.set_defaults(func=_delegate("excel", "run_import"))

    exp = sub.add_parser(
        "export",
        parents=[db_parent],
        help="导出 Excel 台账",
        description="导出一个台账或全部台账（每个台账一个工作表）。",
    )
    exp.add_argument("--ledger", choices=[*ledgers, "all"], default="all", help="台账（默认 all）")
    exp.add_argument(
        "--mask", action="store_true", help="脱敏：身份证号、电话只留首尾几位，出生日期只留年份"
    )
    exp.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="输出文件")
    exp.add_argument("--order", choices=ORDER_CHOICES, help="党员表的" + ORDER_HELP)
    exp.set_defaults(func=_delegate("excel", "run_export"))

    tpl = sub.add_parser(
        "template",
        parents=[db_parent],
        help="生成空白导入模板",
        description="生成某个台账的空白 Excel 模板（含表头、示例行和下拉选项）。",
    )
    tpl.add_argument("--ledger", choices=ledgers, required=True, help="台账")
    tpl.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="输出文件")
    tpl.set_defaults(func=_delegate("excel", "run_template"))

    prt = sub.add_parser(
        "print",
        help="打印签到表、签到汇总和党员花名册（输出 PDF）",
        description="生成签到表、签到汇总或花名册的 PDF。",
    )
    prt_sub = prt.add_subparsers(dest="document", metavar="文档", required=True)
    signin = prt_sub.add_parser("signin", parents=[db_parent], help="签到表")
    which = signin.add_mutually_exclusive_group(required=True)
    which.add_argument("--training", metavar="ID_OR_NAME", help="培训编号或名称")
    which.add_argument("--activity", metavar="ID", help="组织生活编号")
    signin.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    summary = prt_sub.add_parser("summary", parents=[db_parent], help="签到汇总")
    summary.add_argument("--training", required=True, metavar="ID_OR_NAME", help="培训编号或名称")
    summary.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    roster = prt_sub.add_parser("roster", parents=[db_parent], help="党员花名册")
    roster.add_argument("--branch", required=True, metavar="NAME", help="党组织名称")
    roster.add_argument("--unmasked", action="store_true", help="显示完整身份证号、电话和出生日期")
    roster.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    for document in (signin, summary, roster):
        document.add_argument("--order", choices=ORDER_CHOICES, help=ORDER_HELP)
    pipeline = prt_sub.add_parser("recruitment", parents=[db_parent], help="发展党员工作台账")
    pipeline.add_argument("--branch", metavar="NAME", help="党组织名称（默认全部）")
    pipeline.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    record = prt_sub.add_parser("record", parents=[db_parent], help="发展党员纪实表")
    record.add_argument("--member", required=True, metavar="ID_OR_NAME", help="人员编号或姓名")
    record.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    # 党费 (issue 14): the 公示表 of a month or quarter, the yearly 台账.
    dues_print = prt_sub.add_parser(
        "dues", parents=[db_parent], help="党费收缴公示表（月度或季度）或全年党费收缴台账"
    )
    dues_print.add_argument("--branch", required=True, metavar="NAME", help="党组织名称")
    dues_when = dues_print.add_mutually_exclusive_group(required=True)
    dues_when.add_argument("--month", metavar="YYYY-MM", help="某月的公示表")
    dues_when.add_argument("--quarter", metavar="YYYY-Qn", help="某季度的公示表（如 2023-Q2）")
    dues_when.add_argument("--year", type=_year, metavar="YYYY", help="全年党费收缴台账")
    dues_print.add_argument("--order", choices=ORDER_CHOICES, help=ORDER_HELP)
    dues_print.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    prt.set_defaults(func=_delegate("printing", "run_print"))

    rep = sub.add_parser(
        "report",
        parents=[db_parent],
        help="生成年度党建工作总结（PDF 或 Excel）",
        description="按台账数据生成年度党建工作总结：文字部分和分支部统计表。",
    )
    rep.add_argument("--year", type=_year, required=True, help="年度")
    rep.add_argument("-o", "--output", required=True, metavar="FILE.pdf|FILE.xlsx")
    rep.set_defaults(func=_delegate("report", "run_report"))

    chk = sub.add_parser(
        "check",
        parents=[db_parent],
        help="检查三会一课落实情况和组织设置",
        description="列出应开未开的会议、组织设置提醒和超期的企业诉求（有提醒也返回 0）。",
    )
    chk.add_argument("--year", type=_year, required=True, help="年度")
    chk.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    chk.set_defaults(func=_delegate("check", "run_check"))

    # 党费 (issue 14): the calculator and the park's rules.
    dues = sub.add_parser(
        "dues",
        help="党费计算器和党费规则",
        description="按《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）计算党费。",
    )
    dues_sub = dues.add_subparsers(dest="action", metavar="操作", required=True)
    calc = dues_sub.add_parser(
        "calc", parents=[db_parent], help="计算每月应交党费（按数据库中的党费规则）"
    )
    calc.add_argument("--base", required=True, metavar="AMOUNT", help="缴费基数（税后月工资，元）")
    calc.add_argument(
        "--kind",
        default="working",
        choices=("working", "retired", "student", "unemployed", "relief", "farmer"),
        help="缴费类别：在职 working、离退休 retired、学生 student、下岗失业 unemployed、"
        "低保救济 relief、农民 farmer（默认 working）",
    )
    calc.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    dues_rules = dues_sub.add_parser("rules", parents=[db_parent], help="显示党费规则及其依据")
    dues_rules.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    dues.set_defaults(func=_delegate("dues", "run_dues"))

    bak = sub.add_parser(
        "backup",
        parents=[db_parent],
        help="备份数据库",
        description="用 SQLite 在线备份把当前数据库复制到一个文件。",
    )
    bak.add_argument("-o", "--output", required=True, metavar="FILE")
    bak.set_defaults(func=_delegate("backup", "run_backup"))

    rst = sub.add_parser(
        "restore",
        parents=[db_parent],
        help="从备份恢复数据库",
        description="检查备份文件后，先备份当前数据库，再用备份替换它。",
    )
    rst.add_argument("file", metavar="FILE", help="备份文件")
    rst.set_defaults(func=_delegate("backup", "run_restore"))

    from partybuild.commands import admin

    admin.add_parser(sub, db_parent)

    # 附件, Word records and the inspection pack (issue 16)
    from partybuild.commands.attach import add_owner_options

    att = sub.add_parser(
        "attach",
        help="附件：添加、列出、取出记录的照片和扫描件",
        description="给组织生活、培训、志愿服务活动、企业诉求添加附件（照片、PDF、Word、Excel、签字签到表），附件保存在数据库中。",
    )
    att_sub = att.add_subparsers(dest="action", metavar="操作", required=True)
    att_add = att_sub.add_parser("add", parents=[db_parent], help="添加附件（全部成功才写入）")
    add_owner_options(att_add)
    att_add.add_argument(
        "--signed-sheet", action="store_true", help="这些文件是签字后的签到表扫描件"
    )
    att_add.add_argument("files", nargs="+", metavar="FILE", help="要添加的文件")
    att_list = att_sub.add_parser("list", parents=[db_parent], help="列出记录的附件")
    add_owner_options(att_list)
    att_list.add_argument("--json", action="store_true", help="输出 JSON（每个附件一个对象）")
    att_get = att_sub.add_parser("get", parents=[db_parent], help="取出一个附件")
    att_get.add_argument("id", metavar="ID", type=int, help="附件编号")
    att_get.add_argument("-o", "--output", required=True, metavar="FILE", help="保存到此文件")
    att_get.add_argument(
        "--keep-location", action="store_true", help="保留照片的拍摄位置和设备信息（默认去除）"
    )
    att_set = att_sub.add_parser(
        "settings", parents=[db_parent], help="查看或修改附件的大小上限和照片位置信息设置"
    )
    att_set.add_argument(
        "--max-file-mb", type=int, metavar="N", help="每个附件的上限（MB，默认 20）"
    )
    att_set.add_argument(
        "--max-record-mb", type=int, metavar="N", help="每条记录附件合计的上限（MB，默认 200）"
    )
    att_set.add_argument(
        "--keep-location",
        choices=["yes", "no"],
        help="另存和导出照片时是否保留拍摄位置和设备信息（默认 no：去除）",
    )
    att.set_defaults(func=_delegate("attach", "run_attach"))

    rec = sub.add_parser(
        "record",
        parents=[db_parent],
        help="生成一条记录的 Word 文档（党支部工作记录等）",
        description="把组织生活（党支部工作记录）、培训或志愿服务活动写成 A4 的 Word 文档，含活动照片。",
    )
    add_owner_options(rec, members=False, issues=False)
    rec.add_argument("-o", "--output", required=True, metavar="FILE.docx", help="输出文件")
    rec.set_defaults(func=_delegate("record", "run_record"))

    pck = sub.add_parser(
        "pack",
        parents=[db_parent],
        help="导出一个党组织一年的台账资料（迎检资料包 .zip）",
        description="按台账和月份整理一个党组织全年的工作记录（Word）、签到表（PDF）、附件、花名册、年度总结和资料索引，写成一个 zip 文件。",
    )
    pck.add_argument("--branch", required=True, metavar="NAME", help="党组织名称")
    pck.add_argument("--year", type=_year, required=True, help="年度")
    pck.add_argument("--unmasked", action="store_true", help="花名册显示完整身份证号和电话")
    pck.add_argument("-o", "--output", required=True, metavar="FILE.zip", help="输出文件")
    pck.set_defaults(func=_delegate("pack", "run_pack"))
    return parser


def quiet_libraries() -> None:
    """peewee logs every SQL statement with its parameters at DEBUG — ID numbers and phones
    included. Keep it at WARNING whatever the root logger is set to: no personal data in logs."""
    import logging

    logging.getLogger("peewee").setLevel(logging.WARNING)


def storage_failure(exc: BaseException) -> str | None:
    """One line for a database or file failure that reached the top; None for anything else."""
    import sqlite3

    import peewee as pw

    from partybuild.services.errors import storage_kind, storage_message
    from partybuild.store.database import current_location

    if isinstance(exc, (pw.PeeweeException, sqlite3.Error)):
        if storage_kind(exc) is None:
            return None
        return storage_message(exc, current_location())
    if isinstance(exc, OSError):
        return _os_error_line(exc)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    quiet_libraries()
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = getattr(args, "func", cmd_gui)
    try:
        return func(args)
    except CliError as exc:
        print(f"partybuild: {terminal_text(exc)}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `partybuild check | head`: the reader left; that is not an error of ours.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        line = storage_failure(exc)
        if line is None:
            raise  # a genuine bug: keep its traceback
        print(f"partybuild: {line}", file=sys.stderr)
        return EXIT_UNUSABLE
    finally:
        from partybuild.store.database import close_database

        close_database()


if __name__ == "__main__":
    sys.exit(main())
