"""The 党费 command line as scripts use it: ``dues calc`` JSON and exit codes, ``check --json``'s
``dues`` list and ``stats --json``'s ``dues`` figures on the demo ledger."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import peewee as pw
import pytest

from partybuild.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--base", "3000"], {"kind": "working", "base": "3000.00", "rate": "0.005", "due": "15.00"}),
        (["--base", "3000.01"], {"kind": "working", "base": "3000.01", "rate": "0.01", "due": "30.00"}),
        (["--base", "10000.01"], {"kind": "working", "base": "10000.01", "rate": "0.02", "due": "200.00"}),
        (["--base", "5000", "--kind", "retired"], {"kind": "retired", "base": "5000.00", "rate": "0.005", "due": "25.00"}),
        (["--base", "5000.01", "--kind", "retired"], {"kind": "retired", "base": "5000.01", "rate": "0.01", "due": "50.00"}),
        (["--base", "0", "--kind", "student"], {"kind": "student", "base": "0.00", "rate": None, "due": "0.20"}),
    ],
)  # fmt: skip
def test_calc_json(args: list[str], expected: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dues", "calc", *args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected


def test_calc_text_and_bad_arguments_from_the_real_process() -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )

    ok = run("dues", "calc", "--base", "5100")
    assert ok.returncode == 0
    assert ok.stdout.strip() == "在职党员：缴费基数 5100.00 元，比例 1.5%，每月应交 76.50 元"
    bad = run("dues", "calc", "--base", "五千")
    assert (
        bad.returncode == 2 and bad.stderr.strip() == "partybuild: --base：缴费基数“五千”应为数字"
    )
    assert "Traceback" not in bad.stderr
    kind = run("dues", "calc", "--base", "1", "--kind", "soldier")
    assert kind.returncode == 2 and "无效的选择" in kind.stderr
    helped = run("dues", "calc", "--help")
    assert helped.returncode == 0 and helped.stdout.startswith("用法：partybuild dues calc")


def test_check_and_stats_json_on_the_demo(
    demo: pw.Database, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(demo.database)
    assert main(["check", "--db", path, "--year", "2023", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "due" in report and "reminders" in report  # the older keys stay
    assert len(report["dues"]) == 1
    item = report["dues"][0]
    assert item["lapse_warning"] is True and item["longest_run"] == 8
    assert item["months"] == [f"2023.{m:02d}" for m in range(5, 13)]
    assert item["backpay_overdue_months"] == ["2023.05", "2023.06"]
    assert "自行脱党" in item["message"]
    assert main(["stats", "--db", path, "--year", "2023", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["dues"]
    assert set(figures) == {"due", "paid", "rate", "members_in_arrears"}
    assert figures["members_in_arrears"] == 1
    assert figures["due"].count(".") == 1 and len(figures["due"].split(".")[1]) == 2
    assert 0.99 < figures["rate"] < 1.01
    assert main(["check", "--db", path, "--year", "2023"]) == 0
    assert "欠交党费（1 项）" in capsys.readouterr().out
