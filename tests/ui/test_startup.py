"""The start as the user gets it: the window first and usable at once; the overview's figures
arrive from a worker thread and are exactly those computed at once; the damage check and the
day's backup follow the window; a damaged file is still refused before any write; a quit does not
wait for any of it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import peewee as pw
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from partybuild.domain.validators import make_id_number
from partybuild.services import backup, records, report, stats
from partybuild.store import models as m
from partybuild.store.database import OpeningCheck, close_database, open_database
from partybuild.ui import app, background
from partybuild.ui import overview as overview_module
from partybuild.ui.main_window import MainWindow
from partybuild.ui.overview import OverviewPage
from tests.store.test_damage import damage


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The overview's figures are held in the worker until the test lets them go."""
    release = threading.Event()
    gather = overview_module.gather

    def slow_gather(year: int) -> overview_module.Figures:
        assert release.wait(30)
        return gather(year)

    monkeypatch.setattr(overview_module, "gather", slow_gather)
    return release


def shown_figures(page: OverviewPage) -> dict:
    """Everything the overview shows, as a person (or a click) would find it."""
    return {
        "title": page.title.text(),
        "cards": {
            key: (card.value, card.record_ids, card.note_label.text())
            for key, card in page.cards.items()
        },
        "reminders": page.reminder_texts(),
        "note": page.reminder_note.text(),
        "months": [(r.month, r.training_ids, r.signed) for r in page.month_rows],
        "issues": page.issue_cells,
        "teams": page.team_bars,
    }


def wait_for_the_figures(qtbot: QtBot, page: OverviewPage) -> None:
    qtbot.waitUntil(lambda: not page.figures_pending, timeout=30000)


def open_window(database: pw.Database, qtbot: QtBot) -> MainWindow:
    window = MainWindow(database)
    qtbot.addWidget(window)
    window.resize(1360, 840)  # the overview fills it: its own area is never painted, the rest is
    window.show()
    qtbot.waitExposed(window)
    return window


def choose_the_year_before(
    database: pw.Database, qtbot: QtBot, held: threading.Event
) -> tuple[MainWindow, OverviewPage, int]:
    """The window with its first figures shown, then the year before chosen in the 年度 box by
    key; its figures are held in the worker. Returns the window, the page and the first year."""
    window = open_window(database, qtbot)
    page = window.pages["overview"]
    assert isinstance(page, OverviewPage)
    held.set()  # the first year's figures
    wait_for_the_figures(qtbot, page)
    held.clear()
    first = page.year()
    page.year_combo.setFocus()
    qtbot.keyClick(page.year_combo, Qt.Key.Key_Down)
    assert page.year() == first - 1
    # The key returned at once: the figures are being computed in the worker, held there.
    assert page.computing and page.figures_pending
    return window, page, first


def test_another_year_is_computed_while_the_window_stays_usable(
    demo: pw.Database, qtbot: QtBot, held: threading.Event
) -> None:
    window, page, first = choose_the_year_before(demo, qtbot, held)
    assert page.message.text() == "正在统计…"
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.page_name() == "members"  # the window works meanwhile
    with qtbot.waitSignal(page.figures_shown, timeout=30000):
        held.set()
    assert page.shown_year == first - 1 and page.message.text() == ""
    at_once = OverviewPage()  # computed on this thread
    qtbot.addWidget(at_once)
    at_once.set_year(first - 1)
    assert shown_figures(page) == shown_figures(at_once)


def test_a_year_chosen_before_the_first_figures_is_kept(
    demo: pw.Database, qtbot: QtBot, held: threading.Event
) -> None:
    window = open_window(demo, qtbot)
    page = window.pages["overview"]
    assert isinstance(page, OverviewPage)
    qtbot.waitUntil(lambda: page.computing)  # the latest year with data, held in the worker
    page.year_combo.setFocus()
    qtbot.keyClick(page.year_combo, Qt.Key.Key_Down)
    chosen = page.year()
    assert page.computing  # the key returned at once: the chosen year is computed in a worker
    with qtbot.waitSignal(page.figures_shown, timeout=30000):
        held.set()
    assert page.shown_year == chosen and not page.figures_pending
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    wait_for_the_figures(qtbot, page)
    assert page.year() == page.shown_year == chosen  # not the latest year with data


