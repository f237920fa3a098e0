"""The command line: the GUI by default, headless subcommands for tests and other tools.

Exit codes (DESIGN.md): 0 success; 1 the input had invalid content (the message says where);
2 an unusable file, database or argument. Errors go to stderr as one line of Chinese.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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


def _open(args: argparse.Namespace, *, create: bool = False):  # noqa: ANN202 - a peewee database
    from partybuild.store.database import DatabaseRefused, open_database

    try:
        return open_database(getattr(args, "db", None), create=create)
    except DatabaseRefused as exc:
        raise CliError(str(exc)) from exc


# --------------------------------------------------------------------------- subcommands


def cmd_demo(args: argparse.Namespace) -> int:
    from partybuild.services.demo import build_demo

    database = _open(args, create=True)
    try:
        counts = build_demo(database)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    total = sum(counts.values())
    print(f"已生成演示台账（2023 年，{total} 条记录）：{database.partybuild_location.display()}")
    return EXIT_OK


def _find_branch(name: str):  # noqa: ANN202
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

    _open(args)
    branch = _find_branch(args.branch) if args.branch else None
    year = args.year or dt.date.today().year
    start = args.date_from or dt.date(year, 1, 1)
    end = args.date_to or dt.date(year, 12, 31)
    if end < start:
        raise CliError(f"结束日期 {end} 早于开始日期 {start}")
    period = stats.Period(start, end)
    figures = {"year": year, **stats.compute(period, branch)}
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, sort_keys=False))
    else:
        print(stats.format_text(figures))
    return EXIT_OK


def cmd_screenshot(args: argparse.Namespace) -> int:
    from pathlib import Path

    from partybuild.ui.screenshot import take_screenshot

    _open(args)
    try:
        take_screenshot(args.page, Path(args.output))
    except OSError as exc:
        raise CliError(str(exc)) from exc
    print(args.output)
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    from partybuild.ui.app import run

    return run(getattr(args, "db", None))


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
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
    parser.add_argument("--version", action="version", version=f"partybuild {__version__}")
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
    shot.set_defaults(func=cmd_screenshot)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = getattr(args, "func", cmd_gui)
    try:
        return func(args)
    except CliError as exc:
        print(f"partybuild: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    finally:
        from partybuild.store.database import close_database

        close_database()


if __name__ == "__main__":
    sys.exit(main())
