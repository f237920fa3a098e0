"""Word records (python-docx): a meeting's 党支部工作记录, a training's and a service's record.

Each record is gathered first as plain data (:class:`WordRecord`: rows of label → value, long
sections and photos), then laid out on A4 with the margins of GB/T 9704 (天头 37 mm, 订口 28 mm,
so the sheet can be bound and filed) in a bordered table. Every run names its Chinese face in
``w:eastAsia`` as well as the Latin one, so Word and WPS show 宋体/黑体 rather than a fallback.
Photos are the record's 照片 attachments, turned upright and re-encoded without EXIF (so no
GPS position reaches the document). Attendance counts come from the same rows as the pages:
应到 = the branch's members on the attendance list, 列席 = people from elsewhere who attended.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from partybuild.domain import vocab
from partybuild.outputs import atomic_output
from partybuild.services import attachments, records
from partybuild.store import models as m

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
PHOTO_WIDTH_MM = 130
PHOTO_HEIGHT_MM = 85  # two photos fit a page with their captions


@dataclass
class WordRecord:
    """A record as it goes into Word: what it is, its fields in order, photos."""

    title: str
    subtitle: str
    #: (label, value) pairs; a pair with ``wide`` True takes the whole row
    rows: list[tuple[str, str, bool]] = field(default_factory=list)
    photos: list[tuple[str, bytes]] = field(default_factory=list)
    file_stem: str = "记录"

    def add(self, label: str, value: object, *, wide: bool = False) -> None:
        self.rows.append((label, "" if value is None else str(value), wide))

    def fields(self) -> dict[str, str]:
        return {label: value for label, value, _ in self.rows}


def _day(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _names(rows: list[tuple[str, str | None]]) -> str:
    """“张三（出差）、李四”: names with the reason noted, if any."""
    return "、".join(f"{name}（{note}）" if note else name for name, note in rows) or "无"


def _photos(owner_ledger: str, owner_id: int) -> list[tuple[str, bytes]]:
    found = []
    for info in attachments.listing(owner_ledger, owner_id):
        if info.kind != "photo":
            continue
        jpeg = attachments.upright_jpeg(attachments.content(info.id))
        if jpeg is not None:
            found.append((info.name, jpeg))
    return found


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def activity_record(activity_id: int) -> WordRecord:
    """The 党支部工作记录 of a meeting or other organisational life."""
    activity: m.Activity = records.get("activities", activity_id)  # type: ignore[assignment]
    AA, M = m.ActivityAttendee, m.Member
    rows = list(
        AA.select(AA, M)
        .join(M)
        .where(AA.activity == activity.id, m.live(AA), m.live(M))
        .order_by(AA.id)
    )
    own = [a for a in rows if a.member.branch_id == activity.branch_id]
    guests = [a for a in rows if a.member.branch_id != activity.branch_id]
    present = [a for a in own if a.status == "present"]
    leave = [a for a in own if a.status == "leave"]
    absent = [a for a in own if a.status == "absent"]
    kind = vocab.ACTIVITY_KIND.label(activity.kind)
    record = WordRecord(
        "党支部工作记录",
        activity.branch.name,
        file_stem=f"{activity.date:%Y%m%d}_{activity.topic}",
    )
    record.add("活动（会议）名称", kind)
    record.add("时间", _day(activity.date))
    record.add("地点", activity.place)
    record.add("主持人", activity.host)
    record.add("记录人", activity.recorder)
    record.add("主题", activity.topic, wide=True)
    record.add("应到人数", len(own))
    record.add("实到人数", len(present))
    record.add("请假人数", len(leave))
    record.add("缺席人数", len(absent))
    record.add("出席人员", _names([(a.member.name, None) for a in present]), wide=True)
    record.add("请假人员及原因", _names([(a.member.name, a.note) for a in leave]), wide=True)
    record.add("缺席人员及原因", _names([(a.member.name, a.note) for a in absent]), wide=True)
    record.add(
        "列席人员",
        _names([(a.member.name, None) for a in guests if a.status == "present"]),
        wide=True,
    )
    record.add("主要内容", activity.minutes, wide=True)
    record.add("决议", activity.resolutions, wide=True)
    record.photos = _photos("activities", activity.id)
    return record


def training_record(training_id: int) -> WordRecord:
    """A training's record with the attendance summary (应到/已签到/请假/缺席/未签到)."""
    training: m.Training = records.get("trainings", training_id)  # type: ignore[assignment]
    A = m.Attendance
    rows = list(A.select().where(A.training == training.id, m.live(A)).order_by(A.id))

    def who(a: m.Attendance) -> str:
        if a.member_id is not None:
            return a.member.name
        return f"{a.person_name}（{a.person_unit}）" if a.person_unit else a.person_name or ""

    by_status = {code: [a for a in rows if a.status == code] for code, _ in vocab.ATTENDANCE_STATUS}
    signed = len(by_status.get("signed", []))
    record = WordRecord(
        "培训记录",
        training.organiser or "",
        file_stem=f"{training.start_date:%Y%m%d}_{training.name}",
    )
    period = _day(training.start_date)
    if training.end_date and training.end_date != training.start_date:
        period += f"至{_day(training.end_date)}"
    record.add("培训名称", training.name, wide=True)
    record.add("培训类型", vocab.TRAINING_KIND.label(training.kind))
    record.add("时间", period)
    record.add("地点", training.place)
    record.add("主讲人", training.lecturer)
    record.add("主办单位", training.organiser)
    record.add("学时", _number(training.hours))
    record.add("应到人数", len(rows))
    record.add("已签到人数", signed)
    record.add("请假人数", len(by_status.get("leave", [])))
    record.add("缺席人数", len(by_status.get("absent", [])))
    record.add("未签到人数", len(by_status.get("expected", [])))
    record.add("签到率", f"{signed / len(rows):.0%}" if rows else "—")
    record.add("签字签到表", "已附" if attachments.has_signed_sheet(training.id) else "未附")
    record.add(
        "已签到人员", _names([(who(a), None) for a in by_status.get("signed", [])]), wide=True
    )
    record.add(
        "请假人员及原因", _names([(who(a), a.note) for a in by_status.get("leave", [])]), wide=True
    )
    record.add(
        "缺席人员及原因", _names([(who(a), a.note) for a in by_status.get("absent", [])]), wide=True
    )
    record.add("培训内容", training.content, wide=True)
    record.photos = _photos("trainings", training.id)
    return record


