"""Printed lists and the member export in 姓氏笔画 / 拼音 / 录入顺序: ``--order`` and the default."""

from __future__ import annotations

from pathlib import Path

import peewee as pw
import pytest
from openpyxl import load_workbook

from partybuild.cli import main
from partybuild.domain.validators import make_id_number
from partybuild.printing import data
from partybuild.services import name_order, records
from partybuild.store import models as m
from partybuild.store.database import close_database
from tests.printing.conftest import Park, expect, read_pdf

# Entered in this order; each order gives another sequence.
ENTERED = ["张伟", "王芳", "田亮", "丁一", "万里", "毛明", "方正", "艾青"]
STROKE = ["丁一", "万里", "王芳", "毛明", "方正", "艾青", "田亮", "张伟"]
PINYIN = ["艾青", "丁一", "方正", "毛明", "田亮", "万里", "王芳", "张伟"]
EXPECTED = {"stroke": STROKE, "pinyin": PINYIN, "entry": ENTERED}


@pytest.fixture
def ledger(park: Park, tmp_path: Path) -> Path:
    """The park's first branch with eight members entered in ENTERED's order, all on the training."""
    import datetime as dt

    ids = []
    for i, name in enumerate(ENTERED):
        member = records.create(
            "members",
            {
                "name": name,
                "id_number": make_id_number("999999", dt.date(1980, 1, 1 + i), i),
                "branch": park.branches[0],
                "enterprise": park.enterprise,
                "category": "full",
                "status": "normal",
            },
        )
        ids.append(member.id)
    expect(park.training, ids)
    close_database()
    return tmp_path / "ledger.sqlite3"


def names_in(text: str) -> list[str]:
    found = sorted((text.index(n), n) for n in ENTERED)
    return [n for _pos, n in found]


def print_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["print", *args])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("order", ["stroke", "pinyin", "entry"])
@pytest.mark.parametrize(
    "document",
    [
        ("roster", "--branch", "测试第一联合党支部"),
        ("signin", "--training", "第一期"),
        ("summary", "--training", "第一期"),
        ("signin", "--activity", "1"),
    ],
)
def test_every_printed_list_in_the_order_asked(
    ledger: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    document: tuple[str, ...],
    order: str,
) -> None:
    if document[1] == "--activity":  # a meeting with no attendee list: the branch's members
        from partybuild.store.database import open_database

        open_database(ledger)
        records.create(
            "activities",
            {"branch": 1, "kind": "general_meeting", "date": "2023-03-28", "topic": "党员大会"},
        )
        close_database()
    out = tmp_path / "out.pdf"
    code, err = print_cli(capsys, *document, "--order", order, "--db", str(ledger), "-o", str(out))
    assert (code, err) == (0, "")
    text = read_pdf(out).text
    assert names_in(text) == EXPECTED[order]
    if document[0] in ("roster", "summary"):
        assert {
            "stroke": "排序：按姓氏笔画",
            "pinyin": "排序：按拼音",
            "entry": "排序：按录入顺序",
        }[order] in text


def test_without_order_the_database_default_is_used(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    args = ("roster", "--branch", "测试第一联合党支部", "--db", str(ledger))
    assert print_cli(capsys, *args, "-o", str(first)) == (0, "")
    assert names_in(read_pdf(first).text) == STROKE  # 姓氏笔画 unless the park chose another
    from partybuild.store.database import open_database

    open_database(ledger)
    name_order.set_default_order("pinyin")
    close_database()
    assert print_cli(capsys, *args, "-o", str(second)) == (0, "")
    assert names_in(read_pdf(second).text) == PINYIN


def test_an_unknown_order_is_refused_with_exit_2(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.pdf"
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "print",
                "roster",
                "--branch",
                "x",
                "--order",
                "bihua",
                "--db",
                str(ledger),
                "-o",
                str(out),
            ]
        )
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--order" in err and "bihua" in err
    assert not out.exists()


@pytest.mark.parametrize("order", ["stroke", "pinyin", "entry"])
def test_the_member_export_in_each_order(
    ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], order: str
) -> None:
    out = tmp_path / "members.xlsx"
    code = main(
        ["export", "--ledger", "members", "--order", order, "--db", str(ledger), "-o", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    workbook = load_workbook(out, read_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    column = next(i for i, row in enumerate(rows) if "姓名" in row)
    at = rows[column].index("姓名")
    assert [r[at] for r in rows[column + 1 :] if r[at]] == EXPECTED[order]


def test_a_setting_refuses_an_unknown_order(sqlite_db: pw.Database) -> None:
    from partybuild.services.errors import ValidationError

    with pytest.raises(ValidationError, match="排序方式应为"):
        name_order.set_default_order("bihua")
    assert name_order.default_order() == "stroke"
    assert m.Setting.select().count() == 0


def test_documents_list_their_names_in_order(park: Park) -> None:
    test_ids = []
    for i, name in enumerate(["田亮", "王芳"]):
        import datetime as dt

        test_ids.append(
            records.create(
                "members",
                {
                    "name": name,
                    "id_number": make_id_number("999999", dt.date(1981, 1, 1 + i), i),
                    "branch": park.branches[0],
                    "category": "full",
                    "status": "normal",
                },
            ).id
        )
    expect(park.training, test_ids)
    assert data.training_signin(park.training.id, "stroke").names == ("王芳", "田亮")
    assert data.training_signin(park.training.id, "entry").names == ("田亮", "王芳")


def test_the_cli_offers_exactly_the_orders_of_collation() -> None:
    from partybuild.cli import ORDER_CHOICES
    from partybuild.domain.collation import NAME_ORDERS

    assert tuple(code for code, _label in NAME_ORDERS) == ORDER_CHOICES
    assert name_order.ORDER_CODES == ORDER_CHOICES