def test_a_card_clicked_while_another_year_is_computed_opens_that_years_records(
    demo: pw.Database, qtbot: QtBot, held: threading.Event
) -> None:
    _window, page, _first = choose_the_year_before(demo, qtbot, held)
    opened: list[dict] = []
    page.open_page.connect(lambda _name, args: opened.append(args))
    threading.Timer(0.3, held.set).start()  # the worker finishes while the click waits for it
    qtbot.mouseClick(page.cards["pending"], Qt.MouseButton.LeftButton)
    expected = report.pending_issue_ids(stats.Period.year(page.year()))
    assert opened == [{"record_ids": list(expected)}]
    assert page.shown_year == page.year() and not page.computing


def test_the_window_is_usable_before_the_overview_figures_arrive(
    demo: pw.Database, qtbot: QtBot, held: threading.Event
) -> None:
    window = open_window(demo, qtbot)
    page = window.pages["overview"]
    assert isinstance(page, OverviewPage)
    qtbot.waitUntil(lambda: page.computing)
    assert page.figures_pending and page.cards["members"].value == 0
    assert page.message.text() == "正在统计…"
    # The rest of the window works meanwhile: another page, its rows, a search, a save.
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    members = window.pages["members"]
    assert window.page_name() == "members"
    assert members.model.total == m.Member.select().where(m.live(m.Member)).count()
    branch = records.create("branches", {"name": "等待统计联合党支部", "kind": "joint"})
    assert m.Branch.get_by_id(branch.id).name == "等待统计联合党支部"
    assert page.computing  # still held: all of that happened before the figures
    with qtbot.waitSignal(page.figures_shown, timeout=30000):
        held.set()
    assert not page.figures_pending and page.message.text() == ""
    at_once = OverviewPage()  # computed on this thread, the way the page always did
    qtbot.addWidget(at_once)
    at_once.set_year(page.year())
    assert shown_figures(page) == shown_figures(at_once)
    assert page.cards["members"].value == 688
    window.go_to("overview")


def test_the_background_figures_are_those_computed_at_once(demo: pw.Database, qtbot: QtBot) -> None:
    window = open_window(demo, qtbot)
    page = window.pages["overview"]
    wait_for_the_figures(qtbot, page)
    at_once = OverviewPage()
    qtbot.addWidget(at_once)
    figures = shown_figures(page)
    assert figures == shown_figures(at_once)
    assert figures["cards"]["rotation"][0] == 6 and len(figures["reminders"]) > 4
    # F5 recomputes in the background too, and gets the same again.
    window.refresh_all()
    assert page.computing
    wait_for_the_figures(qtbot, page)
    assert shown_figures(page) == figures


def test_the_background_figures_on_both_databases(db: pw.Database, qtbot: QtBot) -> None:
    """The worker's own connection: SQLite in WAL mode, and a second session on PostgreSQL."""
    joint = records.create("branches", {"name": "第一联合党支部", "kind": "joint"})
    records.create("branches", {"name": "园区独立党支部", "kind": "standalone"})
    enterprise = records.create("enterprises", {"name": "荣达化工有限公司", "branch": joint})
    records.create(
        "members",
        {
            "name": "张伟",
            "id_number": make_id_number("320581", dt.date(1985, 3, 12), 17),
            "category": "full",
            "branch": joint,
            "enterprise": enterprise,
            "joined_on": "2010-07-01",
        },
    )
    window = open_window(db, qtbot)
    page = window.pages["overview"]
    wait_for_the_figures(qtbot, page)
    at_once = OverviewPage()
    qtbot.addWidget(at_once)
    at_once.set_year(page.year())
    assert shown_figures(page) == shown_figures(at_once)
    assert page.cards["joint"].value == 1 and page.cards["members"].value == 1