def service_record(service_id: int) -> WordRecord:
    """A volunteer service's record: team, what, where, for whom, who took part, outcome."""
    service: m.Service = records.get("services", service_id)  # type: ignore[assignment]
    P, M = m.ServiceParticipant, m.Member
    people = [
        p.member.name
        for p in P.select(P, M).join(M).where(P.service == service.id, m.live(P), m.live(M))
    ]
    target = service.target_enterprise.name if service.target_enterprise_id else ""
    if service.target_text:
        target = f"{target}（{service.target_text}）" if target else service.target_text
    team = service.team
    record = WordRecord(
        "志愿服务活动记录",
        team.branch.name if team.branch_id else "",
        file_stem=f"{service.date:%Y%m%d}_{service.topic}",
    )
    record.add("服务队", team.name, wide=True)
    record.add("队伍类型", vocab.TEAM_KIND.label(team.kind))
    record.add("日期", _day(service.date))
    record.add("主题", service.topic, wide=True)
    record.add("地点", service.place)
    record.add("时长（小时）", _number(service.hours))
    record.add("服务对象", target, wide=True)
    record.add("参加人数", len(people))
    record.add("队长", team.leader)
    record.add("参加队员", "、".join(people) or "无", wide=True)
    record.add("成效", service.outcome, wide=True)
    record.photos = _photos("services", service.id)
    return record


BUILDERS: dict[str, Callable[[int], WordRecord]] = {
    "activities": activity_record,
    "trainings": training_record,
    "services": service_record,
}


# --------------------------------------------------------------------------- layout


