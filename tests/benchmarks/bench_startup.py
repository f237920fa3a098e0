"""Start-up and quit: the whole process, beside a bare QMainWindow + QTableView shown and grabbed.

Targets (issue 12): start-up to the first window ≤ 2× the bare window on the demo ledger and on
200,000 members; quit ≤ 0.5 s. Each run is a new process (what a user waits for: Python, imports,
opening and checking the database, the first page); runs alternate with the bare window. The
day's automatic backup is taken in a warm-up run first, as it is once a day.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5
ROOT = Path(__file__).resolve().parents[2]


def child(kind: str, db: str) -> None:
    """Run in the measured process: show the window, grab it, say so, then quit."""
    if kind == "bare":
        from PySide6.QtGui import QStandardItem, QStandardItemModel
        from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

        app = QApplication([])
        window = QMainWindow()
        model = QStandardItemModel(30, 16)
        for r in range(30):
            for c in range(16):
                model.setItem(r, c, QStandardItem(f"{r}.{c}"))
        view = QTableView()
        view.setModel(model)
        window.setCentralWidget(view)
    else:
        from partybuild.services import backup
        from partybuild.store.database import open_database
        from partybuild.ui.app import make_application
        from partybuild.ui.main_window import MainWindow

        app = make_application()
        database = open_database(db)
        backup.daily_backup_if_due()
        window = MainWindow(database)
    window.resize(1360, 840)
    window.show()
    app.processEvents()
    window.grab()
    print("shown", flush=True)
    sys.stdin.readline()  # the parent's clock is on the quit now
    window.close()
    app.quit()


def one(kind: str, db: str) -> tuple[float, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_LOGGING_RULES": "qt.qpa.*=false"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.bench_startup", "child", kind, db],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None and proc.stdin is not None
    line = proc.stdout.readline()
    shown = time.perf_counter() - t0
    assert line.strip() == "shown", line
    t1 = time.perf_counter()
    proc.stdin.write("\n")
    proc.stdin.flush()
    proc.wait()
    return shown, time.perf_counter() - t1


def main() -> None:
    from tests.benchmarks.roster import copy_of

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo = folder / "demo.sqlite3"
        subprocess.run(
            [sys.executable, "-m", "partybuild", "demo", "--db", str(demo)],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        big = copy_of(200_000, folder / "big.sqlite3")
        print("start-up to the first window (whole process), median of", RUNS)
        for label, db in (("demo ledger", demo), ("200,000 members", big)):
            one("ours", str(db))  # warm-up: the day's backup, the file cache
            ours, bare, quits = [], [], []
            for _ in range(RUNS):
                shown, quit_s = one("ours", str(db))
                ours.append(shown)
                quits.append(quit_s)
                bare.append(one("bare", str(db))[0])
            o, b, q = statistics.median(ours), statistics.median(bare), statistics.median(quits)
            print(
                f"  {label:16s} {o * 1000:6.0f} ms   bare window {b * 1000:6.0f} ms"
                f"   ratio {o / b:4.2f}×   target ≤ 2×: {'met' if o / b <= 2 else 'NOT met'}"
            )
            print(
                f"  {'':16s} quit {q * 1000:6.0f} ms   target ≤ 500 ms: {'met' if q <= 0.5 else 'NOT met'}"
            )
        shutil.rmtree(folder / "backups", ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3])
    else:
        main()
