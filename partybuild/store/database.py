"""Opening a database: SQLite by default, PostgreSQL by URL, always checked before it is touched.

The order matters. A file is inspected read-only first (header, application id, migration history);
only a partybuild database of this or an older schema is then opened for writing. A file that is
not a database, a database of another application, or one written by a newer partybuild is refused
with a one-line reason and left byte-for-byte untouched. An older schema is copied aside with
SQLite's online backup before the migration runner upgrades it.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

import peewee as pw
from playhouse.migrations import Runner

from partybuild.domain import vocab
from partybuild.store import models as m
from partybuild.store.models import db_proxy

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
HISTORY_TABLE = "schema_migration"
# PRAGMA application_id marks a file as ours ("PBUD"); other applications use their own or 0.
APPLICATION_ID = 0x50425544
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
ENV_VAR = "PARTYBUILD_DB"


class DatabaseRefused(Exception):
    """The database cannot be used; the message is one line of Chinese for the user."""


@dataclass(frozen=True)
class Location:
    """Where the data lives: an SQLite file or a server URL."""

    url: str | None = None
    path: Path | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.path is not None

    def display(self) -> str:
        if self.path is not None:
            return str(self.path)
        parsed = urlparse(self.url or "")
        host = parsed.hostname or "localhost"
        return f"{parsed.scheme}://{parsed.username + '@' if parsed.username else ''}{host}{parsed.path}"


def default_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("partybuild", appauthor=False) / "partybuild.sqlite3"


def resolve_location(target: str | os.PathLike[str] | None = None) -> Location:
    """--db wins, then PARTYBUILD_DB, then the per-user default file."""
    raw = os.fspath(target) if target is not None else os.environ.get(ENV_VAR) or ""
    if not raw:
        return Location(path=default_path())
    if raw.startswith(("postgresql://", "postgres://", "postgresext://")):
        return Location(url=raw)
    if raw.startswith("sqlite:///"):
        return Location(path=Path(raw[len("sqlite:///") :]))
    if "://" in raw:
        raise DatabaseRefused(
            f"不支持的数据库地址：{raw.split('://')[0]}://（只支持 SQLite 文件或 postgresql://）"
        )
    return Location(path=Path(raw).expanduser())


def known_migrations() -> list[str]:
    return sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))


def schema_version() -> int:
    """The schema version this code writes: the number of migrations it knows."""
    return len(known_migrations())


@dataclass(frozen=True)
class Inspection:
    """What a read-only look at an existing database found."""

    empty: bool
    applied: tuple[str, ...] = ()

    @property
    def pending(self) -> list[str]:
        return [m for m in known_migrations() if m not in self.applied]


def _judge(tables: set[str], applied: list[str], app_id: int | None, where: str) -> Inspection:
    if not tables:
        if app_id not in (None, 0, APPLICATION_ID):
            raise DatabaseRefused(f"{where} 是其他程序的数据库，未做任何改动")
        return Inspection(empty=True)
    if HISTORY_TABLE not in tables or "branch" not in tables:
        raise DatabaseRefused(f"{where} 不是党建台账数据库（可能属于其他程序），未做任何改动")
    if app_id not in (None, APPLICATION_ID):
        raise DatabaseRefused(f"{where} 是其他程序的数据库，未做任何改动")
    unknown = sorted(set(applied) - set(known_migrations()))
    if unknown:
        raise DatabaseRefused(
            f"{where} 由更新版本的党建台账写入（架构 {len(applied)}，本程序支持到 {schema_version()}），"
            "请先升级程序，数据库未做任何改动"
        )
    return Inspection(empty=False, applied=tuple(applied))


#: The files beside an SQLite database that SQLite opens and locks while it is in use.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")


def live_file_kind(path: str | os.PathLike[str]) -> str | None:
    """``"database"`` or ``"companion"`` if ``path`` is the SQLite file this process has open (or
    its -wal/-shm/-journal), else None. Compared by device and inode, with ``stat`` only.

    On Linux, closing *any* descriptor of a file drops every POSIX lock the process holds on it
    (SQLite's "How to corrupt", §2.2): a file that is live must be read through SQLite or not at
    all, never with ``open()``.
    """
    location = current_location()
    if location is None or location.path is None:
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    key = (st.st_dev, st.st_ino)
    for suffix in ("", *COMPANION_SUFFIXES):
        try:
            other = os.stat(f"{location.path}{suffix}")
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == key:
            return "database" if suffix == "" else "companion"
    return None


def inspect_sqlite(path: Path) -> Inspection:
    """Look at an SQLite file without writing a byte to it."""
    where = f"“{path}”"
    if not path.exists():
        return Inspection(empty=True)
    if path.is_dir():
        raise DatabaseRefused(f"{where} 是文件夹，不是数据库文件")
    live = live_file_kind(path)
    if live == "companion":
        raise DatabaseRefused(f"{where} 是正在使用的数据库的日志文件，不是数据库文件")
    try:
        if live == "database":
            header = SQLITE_HEADER  # open here: only SQLite may read it (see live_file_kind)
        else:
            with path.open("rb") as fh:
                header = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseRefused(f"无法读取 {where}：{exc.strerror or exc}") from exc
    if not header:
        return Inspection(empty=True)
    if header != SQLITE_HEADER:
        raise DatabaseRefused(f"{where} 不是 SQLite 数据库文件，未做任何改动")
    # immutable=1 reads without creating -wal/-shm files beside a file we may refuse. When a -wal
    # file is already there (in use, or not closed cleanly) its pages matter, so read through it.
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    uri = f"file:{quote(str(path.resolve()))}?{mode}"
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            applied: list[str] = []
            if HISTORY_TABLE in tables:
                applied = [r[0] for r in con.execute(f'SELECT name FROM "{HISTORY_TABLE}"')]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseRefused(f"{where} 已损坏或不是数据库文件（{exc}），未做任何改动") from exc
    return _judge(tables, applied, app_id, where)


def inspect_database(database: pw.Database, where: str) -> Inspection:
    """The same judgement for a server database (tables and history read, nothing written)."""
    tables = set(database.get_tables())
    applied: list[str] = []
    if HISTORY_TABLE in tables:
        applied = [r[0] for r in database.execute_sql(f'SELECT name FROM "{HISTORY_TABLE}"')]
    return _judge(tables, applied, None, where)


def backup_sqlite(source: Path, target: Path) -> Path:
    """Copy a database with SQLite's online backup API (consistent even while it is in use)."""
    if not target.parent.exists():
        target.parent.mkdir(parents=True, mode=0o700)
    _create_private(target)
    src = sqlite3.connect(str(source))
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def _create_private(path: Path) -> None:
    """Create an empty file readable by its owner only (member data is personal data)."""
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def _open_sqlite(path: Path, create: bool) -> pw.SqliteDatabase:
    if not create and not path.exists():
        raise DatabaseRefused(f"数据库文件“{path}”不存在")
    inspection = inspect_sqlite(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if inspection.pending and not inspection.empty:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup_sqlite(path, path.parent / "backups" / f"{path.stem}-before-upgrade-{stamp}.sqlite3")
    _create_private(path)
    database = pw.SqliteDatabase(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        # Transactions take the write lock when they begin, so a second writer waits for the busy
        # timeout there, instead of failing at once when a read would have to become a write.
        lock_type="IMMEDIATE",
        pragmas={
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": BUSY_TIMEOUT_MS,
            "synchronous": "normal",
        },
    )
    database.connect()
    if inspection.pending:
        _migrate(database)
    if inspection.empty:
        database.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    return database


def _open_server(url: str) -> pw.Database:
    from playhouse.db_url import connect

    where = "数据库服务器"
    try:
        database = connect(url)
        database.connect()
    except Exception as exc:  # driver errors differ; all mean "cannot use it"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseRefused(f"无法连接{where}：{reason}") from exc
    inspection = inspect_database(database, where)
    if inspection.pending:
        _migrate(database)
    return database


def _migrate(database: pw.Database) -> None:
    Runner(database, str(MIGRATIONS_DIR), table_name=HISTORY_TABLE).up()


def open_database(
    target: str | os.PathLike[str] | None = None,
    *,
    location: Location | None = None,
    create: bool = True,
) -> pw.Database:
    """Open, check, upgrade if needed and bind the models to the database.

    ``create=False`` refuses a missing SQLite file instead of starting an empty database there
    (a report on a mistyped path should say so, not answer with zeros).
    """
    location = location or resolve_location(target)
    if location.path is not None:
        database: pw.Database = _open_sqlite(location.path, create)
    else:
        assert location.url is not None
        database = _open_server(location.url)
    database.partybuild_location = location  # type: ignore[attr-defined]
    db_proxy.initialize(database)
    load_vocabularies()
    return database


def load_vocabularies() -> None:
    """Lay the park's stored vocabulary items over the built-in ones (see domain.vocab)."""
    rows = m.VocabularyItem.select().order_by(
        m.VocabularyItem.vocabulary, m.VocabularyItem.position, m.VocabularyItem.id
    )
    vocab.apply_park(
        (row.vocabulary, row.code, row.label, (row.synonyms or "").splitlines()) for row in rows
    )


def current_location() -> Location | None:
    database = db_proxy.obj
    return getattr(database, "partybuild_location", None) if database is not None else None


def close_database() -> None:
    database = db_proxy.obj
    if database is not None and not database.is_closed():
        database.close()
    vocab.apply_park(())
