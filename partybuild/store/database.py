"""Opening a database: SQLite by default, PostgreSQL by URL, always checked before it is touched.

The order matters. A file is inspected read-only first (header, application id, migration history);
only a partybuild database of this or an older schema is then opened for writing. A file that is
not a database, a database of another application, or one written by a newer partybuild is refused
with a one-line reason and left byte-for-byte untouched. An older schema is copied aside with
SQLite's online backup before the migration runner upgrades it.

An existing SQLite file is then checked for damage before anything uses it (:func:`check_sqlite`:
``PRAGMA integrity_check`` within a time budget, else the cheaper ``quick_check``); a damaged file
is refused with one line naming the newest good copy in ``backups/`` and ``partybuild restore``.
Copies (:func:`backup_sqlite`) are written to a private temporary file beside the target, verified
with ``integrity_check``, fsynced and only then given the target's name.

**The app's start checks once the window has appeared** (:class:`OpeningCheck`, ``open_database(…,
check_later=True)``). The check costs about a second at 200,000 members and is read-only, so it
need not stand between the user and the first window — but nothing may be *written* to a file
that has not passed it. The rule therefore moves from "check, then open" to "open, read, and let
no write through until the check has passed":

- only a file that needs no write to be opened qualifies: already in WAL mode (so the connection's
  ``journal_mode=wal`` changes nothing in it), no pending migration (that path copies aside first,
  and its verified copy is itself the check), not in a read-only folder. Anything else is checked
  before it is opened, as before; the CLI always checks before it opens;
- every connection of the database gets an SQLite authorizer (:meth:`OpeningCheck.authorize`):
  SQLite asks it about each statement as it is prepared, so no write can slip past it — INSERT,
  UPDATE, DELETE, DDL, BEGIN (peewee begins IMMEDIATE: a write lock), writing pragmas. A read goes
  through; anything else waits for the check (the app begins it after the window's first paint;
  a write that comes before then makes the check itself, on its own thread, first). When the
  check has passed every statement goes through; when it found damage (or could not run) every
  write is refused (``SQLITE_DENY``), and the app tells the user in Chinese, naming the newest
  good backup, and closes;
- reads before the verdict are only reads: at worst the window shows, for a moment, a figure read
  from a damaged page before the dialog says the file is damaged; nothing is written to it.

A stamp ("unchanged since the last clean check") was the other way considered, and left: this app
writes to its file in every session, so the stamp would rarely hold for a user, only for a
benchmark that starts twice without an edit.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

import peewee as pw

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
# Damage check on opening. On the project's machine (2 cores, loaded) a 200,000-member file (70 MB)
# takes 0.7–1.0 s for integrity_check and 0.23–0.36 s for quick_check; the demo ledger (17,896
# records, 2.8 MB) 49 ms in all. The full check runs when it fits its budget; a bigger file gets
# quick_check (the structure of every page, not the index ↔ table agreement: it misses a few bytes
# changed inside an index entry, which integrity_check finds); a file too big even for that
# (roughly 500 MB and more) is opened unchecked.
INTEGRITY_BUDGET_S = 1.0
QUICK_BUDGET_S = 2.0
# Temporary copies are named ".<target>.<random>.partybuild-tmp" (plus SQLite's -journal/-wal/-shm
# while it writes them); one left by a killed process is removed by the next copy into the folder.
TEMP_SUFFIX = ".partybuild-tmp"
STALE_TEMP_S = 3600


class DatabaseRefused(Exception):
    """The database cannot be used; the message is one line of Chinese for the user."""


class DatabaseDamaged(DatabaseRefused):
    """The file failed SQLite's own check; the message points to the newest good backup."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        self.backup = newest_good_backup(path)
        super().__init__(damaged_message(path, detail, self.backup))


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
        try:
            port = f":{parsed.port}" if parsed.port else ""
        except ValueError:  # not a number: not worth showing
            port = ""
        user = f"{parsed.username}@" if parsed.username else ""
        return f"{parsed.scheme}://{user}{host}{port}{parsed.path}"


