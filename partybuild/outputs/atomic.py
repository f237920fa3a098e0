"""Writing a file so that it is either all there or not there at all.

:func:`atomic_output` hands the caller a temporary file in the target's own folder; only when the
caller has written it completely, and it passed the checks (not empty, the caller's ``verify``),
is it fsynced and renamed onto the target (``os.replace``, atomic on POSIX and Windows), and the
folder fsynced so the rename survives a power cut. On any exception — a full disk, a refused
check, Ctrl+C — the temporary file is removed and an existing target is left as it was.

A SIGKILL cannot be caught, so the temporary file must not outlive the process by itself. On
Linux it is created with ``O_TMPFILE``: a file with no name, which the kernel frees when the
process dies, reachable for the writer as ``/proc/self/fd/N``; it gets a name (``linkat``) only
after it was checked, for the instant before the rename. Where ``O_TMPFILE`` is not available
(another OS, a filesystem without it) the temporary file has a recognisable name,
``.<target name>.partybuild-tmp-<pid>-<random>``, and the next write into that folder removes
those of processes that no longer run.

Failures become one :class:`OutputError` whose text is a single Chinese line saying what could
not be written where and why (disk full, read-only, missing folder); the CLI turns it into exit
code 2, the app into a message.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

TEMP_MARK = ".partybuild-tmp-"
_STALE = re.compile(r"^\..*\.partybuild-tmp-(\d+)-[0-9a-f]{8}$")
_NAME_PART = 80  # characters of the target's name kept in a temporary name (NAME_MAX is 255 bytes)
_PROC_FD = Path("/proc/self/fd")
_AT_FDCWD = -100
_AT_EMPTY_PATH = 0x1000

Verify = Callable[[str], None]
"""Reads the finished temporary file back; raises ValueError (in Chinese) when it is not right."""


class OutputError(OSError):
    """A file could not be written; ``str()`` is one Chinese line. Nothing was left behind."""

    def __init__(self, code: int, message: str, target: Path | None = None) -> None:
        super().__init__(code, message)
        self.target = target

    def __str__(self) -> str:
        return str(self.strerror)


def describe_failure(exc: OSError, target: Path) -> str:
    """What went wrong writing ``target``, for a person: one line, no English, no errno."""
    folder = target.parent
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        why = f"磁盘空间不足（“{folder}”所在的磁盘已满或超出配额）"
    elif code == errno.EFBIG:
        why = "文件超过了系统允许的大小（或磁盘已满）"
    elif code == errno.EROFS:
        why = f"“{folder}”所在的磁盘是只读的"
    elif code in (errno.EACCES, errno.EPERM):
        if target.exists() and not os.access(target, os.W_OK):
            why = "文件是只读的（没有写入权限）"
        else:
            why = f"没有在文件夹“{folder}”中写入的权限"
    elif code == errno.ENOENT and not folder.is_dir():
        why = f"文件夹“{folder}”不存在"
    elif code == errno.ENOTDIR:
        why = f"“{folder}”不是文件夹"
    elif code == errno.EISDIR:
        why = "这是一个文件夹，不是文件"
    elif code == errno.ENAMETOOLONG:
        why = "文件名太长"
    else:
        why = exc.strerror or str(exc)
    return f"无法保存“{target}”：{why}"


def as_output_error(exc: OSError, target: Path, existed: bool) -> OutputError:
    if isinstance(exc, OutputError):
        return exc
    kept = "，原文件保持不变" if existed else "，未写入任何文件"
    return OutputError(exc.errno or errno.EIO, describe_failure(exc, target) + kept, target)


def _refuse(code: int, target: Path) -> OutputError:
    return as_output_error(OSError(code, os.strerror(code)), target, target.exists())


def check_target(target: Path) -> None:
    """Refuse early what cannot be written: a missing or read-only folder, a read-only file."""
    folder = target.parent
    if not folder.exists():
        raise _refuse(errno.ENOENT, target)
    if not folder.is_dir():
        raise _refuse(errno.ENOTDIR, target)
    if target.is_dir():
        raise _refuse(errno.EISDIR, target)
    # `report -o d.db` would rename a PDF over the database in use (or its -wal/-shm): refuse.
    from partybuild.store.database import live_file_kind

    if live_file_kind(target) is not None:
        raise OutputError(
            errno.EBUSY,
            f"“{target}”是正在使用的数据库文件，不能用作输出文件，未写入任何文件",
            target,
        )
    if _read_only_mount(folder):
        raise _refuse(errno.EROFS, target)
    # A rename would replace a read-only file without asking; the user made it read-only.
    if target.exists() and not os.access(target, os.W_OK):
        raise _refuse(errno.EACCES, target)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refuse(errno.EACCES, target)


def _read_only_mount(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):
        return False


def _umask() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # read it back where /proc cannot tell (a tiny race with other threads)
    os.umask(mask)
    return mask


def _final_mode(target: Path, private: bool) -> int:
    if private:
        return 0o600
    with contextlib.suppress(OSError):
        return os.stat(target).st_mode & 0o777  # overwriting keeps the file's permissions
    return 0o666 & ~_umask()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def remove_stale(folder: Path) -> int:
    """Remove named temporary files that a killed partybuild left in ``folder``; returns how many.

    Only our own pattern, only files of this user, only of processes that no longer run (on
    Windows, where a process cannot be probed harmlessly, those older than a day).
    """
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if TEMP_MARK not in entry.name:
            continue
        match = _STALE.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not entry.is_file(follow_symlinks=False):
                continue
            if sys.platform == "win32":
                if time.time() - info.st_mtime < 86400:
                    continue
            else:
                pid = int(match.group(1))
                if info.st_uid != os.geteuid() or pid == os.getpid() or _alive(pid):
                    continue
            os.unlink(entry.path)
            removed += 1
        except OSError:
            continue
    return removed


def temp_name(target: Path) -> str:
    return f".{target.name[:_NAME_PART]}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"


def _fsync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # some filesystems cannot fsync a folder; the rename is still done
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


class _Temp:
    """The temporary file: unnamed (O_TMPFILE) where possible, else named beside the target."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.folder = target.parent
        self.fd: int | None = None  # the O_TMPFILE descriptor
        self.named: Path | None = None  # a name on disk that must go if we fail
        self.path = self._create()

    def _create(self) -> str:
        flag = getattr(os, "O_TMPFILE", 0)
        if flag and _PROC_FD.is_dir():
            try:
                self.fd = os.open(self.folder, flag | os.O_RDWR | os.O_CLOEXEC, 0o600)
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOTSUP):
                    raise
            else:
                return str(_PROC_FD / str(self.fd))
        self.named = self._new_named()
        return str(self.named)

    def _new_named(self) -> Path:
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        flags |= getattr(os, "O_CLOEXEC", 0)
        while True:
            path = self.folder / temp_name(self.target)
            try:
                fd = os.open(path, flags, 0o600)
            except FileExistsError:
                continue
            os.close(fd)
            return path

    def size(self) -> int:
        return os.fstat(self.fd).st_size if self.fd is not None else os.stat(self.path).st_size

    def finish(self, mode: int) -> None:
        """fsync, give it its permissions and its name, rename onto the target, fsync the folder."""
        if self.fd is not None:
            os.fchmod(self.fd, mode)
            os.fsync(self.fd)
            self.named = self._link()
        else:
            assert self.named is not None
            fd = os.open(self.named, os.O_RDWR | getattr(os, "O_BINARY", 0))
            try:
                if hasattr(os, "fchmod"):
                    os.fchmod(fd, mode)
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(self.named, self.target)
        self.named = None
        _fsync_folder(self.folder)

    def _link(self) -> Path:
        """A name for the unnamed file, for the instant before the rename."""
        assert self.fd is not None
        while True:
            name = self.folder / temp_name(self.target)
            try:
                os.link(self.path, name)  # linkat(…, AT_SYMLINK_FOLLOW): the documented way
                return name
            except FileExistsError:
                continue
            except OSError:
                pass
            if _linkat_empty_path(self.fd, name):
                return name
            return self._copy_to(name)

    def _copy_to(self, name: Path) -> Path:
        """Where the kernel refuses to name the file (EXDEV under some sandboxes): copy it."""
        assert self.fd is not None
        out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        self.named = name
        try:
            os.lseek(self.fd, 0, os.SEEK_SET)
            while chunk := os.read(self.fd, 1 << 20):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(out, view) :]
            os.fchmod(out, os.fstat(self.fd).st_mode & 0o777)
            os.fsync(out)
        finally:
            os.close(out)
        return name

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.close()
        if self.named is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.named)
            self.named = None


