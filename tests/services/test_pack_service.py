"""The pack on both databases: what a branch's year holds, and nothing of another branch."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import peewee as pw
from PySide6.QtWidgets import QApplication

from partybuild.printing.pack import PackPdfs
from partybuild.services import attachments, pack
from partybuild.services.attachments import NewFile
from partybuild.store import models as m
from tests.services.test_attachments import make_activity, pdf_bytes, photo_with_gps


def test_the_pack_holds_the_branch_year_and_its_index(
    db: pw.Database, tmp_path: Path, qapp: QApplication
) -> None:
    from partybuild.ui.app import make_application

    make_application()  # the bundled font for the PDFs
    meeting = make_activity("学习/贯彻:二十大?")  # characters no file name may hold
    attachments.add(
        "activities",
        meeting.id,
        [NewFile("a.jpg", photo_with_gps()), NewFile("b.pdf", pdf_bytes())],
    )
    other = m.Branch.create(name="别的支部", kind="joint")
    m.Activity.create(branch=other, kind="theme_day", date=dt.date(2023, 5, 1), topic="别家的会")
    make_activity("去年的会")
    m.Activity.update(date=dt.date(2022, 5, 1)).where(m.Activity.topic == "去年的会").execute()
    issue = m.EnterpriseIssue.create(
        enterprise=m.Enterprise.create(name="示例企业", branch=meeting.branch),
        received_on=dt.date(2023, 7, 3),
        category="staffing",
        description="招工难",
    )
    attachments.add("issues", issue.id, [NewFile("函.pdf", pdf_bytes())])
    result = pack.write_pack(meeting.branch_id, 2023, tmp_path / "p.zip", PackPdfs())
    with zipfile.ZipFile(result.path) as archive:
        names = archive.namelist()
        assert sorted(pack.index_paths(archive)) == sorted(names)
    stem = "组织生活/2023-05/20230512_学习_贯彻_二十大"
    assert sorted(n for n in names if n.startswith("组织生活/")) == [
        f"{stem}.docx",
        f"{stem}_01.jpg",
        f"{stem}_02.pdf",
        f"{stem}_签到表.pdf",
    ]
    assert "企业诉求/2023-07/20230703_招工难_01.pdf" in names
    assert not any("别家的会" in n or "去年的会" in n for n in names)
    assert result.files == len(names)
