"""``partybuild attach add|list|get`` as a script uses it, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from partybuild.cli import main
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database
from tests.services.test_attachments import bomb_png, make_activity, pdf_bytes, photo_with_gps


@pytest.fixture
def ledger(db_target: str) -> tuple[str, int, int]:
    """A database with one activity and one training; (target, activity id, training id)."""
    import datetime as dt

    open_database(db_target)
    activity = make_activity()
    training = m.Training.create(
        name="2023年第一期党员轮训", kind="rotation", start_date=dt.date(2023, 3, 1)
    )
    close_database()
    return db_target, activity.id, training.id


def test_attach_list_and_get_round_trip(
    ledger: tuple[str, int, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target, activity_id, _ = ledger
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(photo_with_gps())
    scan = tmp_path / "签到表.pdf"
    scan.write_bytes(pdf_bytes())
    assert main(["attach", "add", "--db", target, "--activity", str(activity_id), str(photo)]) == 0
    assert (
        main(
            ["attach", "add", "--db", target, "--training", "2023年第一期党员轮训"]
            + ["--signed-sheet", str(scan)]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["attach", "list", "--db", target, "--activity", str(activity_id), "--json"]) == 0
    [item] = json.loads(capsys.readouterr().out)
    assert set(item) == {"id", "name", "kind", "size", "sha256", "added_at"}
    assert item["name"] == "现场照片.jpg" and item["kind"] == "photo"
    assert item["size"] == photo.stat().st_size
    assert item["sha256"] == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert (
        main(["attach", "list", "--db", target, "--training", "2023年第一期党员轮训", "--json"])
        == 0
    )
    [sheet] = json.loads(capsys.readouterr().out)
    assert sheet["kind"] == "signin_sheet"
    out = tmp_path / "back.pdf"
    assert main(["attach", "get", "--db", target, str(sheet["id"]), "-o", str(out)]) == 0
    assert out.read_bytes() == scan.read_bytes()
    kept = tmp_path / "kept.jpg"
    assert (
        main(["attach", "get", "--db", target, str(item["id"]), "-o", str(kept), "--keep-location"])
        == 0
    )
    assert kept.read_bytes() == photo.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("扫描件.pdf", None, "超过了每个附件 20.0 MB 的上限"),
        ("炸弹.png", "bomb", "图片尺寸过大"),
        ("照片.jpg", b"MZ\x90\x00 an executable", "无法识别的文件内容"),
    ],
)
def test_refused_files_are_one_line_and_nothing_is_written(
    ledger: tuple[str, int, int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | str | None,
    message: str,
) -> None:
    target, activity_id, _ = ledger
    good = tmp_path / "good.pdf"
    good.write_bytes(pdf_bytes())
    bad = tmp_path / name
    if content is None:
        with open(bad, "wb") as out:
            out.write(b"%PDF-1.4\n")
            out.truncate(25 * 1024 * 1024)
    else:
        bad.write_bytes(bomb_png() if content == "bomb" else content)  # type: ignore[arg-type]
    code = main(
        ["attach", "add", "--db", target, "--activity", str(activity_id), str(good), str(bad)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and message in err and name in err
    open_database(target)
    assert m.Attachment.select().count() == 0 and m.AttachmentBlob.select().count() == 0


def test_unknown_record_and_missing_file(
    ledger: tuple[str, int, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target, activity_id, _ = ledger
    assert main(["attach", "list", "--db", target, "--service", "999"]) == 1
    assert "没有编号为 999 的志愿服务活动" in capsys.readouterr().err
    missing = tmp_path / "nope.jpg"
    assert (
        main(["attach", "add", "--db", target, "--activity", str(activity_id), str(missing)]) == 2
    )
    assert "文件不存在" in capsys.readouterr().err
    assert main(["attach", "get", "--db", target, "12345", "-o", str(tmp_path / "x")]) == 1
    assert "没有编号为 12345 的附件" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_the_settings_change_the_limit_and_the_location_rule(
    ledger: tuple[str, int, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target, activity_id, _ = ledger
    assert main(["attach", "settings", "--db", target, "--max-file-mb", "1"]) == 0
    assert "每个附件上限：1 MB" in capsys.readouterr().out
    scan = tmp_path / "扫描.pdf"
    scan.write_bytes(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    assert main(["attach", "add", "--db", target, "--activity", str(activity_id), str(scan)]) == 1
    assert "超过了每个附件 1.0 MB 的上限" in capsys.readouterr().err
    photo = tmp_path / "p.jpg"
    photo.write_bytes(photo_with_gps())
    assert main(["attach", "add", "--db", target, "--activity", str(activity_id), str(photo)]) == 0
    assert main(["attach", "settings", "--db", target, "--keep-location", "yes"]) == 0
    assert "拍摄位置和设备信息：保留" in capsys.readouterr().out
    open_database(target)
    [info] = m.Attachment.select()
    close_database()
    out = tmp_path / "out.jpg"
    assert main(["attach", "get", "--db", target, str(info.id), "-o", str(out)]) == 0
    assert out.read_bytes() == photo.read_bytes()
    assert main(["attach", "settings", "--db", target, "--max-file-mb", "0"]) == 2
