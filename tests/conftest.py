"""Shared fixtures: a fresh database per test, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from partybuild.store.database import close_database, open_database  # noqa: E402
from tests.pg import PgCluster, find_pg_bin  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test touches the user's real data folder or settings."""
    monkeypatch.delenv("PARTYBUILD_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    yield
    close_database()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    bindir = find_pg_bin()
    if bindir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI 环境必须有 PostgreSQL 服务器（initdb 未找到）")
        pytest.skip("PostgreSQL server binaries (initdb) not installed")
    cluster = PgCluster(bindir)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    return pg_cluster.new_database()


@pytest.fixture(params=["sqlite", "postgres"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's database lives: an SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite3")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def db(db_target: str) -> Iterator[pw.Database]:
    database = open_database(db_target)
    yield database
    close_database()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[pw.Database]:
    database = open_database(tmp_path / "ledger.sqlite3")
    yield database
    close_database()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2023 demo ledger, built once per test session; tests use copies (``demo``)."""
    from partybuild.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    build_demo(open_database(path))
    close_database()
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Iterator[pw.Database]:
    """A private copy of the demo ledger, open: edits and saved settings don't leak."""
    copy = tmp_path / "demo.sqlite3"
    copy.write_bytes(demo_file.read_bytes())
    database = open_database(copy)
    yield database
    close_database()
