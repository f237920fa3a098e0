"""Several secretaries at once: stale saves refused with who saved first; a busy SQLite file
makes the second writer wait, then say so — never a crash, never a damaged file."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from partybuild.services import audit, records
from partybuild.services.errors import StaleRecordError, StorageBusy
from partybuild.store import models as m
from partybuild.store.database import open_database

ROOT = Path(__file__).resolve().parents[2]

OTHER_SECRETARY = textwrap.dedent(
    """
    import sys
    from partybuild.services import audit, records
    from partybuild.store.database import open_database
    open_database(sys.argv[1])
    audit.set_operator("李示书记")
    record_id, version = int(sys.argv[2]), int(sys.argv[3])
    records.update("teams", record_id, {"leader": "李示队长"}, version)
    records.create("teams", {"name": "第二个人新建的队", "kind": "commando"})
    """
)


def other_secretary(target: str, record_id: int, version: int) -> None:
    """A second app instance: its own process, its own connection."""
    res = subprocess.run(
        [sys.executable, "-c", OTHER_SECRETARY, target, str(record_id), str(version)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr


def test_two_connections_stale_update_is_refused(db_target: str) -> None:
    open_database(db_target)
    audit.set_operator("王示书记")
    try:
        team = records.create("teams", {"name": "红色先锋队", "kind": "volunteer"})
        opened = records.get("teams", team.id)  # this secretary opens the form…
        other_secretary(db_target, team.id, opened.version)  # …another one saves first
        with pytest.raises(StaleRecordError) as err:
            records.update("teams", team.id, {"leader": "王示队长"}, opened.version)
    finally:
        audit.set_operator(None)
    assert "李示书记" in str(err.value)
    fresh = m.Team.get_by_id(team.id)
    assert fresh.leader == "李示队长" and fresh.version == 2 and fresh.updated_by == "李示书记"
    # The other secretary's new record is there for everyone on refresh.
    assert m.Team.select().where(m.Team.name == "第二个人新建的队").exists()


def test_second_sqlite_writer_waits_then_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    open_database(path)
    records.create("branches", {"name": "甲支部", "kind": "joint"})
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN IMMEDIATE")  # another secretary is in the middle of a long write
    try:
        started = dt.datetime.now()
        with pytest.raises(StorageBusy, match="稍后重试"):
            records.create("branches", {"name": "乙支部", "kind": "joint"})
        assert (dt.datetime.now() - started).total_seconds() >= 4  # it waited (busy timeout)
    finally:
        holder.rollback()
        holder.close()
    assert [b.name for b in m.Branch.select()] == ["甲支部"]
    records.create("branches", {"name": "乙支部", "kind": "joint"})  # works once released
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
