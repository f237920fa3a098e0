"""Every file the commands write is whole or absent: after a SIGKILL at any moment, on a full disk,
in a read-only or missing folder. Nothing beside the target, nothing in the temporary folder;
each failure is one Chinese line and exit code 2.

These run the real command in a child process (``python -m partybuild``) on the demo ledger.
Kills are timed from the moment the child opens its first file in the target's folder or in its
(private) temporary folder, so they land while the file is being written, plus one at a random
moment of the whole run. A full disk is a small tmpfs mounted for the test where the test may
mount one (root), else ``RLIMIT_FSIZE``; a read-only folder is a tmpfs remounted read-only (root
ignores permissions), else a folder without write permission.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
BRANCH = "瑞丰化工有限公司党支部"  # 50 members in the demo ledger
LINUX_PROC = Path("/proc/self/fd").is_dir()

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and mounts")


@dataclass(frozen=True)
class Command:
    args: tuple[str, ...]
    name: str  # the target's file name

    def argv(self, db: Path, target: Path) -> list[str]:
        return [sys.executable, "-m", "partybuild", *self.args, "--db", str(db), "-o", str(target)]


COMMANDS = {
    "report-pdf": Command(("report", "--year", "2023"), "2023年度总结.pdf"),
    "report-xlsx": Command(("report", "--year", "2023"), "2023年度总结.xlsx"),
    "roster": Command(("print", "roster", "--branch", BRANCH, "--unmasked"), "花名册.pdf"),
    "export": Command(("export", "--ledger", "all"), "全部台账.xlsx"),
}


@pytest.fixture
def db(demo_file: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "db"
    folder.mkdir()
    copy = folder / "demo.sqlite3"
    shutil.copyfile(demo_file, copy)
    return copy


@pytest.fixture
def child_tmp(tmp_path: Path) -> Path:
    """The child's own TMPDIR: whatever it leaves there is seen."""
    folder = tmp_path / "child-tmp"
    folder.mkdir()
    return folder


def child_env(child_tmp: Path) -> dict[str, str]:
    runtime = child_tmp.parent / "child-runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TMPDIR": str(child_tmp),
        "XDG_RUNTIME_DIR": str(runtime),
    }


def run(
    argv: list[str], child_tmp: Path, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=ROOT,
        env=child_env(child_tmp),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=preexec,
    )


def is_complete(path: Path) -> bool:
    """The file is a whole PDF or workbook, readable from start to end."""
    if path.suffix == ".pdf":
        document = QPdfDocument()
        try:
            return document.load(str(path)) == QPdfDocument.Error.None_ and document.pageCount() > 0
        finally:
            document.close()
    with zipfile.ZipFile(path) as archive:
        if archive.testzip() is not None:
            return False
    return bool(load_workbook(path, read_only=True).sheetnames)


def assert_one_line(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


# --------------------------------------------------------------------------- SIGKILL


def _writes_into(pid: int, folders: tuple[Path, ...]) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if any(link.startswith(f"{folder}/") for folder in folders):
            return True
    return False


def kill_while_writing(
    argv: list[str], env: dict[str, str], watch: tuple[Path, ...], delay: float, triggered: bool
) -> int | None:
    """SIGKILL the command ``delay`` s after it opens a file in ``watch`` (or after it starts)."""
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        if triggered:
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                if _writes_into(proc.pid, watch):
                    break
                time.sleep(0.002)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return None
        return proc.returncode
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(not LINUX_PROC, reason="the kill is timed from /proc/PID/fd")
@pytest.mark.parametrize("which", list(COMMANDS))
def test_sigkill_at_any_moment_leaves_nothing_half_written(
    which: str, db: Path, tmp_path: Path, child_tmp: Path, qapp: QApplication
) -> None:
    command = COMMANDS[which]
    out = tmp_path / "out"
    out.mkdir()
    target = out / command.name
    env = child_env(child_tmp)
    started = time.perf_counter()
    finished = run(command.argv(db, target), child_tmp)
    duration = time.perf_counter() - started
    assert finished.returncode == 0, finished.stderr
    assert is_complete(target)
    target.unlink()

    rng = random.Random(which)
    points = [(True, 0.0), (True, rng.uniform(0, 0.01)), (True, rng.uniform(0.01, 0.05))]
    points.append((False, rng.uniform(0.2, 0.9 * duration)))
    killed = 0
    for triggered, delay in points:
        code = kill_while_writing(command.argv(db, target), env, (out, child_tmp), delay, triggered)
        left = sorted(p.name for p in out.iterdir())
        if code is None:
            killed += 1
        else:
            assert code == 0
        # Killed: nothing at all, or — killed after the rename — the whole file. Never a part.
        assert left in ([], [command.name]), (triggered, delay, left)
        if left:
            assert is_complete(target), (triggered, delay)
            target.unlink()
        assert sorted(p.name for p in child_tmp.rglob("*")) == [], (triggered, delay)
    assert killed >= 2  # the kills really landed while the command ran


# --------------------------------------------------------------------------- full disk


@dataclass
class Disk:
    folder: Path
    preexec: Callable[[], None] | None  # RLIMIT_FSIZE for the child when nothing can be mounted


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)],
        capture_output=True,
    )
    return result.returncode == 0


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def _fill(folder: Path, keep: int = 4096) -> None:
    """Fill the filesystem, then free ``keep`` bytes: any output bigger than that fails."""
    filler = folder / "filler.bin"
    with open(filler, "wb", buffering=0) as out:
        chunk = b"\0" * 65536
        with contextlib.suppress(OSError):
            while True:
                out.write(chunk)
        size = out.seek(0, os.SEEK_END)
    os.truncate(filler, max(0, size - keep))


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (36 * 1024, 36 * 1024))


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Disk]:
    folder = tmp_path / "disk"
    folder.mkdir()
    if _mount_tmpfs(folder, "2m"):
        try:
            yield Disk(folder, None)
        finally:
            _umount(folder)
    else:
        yield Disk(folder, _limit_file_size)


