"""导出台账资料: a branch's year as one inspection pack (a zip an inspector can open anywhere).

Layout of the zip, one folder per ledger and month::

    组织生活/2023-05/20230512_学习二十大精神.docx            the 党支部工作记录
    组织生活/2023-05/20230512_学习二十大精神_签到表.pdf      the printed sign-in sheet
    组织生活/2023-05/20230512_学习二十大精神_01.jpg          the attachments, in the order added
    培训/…, 志愿服务活动/…, 企业诉求/… (problems: attachments only)
    党员花名册.pdf                                           masked unless asked otherwise
    2023年度党建工作总结.pdf                                  the year's summary
    资料索引.xlsx                                            every file of the zip with its path

A branch's trainings are those with one of its members on the sign-in list; its services are
its teams'; its problems its enterprises'. PDFs come from the printing package (Qt), handed in
as :class:`PdfMaker` so this module stays headless. Photos are handed out as everywhere
(:func:`attachments.shareable`: no GPS or device EXIF unless the setting keeps them).

The zip is written through :func:`outputs.atomic_output`: a temporary file in the target's
folder, checked (a sound zip whose index lists exactly its files), fsynced and renamed — a kill
or a cancel leaves no partial zip.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import peewee as pw
from openpyxl import Workbook, load_workbook

from partybuild.domain import vocab
from partybuild.outputs import atomic_output
from partybuild.outputs.workbook import set_cell
from partybuild.outputs.xlsx_font import font, use_chinese_font
from partybuild.services import attachments, word_records
from partybuild.store import models as m

INDEX_NAME = "资料索引.xlsx"
INDEX_HEADERS = ("序号", "路径", "台账", "日期", "记录", "资料类型", "大小（字节）")
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


class PackCancelled(Exception):
    """The user stopped the export; nothing was written."""


class PdfMaker(Protocol):
    """The printing package's PDFs, as bytes (see ``partybuild.printing.pack``)."""

    def activity_signin(self, activity_id: int) -> bytes: ...
    def training_signin(self, training_id: int) -> bytes: ...
    def roster(self, branch_id: int, unmasked: bool) -> bytes: ...
    def summary(self, year: int) -> bytes: ...


@dataclass(frozen=True)
class Item:
    """One file of the pack: where it goes, what it is, and how to make its bytes."""

    path: str
    ledger: str
    date: dt.date | None
    title: str
    what: str
    make: Callable[[], bytes]


def safe(text: str, limit: int = 40) -> str:
    """A file-name part: no path separators or characters Windows refuses, not too long."""
    cleaned = _UNSAFE.sub("_", " ".join(str(text).split())).strip(" ._") or "未命名"
    return cleaned[:limit]


def _stem(day: dt.date, topic: str) -> str:
    return f"{day:%Y%m%d}_{safe(topic)}"


def _folder(ledger_label: str, day: dt.date) -> str:
    return f"{ledger_label}/{day:%Y-%m}"


def _year_range(field: pw.Field, year: int) -> pw.Expression:
    return field.between(dt.date(year, 1, 1), dt.date(year, 12, 31))


def _attachment_items(
    owner_ledger: str, owner_id: int, folder: str, stem: str, day: dt.date, title: str, label: str
) -> Iterator[Item]:
    for number, info in enumerate(attachments.listing(owner_ledger, owner_id), start=1):
        suffix = attachments.FORMATS[info.content_type][1]
        what = f"附件（{info.kind_label}）：{info.name}"

        def make(info: attachments.AttachmentInfo = info) -> bytes:
            return attachments.shareable(info, attachments.content(info.id))

        yield Item(f"{folder}/{stem}_{number:02d}{suffix}", label, day, title, what, make)


