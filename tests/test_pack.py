"""``partybuild pack``: the inspection pack holds what its index lists, and is whole or absent."""

from __future__ import annotations

import io
import random
import time
import zipfile
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from PIL import Image
from PySide6.QtWidgets import QApplication

from partybuild.services import attachments, pack
from partybuild.services.attachments import NewFile
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database
from tests.services.test_attachments import pdf_bytes, photo_with_gps
from tests.test_outputs import LINUX_PROC, child_env, kill_while_writing, run

pytestmark = pytest.mark.skipif(not LINUX_PROC, reason="POSIX signals; kills timed from /proc")

BRANCH = "园区第五联合党支部"  # 11 activities in the demo ledger


@pytest.fixture
def ledger(demo_file: Path, tmp_path: Path) -> tuple[Path, int]:
    """A copy of the demo ledger whose first 2023 meeting of BRANCH has two photos and a PDF."""
    folder = tmp_path / "db"
    folder.mkdir()
    copy = folder / "demo.sqlite3"
    copy.write_bytes(demo_file.read_bytes())
    open_database(copy)
    branch = m.Branch.get(m.Branch.name == BRANCH)
    activity = (
        m.Activity.select()
        .where(m.Activity.branch == branch, m.Activity.date.year == 2023)
        .order_by(m.Activity.date)
        .first()
    )
    attachments.add(
        "activities",
        activity.id,
        [
            NewFile("IMG_0001.jpg", photo_with_gps()),
            NewFile("IMG_0002.jpg", photo_with_gps(colour=(10, 90, 200))),
            NewFile("通知.pdf", pdf_bytes()),
        ],
    )
    close_database()
    return copy, activity.id


def argv(db: Path, target: Path) -> list[str]:
    import sys

    return [
        *(sys.executable, "-m", "partybuild", "pack", "--db", str(db), "--branch", BRANCH),
        *("--year", "2023", "-o", str(target)),
    ]


def test_the_index_lists_every_file_of_the_pack_and_nothing_else(
    ledger: tuple[Path, int], tmp_path: Path
) -> None:
    db, activity_id = ledger
    target = tmp_path / "资料.zip"
    child_tmp = tmp_path / "child-tmp"
    child_tmp.mkdir()
    result = run(argv(db, target), child_tmp)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
        listed = pack.index_paths(archive)
        assert sorted(listed) == sorted(names) and len(listed) == len(set(listed))
        index = load_workbook(io.BytesIO(archive.read(pack.INDEX_NAME)), read_only=True).active
        rows = list(index.iter_rows(min_row=3, values_only=True))
        sizes = {row[1]: row[6] for row in rows}
        for name in names:
            if name != pack.INDEX_NAME:
                assert sizes[name] == archive.getinfo(name).file_size, name
        open_database(db)
        activity = m.Activity.get_by_id(activity_id)
        stem = f"组织生活/{activity.date:%Y-%m}/{activity.date:%Y%m%d}_{activity.topic}"
        expected_activities = (
            m.Activity.select()
            .join(m.Branch)
            .where(m.Branch.name == BRANCH, m.Activity.date.year == 2023, m.live(m.Activity))
            .count()
        )
        close_database()
        assert f"{stem}.docx" in names and f"{stem}_签到表.pdf" in names
        assert [f"{stem}_01.jpg", f"{stem}_02.jpg", f"{stem}_03.pdf"] == sorted(
            n for n in names if n.startswith(f"{stem}_0")
        )
        records = [n for n in names if n.startswith("组织生活/") and n.endswith(".docx")]
        assert len(records) == expected_activities
        assert "党员花名册.pdf" in names and "2023年度党建工作总结.pdf" in names
        assert any(n.startswith("培训/") and n.endswith("_签到表.pdf") for n in names)
        assert all(n.split("/")[1][:4] == "2023" for n in names if "/" in n)
        # The meeting's record opens in python-docx and the photos carry no position.
        document = docx.Document(io.BytesIO(archive.read(f"{stem}.docx")))
        assert document.paragraphs[0].text == "党支部工作记录"
        assert len(document.inline_shapes) == 2
        with Image.open(io.BytesIO(archive.read(f"{stem}_01.jpg"))) as photo:
            assert not photo.getexif().get_ifd(0x8825)
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_a_sigkill_during_pack_leaves_no_partial_zip(
    ledger: tuple[Path, int], tmp_path: Path, qapp: QApplication
) -> None:
    db, _ = ledger
    out = tmp_path / "out"
    out.mkdir()
    child_tmp = tmp_path / "child-tmp"
    child_tmp.mkdir()
    target = out / "资料.zip"
    started = time.perf_counter()
    assert run(argv(db, target), child_tmp).returncode == 0
    duration = time.perf_counter() - started
    target.unlink()
    rng = random.Random("pack")
    points = [
        (True, 0.0),
        (True, rng.uniform(0.01, 0.2)),
        (False, rng.uniform(0.3, 0.9) * duration),
    ]
    killed = 0
    for triggered, delay in points:
        code = kill_while_writing(argv(db, target), child_env(child_tmp), (out,), delay, triggered)
        left = sorted(p.name for p in out.iterdir())
        if code is None:
            killed += 1
        assert left in ([], ["资料.zip"]), (triggered, delay, left)
        if left:
            with zipfile.ZipFile(target) as archive:
                assert sorted(pack.index_paths(archive)) == sorted(archive.namelist())
            target.unlink()
        assert sorted(p.name for p in child_tmp.rglob("*")) == []
    assert killed >= 2


def test_an_unknown_branch_and_a_cancel_write_nothing(
    ledger: tuple[Path, int], tmp_path: Path, qapp: QApplication
) -> None:
    from partybuild.cli import main
    from partybuild.printing.pack import PackPdfs

    db, _ = ledger
    assert (
        main(
            [
                "pack",
                "--db",
                str(db),
                "--branch",
                "没有的支部",
                "--year",
                "2023",
                "-o",
                str(tmp_path / "a.zip"),
            ]
        )
        == 1
    )
    open_database(db)
    branch = m.Branch.get(m.Branch.name == BRANCH)
    seen: list[str] = []

    def progress(done: int, total: int, what: str) -> bool:
        seen.append(what)
        return done < 3

    with pytest.raises(pack.PackCancelled):
        pack.write_pack(branch.id, 2023, tmp_path / "b.zip", PackPdfs(), progress=progress)
    assert len(seen) == 4
    assert not (tmp_path / "a.zip").exists() and not (tmp_path / "b.zip").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