def errors_input(tmp_path: Path) -> Path:
    """A member sheet of 300 rows with invalid ID numbers: an error workbook of some size."""
    book = Workbook()
    ws = book.active
    ws.title = "党员"
    ws.append(["姓名", "身份证号", "所属党组织", "类别", "联系电话"])
    for n in range(300):
        ws.append([f"错示{n}", f"12345{n}", BRANCH, "正式党员", f"1390000{n:04d}"])
    path = tmp_path / "名册.xlsx"
    book.save(path)
    return path


def full_disk_cases(db: Path, tmp_path: Path) -> dict[str, Callable[[Path], list[str]]]:
    py = [sys.executable, "-m", "partybuild"]
    source = errors_input(tmp_path)
    cases: dict[str, Callable[[Path], list[str]]] = {
        which: (lambda target, c=command: c.argv(db, target)) for which, command in COMMANDS.items()
    }
    cases["template"] = lambda target: [*py, "template", "--ledger", "members", "-o", str(target)]
    cases["import-errors"] = lambda target: [
        *py, "import", str(source), "--db", str(db), "--dry-run", "--errors", str(target)
    ]  # fmt: skip
    return cases


TARGET_NAMES = {**{k: c.name for k, c in COMMANDS.items()}, "template": "模板.xlsx"}
TARGET_NAMES["import-errors"] = "错误行.xlsx"


@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
def test_a_full_disk_is_one_line_and_leaves_nothing(
    existing: bool, db: Path, tmp_path: Path, child_tmp: Path, full_disk: Disk
) -> None:
    cases = full_disk_cases(db, tmp_path)
    old = b"the file that was there before"
    targets = {which: full_disk.folder / TARGET_NAMES[which] for which in cases}
    if existing:
        for target in targets.values():
            target.write_bytes(old)
    if full_disk.preexec is None:
        _fill(full_disk.folder)
    for which, argv in cases.items():
        target = targets[which]
        if full_disk.preexec is not None and which in ("report-xlsx", "template", "import-errors"):
            continue  # smaller than the RLIMIT_FSIZE the database files need; tmpfs only
        result = run(argv(target), child_tmp, full_disk.preexec)
        reason = "磁盘空间不足" if full_disk.preexec is None else "超过了系统允许的大小"
        assert_one_line(result, f"无法保存“{target}”", reason)
        if existing:
            assert target.read_bytes() == old, which
            assert "原文件保持不变" in result.stderr
        else:
            assert not target.exists(), which
        names = {p.name for p in full_disk.folder.iterdir()} - {"filler.bin"}
        assert names == ({p.name for p in targets.values()} if existing else set()), which
        assert list(child_tmp.rglob("*")) == [], which


