"""Word records read back with python-docx: every field, the attendance counts, the photos."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import peewee as pw
import pytest
from docx.oxml.ns import qn
from PIL import Image

from partybuild.cli import main
from partybuild.services import attachments, word_records
from partybuild.services.attachments import NewFile
from partybuild.store import models as m
from tests.services.test_attachments import photo_with_gps


def cells(document: docx.document.Document) -> list[str]:
    """The texts of the table's cells, row by row, merged cells once."""
    found: list[str] = []
    for table in document.tables:
        for row in table.rows:
            seen: list[object] = []
            for cell in row.cells:
                if cell._tc in seen:
                    continue
                seen.append(cell._tc)
                found.append(cell.text)
    return found


def value_after(found: list[str], label: str) -> str:
    return found[found.index(label) + 1]


def person(name: str, branch: m.Branch, n: int) -> m.Member:
    return m.Member.create(name=name, id_number=f"99999919900101{n:03d}X", branch=branch)


@pytest.fixture
def meeting(db: pw.Database) -> m.Activity:
    branch = m.Branch.create(name="化工园联合党支部", kind="joint")
    other = m.Branch.create(name="园区综合党委", kind="standalone")
    activity = m.Activity.create(
        branch=branch,
        kind="general_meeting",
        date=dt.date(2023, 6, 28),
        topic="学习贯彻党的二十大精神",
        place="园区党群服务中心",
        host="示书记",
        recorder="示记录",
        minutes="一、传达学习文件。\n二、讨论发展党员工作。",
        resolutions="同意示积极为发展对象。",
    )
    statuses = [("示一", "present", None), ("示二", "present", None), ("示三", "leave", "出差")]
    statuses += [("示四", "absent", "未请假"), ("示五", "present", None)]
    for n, (name, status, note) in enumerate(statuses):
        m.ActivityAttendee.create(
            activity=activity, member=person(name, branch, n), status=status, note=note
        )
    m.ActivityAttendee.create(
        activity=activity, member=person("示列席", other, 9), status="present"
    )
    attachments.add("activities", activity.id, [NewFile("会场.jpg", photo_with_gps((120, 80)))])
    return activity


def test_the_meeting_record_holds_every_field_the_counts_and_the_photo(
    meeting: m.Activity, tmp_path: Path
) -> None:
    target = word_records.write_record("activities", meeting.id, tmp_path / "记录.docx")
    document = docx.Document(str(target))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "党支部工作记录" and texts[1] == "化工园联合党支部"
    found = cells(document)
    expected = {
        "活动（会议）名称": "支部党员大会",
        "时间": "2023年6月28日",
        "地点": "园区党群服务中心",
        "主持人": "示书记",
        "记录人": "示记录",
        "主题": "学习贯彻党的二十大精神",
        "应到人数": "5",
        "实到人数": "3",
        "请假人数": "1",
        "缺席人数": "1",
        "出席人员": "示一、示二、示五",
        "请假人员及原因": "示三（出差）",
        "缺席人员及原因": "示四（未请假）",
        "列席人员": "示列席",
        "主要内容": "一、传达学习文件。\n二、讨论发展党员工作。",
        "决议": "同意示积极为发展对象。",
    }
    for label, value in expected.items():
        assert value_after(found, label) == value, label
    [shape] = document.inline_shapes
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip
    image_part = document.part.related_parts[blip.embed]
    with Image.open(io.BytesIO(image_part.blob)) as photo:
        assert photo.size == (80, 120)  # upright (EXIF orientation 6 applied)
        assert not photo.getexif().get_ifd(0x8825)  # no GPS in the document
    assert "图1　会场.jpg" in texts
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.left_margin.mm), round(section.top_margin.mm)) == (28, 37)
    runs = [run for p in document.paragraphs for run in p.runs if run.text]
    assert all(run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in runs)


def test_the_training_record_has_the_attendance_summary(db: pw.Database, tmp_path: Path) -> None:
    branch = m.Branch.create(name="新材料联合党支部", kind="joint")
    training = m.Training.create(
        name="2023年第一期党员轮训",
        kind="rotation",
        start_date=dt.date(2023, 3, 1),
        end_date=dt.date(2023, 3, 2),
        place="党校",
        lecturer="示教授",
        organiser="园区综合党委",
        hours=8,
        content="党章党规",
    )
    for n, status in enumerate(["signed", "signed", "signed", "leave", "absent", "expected"]):
        m.Attendance.create(training=training, member=person(f"示{n}", branch, n), status=status)
    m.Attendance.create(
        training=training, person_name="访客", person_unit="某公司", status="signed"
    )
    scan = b"%PDF-1.4\n%%EOF\n"
    attachments.add("trainings", training.id, [NewFile("签到表.pdf", scan, "signin_sheet")])
    target = word_records.write_record("trainings", training.id, tmp_path / "培训.docx")
    found = cells(docx.Document(str(target)))
    for label, value in {
        "培训名称": "2023年第一期党员轮训",
        "时间": "2023年3月1日至2023年3月2日",
        "主讲人": "示教授",
        "学时": "8",
        "应到人数": "7",
        "已签到人数": "4",
        "请假人数": "1",
        "缺席人数": "1",
        "未签到人数": "1",
        "签到率": "57%",
        "签字签到表": "已附",
        "已签到人员": "示0、示1、示2、访客（某公司）",
        "培训内容": "党章党规",
    }.items():
        assert value_after(found, label) == value, label


def test_the_service_record_and_the_record_command(
    db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from partybuild.store.database import close_database, open_database

    open_database(db_target)
    branch = m.Branch.create(name="生物医药联合党支部", kind="joint")
    team = m.Team.create(
        name="红色先锋志愿服务队", kind="volunteer", branch=branch, leader="示队长"
    )
    enterprise = m.Enterprise.create(name="示例化工有限公司")
    service = m.Service.create(
        team=team,
        date=dt.date(2023, 9, 9),
        topic="安全生产宣讲",
        place="企业会议室",
        target_enterprise=enterprise,
        hours=2.5,
        outcome="发放手册 100 份",
    )
    for n in range(3):
        m.ServiceParticipant.create(service=service, member=person(f"示队员{n}", branch, n))
    close_database()
    out = tmp_path / "服务.docx"
    assert main(["record", "--db", db_target, "--service", str(service.id), "-o", str(out)]) == 0
    found = cells(docx.Document(str(out)))
    for label, value in {
        "服务队": "红色先锋志愿服务队",
        "日期": "2023年9月9日",
        "主题": "安全生产宣讲",
        "服务对象": "示例化工有限公司",
        "时长（小时）": "2.5",
        "参加人数": "3",
        "参加队员": "示队员0、示队员1、示队员2",
        "成效": "发放手册 100 份",
    }.items():
        assert value_after(found, label) == value, label
    capsys.readouterr()
    assert (
        main(["record", "--db", db_target, "--activity", "404", "-o", str(tmp_path / "x.docx")])
        == 1
    )
    assert "没有编号为 404 的组织生活" in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists()
