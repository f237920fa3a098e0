"""``partybuild print signin|summary|roster … -o FILE.pdf``: printouts without a display.

The document's content is gathered first (an unknown or ambiguous training, activity or branch
stops here with exit 1 and names it), then a ``QGuiApplication`` is created — offscreen unless the
caller chose a platform — and the same :func:`~partybuild.printing.render.render` the app's print
preview uses writes the PDF.
"""

from __future__ import annotations

import argparse
import os
import sys

from partybuild.cli import EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE, CliError, find_branch, open_db
from partybuild.commands import output_target
from partybuild.printing import data
from partybuild.printing.layout import Document
from partybuild.services.errors import RecordNotFound, ValidationError


def find_training(text: str):  # noqa: ANN201 - a Training
    """The one training ``text`` names (id or name); exit 1 naming it, or listing the matches."""
    found = data.find_trainings(text)
    if not found:
        what = (
            f"编号为 {text.strip()} 或名为“{text}”" if text.strip().isdigit() else f"名为“{text}”"
        )
        raise CliError(f"没有{what}的培训", EXIT_INVALID)
    if len(found) > 1:
        listed = "、".join(f"{t.name}（{t.start_date.isoformat()}，编号 {t.id}）" for t in found)
        raise CliError(f"“{text}”对应多个培训：{listed}，请写全名或编号", EXIT_INVALID)
    return found[0]


def _activity_id(text: str) -> int:
    if not text.strip().isdigit():
        raise CliError(f"组织生活编号应为整数：{text}", EXIT_UNUSABLE)
    return int(text)


def build_document(args: argparse.Namespace) -> Document:
    """The document the arguments ask for, read from the open database."""
    order = getattr(args, "order", None)  # None: the database's default (services.name_order)
    try:
        if args.document == "signin" and getattr(args, "activity", None) is not None:
            activity_id = _activity_id(args.activity)
            try:
                return data.activity_signin(activity_id, order)
            except RecordNotFound:
                raise CliError(f"没有编号为 {activity_id} 的组织生活", EXIT_INVALID) from None
        if args.document in ("signin", "summary"):
            training = find_training(args.training)
            if args.document == "signin":
                return data.training_signin(training.id, order)
            return data.training_summary(training.id, order)
        if args.document == "dues":
            return dues_document(args)
        if args.document == "roster":
            branch = find_branch(args.branch)
            return data.branch_roster(branch.id, unmasked=args.unmasked, order=order)
        if args.document in ("recruitment", "record"):
            from partybuild.printing import recruitment

            if args.document == "record":
                return recruitment.recruitment_record(recruitment.find_person(args.member))
            branch_id = find_branch(args.branch).id if args.branch else None
            return recruitment.recruitment_ledger(branch_id)
    except (RecordNotFound, ValidationError) as exc:
        raise CliError(str(exc), EXIT_INVALID) from exc
    raise CliError(f"未知的打印文档：{args.document}")


def _month_arg(text: str, flag: str) -> tuple[int, int]:
    import re

    found = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise CliError(f"{flag} 应写成 YYYY-MM：{text}", EXIT_UNUSABLE)
    return int(found.group(1)), int(found.group(2))


def dues_document(args: argparse.Namespace) -> Document:
    """党费收缴公示表 (--month, --quarter) or the yearly 台账 (--year) of a branch."""
    import re

    from partybuild.domain.dates import PartialDate
    from partybuild.printing import dues as dues_print

    branch = find_branch(args.branch)
    if args.year is not None:
        return dues_print.yearly_ledger(branch.id, args.year, order=args.order)
    if args.quarter is not None:
        found = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", args.quarter.strip())
        if not found:
            raise CliError(f"--quarter 应写成 YYYY-Qn（如 2023-Q2）：{args.quarter}", EXIT_UNUSABLE)
        year, quarter = int(found.group(1)), int(found.group(2))
        first, last = dues_print.quarter_of(PartialDate(year, quarter * 3))
        return dues_print.notice(branch.id, first, last, order=args.order)
    year, month = _month_arg(args.month, "--month")
    return dues_print.notice(branch.id, PartialDate(year, month), order=args.order)


# The application created here; kept on the module because it must outlive the call.
_app: object | None = None


def ensure_gui_application() -> None:
    """Qt paints text only with a QGuiApplication; headless runs get the offscreen platform."""
    global _app
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        _app = QGuiApplication([sys.argv[0] if sys.argv else "partybuild"])


def run_print(args: argparse.Namespace) -> int:
    output = output_target(args.output)  # an unwritable target stops here, before any work
    open_db(args)
    document = build_document(args)
    ensure_gui_application()
    from partybuild.outputs import OutputError
    from partybuild.printing.render import write_pdf

    try:
        pages = write_pdf(document, output)  # atomic and checked: nothing half-written
    except OutputError as exc:  # one line: what, where, why
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    except OSError as exc:
        raise CliError(f"无法写入 {output}：{exc}", EXIT_UNUSABLE) from exc
    print(f"{document.title}：{pages} 页 → {output}")
    return EXIT_OK
