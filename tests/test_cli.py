"""The command line as other tools use it: exit codes, one-line errors, the stats JSON."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from partybuild.cli import main
from partybuild.store import models as m
from partybuild.store.database import HISTORY_TABLE, close_database, open_database

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in a child process, as a user or a script would."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_version_and_help() -> None:
    out = run("--version")
    assert out.returncode == 0 and out.stdout.startswith("partybuild ")
    for sub in ("demo", "stats"):
        res = run(sub, "--help")
        assert res.returncode == 0 and "--db" in res.stdout


def test_help_and_argument_errors_are_all_chinese() -> None:
    """argparse's own headings and error lines are Chinese too, on every level of subcommand."""
    for args in (("--help",), ("stats", "--help"), ("print", "--help"), ("print", "roster", "-h")):
        res = run(*args)
        assert res.returncode == 0, args
        assert res.stdout.startswith("用法：partybuild"), args
        assert "选项:" in res.stdout and "显示本帮助并退出" in res.stdout, args
        for english in (
            "usage:",
            "options",
            "positional arguments",
            "show this help",
            "show program",
        ):
            assert english not in res.stdout, (args, english)
    assert "位置参数:" in run("--help").stdout and "显示版本号并退出" in run("--help").stdout
    res = run("stats", "--bogus")
    assert res.returncode == 2
    assert res.stderr.splitlines()[-1] == "partybuild：错误：无法识别的参数：--bogus"
    assert "usage" not in res.stderr and res.stderr.startswith("用法：")


def test_not_a_database_exits_2_with_one_line_and_file_untouched(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# 党建台账\n说明文字\n", encoding="utf-8")
    before = digest(readme)
    res = run("stats", "--db", str(readme), "--year", "2023")
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "不是 SQLite 数据库" in res.stderr
    assert res.stdout == ""
    assert digest(readme) == before


def test_newer_schema_exits_2_and_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    open_database(path)
    m.db_proxy.obj.execute_sql(
        f"INSERT INTO {HISTORY_TABLE} (name, applied) VALUES ('0099_future', '2030-01-01')"
    )
    close_database()
    before = digest(path)
    res = run("stats", "--db", str(path), "--year", "2023")
    assert res.returncode == 2 and "更新版本" in res.stderr
    assert digest(path) == before


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert run("stats", "--year", "二〇二三").returncode == 2
    assert run("stats", "--db", str(tmp_path / "x.sqlite3"), "--from", "2023/1/1").returncode == 2
    assert run("nosuchcommand").returncode == 2


def test_unknown_branch_exits_1_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.sqlite3"
    open_database(path)
    m.Branch.create(name="第一联合党支部", kind="joint")
    m.Branch.create(name="第二联合党支部", kind="joint")
    close_database()
    assert main(["stats", "--db", str(path), "--branch", "不存在支部"]) == 1
    assert "不存在支部" in capsys.readouterr().err
    assert main(["stats", "--db", str(path), "--branch", "联合党支部"]) == 1
    err = capsys.readouterr().err
    assert "第一联合党支部" in err and "第二联合党支部" in err
    assert main(["stats", "--db", str(path), "--branch", "第一", "--year", "2023", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["branch"] == "第一联合党支部" and figures["branches"]["joint"] == 1


def test_environment_variable_is_the_same_as_db(tmp_path: Path) -> None:
    path = tmp_path / "env.sqlite3"
    open_database(path)
    m.Branch.create(name="区域党支部", kind="regional")
    close_database()
    res = run("stats", "--year", "2023", "--json", env={"PARTYBUILD_DB": str(path)})
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["branches"]["regional"] == 1


def test_python_dash_m_is_the_same_program() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "partybuild", "--version"], capture_output=True, text=True, cwd=ROOT
    )
    assert res.returncode == 0 and res.stdout.startswith("partybuild ")
