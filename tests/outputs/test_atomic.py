"""atomic_output: the target is the whole new file or the old one, never half; nothing beside it."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from partybuild.outputs import OutputError, atomic_output, write_bytes
from partybuild.outputs import atomic as atomic_module
from partybuild.outputs.atomic import TEMP_MARK, describe_failure, remove_stale, temp_name

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _umask_022() -> object:
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture(params=["unnamed", "named"])
def flavour(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both kinds of temporary file: O_TMPFILE (Linux) and the named fallback (elsewhere)."""
    if request.param == "named":
        monkeypatch.setattr(atomic_module, "_PROC_FD", Path("/no/such/proc"))
    elif not atomic_module._PROC_FD.is_dir() or not hasattr(os, "O_TMPFILE"):
        pytest.skip("O_TMPFILE needs Linux")
    return request.param


def test_success_replaces_the_target_and_leaves_nothing_else(tmp_path: Path, flavour: str) -> None:
    target = tmp_path / "总结.pdf"
    target.write_bytes(b"old")
    with atomic_output(target, private=False) as temp:
        assert temp != str(target)
        Path(temp).write_bytes(b"new content")
        assert target.read_bytes() == b"old"  # nothing at the target until it is complete
    assert target.read_bytes() == b"new content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["总结.pdf"]


def test_private_files_are_0600_others_follow_the_umask(tmp_path: Path, flavour: str) -> None:
    write_bytes(tmp_path / "a.xlsx", b"x", private=True)
    write_bytes(tmp_path / "b.xlsx", b"x", private=False)
    assert (tmp_path / "a.xlsx").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "b.xlsx").stat().st_mode & 0o777 == 0o644
    # A private file written over a 0644 one becomes 0600; a plain one keeps the file's mode.
    write_bytes(tmp_path / "b.xlsx", b"y", private=True)
    assert (tmp_path / "b.xlsx").stat().st_mode & 0o777 == 0o600
    (tmp_path / "c.pdf").write_bytes(b"")
    (tmp_path / "c.pdf").chmod(0o640)
    write_bytes(tmp_path / "c.pdf", b"z", private=False)
    assert (tmp_path / "c.pdf").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("error", [RuntimeError("bug"), KeyboardInterrupt()])
def test_any_exception_leaves_the_old_file_and_nothing_beside(
    tmp_path: Path, flavour: str, error: BaseException
) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(type(error)), atomic_output(target, private=True) as temp:
        Path(temp).write_bytes(b"half")
        raise error
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]


def test_empty_or_unverified_files_are_refused(tmp_path: Path, flavour: str) -> None:
    target = tmp_path / "x.pdf"
    with pytest.raises(OutputError, match="写出的文件是空的"), atomic_output(target, private=False):
        pass

    def verify(path: str) -> None:
        assert Path(path).read_bytes() == b"broken"
        raise ValueError("应有 3 页，读回 1 页")

    with pytest.raises(OutputError) as caught:
        write_bytes(target, b"broken", private=False, verify=verify)
    assert (
        str(caught.value)
        == f"无法保存“{target}”：写出的文件校验失败（应有 3 页，读回 1 页），未保存"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "没有" / "x.pdf"
    with pytest.raises(OutputError) as caught, atomic_output(target, private=False):
        pass
    assert str(caught.value) == f"无法保存“{target}”：文件夹“{target.parent}”不存在，未写入任何文件"
    assert caught.value.errno == errno.ENOENT


def test_a_folder_in_place_of_the_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").mkdir()
    with pytest.raises(OutputError, match="这是一个文件夹"):
        write_bytes(tmp_path / "x.pdf", b"x", private=False)


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (errno.ENOSPC, "磁盘空间不足"),
        (errno.EFBIG, "超过了系统允许的大小"),
        (errno.EROFS, "所在的磁盘是只读的"),
        (errno.EACCES, "没有在文件夹"),
    ],
)
def test_write_errors_become_one_chinese_line(
    tmp_path: Path, flavour: str, code: int, says: str
) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(OutputError) as caught, atomic_output(target, private=False) as temp:
        Path(temp).write_bytes(b"part")
        raise OSError(code, os.strerror(code))
    text = str(caught.value)
    assert says in text and str(target) in text and text.endswith("原文件保持不变")
    assert "\n" not in text and "Errno" not in text
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]


def test_describe_failure_names_a_read_only_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.pdf"
    target.write_bytes(b"")
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != target)
    text = describe_failure(OSError(errno.EACCES, "Permission denied"), target)
    assert text == f"无法保存“{target}”：文件是只读的（没有写入权限）"


def test_stale_named_temporaries_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".x.xlsx{TEMP_MARK}{dead_pid}-0123abcd"
    mine = tmp_path / temp_name(tmp_path / "y.xlsx")  # this process: still being written
    other = tmp_path / ".x.xlsx.partybuild-tmp-notes"  # not our pattern
    for path in (stale, mine, other):
        path.write_bytes(b"x")
    assert remove_stale(tmp_path) == 1
    assert not stale.exists() and mine.exists() and other.exists()
    stale.write_bytes(b"x")
    write_bytes(tmp_path / "z.pdf", b"new", private=False)  # the next write into the folder
    assert not stale.exists()


def test_when_the_kernel_refuses_a_name_the_file_is_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not atomic_module._PROC_FD.is_dir() or not hasattr(os, "O_TMPFILE"):
        pytest.skip("O_TMPFILE needs Linux")

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", refuse)
    monkeypatch.setattr(atomic_module, "_linkat_empty_path", lambda fd, name: False)
    write_bytes(tmp_path / "x.pdf", b"%PDF-1.4 content", private=True)
    assert (tmp_path / "x.pdf").read_bytes() == b"%PDF-1.4 content"
    assert (tmp_path / "x.pdf").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


def test_a_killed_writer_leaves_nothing(tmp_path: Path) -> None:
    """SIGKILL while the temporary file is open and written: no file anywhere in the folder."""
    if not atomic_module._PROC_FD.is_dir():
        pytest.skip("needs /proc")
    out = tmp_path / "out"
    out.mkdir()
    code = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from partybuild.outputs import atomic_output
        with atomic_output(Path({str(out / "big.xlsx")!r}), private=True) as temp:
            with open(temp, "wb") as f:
                f.write(b"x" * 1_000_000)
                f.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True)
    assert result.returncode == -9
    assert list(out.iterdir()) == []