def plan(branch_id: int, year: int, pdfs: PdfMaker, *, unmasked: bool = False) -> list[Item]:
    """Every file of the pack, in order; nothing is made yet."""
    branch = m.Branch.get_by_id(branch_id)
    items: list[Item] = []
    A = m.Activity
    for activity in (
        A.select()
        .where(A.branch == branch.id, m.live(A), _year_range(A.date, year))
        .order_by(A.date, A.id)
    ):
        folder, stem = _folder("组织生活", activity.date), _stem(activity.date, activity.topic)
        title = f"{vocab.ACTIVITY_KIND.label(activity.kind)}：{activity.topic}"
        items.append(
            Item(
                f"{folder}/{stem}.docx",
                "组织生活",
                activity.date,
                title,
                "党支部工作记录（Word）",
                lambda i=activity.id: word_records.docx_bytes(word_records.activity_record(i)),
            )
        )
        items.append(
            Item(
                f"{folder}/{stem}_签到表.pdf",
                "组织生活",
                activity.date,
                title,
                "签到表（PDF）",
                lambda i=activity.id: pdfs.activity_signin(i),
            )
        )
        items += _attachment_items(
            "activities", activity.id, folder, stem, activity.date, title, "组织生活"
        )

    T, At, Mb = m.Training, m.Attendance, m.Member
    with_members = At.select(At.training).join(Mb).where(Mb.branch == branch.id, m.live(At))
    for training in (
        T.select()
        .where(T.id.in_(with_members), m.live(T), _year_range(T.start_date, year))
        .order_by(T.start_date, T.id)
    ):
        day = training.start_date
        folder, stem = _folder("培训", day), _stem(day, training.name)
        items.append(
            Item(
                f"{folder}/{stem}.docx",
                "培训",
                day,
                training.name,
                "培训记录（Word）",
                lambda i=training.id: word_records.docx_bytes(word_records.training_record(i)),
            )
        )
        items.append(
            Item(
                f"{folder}/{stem}_签到表.pdf",
                "培训",
                day,
                training.name,
                "签到表（PDF）",
                lambda i=training.id: pdfs.training_signin(i),
            )
        )
        items += _attachment_items(
            "trainings", training.id, folder, stem, day, training.name, "培训"
        )

    S, Tm = m.Service, m.Team
    for service in (
        S.select(S)
        .join(Tm)
        .where(Tm.branch == branch.id, m.live(S), _year_range(S.date, year))
        .order_by(S.date, S.id)
    ):
        folder, stem = _folder("志愿服务活动", service.date), _stem(service.date, service.topic)
        items.append(
            Item(
                f"{folder}/{stem}.docx",
                "志愿服务活动",
                service.date,
                service.topic,
                "志愿服务活动记录（Word）",
                lambda i=service.id: word_records.docx_bytes(word_records.service_record(i)),
            )
        )
        items += _attachment_items(
            "services", service.id, folder, stem, service.date, service.topic, "志愿服务活动"
        )

    I, E = m.EnterpriseIssue, m.Enterprise
    for issue in (
        I.select(I)
        .join(E)
        .where(E.branch == branch.id, m.live(I), _year_range(I.received_on, year))
        .order_by(I.received_on, I.id)
    ):
        day = issue.received_on
        title = f"{issue.enterprise.name}：{issue.description}"
        folder, stem = _folder("企业诉求", day), _stem(day, issue.description)
        items += _attachment_items("issues", issue.id, folder, stem, day, title, "企业诉求")

    roster_what = "党员花名册（PDF" + ("，未脱敏）" if unmasked else "，已脱敏）")
    items.append(
        Item(
            "党员花名册.pdf",
            "党员",
            None,
            branch.name,
            roster_what,
            lambda: pdfs.roster(branch.id, unmasked),
        )
    )
    items.append(
        Item(
            f"{year}年度党建工作总结.pdf",
            "年度总结",
            None,
            f"{year}年度党建工作总结",
            "年度总结（PDF）",
            lambda: pdfs.summary(year),
        )
    )
    return _unique(items)


