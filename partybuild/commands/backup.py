"""``partybuild backup`` and ``partybuild restore``."""

from __future__ import annotations

import argparse
from pathlib import Path

from partybuild.cli import EXIT_OK, EXIT_UNUSABLE, CliError, open_db


def run_backup(args: argparse.Namespace) -> int:
    from partybuild.services import backup

    open_db(args)
    try:
        target = backup.backup_to(Path(args.output))
    except backup.BackupError as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    print(f"已备份到 {target}")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    from partybuild.services import backup

    source = Path(args.file)
    try:
        backup.check_backup_file(source)  # before the database is even opened
    except backup.BackupError as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    open_db(args, create=True)
    try:
        before = backup.restore_from(source)
    except backup.BackupError as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    print(f"已从 {source} 恢复；恢复前的数据库已备份为 {before}")
    return EXIT_OK