def test_a_card_clicked_before_its_figure_opens_what_it_counts(
    demo: pw.Database, qtbot: QtBot, held: threading.Event
) -> None:
    window = open_window(demo, qtbot)
    page = window.pages["overview"]
    qtbot.waitUntil(lambda: page.computing)
    threading.Timer(0.2, held.set).start()
    qtbot.mouseClick(page.cards["rotation"], Qt.MouseButton.LeftButton)  # waits for the figures
    assert window.page_name() == "trainings"
    assert window.pages["trainings"].model.total == 6
    assert page.cards["rotation"].value == 6


def test_a_quit_abandons_figures_still_being_computed(
    demo: pw.Database, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query that would never end: the quit interrupts it and the page gets nothing late."""

    def endless(year: int) -> overview_module.Figures:
        m.db_proxy.obj.execute_sql(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT max(x) FROM n"
        )
        raise AssertionError("the endless query ended")

    monkeypatch.setattr(overview_module, "gather", endless)
    window = open_window(demo, qtbot)
    page = window.pages["overview"]
    qtbot.waitUntil(lambda: page.computing)
    job = page._job
    window.close()
    assert background.cancel_all(timeout=10)  # stopped, not waited out
    assert job is not None and job.finished and job.cancelled
    assert page.figures_pending  # nothing was delivered to the closed window


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "data" / "ledger.sqlite3"
    path.parent.mkdir()
    shutil.copy(demo_file, path)
    return path


def test_the_check_and_the_backup_follow_the_window(
    demo_copy: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    go = threading.Event()
    run = OpeningCheck.run
    monkeypatch.setattr(
        OpeningCheck, "run", lambda self, cancel=None: go.wait(30) and None or run(self, cancel)
    )
    database = open_database(demo_copy, check_later=True)
    startup = app.Startup(database)
    window = startup.open_window()
    assert window is not None
    qtbot.addWidget(window)
    window.show()
    assert startup.check is not None and not startup.check.done  # the window did not wait
    assert not (demo_copy.parent / "backups").exists()  # nor did the backup run before the check
    go.set()
    qtbot.waitUntil(lambda: startup.backup_path is not None, timeout=30000)
    assert startup.check.passed
    made = startup.backup_path
    assert made.parent == demo_copy.parent / "backups" and made.name.startswith("ledger-daily-")
    backup.check_backup_file(made)  # whole and verified (integrity_check, our schema)
    assert "今日自动备份已完成" in window.statusBar().currentMessage()
    assert [p.name for p in made.parent.iterdir()] == [made.name]  # no temporary file beside it
    assert not backup.daily_backup_due(demo_copy)


def test_the_check_begins_after_the_first_paint(demo_copy: Path, qtbot: QtBot) -> None:
    """Building the window has the process to itself: the check's thread starts once the window
    has been painted, before the overview's figures."""
    startup = app.Startup(open_database(demo_copy, check_later=True))
    window = startup.open_window()
    assert window is not None
    qtbot.addWidget(window)
    assert startup.check_job is None and not startup.check.done  # nothing began while building
    window.show()
    qtbot.waitUntil(lambda: startup.check_job is not None, timeout=30000)
    qtbot.waitUntil(lambda: startup.settled, timeout=30000)
    assert startup.check.passed


def test_a_failed_daily_backup_is_still_a_warning(
    demo_copy: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise backup.BackupError("无法写入“backups”：磁盘空间已满，请腾出空间或检查权限后重试")

    warned: list[str] = []
    monkeypatch.setattr(backup, "daily_backup_if_due", full_disk)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    startup = app.Startup(open_database(demo_copy, check_later=True))
    window = startup.open_window()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: bool(warned), timeout=30000)
    assert warned == [
        "今日自动备份失败：无法写入“backups”：磁盘空间已满，请腾出空间或检查权限后重试"
    ]


def test_a_damaged_file_is_refused_after_the_window_and_never_written(
    demo_copy: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verdict comes once the window shows; the user gets the damage dialog naming the
    newest good backup, the app ends with exit code 2, and the file is as it was."""
    backup.backup_now("daily", demo_copy)
    good = next((demo_copy.parent / "backups").iterdir())
    close_database()
    damage(demo_copy, "index")
    before = hashlib.sha256(demo_copy.read_bytes()).hexdigest()

    shown = threading.Event()
    windows: list[MainWindow] = []
    show = MainWindow.show

    def show_then_check(self: MainWindow) -> None:
        windows.append(self)
        show(self)
        shown.set()

    run = OpeningCheck.run

    def after_the_window(self: OpeningCheck, cancel: object = None) -> object:
        assert shown.wait(30)
        return run(self, cancel)  # type: ignore[arg-type]

    refused: list[str] = []
    monkeypatch.setattr(MainWindow, "show", show_then_check)
    monkeypatch.setattr(OpeningCheck, "run", after_the_window)
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text: refused.append(text))
    assert app.run(str(demo_copy)) == 2
    (window,) = windows
    qtbot.addWidget(window)
    assert len(refused) == 1 and "已损坏" in refused[0] and str(good) in refused[0]
    assert "partybuild restore" in refused[0]
    close_database()
    assert hashlib.sha256(demo_copy.read_bytes()).hexdigest() == before


def test_the_process_ends_at_once_with_everything_on_disk(tmp_path: Path) -> None:
    """The GUI's quit ends the process without the interpreter's teardown: the database is
    closed first (its WAL folded back in), the settings written, the exit code kept."""
    path = tmp_path / "ledger.sqlite3"
    code = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from partybuild.services import records\n"
        "from partybuild.store.database import open_database\n"
        "from partybuild.ui.app import end_process, make_application\n"
        "make_application()\n"
        "open_database(sys.argv[1])\n"
        "records.create('branches', {'name': '退出前联合党支部', 'kind': 'joint'})\n"
        "QSettings().setValue('window/test', 'kept')\n"
        "end_process(3)\n"
        "raise SystemExit('end_process returned')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 3, done.stderr
    assert not path.with_name(path.name + "-wal").exists()  # closed: nothing left in the WAL
    open_database(path)
    assert [b.name for b in m.Branch.select()] == ["退出前联合党支部"]
    # Read back by another process (this one's QSettings keeps the folder it first used).
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "from PySide6.QtCore import QSettings\n"
            "from partybuild.ui.app import make_application\n"
            "make_application()\n"
            "print(QSettings().value('window/test'))\n",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert read.stdout.strip() == "kept", read.stderr


FIRST_WINDOW = """
import sys
from partybuild.store.database import open_database
from partybuild.ui.app import Startup, make_application

app = make_application()
startup = Startup(open_database(sys.argv[1], check_later=True))
window = startup.open_window()
window.resize(1360, 840)
window.show()
window.grab()  # painted: what the user sees first
heavy = ("openpyxl", "xlsxwriter", "docx", "PIL", "reportlab", "pypinyin", "python_calamine",
         "PySide6.QtPrintSupport", "PySide6.QtPdf", "partybuild.services.compliance",
         "partybuild.services.report", "partybuild.services.demo", "partybuild.ui.ledger_page",
         "partybuild.ui.file_dialogs", "playhouse.migrations", "psycopg2",
         "partybuild.services.audit", "partybuild.ledgers.spec")
print(",".join(sorted(m for m in sys.modules if m in heavy or m.split(".")[0] in heavy)) or "-")
startup.stop()
"""


def test_the_first_window_loads_only_what_it_shows(demo_copy: Path) -> None:
    """Nothing of the figures, the ledger pages, Excel, Word, PDF or pinyin before the first
    window: they follow it (``python -X importtime``)."""
    result = subprocess.run(
        [sys.executable, "-c", FIRST_WINDOW, str(demo_copy)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-"
