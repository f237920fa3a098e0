"""Work off the UI thread: a job runs in a daemon thread and its result comes back to the UI thread.

What the start-up moves off the path to the first window runs here: the database's damage check,
the day's backup and the overview's figures. The rules:

- a job that reads through peewee does so on **its own connection** (:func:`own_connection`):
  peewee keeps one connection per thread, so the worker never shares the UI's. On SQLite in WAL
  mode it reads a consistent snapshot while the UI writes; on PostgreSQL it signs in with the same
  login (the database object keeps the credentials), so row-level security sees the same account;
- the result (or the exception) is handed to ``done``/``failed`` **on the UI thread**, through one
  long-lived bridge object, and only if the job's owner widget still exists and the job was not
  cancelled — a late result never reaches a closed window or the next test;
- :meth:`Job.cancel` abandons the work promptly: it interrupts the SQLite statement running now
  (``sqlite3.Connection.interrupt``, ``cancel()`` on psycopg2) and the job's own steps check the flag,
  so a quit never waits for a long check or copy (see ``MainWindow.closeEvent``);
- :meth:`Job.wait` lets the UI thread take a result now (a button that needs the figures).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import peewee as pw
import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

from partybuild.store.database import Cancel, Cancelled
from partybuild.store.models import db_proxy


class _Bridge(QObject):
    """Lives in the UI thread for the whole process: a worker's emit is queued to it."""

    finished = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.finished.connect(self.deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def deliver(self, job: Job) -> None:
        job._deliver()


_bridge: _Bridge | None = None
_running: set[Job] = set()
_running_lock = threading.Lock()


def _the_bridge() -> _Bridge:
    global _bridge
    if _bridge is None:
        _bridge = _Bridge()
        app = QCoreApplication.instance()
        if app is not None and _bridge.thread() is not app.thread():
            _bridge.moveToThread(app.thread())
    return _bridge


@contextlib.contextmanager
def own_connection(cancel: Cancel, database: pw.Database | None = None) -> Iterator[pw.Database]:
    """This thread's own connection to the database in use, interruptible by ``cancel``."""
    database = database if database is not None else db_proxy.obj
    database.connect(reuse_if_open=True)
    con = database.connection()
    cancel.watch(con)
    if hasattr(con, "set_progress_handler"):
        # interrupt() stops the statement running now; this stops every later one too.
        con.set_progress_handler(lambda: int(cancel.is_set), 1000)
    try:
        yield database
    finally:
        cancel.forget(con)
        with contextlib.suppress(Exception):
            database.close()


class Job:
    """One piece of work in a daemon thread. Use :func:`run`."""

    def __init__(
        self,
        work: Callable[[Cancel], Any],
        done: Callable[[Any], None] | None,
        failed: Callable[[BaseException], None] | None,
        owner: QObject | None,
        name: str,
    ) -> None:
        self.cancel_flag = Cancel()
        self._work = work
        self._done = done
        self._failed = failed
        self._owner = owner
        self._finished = threading.Event()
        self._delivered = False
        self.result: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._body, name=f"partybuild-{name}", daemon=True)

    # -- worker side --------------------------------------------------------------------
    def _body(self) -> None:
        try:
            self.result = self._work(self.cancel_flag)
        except BaseException as exc:  # noqa: BLE001 - handed to the UI thread, never lost
            self.error = exc
        finally:
            self._finished.set()
            with _running_lock:
                _running.discard(self)
            bridge = _bridge
            if bridge is not None and not self.cancel_flag.is_set:
                with contextlib.suppress(RuntimeError):  # the application is gone
                    bridge.finished.emit(self)

    # -- UI side ------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_flag.is_set

    def cancel(self) -> None:
        """Abandon the work: nothing more is delivered; the thread stops at its next step."""
        self.cancel_flag.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work is done (the thread's work, not the delivery); True if done."""
        return self._finished.wait(timeout)

    def take(self) -> None:
        """Wait for the work and deliver its result now, on the calling (UI) thread."""
        self.wait()
        self._deliver()

    def _deliver(self) -> None:
        if self._delivered or self.cancelled or not self._finished.is_set():
            return
        if self._owner is not None and not shiboken6.isValid(self._owner):
            return
        self._delivered = True
        if self.error is not None:
            if isinstance(self.error, Cancelled):
                return
            if self._failed is None:
                raise self.error
            self._failed(self.error)
        elif self._done is not None:
            self._done(self.result)


def run(
    work: Callable[[Cancel], Any],
    done: Callable[[Any], None] | None = None,
    failed: Callable[[BaseException], None] | None = None,
    *,
    owner: QObject | None = None,
    name: str = "job",
) -> Job:
    """Start ``work(cancel)`` in a daemon thread; ``done(result)`` or ``failed(exc)`` follow on the
    UI thread (unless cancelled, or ``owner`` was deleted). Call from the UI thread."""
    _the_bridge()
    job = Job(work, done, failed, owner, name)
    with _running_lock:
        _running.add(job)
    job.thread.start()
    return job


def running() -> list[Job]:
    with _running_lock:
        return list(_running)


def cancel_all(timeout: float = 0.3) -> bool:
    """Cancel every running job and give them ``timeout`` seconds in all to stop; True if they
    did. (A job still running after that is a daemon thread: the process does not wait for it,
    and what it was writing is a temporary file removed by the next copy.)"""
    import time

    jobs = running()
    for job in jobs:
        job.cancel()
    deadline = time.monotonic() + timeout
    return all(job.wait(max(0.0, deadline - time.monotonic())) for job in jobs)
