"""``partybuild pack --branch NAME --year YYYY -o FILE.zip``: a branch's year for an inspection."""

from __future__ import annotations

import argparse
from pathlib import Path

from partybuild.cli import EXIT_OK, EXIT_UNUSABLE, CliError, find_branch, open_db
from partybuild.commands import output_target


def run_pack(args: argparse.Namespace) -> int:
    from partybuild.commands.report import _ensure_gui_application
    from partybuild.services import pack

    path = Path(args.output)
    if path.suffix.lower() != ".zip":
        raise CliError(f"输出文件应为 .zip：{path.name}", EXIT_UNUSABLE)
    target = output_target(path)
    open_db(args)
    branch = find_branch(args.branch)
    _ensure_gui_application()  # the sign-in sheets and the summary are painted by Qt
    from partybuild.printing.pack import PackPdfs

    try:
        result = pack.write_pack(branch.id, args.year, target, PackPdfs(), unmasked=args.unmasked)
    except OSError as exc:  # outputs.OutputError: one line already
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    print(f"{branch.name} {args.year} 年台账资料：{result.files} 个文件 → {target}")
    return EXIT_OK