def _linkat_empty_path(fd: int, name: Path) -> bool:
    """linkat(fd, "", AT_FDCWD, name, AT_EMPTY_PATH); False where libc or the kernel refuse."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        result = libc.linkat(fd, b"", _AT_FDCWD, os.fsencode(name), _AT_EMPTY_PATH)
    except (OSError, AttributeError):
        return False
    return result == 0


def resolve_target(target: Path) -> Path:
    """Write through a symbolic link to the file it names, as an editor would."""
    target = Path(os.path.abspath(target))
    return Path(os.path.realpath(target)) if target.is_symlink() else target


@contextlib.contextmanager
def atomic_output(
    target: Path | str, *, private: bool, verify: Verify | None = None
) -> Iterator[str]:
    """Yield the path of a temporary file to write; on success it replaces ``target``.

    ``private`` files (full ID numbers, phones) end up 0600; others get the usual permissions
    (those of the file replaced, else 0666 minus the umask). The temporary file is 0600 always.
    Raises :class:`OutputError` (one Chinese line) for any failure to write; other exceptions
    pass through — in every case nothing is left at or beside the target.
    """
    target = resolve_target(Path(target))
    check_target(target)
    existed = target.exists()
    remove_stale(target.parent)
    try:
        temp = _Temp(target)
    except OSError as exc:
        raise as_output_error(exc, target, existed) from exc
    try:
        yield temp.path
        if temp.size() <= 0:
            raise OutputError(errno.EIO, f"无法保存“{target}”：写出的文件是空的，未保存", target)
        if verify is not None:
            try:
                verify(temp.path)
            except ValueError as exc:
                raise OutputError(
                    errno.EIO, f"无法保存“{target}”：写出的文件校验失败（{exc}），未保存", target
                ) from exc
        temp.finish(_final_mode(target, private))
        temp.close()
    except OSError as exc:
        temp.discard()
        raise as_output_error(exc, target, existed) from exc
    except BaseException:
        temp.discard()
        raise


def write_bytes(
    target: Path | str, data: bytes, *, private: bool, verify: Verify | None = None
) -> None:
    """``data`` as the whole content of ``target``, atomically (see :func:`atomic_output`)."""
    with atomic_output(target, private=private, verify=verify) as temp, open(temp, "wb") as out:
        out.write(data)
