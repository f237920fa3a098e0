"""``partybuild record --activity ID | --training ID_OR_NAME | --service ID -o FILE.docx``."""

from __future__ import annotations

import argparse
from pathlib import Path

from partybuild.cli import EXIT_OK, EXIT_UNUSABLE, CliError, open_db
from partybuild.commands import output_target, record_output_errors


def run_record(args: argparse.Namespace) -> int:
    from partybuild.commands.attach import owner
    from partybuild.services import word_records

    path = Path(args.output)
    if path.suffix.lower() != ".docx":
        raise CliError(f"输出文件应为 .docx：{path.name}", EXIT_UNUSABLE)
    target = output_target(path)
    open_db(args)
    ledger_name, record_id = owner(args)
    with record_output_errors():
        word_records.write_record(ledger_name, record_id, target)
    print(target)
    return EXIT_OK