def _fonts(run: object, name: str, size: float | None = None, bold: bool = False) -> None:
    font = run.font  # type: ignore[attr-defined]
    font.name = LATIN_FONT
    font.bold = bold
    if size is not None:
        font.size = Pt(size)
    r_pr = run._element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = r_pr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _paragraph(
    container: object,
    text: str,
    *,
    size: float = 12,
    bold: bool = False,
    font: str = BODY_FONT,
    align: object = None,
) -> None:
    lines = text.split("\n") if text else [""]
    for line in lines:
        paragraph = container.add_paragraph()  # type: ignore[attr-defined]
        if align is not None:
            paragraph.alignment = align
        _fonts(paragraph.add_run(line), font, size, bold)


def _cell(cell: object, text: str, *, bold: bool = False) -> None:
    cell.text = ""  # type: ignore[attr-defined]
    paragraphs = cell.paragraphs  # type: ignore[attr-defined]
    lines = text.split("\n") if text else [""]
    for index, line in enumerate(lines):
        paragraph = paragraphs[0] if index == 0 else cell.add_paragraph()  # type: ignore[attr-defined]
        paragraph.paragraph_format.space_before = Pt(2)
        paragraph.paragraph_format.space_after = Pt(2)
        _fonts(paragraph.add_run(line), HEADING_FONT if bold else BODY_FONT, 11, bold)


def build_document(record: WordRecord) -> docx.document.Document:
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _paragraph(
        document,
        record.title,
        size=18,
        bold=True,
        font=HEADING_FONT,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    if record.subtitle:
        _paragraph(document, record.subtitle, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)

    table = document.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    pending: list[tuple[str, str]] = []

    def flush() -> None:
        while pending:
            row = table.add_row().cells
            pair = [pending.pop(0)] + ([pending.pop(0)] if pending else [])
            for index, (label, value) in enumerate(pair):
                _cell(row[index * 2], label, bold=True)
                _cell(row[index * 2 + 1], value)
            if len(pair) == 1:
                row[1].merge(row[3])
                _cell(row[1], pair[0][1])

    for label, value, wide in record.rows:
        if not wide:
            pending.append((label, value))
            continue
        flush()
        row = table.add_row().cells
        _cell(row[0], label, bold=True)
        merged = row[1].merge(row[3])
        _cell(merged, value)
    flush()
    widths = (Mm(30), Mm(48), Mm(30), Mm(48))
    for row in table.rows:
        for index, cell in enumerate(row.cells):
            cell.width = widths[index]

    if record.photos:
        _paragraph(document, "", size=6)
        _paragraph(document, "活动照片", size=14, bold=True, font=HEADING_FONT)
        document.paragraphs[-1].paragraph_format.keep_with_next = True
        for index, (name, jpeg) in enumerate(record.photos, start=1):
            document.add_picture(io.BytesIO(jpeg), **_photo_size(jpeg))
            picture = document.paragraphs[-1]
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.paragraph_format.keep_with_next = True  # the caption stays with its photo
            _paragraph(document, f"图{index}　{name}", size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    return document


def _photo_size(jpeg: bytes) -> dict[str, Mm]:
    """Width or height, whichever keeps the photo inside 130 × 85 mm."""
    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as image:
        width, height = image.size
    if width * PHOTO_HEIGHT_MM >= height * PHOTO_WIDTH_MM:
        return {"width": Mm(PHOTO_WIDTH_MM)}
    return {"height": Mm(PHOTO_HEIGHT_MM)}


def docx_bytes(record: WordRecord) -> bytes:
    buffer = io.BytesIO()
    build_document(record).save(buffer)
    return buffer.getvalue()


def _verify(path: str) -> None:
    try:
        docx.Document(path)
    except Exception as exc:  # python-docx raises several kinds for a broken package
        raise ValueError(f"无法读回 Word 文档：{exc}") from exc


def write_docx(record: WordRecord, target: Path | str) -> Path:
    """Save the record as .docx through :func:`outputs.atomic_output`, read back before it is
    given its name (the record names people, so the file is private)."""
    target = Path(target)
    data = docx_bytes(record)
    with atomic_output(target, private=True, verify=_verify) as temp, open(temp, "wb") as out:
        out.write(data)
    return target


def write_record(ledger_name: str, record_id: int, target: Path | str) -> Path:
    return write_docx(BUILDERS[ledger_name](record_id), target)