def _unique(items: list[Item]) -> list[Item]:
    """Two records of one day with the same topic get (2), (3)… so no file hides another."""
    seen: set[str] = {INDEX_NAME}
    result = []
    for item in items:
        path, n = item.path, 2
        while path in seen:
            base, dot, suffix = item.path.rpartition(".")
            path = f"{base}({n}).{suffix}" if dot else f"{item.path}({n})"
            n += 1
        seen.add(path)
        result.append(item if path == item.path else Item(path, *_rest(item)))
    return result


def _rest(item: Item) -> tuple[str, dt.date | None, str, str, Callable[[], bytes]]:
    return (item.ledger, item.date, item.title, item.what, item.make)


def index_workbook(rows: list[tuple[Item, int]], branch: str, year: int) -> bytes:
    """资料索引: one row per file of the pack (the index itself included) with its path."""
    workbook = use_chinese_font(Workbook())
    ws = workbook.active
    ws.title = "资料索引"
    set_cell(ws, 1, 1, f"{branch} {year} 年台账资料索引").font = font(bold=True, size=14)
    for column, header in enumerate(INDEX_HEADERS, start=1):
        set_cell(ws, 2, column, header).font = font(bold=True)
    for number, (item, size) in enumerate(rows, start=1):
        values = (number, item.path, item.ledger, item.date, item.title, item.what, size)
        for column, value in enumerate(values, start=1):
            cell = set_cell(ws, number + 2, column, value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFG", (6, 60, 12, 12, 40, 28, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def index_paths(archive: zipfile.ZipFile) -> list[str]:
    """The paths the pack's index lists, in order."""
    with archive.open(INDEX_NAME) as handle:
        ws = load_workbook(io.BytesIO(handle.read()), read_only=True).active
        return [row[1] for row in ws.iter_rows(min_row=3, values_only=True) if row[1]]


def check_pack(path: str) -> None:
    """A verify callable: a sound zip whose index lists exactly the files it holds."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            names = archive.namelist()
            listed = index_paths(archive)
    except (zipfile.BadZipFile, KeyError, EOFError, OSError) as exc:
        raise ValueError(f"不是完整的资料包（{exc}）") from exc
    if bad is not None:
        raise ValueError(f"资料包中的“{bad}”已损坏")
    if sorted(listed) != sorted(names):
        raise ValueError("资料索引与包内文件不一致")


@dataclass(frozen=True)
class PackResult:
    path: Path
    files: int
    records: int


Progress = Callable[[int, int, str], bool | None]


def write_pack(
    branch_id: int,
    year: int,
    target: Path | str,
    pdfs: PdfMaker,
    *,
    unmasked: bool = False,
    progress: Progress | None = None,
) -> PackResult:
    """Build and write the pack; ``progress(done, total, what)`` returning False cancels
    (:class:`PackCancelled`, nothing written)."""
    branch = m.Branch.get_by_id(branch_id)
    items = plan(branch_id, year, pdfs, unmasked=unmasked)
    target = Path(target)
    written: list[tuple[Item, int]] = []
    total = len(items) + 1
    with (
        atomic_output(target, private=True, verify=check_pack) as temp,
        zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for done, item in enumerate(items):
            if progress is not None and progress(done, total, item.path) is False:
                raise PackCancelled("已取消导出，未保存资料包")
            data = item.make()
            stored = item.path.lower().endswith((".jpg", ".png", ".heic", ".docx", ".xlsx"))
            archive.writestr(
                item.path, data, zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            )
            written.append((item, len(data)))
        index_item = Item(INDEX_NAME, "索引", None, "资料索引", "资料索引（Excel）", bytes)
        # The index lists itself; its own size is not known before it is written.
        index = index_workbook([*written, (index_item, 0)], branch.name, year)
        archive.writestr(INDEX_NAME, index)
        if progress is not None:
            progress(total, total, INDEX_NAME)
    records = len({(i.ledger, i.date, i.title) for i in items if i.date is not None})
    return PackResult(target, total, records)