def redact(text: str, url: str) -> str:
    """A message that may quote the URL (drivers do), shown without its password."""
    from urllib.parse import unquote

    shown = Location(url=url).display()
    text = text.replace(url, shown)
    password = urlparse(url).password
    if password:
        for secret in {password, unquote(password)}:
            text = text.replace(secret, "***")
    return text


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
        if _is_damage(exc):
            raise DatabaseDamaged(path, str(exc)) from exc
        from partybuild.services.errors import storage_message

        raise DatabaseRefused(storage_message(exc, path)) from exc
    return _judge(tables, applied, app_id, where)


def inspect_database(database: pw.Database, where: str) -> Inspection:
    """The same judgement for a server database (tables and history read, nothing written)."""
    tables = set(database.get_tables())
    applied: list[str] = []
    if HISTORY_TABLE in tables:
        applied = [r[0] for r in database.execute_sql(f'SELECT name FROM "{HISTORY_TABLE}"')]
    return _judge(tables, applied, None, where)


def _is_damage(exc: BaseException) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    return (
        name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))
        or "malformed" in text
        or "not a database" in text
    )


def _read_only_uri(path: Path) -> str:
    # immutable=1 reads without creating -wal/-shm; with a -wal file present its pages matter.
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    return f"file:{quote(str(path.resolve()))}?{mode}"


def _run_check(
    con: sqlite3.Connection, pragma: str, budget: float, cancel: Cancel | None = None
) -> list[str] | None:
    """The pragma's result lines, or None when it did not finish within ``budget`` seconds.
    Raises :class:`Cancelled` when ``cancel`` is set meanwhile (no verdict)."""
    deadline = time.monotonic() + budget

    def stop() -> int:
        return int(time.monotonic() > deadline or (cancel is not None and cancel.is_set))

    con.set_progress_handler(stop, 10_000)
    try:
        return [r[0] for r in con.execute(pragma).fetchall()]
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc).lower():
            if cancel is not None:
                cancel.check()  # abandoned, not out of time: no cheaper check after it
            return None
        raise
    finally:
        con.set_progress_handler(None, 0)


def check_connection(
    con: sqlite3.Connection,
    integrity_budget: float | None = INTEGRITY_BUDGET_S,
    quick_budget: float = QUICK_BUDGET_S,
    cancel: Cancel | None = None,
) -> str | None:
    """SQLite's own damage check; the first problem it reports, or None.

    ``integrity_budget=None`` runs the full integrity_check however long it takes (a backup's copy).
    """
    try:
        if integrity_budget is None:
            result: list[str] | None = [r[0] for r in con.execute("PRAGMA integrity_check")]
        else:
            result = _run_check(con, "PRAGMA integrity_check(20)", integrity_budget, cancel)
            if result is None:
                result = _run_check(con, "PRAGMA quick_check(20)", quick_budget, cancel)
    except sqlite3.DatabaseError as exc:
        if _is_damage(exc):
            return str(exc)
        raise
    if result is None or result == ["ok"]:
        return None
    return " ".join(" ".join(result).split())[:200]


def check_sqlite(path: Path, integrity_budget: float | None = INTEGRITY_BUDGET_S) -> str | None:
    """Check a file read-only (no byte written, no -wal/-shm created when there is none)."""
    con = sqlite3.connect(_read_only_uri(path), uri=True)
    try:
        return check_connection(con, integrity_budget)
    except sqlite3.DatabaseError as exc:
        if _is_damage(exc):
            return str(exc)
        raise
    finally:
        con.close()


# SQLite's authorizer action codes (sqlite3.h) that only read.
_READ_ACTIONS = frozenset(
    {
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_FUNCTION,
        getattr(sqlite3, "SQLITE_RECURSIVE", 33),
    }
)
# Pragmas that change the file (or could): they wait for the check like any other write.
_WRITING_PRAGMAS = frozenset(
    {
        "application_id",
        "auto_vacuum",
        "incremental_vacuum",
        "journal_mode",
        "optimize",
        "page_size",
        "schema_version",
        "user_version",
        "wal_checkpoint",
        "writable_schema",
    }
)


