"""A small filesystem for full-disk tests: a tmpfs of a given size mounted for the test (the
test machines run the suite as root), else None — the caller then falls back to RLIMIT_FSIZE."""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def small_disk(folder: Path, size_kb: int) -> Iterator[Path | None]:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(folder)],
            capture_output=True,
        ).returncode
        == 0
    )
    try:
        yield folder if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave_bytes: int) -> None:
    """Fill the filesystem of ``folder`` until only about ``leave_bytes`` are free."""
    stat = os.statvfs(folder)
    free = stat.f_bavail * stat.f_frsize
    with (folder / "filler").open("wb") as fh:
        fh.write(b"\0" * max(0, free - leave_bytes))


def file_size_limit(limit: int) -> Callable[[], None]:
    """A preexec_fn: files may not grow past ``limit`` bytes (writes fail with EFBIG)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@contextlib.contextmanager
def read_only_mount(folder: Path) -> Iterator[bool]:
    """Remount the tmpfs at ``folder`` read-only (root); False when that is not possible."""
    ok = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True)
    try:
        yield ok.returncode == 0
    finally:
        if ok.returncode == 0:
            subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=False)


@contextlib.contextmanager
def read_only_file(path: Path) -> Iterator[bool]:
    """Make one file read-only in a writable folder (a read-only bind mount over it: root cannot
    be stopped by file modes); False when that is not possible."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield True
        finally:
            path.chmod(0o600)
        return
    bound = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True)
    if bound.returncode != 0:
        yield False
        return
    try:
        ro = subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(path)], capture_output=True
        ).returncode
        yield ro == 0
    finally:
        subprocess.run(["umount", str(path)], check=False)