# --------------------------------------------------------------------------- read-only, missing


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder the child cannot write into, holding one existing file, and the expected words."""
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "旧.xlsx").write_bytes(b"old")
    if _mount_tmpfs(folder, "1m"):
        (folder / "旧.xlsx").write_bytes(b"old")
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        try:
            yield folder, "所在的磁盘是只读的"
        finally:
            _umount(folder)
    elif os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield folder, "没有在文件夹"
        finally:
            folder.chmod(0o700)
    else:
        pytest.skip("root without mount: no folder is read-only for it")


def test_a_read_only_folder_is_one_line(
    db: Path, tmp_path: Path, child_tmp: Path, read_only_folder: tuple[Path, str]
) -> None:
    folder, words = read_only_folder
    for which, argv in full_disk_cases(db, tmp_path).items():
        for name in (TARGET_NAMES[which], "旧.xlsx" if which != "roster" else "旧.pdf"):
            target = folder / name
            result = run(argv(target), child_tmp)
            assert_one_line(result, f"无法保存“{target}”", words)
    assert sorted(p.name for p in folder.iterdir()) == ["旧.xlsx"]
    assert (folder / "旧.xlsx").read_bytes() == b"old"


def test_a_missing_folder_is_one_line(db: Path, tmp_path: Path, child_tmp: Path) -> None:
    missing = tmp_path / "没有这个文件夹"
    for which, argv in full_disk_cases(db, tmp_path).items():
        target = missing / TARGET_NAMES[which]
        result = run(argv(target), child_tmp)
        assert_one_line(result, f"无法保存“{target}”", f"文件夹“{missing}”不存在")
    assert not missing.exists()


def test_the_database_in_use_is_never_an_output(db: Path, child_tmp: Path) -> None:
    """`print roster -o d.db` would rename a PDF over the database it reads from."""
    before = db.read_bytes()
    for target in (db, Path(f"{db}-wal")):
        argv = COMMANDS["roster"].argv(db, target)
        result = run(argv, child_tmp)
        assert_one_line(result, f"“{target}”是正在使用的数据库文件", "未写入任何文件")
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir() if not p.name.startswith(db.name)) == []


# --------------------------------------------------------------------------- messages


def test_no_errno_text_reaches_the_user(tmp_path: Path) -> None:
    """The one line is Chinese: no “[Errno 28]”, no English strerror."""
    from partybuild.outputs.atomic import describe_failure

    target = tmp_path / "x.pdf"
    for code in (errno.ENOSPC, errno.EFBIG, errno.EROFS, errno.EACCES, errno.ENOENT):
        text = describe_failure(OSError(code, os.strerror(code)), tmp_path / "无" / "x.pdf")
        assert os.strerror(code) not in text
    assert "x.pdf" in describe_failure(OSError(errno.ENOSPC, "No space"), target)


# --------------------------------------------------------------------------- permission refused

# Root ignores permissions, so as root the child gives them up (to nobody) — after importing what
# it needs, since the interpreter may live in a folder only root can read.
AS_USER = """
import contextlib, io, json, os, sys
import encodings.cp437, openpyxl.reader.excel, openpyxl.writer.excel, zipfile
import partybuild.cli, partybuild.commands.excel, partybuild.exchange.templates
import partybuild.outputs.workbook, partybuild.store.database
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
results = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = partybuild.cli.main(argv)
    results.append([code, err.getvalue()])
print(json.dumps(results))
"""


def test_permission_refused_folder_and_file_as_an_ordinary_user() -> None:
    """chmod 0500 folder and a 0444 file, written by a user the permissions apply to."""
    import json
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="partybuild-perm-"))  # tmp_path's parents are 0700
    try:
        base.chmod(0o755)
        owner = 65534 if os.geteuid() == 0 else os.geteuid()
        locked, open_ = base / "locked", base / "open"
        for folder in (locked, open_):
            folder.mkdir()
            os.chown(folder, owner, -1)
        old = open_ / "旧.xlsx"
        old.write_bytes(b"old")
        os.chown(old, owner, -1)
        old.chmod(0o444)
        locked.chmod(0o500)
        runs = [
            ["template", "--ledger", "members", "-o", str(locked / "模板.xlsx")],
            ["template", "--ledger", "members", "-o", str(old)],
            ["template", "--ledger", "members", "-o", str(open_ / "新.xlsx")],
        ]
        result = subprocess.run(
            [sys.executable, "-c", AS_USER, json.dumps(runs)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        (code1, err1), (code2, err2), (code3, err3) = json.loads(result.stdout.splitlines()[-1])
        assert (code1, err1.strip()) == (
            2,
            f"partybuild: 无法保存“{locked / '模板.xlsx'}”：没有在文件夹“{locked}”中写入的权限，"
            "未写入任何文件",
        )
        assert (code2, err2.strip()) == (
            2,
            f"partybuild: 无法保存“{old}”：文件是只读的（没有写入权限），原文件保持不变",
        )
        assert code3 == 0, err3
        assert list(locked.iterdir()) == []
        assert old.read_bytes() == b"old"
        assert sorted(p.name for p in open_.iterdir()) == ["新.xlsx", "旧.xlsx"]
    finally:
        locked.chmod(0o700)
        shutil.rmtree(base, ignore_errors=True)