class OpeningCheck:
    """The damage check of a file that is already open for reading, run by another thread.

    :meth:`run` does the work (the same :func:`check_connection` as a check before opening, on its
    own read-only connection); :meth:`authorize` is installed on every connection of the database
    and holds each write until the verdict (see the module docstring). The verdict is
    :attr:`damage` (a :class:`DatabaseDamaged`, with the newest good backup found), :attr:`error`
    (the check could not run: treated as not passed) or neither (passed).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._done = threading.Event()
        self._running = threading.Lock()  # one check at a time; a second caller waits for it
        self.damage: DatabaseDamaged | None = None
        self.error: BaseException | None = None
        self.seconds: float | None = None

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def passed(self) -> bool:
        return self._done.is_set() and self.damage is None and self.error is None

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def run(self, cancel: Cancel | None = None) -> DatabaseDamaged | None:
        """Check now (on the calling thread); the damage found, or None. Runs once: a call while
        another thread is checking waits for that verdict."""
        if self._done.is_set():
            return self.damage
        with self._running:
            if self._done.is_set():
                return self.damage
            self._check(cancel)
        return self.damage

    def _check(self, cancel: Cancel | None) -> None:
        started = time.perf_counter()
        try:
            con = sqlite3.connect(_read_only_uri(self.path), uri=True, check_same_thread=False)
            if cancel is not None:
                cancel.watch(con)
            try:
                problem = check_connection(con, cancel=cancel)
                if cancel is not None:
                    cancel.check()  # interrupted: no verdict
            except sqlite3.DatabaseError as exc:
                if not _is_damage(exc):
                    raise
                problem = str(exc)
            finally:
                if cancel is not None:
                    cancel.forget(con)
                con.close()
            if problem is not None:
                self.damage = DatabaseDamaged(self.path, problem)
        except BaseException as exc:  # noqa: BLE001 - any failure means "not passed"
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - started
            self._done.set()

    def authorize(
        self, action: int, arg1: str | None, _arg2: str | None, _db: str | None, _trig: str | None
    ) -> int:
        """SQLite's authorizer: reads go through, a write waits for the verdict."""
        if self._done.is_set():
            return sqlite3.SQLITE_OK if self.passed else self._refuse(action, arg1)
        if action in _READ_ACTIONS or (
            action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in _WRITING_PRAGMAS
        ):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_TRANSACTION and (arg1 or "").upper() == "ROLLBACK":
            return sqlite3.SQLITE_OK  # nothing was written before the verdict: nothing to undo
        # The app starts the check after the first paint; a write that comes before it (or while
        # it runs) has the check made (or finished) here first, on the writer's thread.
        self.run()
        return sqlite3.SQLITE_OK if self.passed else self._refuse(action, arg1)

    @staticmethod
    def _refuse(action: int, arg1: str | None) -> int:
        if action in _READ_ACTIONS or (
            action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in _WRITING_PRAGMAS
        ):
            return sqlite3.SQLITE_OK  # a damaged file may still be read (to show, to copy out)
        if action == sqlite3.SQLITE_TRANSACTION and (arg1 or "").upper() == "ROLLBACK":
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY


class _CheckedSqliteDatabase(pw.SqliteDatabase):
    """peewee's SQLite database whose every connection asks :class:`OpeningCheck` before a write."""

    partybuild_check: OpeningCheck

    def _add_conn_hooks(self, conn: sqlite3.Connection) -> None:
        super()._add_conn_hooks(conn)  # the pragmas first: journal_mode=wal is already so
        if not self.partybuild_check.passed:
            conn.set_authorizer(self.partybuild_check.authorize)


def opening_check(database: pw.Database | None = None) -> OpeningCheck | None:
    """The database's check still to be run in the background, if it was opened that way."""
    database = database if database is not None else db_proxy.obj
    return getattr(database, "partybuild_check", None)


def backups_folder(db_path: Path) -> Path:
    return db_path.parent / "backups"


