"""Make the README's pictures of issue 16: the 附件 tab and a page of a Word record.

    .venv/bin/python tools/docs_attachments.py [OUT_FOLDER]   (default: docs/)

Builds the demo ledger in a temporary folder, attaches three drawn "photos" and the printed
sign-in sheet to a 支部党员大会, grabs the record's 附件 tab offscreen (attachments-tab.png) and
writes its 党支部工作记录; when LibreOffice is installed (``soffice``) the .docx is converted to
PDF and its first page to PNG with pdftoppm (word-record.png), as Word would print it.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def photo(text: str, colours: tuple[tuple[int, int, int], tuple[int, int, int]]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1200, 800), colours[0])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 520, 1200, 800), fill=colours[1])
    for x in range(120, 1100, 160):  # a row of people
        draw.ellipse((x, 330, x + 80, 410), fill=(60, 40, 30))
        draw.rectangle((x - 10, 410, x + 90, 560), fill=(40, 50, 90))
    draw.rectangle((200, 60, 1000, 200), fill=(190, 20, 20))
    font = ImageFont.truetype(str(ROOT / "resources/fonts/NotoSansSC-Bold.otf"), 64)
    draw.text((600, 130), text, fill=(255, 230, 120), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    from partybuild.services.demo import build_demo
    from partybuild.store.database import open_database
    from partybuild.ui.app import make_application

    make_application()
    from partybuild.ledgers import spec
    from partybuild.printing.pack import PackPdfs
    from partybuild.services import attachments, word_records
    from partybuild.store import models as m
    from partybuild.ui.form import RecordDialog

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(Path(folder) / "demo.sqlite3")
        build_demo(database)
        meeting = (
            m.Activity.select()
            .where(m.Activity.kind == "general_meeting")
            .order_by(m.Activity.date)
            .first()
        )
        files = [
            attachments.NewFile(
                "会议现场.jpg", photo("支部党员大会", ((235, 225, 210), (150, 110, 80)))
            ),
            attachments.NewFile(
                "集体学习.jpg", photo("学习二十大", ((220, 230, 240), (120, 120, 140)))
            ),
            attachments.NewFile("表决.jpg", photo("举手表决", ((240, 235, 220), (130, 100, 70)))),
            attachments.NewFile(
                "签到表（已签字）.pdf", PackPdfs().activity_signin(meeting.id), "signin_sheet"
            ),
        ]
        attachments.add("activities", meeting.id, files)
        dialog = RecordDialog(spec.ACTIVITIES, meeting.id)
        dialog.resize(1000, 620)
        dialog.tabs.setCurrentWidget(dialog.attachment_tab)
        dialog.show()
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        dialog.attachment_tab.list.item(0).setSelected(True)
        QApplication.processEvents()
        dialog.grab().save(str(out / "attachments-tab.png"))
        print(out / "attachments-tab.png")

        docx_path = Path(folder) / "record.docx"
        word_records.write_record("activities", meeting.id, docx_path)
        soffice = shutil.which("soffice")
        if soffice is None:
            print("soffice not installed: word-record.png not made", file=sys.stderr)
            return 0
        profile = Path(folder) / "lo-profile"
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless"]
            + ["--convert-to", "pdf", "--outdir", folder, str(docx_path)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile"]
            + [str(Path(folder) / "record.pdf"), str(out / "word-record")],
            check=True,
        )
        print(out / "word-record.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
