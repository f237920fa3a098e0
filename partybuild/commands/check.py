"""``partybuild check --year Y [--json]``: the compliance reminders and setup warnings.

Reminders are content, not errors: the exit code is 0 whatever they say (DESIGN.md exit codes).
"""

from __future__ import annotations

import argparse

from partybuild.cli import EXIT_OK, open_db, terminal_json, terminal_text
from partybuild.services import recruitment
from partybuild.services.compliance import ComplianceReport, check_year


def format_text(report: ComplianceReport, dues: list[dict] | None = None) -> str:
    """The report as a few grouped lists of Chinese lines, for the terminal."""
    dues = dues or []
    data = report.to_dict()
    due = data["due"]
    when = f"{report.as_of.year}年{report.as_of.month}月{report.as_of.day}日"
    rate = f"{due['held'] / due['total'] * 100:.1f}%" if due["total"] else "—"
    lines = [
        f"{report.year}年三会一课落实情况（统计截至{when}）：应开展 {due['total']} 次，"
        f"已开展 {due['held']} 次，未开展 {due['missing']} 次，落实率 {rate}",
    ]
    groups = (
        ("应开展未开展的组织生活", [d.message() for d in report.reminders]),
        ("未达到法定人数的支部党员大会", [q.message() for q in report.quorum_flags]),
        ("组织设置提醒", [w.message for w in report.setup_warnings]),
        ("超过办结时限的企业诉求", [i.message() for i in report.overdue_issues]),
        *recruitment.check_text(report.as_of),
        ("欠交党费", [item["message"] for item in dues]),
    )
    for title, items in groups:
        lines.append(f"\n{title}（{len(items)} 项）：")
        lines.extend(f"  - {item}" for item in items)
        if not items:
            lines.append("  无")
    if report.resolve_by_category:
        lines.append("\n企业诉求办结用时（按类别，天）：")
        lines.extend(
            f"  - {r.label}：{r.count} 件，平均 {r.average_days:g}，中位 {r.median_days:g}"
            for r in report.resolve_by_category
        )
    if report.resolve_by_unit:
        lines.append("\n企业诉求办结用时（按责任单位，天）：")
        lines.extend(
            f"  - {r.label}：{r.count} 件，平均 {r.average_days:g}，中位 {r.median_days:g}"
            for r in report.resolve_by_unit
        )
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> int:
    open_db(args)
    try:
        report = check_year(args.year)
        recruitment.load_rules()  # the 发展党员 rules are read the same way: refused if unreadable
    except ValueError as exc:  # the stored rules could not be understood
        from partybuild.cli import EXIT_INVALID, CliError

        raise CliError(str(exc), EXIT_INVALID) from exc
    from partybuild.services import dues

    arrears = dues.check_items(args.year)  # 党费: members in arrears, the 6-month warning
    if args.json:
        print(
            terminal_json(
                {**report.to_dict(), **recruitment.check_lists(report.as_of), "dues": arrears}
            )
        )
    else:
        print(terminal_text(format_text(report, arrears), newlines=True))
    return EXIT_OK
