"""附件 kept in the database: stored once per content, checked by content, safe to hand out."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import peewee as pw
import pytest
from PIL import Image

from partybuild.services import attachments, audit, backup, recycle
from partybuild.services.attachments import AttachmentError, NewFile
from partybuild.store import models as m


def photo_with_gps(
    size: tuple[int, int] = (64, 48), colour: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    """A phone photo: GPS position, maker and model, turned by EXIF orientation 6 (90°)."""
    image = Image.new("RGB", size, colour)
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone X1"
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 7.0), 3: "E", 4: (120.0, 10.0, 3.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=90)
    return buffer.getvalue()


def bomb_png() -> bytes:
    """A few kilobytes of PNG that claims 10,000 × 10,000 pixels (above Pillow's limit)."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_activity(topic: str = "学习二十大精神") -> m.Activity:
    branch = m.Branch.get_or_none(m.Branch.name == "化工园联合党支部") or m.Branch.create(
        name="化工园联合党支部", kind="joint"
    )
    return m.Activity.create(
        branch=branch, kind="theme_day", date=dt.date(2023, 5, 12), topic=topic
    )


def blob_count() -> int:
    return m.AttachmentBlob.select().count()


def test_attach_list_get_back_byte_identical(db: pw.Database, tmp_path: Path) -> None:
    activity = make_activity()
    data = photo_with_gps()
    result = attachments.add(
        "activities",
        activity.id,
        [NewFile("现场照片.jpg", data), NewFile("会议纪要.pdf", pdf_bytes())],
    )
    assert [a.name for a in result.added] == ["现场照片.jpg", "会议纪要.pdf"]
    listed = attachments.listing("activities", activity.id)
    assert [(a.name, a.kind, a.content_type, a.size) for a in listed] == [
        ("现场照片.jpg", "photo", "jpeg", len(data)),
        ("会议纪要.pdf", "pdf", "pdf", len(pdf_bytes())),
    ]
    assert listed[0].sha256 == hashlib.sha256(data).hexdigest()
    assert attachments.content(listed[0].id) == data
    target = tmp_path / "copy.pdf"
    attachments.save_copy(listed[1].id, target)
    assert target.read_bytes() == pdf_bytes()
    assert attachments.save_copy(listed[0].id, tmp_path / "kept.jpg", keep=True)
    assert (tmp_path / "kept.jpg").read_bytes() == data
    assert attachments.counts("activities") == {activity.id: 2}


def test_the_same_file_twice_is_stored_once(db: pw.Database) -> None:
    first, second = make_activity("一"), make_activity("二")
    data = photo_with_gps()
    attachments.add("activities", first.id, [NewFile("a.jpg", data)])
    attachments.add("activities", second.id, [NewFile("同一张.jpg", data)])
    again = attachments.add("activities", first.id, [NewFile("再一次.jpg", data)])
    assert blob_count() == 1
    assert again.added == [] and again.skipped == ["再一次.jpg"]
    assert len(attachments.listing("activities", second.id)) == 1


def test_a_file_over_the_limit_and_a_bomb_are_refused_with_nothing_written(
    db: pw.Database, tmp_path: Path
) -> None:
    activity = make_activity()
    big = tmp_path / "扫描件.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (25 * 1024 * 1024))
    with pytest.raises(AttachmentError, match="超过了每个附件 20.0 MB 的上限"):
        attachments.prepare(big)
    with pytest.raises(AttachmentError, match="超过了每个附件"):
        attachments.add("activities", activity.id, [NewFile("扫描件.pdf", big.read_bytes())])
    with pytest.raises(AttachmentError, match="图片尺寸过大"):
        attachments.add(
            "activities",
            activity.id,
            [NewFile("ok.pdf", pdf_bytes()), NewFile("b.png", bomb_png())],
        )
    with pytest.raises(AttachmentError, match="无法识别的文件内容"):
        attachments.add("activities", activity.id, [NewFile("照片.jpg", b"<html>not a photo")])
    # A Word file named .jpg is what its bytes say, not what its name says.
    assert attachments.sniff(pdf_bytes(), "x.jpg") == "pdf"
    assert m.Attachment.select().count() == 0 and blob_count() == 0
    assert not m.AuditEntry.select().where(m.AuditEntry.ledger == "attachments").exists()


def test_the_per_record_limit_counts_what_is_already_attached(db: pw.Database) -> None:
    activity = make_activity()
    attachments.set_limits(file_mb=2, record_mb=3)
    one = b"%PDF-1.4\n" + b"1" * (1024 * 1024 + 500_000)
    two = b"%PDF-1.4\n" + b"2" * (1024 * 1024 + 500_000)
    attachments.add("activities", activity.id, [NewFile("一.pdf", one), NewFile("二.pdf", two)])
    with pytest.raises(AttachmentError, match="每条记录 3.0 MB 的上限"):
        attachments.add("activities", activity.id, [NewFile("三.pdf", one + b"3")])
    assert len(attachments.listing("activities", activity.id)) == 2


def test_a_saved_photo_has_no_gps_or_device_exif_and_stays_upright(
    db: pw.Database, tmp_path: Path
) -> None:
    activity = make_activity()
    data = photo_with_gps()
    [info] = attachments.add("activities", activity.id, [NewFile("p.jpg", data)]).added
    target = tmp_path / "out.jpg"
    attachments.save_copy(info.id, target)
    with Image.open(target) as saved, Image.open(io.BytesIO(data)) as original:
        exif = saved.getexif()
        assert 0x8825 not in exif and not exif.get_ifd(0x8825)
        assert 0x010F not in exif and 0x0110 not in exif
        assert exif[0x0112] == 6  # orientation kept: the photo still stands right
        assert saved.tobytes() == original.tobytes()  # the picture itself is not re-encoded
    assert attachments.content(info.id) == data  # the stored original is untouched
    attachments.set_keep_location(True)
    attachments.save_copy(info.id, tmp_path / "kept.jpg")
    with Image.open(tmp_path / "kept.jpg") as kept:
        assert kept.getexif().get_ifd(0x8825)[2] == (30.0, 15.0, 7.0)


def test_the_thumbnail_applies_exif_orientation(db: pw.Database) -> None:
    activity = make_activity()
    [info] = attachments.add(
        "activities", activity.id, [NewFile("p.jpg", photo_with_gps((80, 40)))]
    ).added
    with Image.open(io.BytesIO(attachments.thumbnail(info.id) or b"")) as thumb:
        assert thumb.size == (40, 80)  # turned upright: taller than wide


def test_delete_goes_to_the_recycle_bin_and_restore_brings_it_back(db: pw.Database) -> None:
    activity = make_activity()
    data = photo_with_gps()
    [info] = attachments.add("activities", activity.id, [NewFile("现场.jpg", data)]).added
    attachments.delete(info.id)
    assert attachments.listing("activities", activity.id) == []
    binned = recycle.deleted_records("attachments")
    assert [(row.ledger_label, row.title) for row in binned] == [("附件", "现场.jpg")]
    assert "组织生活" in binned[0].context
    assert recycle.restore_many([("attachments", info.id)]) == []
    [back] = attachments.listing("activities", activity.id)
    assert attachments.content(back.id) == data
    attachments.delete(info.id)
    assert recycle.purge_many([("attachments", info.id)]) == 1
    assert blob_count() == 0


def test_the_audit_trail_names_the_file_but_never_holds_its_bytes(db: pw.Database) -> None:
    activity = make_activity()
    data = photo_with_gps()
    [info] = attachments.add("activities", activity.id, [NewFile("现场.jpg", data)]).added
    attachments.delete(info.id)
    entries = list(m.AuditEntry.select().where(m.AuditEntry.ledger == "attachments"))
    assert [e.action for e in entries] == ["create", "delete"]
    changes = json.loads(entries[0].changes)
    shown = {c["label"]: c["new"] for c in changes}
    assert shown["文件名"] == "现场.jpg" and shown["SHA-256"] == info.sha256
    assert shown["所属台账"] == "组织生活" and shown["大小（字节）"] == str(len(data))
    for entry in entries:
        assert len(entry.changes or "") < 2000
    listed = audit.entries(audit.AuditFilter(ledger="attachments"))
    assert {e.ledger_label for e in listed} == {"附件"}
    assert "现场.jpg" in listed[-1].summary()


def test_purging_a_record_takes_its_attachments_and_unused_blobs(db: pw.Database) -> None:
    from partybuild.services import records

    activity = make_activity()
    attachments.add("activities", activity.id, [NewFile("p.jpg", photo_with_gps())])
    records.soft_delete("activities", activity.id)
    assert recycle.purge_impact([("activities", activity.id)]) == {"附件": 1}
    records.purge("activities", activity.id)
    assert m.Attachment.select().count() == 0 and blob_count() == 0


def test_a_backup_restore_round_trip_keeps_attachments(
    sqlite_db: pw.Database, tmp_path: Path
) -> None:
    activity = make_activity()
    data = photo_with_gps()
    [info] = attachments.add("activities", activity.id, [NewFile("p.jpg", data)]).added
    copy = backup.backup_to(tmp_path / "copy.sqlite3")
    attachments.delete(info.id)
    recycle.purge_many([("attachments", info.id)])
    assert blob_count() == 0
    backup.restore_from(copy)
    [back] = attachments.listing("activities", activity.id)
    assert back.name == "p.jpg" and attachments.content(back.id) == data


def test_a_heic_photo_is_read_and_handed_out_without_its_position(
    db: pw.Database, tmp_path: Path
) -> None:
    if not attachments.HEIC_SUPPORTED:
        pytest.skip("pillow-heif is not installed on this platform")
    image = Image.new("RGB", (64, 48), (10, 200, 10))
    exif = image.getexif()
    exif[0x8825] = {1: "N", 2: (30.0, 1.0, 2.0)}
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, "HEIF", exif=exif.tobytes())
    activity = make_activity()
    [info] = attachments.add(
        "activities", activity.id, [NewFile("IMG_1.HEIC", buffer.getvalue())]
    ).added
    assert (info.kind, info.content_type) == ("photo", "heic")
    attachments.save_copy(info.id, tmp_path / "out.heic")
    with Image.open(tmp_path / "out.heic") as saved:
        assert not saved.getexif().get_ifd(0x8825) and 0x010F not in saved.getexif()
    assert attachments.thumbnail(info.id) is not None
