"""``partybuild attach add|list|get``: files attached to records, headless.

The record is named as everywhere else: ``--activity ID``, ``--training ID_OR_NAME``,
``--service ID``, ``--issue ID`` (and ``--member ID``). ``add`` attaches every file or none — a
file over the size limit, a decompression bomb or unknown content is one Chinese line and exit 1,
with nothing written; a missing or unreadable file is exit 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from partybuild.cli import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNUSABLE,
    CliError,
    open_db,
    terminal_json,
    terminal_text,
)
from partybuild.commands import output_target, record_output_errors

OWNER_OPTIONS = (
    ("activity", "activities"),
    ("training", "trainings"),
    ("service", "services"),
    ("issue", "issues"),
    ("member", "members"),
)


def add_owner_options(
    parser: argparse.ArgumentParser, *, members: bool = True, issues: bool = True
) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--activity", metavar="ID", help="组织生活编号")
    which.add_argument("--training", metavar="ID_OR_NAME", help="培训编号或名称")
    which.add_argument("--service", metavar="ID", help="志愿服务活动编号")
    if issues:
        which.add_argument("--issue", metavar="ID", help="企业诉求编号")
    if members:
        which.add_argument("--member", metavar="ID", help="党员编号（入党材料）")


def _record_id(text: str, label: str) -> int:
    if not text.strip().isdigit():
        raise CliError(f"{label}编号应为整数：{text}", EXIT_UNUSABLE)
    return int(text)


def owner(args: argparse.Namespace) -> tuple[str, int]:
    """(ledger name, record id) the arguments name; exit 1 for a record that does not exist."""
    from partybuild.ledgers import spec
    from partybuild.services.attachments import OWNERS
    from partybuild.store import models as m

    for option, ledger_name in OWNER_OPTIONS:
        value = getattr(args, option, None)
        if value is None:
            continue
        label = spec.ledger(ledger_name).label
        if option == "training":
            from partybuild.commands.printing import find_training

            return ledger_name, find_training(value).id
        record_id = _record_id(value, label)
        model = OWNERS[ledger_name]
        if model.get_or_none(model.id == record_id, m.live(model)) is None:
            raise CliError(f"没有编号为 {record_id} 的{label}", EXIT_INVALID)
        return ledger_name, record_id
    raise CliError("请指定记录：--activity、--training、--service 或 --issue")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def run_attach(args: argparse.Namespace) -> int:
    from partybuild.services import attachments
    from partybuild.services.errors import RecordNotFound

    if args.action == "settings":
        open_db(args)
        for value in (args.max_file_mb, args.max_record_mb):
            if value is not None and not 1 <= value <= 4096:
                raise CliError(f"上限应为 1 到 4096 之间的整数（MB）：{value}", EXIT_UNUSABLE)
        attachments.set_limits(args.max_file_mb, args.max_record_mb)
        if args.keep_location is not None:
            attachments.set_keep_location(args.keep_location == "yes")
        keep = "保留" if attachments.keep_location() else "去除"
        print(f"每个附件上限：{attachments.max_file_bytes() // attachments.MB} MB")
        print(f"每条记录附件合计上限：{attachments.max_record_bytes() // attachments.MB} MB")
        print(f"另存和导出照片时拍摄位置和设备信息：{keep}")
        return EXIT_OK

    if args.action == "get":
        target = output_target(args.output)
        open_db(args)
        with record_output_errors():
            attachments.save_copy(int(args.id), target, keep=True if args.keep_location else None)
        print(target)
        return EXIT_OK

    open_db(args)
    ledger_name, record_id = owner(args)
    if args.action == "list":
        found = attachments.listing(ledger_name, record_id)
        if args.json:
            print(terminal_json([info.as_json() for info in found]))
        else:
            for info in found:
                print(
                    terminal_text(
                        f"{info.id}  {info.kind_label}  {_size(info.size)}  "
                        f"{info.added_at:%Y-%m-%d %H:%M}  {info.name}"
                    )
                )
            if not found:
                print("（没有附件）")
        return EXIT_OK

    files = []
    for name in args.files:
        path = Path(name)
        if not path.exists():
            raise CliError(f"文件不存在：{path}，未添加任何附件", EXIT_UNUSABLE)
        try:
            files.append(
                attachments.prepare(path, kind="signin_sheet" if args.signed_sheet else None)
            )
        except attachments.AttachmentError as exc:
            code = EXIT_UNUSABLE if "无法读取" in str(exc) else EXIT_INVALID
            raise CliError(str(exc), code) from exc
    try:
        result = attachments.add(ledger_name, record_id, files)
    except attachments.AttachmentError as exc:
        raise CliError(str(exc), EXIT_INVALID) from exc
    except RecordNotFound as exc:
        raise CliError(str(exc), EXIT_INVALID) from exc
    title = attachments.owner_title(ledger_name, record_id)
    print(terminal_text(f"已添加 {len(result.added)} 个附件到“{title}”："))
    for info in result.added:
        print(terminal_text(f"  {info.id}  {info.kind_label}  {_size(info.size)}  {info.name}"))
    for name in result.skipped:
        print(terminal_text(f"  跳过“{name}”：这条记录已有内容相同的附件"))
    return EXIT_OK
