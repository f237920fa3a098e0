"""Showing a ledger page loads only what the page needs: the 附件 count is plain SQL, not Pillow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# A process of its own: the test session has imported Pillow long before (attachment tests).
VISIT = """
import sys
from PySide6.QtWidgets import QApplication
from partybuild.ledgers import spec
from partybuild.store.database import open_database
from partybuild.ui.app import make_application
from partybuild.ui.ledger_page import LedgerPage

make_application()
open_database(sys.argv[1])
for name in ("activities", "trainings", "services", "issues"):
    page = LedgerPage(spec.ledger(name))
    page.resize(1300, 800)
    page.show()
    QApplication.processEvents()
    assert page.model.rowCount() > 0, name
    counts = [page.model.data(page.model.index(r, len(page.model.columns)))
              for r in range(page.model.rowCount())]
    page.focus_table()  # a row chosen: the detail pane shows it
    QApplication.processEvents()
    loaded = sorted(m for m in sys.modules if m == "PIL" or m.startswith(("PIL.", "pillow_heif")))
    print(name, sum(1 for c in counts if c), ",".join(loaded) or "-")
"""


def test_visiting_the_pages_with_an_attachment_count_does_not_load_pillow(
    demo_file: Path, tmp_path: Path
) -> None:
    from partybuild.services import attachments
    from partybuild.store.database import close_database, open_database

    copy = tmp_path / "demo.sqlite3"
    copy.write_bytes(demo_file.read_bytes())
    open_database(copy)
    activity = attachments.OWNERS["activities"].select().first()
    attachments.add("activities", activity.id, [attachments.NewFile("纪要.pdf", PDF)])
    close_database()

    result = subprocess.run(
        [sys.executable, "-c", VISIT, str(copy)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert set(lines) == {"activities", "trainings", "services", "issues"}
    assert lines["activities"].split()[0] == "1"  # the count is there: one record has a file
    for name, line in lines.items():
        assert line.split()[1] == "-", f"{name}: {line.split()[1]} imported"


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