def newest_good_backup(db_path: Path, budget: float = 5.0) -> Path | None:
    """The newest copy of this database in ``backups/`` that is ours and passes the quick check."""
    folder = backups_folder(db_path)
    try:
        candidates = [
            p
            for p in folder.glob(f"{db_path.stem}-*.sqlite3")
            if p.is_file() and not p.name.startswith(".")
        ]
        candidates.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return None
    deadline = time.monotonic() + budget
    for candidate in candidates:
        if time.monotonic() > deadline:
            break
        try:
            if inspect_sqlite(candidate).empty:
                continue
            con = sqlite3.connect(_read_only_uri(candidate), uri=True)
            try:
                if check_connection(con, integrity_budget=0.5, quick_budget=1.0) is None:
                    return candidate
            finally:
                con.close()
        except (DatabaseRefused, sqlite3.Error, OSError):
            continue
    return None


def damaged_message(path: Path, detail: str, backup: Path | None) -> str:
    head = f"数据库“{path}”已损坏（{detail}），未做任何改动。"
    if backup is None:
        return (
            head + f"在“{backups_folder(path)}”中没有找到完好的备份；如另有备份文件，"
            f"可用 partybuild restore 备份文件 --db {path} 恢复"
        )
    stamp = dt.datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return (
        head + f"最新的完好备份是“{backup}”（{stamp}），"
        f"可用 partybuild restore {backup} --db {path} 恢复"
    )


