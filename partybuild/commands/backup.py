"""``partybuild backup`` and ``partybuild restore``."""

from __future__ import annotations

import argparse
from pathlib import Path

from partybuild.cli import EXIT_OK, EXIT_UNUSABLE, CliError, open_db


def run_backup(args: argparse.Namespace) -> int:
    from partybuild.services import backup

    open_db(args)  # refuses a damaged database, pointing to its newest good backup
    try:
        target = backup.backup_to(Path(args.output))
    except backup.BackupError as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    print(f"已备份到 {target}（已通过完整性检查）")
    return EXIT_OK


def run_restore(args: argparse.Namespace) -> int:
    """Works on a damaged database too (that is what restore is for): the file is not opened
    through the usual checks, only judged to be a partybuild database (or nothing) first."""
    from partybuild.services import backup
    from partybuild.store.database import DatabaseRefused, resolve_location

    source = Path(args.file)
    try:
        backup.check_backup_file(source)  # before the database is even looked at
        location = resolve_location(getattr(args, "db", None))
    except backup.BackupError as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    except DatabaseRefused as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    if location.path is None:
        raise CliError(
            "共享的 PostgreSQL 数据库请由服务器管理员用 pg_dump 备份和恢复，本程序只恢复 SQLite 数据库文件"
        )
    location.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        before = backup.restore_file(location.path, source)
    except backup.BackupError as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    open_db(args)  # the restored database opens and passes its check
    print(f"已从 {source} 恢复；恢复前的数据库已备份为 {before}")
    return EXIT_OK