def _temp_name(target: Path) -> Path:
    import secrets  # only when a copy is made (with random, base64, hmac: off the start's path)

    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _remove_temp(temp: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            temp.with_name(temp.name + suffix).unlink()


def remove_stale_temps(folder: Path) -> None:
    """Temporary copies left by a killed process (older than an hour: not one being written)."""
    try:
        entries = list(folder.glob(f".*{TEMP_SUFFIX}*"))
    except OSError:
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            if time.time() - entry.stat().st_mtime > STALE_TEMP_S:
                entry.unlink()


class Cancelled(Exception):
    """The work was abandoned on purpose (the app is quitting); nothing half-made was kept."""


class Cancel:
    """A flag another thread sets to abandon long SQLite work, interrupting what it runs now.

    ``watch(con)`` registers a connection (sqlite3: ``interrupt()``, psycopg2: ``cancel()``); the
    thread doing the work calls :meth:`check` between steps.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._connections: list[object] = []

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    def watch(self, con: object) -> None:
        with self._lock:
            self._connections.append(con)
        if self._event.is_set():
            self._interrupt(con)

    def forget(self, con: object) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._connections.remove(con)

    def set(self) -> None:
        self._event.set()
        with self._lock:
            connections = list(self._connections)
        for con in connections:
            self._interrupt(con)

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    @staticmethod
    def _interrupt(con: object) -> None:
        stop = getattr(con, "interrupt", None) or getattr(con, "cancel", None)
        if stop is not None:
            with contextlib.suppress(Exception):  # closed meanwhile: nothing left to stop
                stop()


class CopyDamaged(Exception):
    """The copy failed integrity_check: the source itself is damaged. Nothing was kept."""


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: Pages per step of a cancellable copy (4 MB at 1 KiB… 16 MB at 4 KiB pages): a quit waits at
#: most one step.
COPY_STEP_PAGES = 4096


def copy_into_temp(
    source: sqlite3.Connection,
    target: Path,
    *,
    verify: bool = True,
    cancel: Cancel | None = None,
) -> Path:
    """Copy ``source`` into a private temporary file beside ``target``, in rollback-journal mode,
    verified with integrity_check and fsynced; the caller renames it. Removed on any failure.

    With ``cancel`` the copy goes in steps and the check can be interrupted: setting it raises
    :class:`Cancelled` here within a step, and the temporary file is removed."""
    temp = _temp_name(target)
    fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        dst = sqlite3.connect(str(temp), isolation_level=None, check_same_thread=False)
        if cancel is not None:
            cancel.watch(dst)
        try:
            # The journal of a temporary copy is no use to anyone: keep it in memory, so a kill
            # mid-copy leaves only the temp file itself (removed by the next copy).
            dst.execute("PRAGMA journal_mode=MEMORY")
            if cancel is None:
                source.backup(dst)
            else:

                def progress(_status: int, _remaining: int, _total: int) -> None:
                    cancel.check()  # raising here aborts the copy (sqlite3_backup_finish)

                source.backup(dst, pages=COPY_STEP_PAGES, progress=progress)
                cancel.check()
            # The copy inherits WAL mode from the live file; a backup is a single closed file.
            dst.execute("PRAGMA journal_mode=DELETE")
            problem = check_connection(dst, integrity_budget=None) if verify else None
            if cancel is not None:
                cancel.check()  # an interrupted check is not a verdict
        except sqlite3.OperationalError:
            if cancel is not None:
                cancel.check()
            raise
        finally:
            if cancel is not None:
                cancel.forget(dst)
            dst.close()
        if problem is not None:
            raise CopyDamaged(problem)
        os.chmod(temp, 0o600)  # SQLite may have recreated it with the umask's mode
        fd = os.open(temp, os.O_RDWR)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _remove_temp(temp)
        raise
    return temp


def publish(temp: Path, target: Path, *, replace: bool = False) -> None:
    """Give a finished temporary file its name: never over an existing file unless ``replace``."""
    try:
        if replace:
            os.replace(temp, target)
        else:
            try:
                os.link(temp, target)  # fails if target exists: no window where it is overwritten
            except FileExistsError:
                raise
            except OSError:  # a filesystem without hard links (FAT, some shares)
                if target.exists():
                    raise FileExistsError(target) from None
                os.rename(temp, target)
        _fsync_folder(target.parent)
    finally:
        _remove_temp(temp)


def backup_sqlite(
    source: Path, target: Path, *, replace: bool = False, cancel: Cancel | None = None
) -> Path:
    """Copy a database with SQLite's online backup API (consistent even while it is in use).

    The copy appears at ``target`` complete and verified, or not at all. Raises
    :class:`CopyDamaged` when the copy fails integrity_check (then the source is damaged), and
    :class:`Cancelled` when ``cancel`` is set meanwhile (nothing kept).
    """
    if not target.parent.exists():
        target.parent.mkdir(parents=True, mode=0o700)
    remove_stale_temps(target.parent)
    src = sqlite3.connect(str(source), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    if cancel is not None:
        cancel.watch(src)
    try:
        temp = copy_into_temp(src, target, cancel=cancel)
    finally:
        if cancel is not None:
            cancel.forget(src)
        src.close()
    publish(temp, target, replace=replace)
    return target


def _create_private(path: Path) -> None:
    """Create an empty file readable by its owner only (member data is personal data)."""
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def _in_wal_mode(path: Path) -> bool:
    """Bytes 18 and 19 of the header are 2 in WAL mode (read through SQLite if the file is live)."""
    if live_file_kind(path) == "database":
        return False  # open in this process already: take the plain path
    try:
        with path.open("rb") as fh:
            header = fh.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 2 and header[19] == 2


def _open_sqlite(path: Path, create: bool, check_later: bool = False) -> pw.SqliteDatabase:
    if not create and not path.exists():
        raise DatabaseRefused(f"数据库文件“{path}”不存在")
    inspection = inspect_sqlite(path)
    notes: list[str] = []
    check: OpeningCheck | None = None
    try:
        if not inspection.empty:
            if (
                check_later
                and not inspection.pending
                and not _read_only_folder(path, inspection)
                and _in_wal_mode(path)
            ):
                check = OpeningCheck(path)  # run by the caller once the window is painted
            else:
                problem = check_sqlite(path)
                if problem is not None:
                    raise DatabaseDamaged(path, problem)
        path.parent.mkdir(parents=True, exist_ok=True)
        if inspection.pending and not inspection.empty:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            backup_sqlite(
                path, backups_folder(path) / f"{path.stem}-before-upgrade-{stamp}.sqlite3"
            )
        if path.exists() and path.stat().st_size == 0 and path.stat().st_mode & 0o077:
            # An empty file someone created (touch, a file manager): it is about to hold personal
            # data, so it becomes the owner's only — and the user is told, not surprised.
            os.chmod(path, 0o600)
            notes.append(f"“{path}”是空文件，已在其中新建数据库，并改为仅本人可读写（0600）")
        if _read_only_folder(path, inspection):
            return _open_read_only(path)
        _create_private(path)
        database = (_CheckedSqliteDatabase if check is not None else pw.SqliteDatabase)(
            str(path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            # Transactions take the write lock when they begin, so a second writer waits for the
            # busy timeout there, instead of failing at once when a read would have to become a write.
            lock_type="IMMEDIATE",
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": BUSY_TIMEOUT_MS,
                "synchronous": "normal",
            },
        )
        if check is not None:
            database.partybuild_check = check  # type: ignore[attr-defined]
        database.connect()
        try:
            if inspection.pending:
                _migrate(database)
            if inspection.empty:
                database.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        except BaseException:
            database.close()
            raise
    except DatabaseRefused:
        raise
    except CopyDamaged as exc:
        raise DatabaseDamaged(path, str(exc)) from exc
    except (OSError, sqlite3.Error, pw.PeeweeException) as exc:
        if check is not None and _is_damage(exc):  # so damaged that connecting failed
            raise DatabaseDamaged(path, str(exc)) from exc
        from partybuild.services.errors import storage_message

        raise DatabaseRefused(storage_message(exc, path)) from exc
    database.partybuild_notes = notes  # type: ignore[attr-defined]
    return database


def _read_only_folder(path: Path, inspection: Inspection) -> bool:
    """A current database in a folder nobody may write (a read-only share, a CD, a locked USB
    stick), closed cleanly (no -wal beside it)."""
    return (
        not inspection.empty
        and not inspection.pending
        and not os.access(path.parent, os.W_OK)
        and not path.with_name(path.name + "-wal").exists()
    )


def _open_read_only(path: Path) -> pw.SqliteDatabase:
    """Open for reading only. SQLite's WAL needs -wal/-shm files beside the database, which a
    read-only folder cannot hold; and in such a folder nobody can write the file (a writer needs
    its journal there too), so reading it as immutable is safe. Stats, checks, exports and
    reports work; a write fails with SQLite's "readonly database", which the CLI turns into one
    line (services.errors)."""
    database = pw.SqliteDatabase(
        _read_only_uri(path),
        uri=True,
        lock_type="IMMEDIATE",
        pragmas={"foreign_keys": 1},
    )
    database.connect()
    database.partybuild_notes = []  # type: ignore[attr-defined]
    return database


def _server_class(base: type[pw.Database]) -> type[pw.Database]:
    """The driver's database class with the server's refusals in Chinese: a statement that row-
    level security or a missing grant refuses raises :class:`services.errors.PermissionDenied`
    (a peewee DatabaseError, so every existing handler shows it as one line)."""

    class Server(base):  # type: ignore[valid-type, misc]
        def execute_sql(self, sql, params=None, *args, **kwargs):  # noqa: ANN001, ANN202
            try:
                return super().execute_sql(sql, params, *args, **kwargs)
            except pw.DatabaseError as exc:
                from partybuild.services.errors import denied_as_permission_error

                refused = denied_as_permission_error(exc, self)
                if refused is exc:
                    raise
                raise refused from exc

    Server.__name__ = Server.__qualname__ = f"Partybuild{base.__name__}"
    return Server


def _open_server(url: str, user: str | None = None, password: str | None = None) -> pw.Database:
    from playhouse.db_url import parseresult_to_dict, schemes

    def connect(url: str) -> pw.Database:
        parsed = urlparse(url)
        kwargs = parseresult_to_dict(parsed, True, True)
        if user:
            kwargs["user"] = user
        if password is not None:
            kwargs["password"] = password
        return _server_class(schemes[parsed.scheme])(**kwargs)

    where = "数据库服务器"
    if not urlparse(url).path.strip("/"):
        raise DatabaseRefused(
            f"数据库地址“{Location(url=url).display()}”没有写数据库名："
            "应写成 postgresql://用户名:密码@服务器:5432/数据库名"
        )
    try:
        database = connect(url)
        database.connect()
    except Exception as exc:  # driver errors differ; all mean "cannot use it"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        said = redact(_sign_in_reason(reason), url)
        if password is not None:
            said = said.replace(password, "***") if password else said
        refused = SignInRequired if said in ("用户名或密码不正确", "需要密码") else DatabaseRefused
        raise refused(f"无法连接{where}：{said}") from exc
    inspection = inspect_database(database, where)
    from partybuild.store import accounts

    if accounts.initialised(database):
        account = accounts.current_account(database)
        if account is None:
            login = session_user(database)
            database.close()
            raise DatabaseRefused(f"账户“{login}”没有这个数据库的角色，无法使用")
        if inspection.pending and account.role != accounts.OWNER:
            database.close()
            raise DatabaseRefused(
                "数据库需要升级到本程序的新版本：请数据库所有者先用新版本打开一次（或运行 "
                "partybuild admin init），再登录使用"
            )
        if inspection.pending:
            _migrate(database)
            accounts.init(database)  # a table the new schema added gets its policy
        database.partybuild_account = account  # type: ignore[attr-defined]
        if account.role == "viewer":
            # every query of the app reads members through the masked view (store.accounts)
            m.Member._meta.set_table_name(accounts.MASKED_MEMBER_VIEW)
        return database
    if inspection.pending:
        _migrate(database)
    database.partybuild_account = None  # type: ignore[attr-defined]
    return database


def session_user(database: pw.Database) -> str:
    return str(database.execute_sql("SELECT session_user").fetchone()[0])


class SignInRequired(DatabaseRefused):
    """The server wants a password the URL does not carry (the app asks for it)."""


def _sign_in_reason(reason: str) -> str:
    """libpq's sign-in refusals in Chinese (the rest as the server said them)."""
    import re

    if "password authentication failed" in reason:
        return "用户名或密码不正确"
    found = re.search(r'role "([^"]+)" is not permitted to log in', reason)
    if found:
        return f"账户“{found.group(1)}”已停用，不能登录"
    found = re.search(r'role "([^"]+)" does not exist', reason)
    if found:
        return f"没有名为“{found.group(1)}”的账户"
    if "no password supplied" in reason:
        return "需要密码"
    found = re.search(r'permission denied for database "([^"]+)"', reason)
    if found:
        return f"这个账户没有使用数据库“{found.group(1)}”的权限"
    return reason


def _migrate(database: pw.Database) -> None:
    from playhouse.migrations import Runner  # only when a schema is upgraded (start-up: 20 ms)

    Runner(database, str(MIGRATIONS_DIR), table_name=HISTORY_TABLE).up()


def open_database(
    target: str | os.PathLike[str] | None = None,
    *,
    location: Location | None = None,
    create: bool = True,
    user: str | None = None,
    password: str | None = None,
    check_later: bool = False,
) -> pw.Database:
    """Open, check, upgrade if needed and bind the models to the database.

    ``check_later=True`` (the app's start) may open an SQLite file before its damage check, which
    the caller then runs (:func:`opening_check`; writes wait for it, see the module docstring).

    ``create=False`` refuses a missing SQLite file instead of starting an empty database there
    (a report on a mistyped path should say so, not answer with zeros). ``user``/``password``
    sign in to a server whose URL does not carry them (the app's sign-in dialog); they are used
    for the connection only, never stored.
    """
    location = location or resolve_location(target)
    if m.Member._meta.table_name != "member":
        m.Member._meta.set_table_name("member")  # a viewer's session before this one
    if location.path is not None:
        database: pw.Database = _open_sqlite(location.path, create, check_later)
    else:
        assert location.url is not None
        database = _open_server(location.url, user, password)
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


def current_account() -> object | None:
    """The :class:`store.accounts.Account` signed in to the shared database, or None."""
    database = db_proxy.obj
    return getattr(database, "partybuild_account", None) if database is not None else None


def current_location() -> Location | None:
    database = db_proxy.obj
    return getattr(database, "partybuild_location", None) if database is not None else None


def close_database() -> None:
    database = db_proxy.obj
    if database is not None and not database.is_closed():
        database.close()
    if m.Member._meta.table_name != "member":
        m.Member._meta.set_table_name("member")
    vocab.apply_park(())
