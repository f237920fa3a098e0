"""Files that are not usable workbooks are refused with one clear sentence, and nothing is written.

Also the cell parsing underneath: every value of every kind either parses or says why.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import peewee as pw
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partybuild.domain import vocab
from partybuild.exchange import importer as imp
from partybuild.exchange import read as rd
from partybuild.ledgers import spec
from partybuild.store import models as m
from tests.exchange.conftest import MEMBER_HEADER, member_row, workbook

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def refused(path: Path) -> str:
    with pytest.raises(rd.WorkbookRefused) as info:
        imp.read_file(path)
    return str(info.value)


def good_bytes(tmp_path: Path) -> bytes:
    path = workbook(tmp_path / "good.xlsx", {"党员": [MEMBER_HEADER, member_row(1)]})
    return path.read_bytes()


def test_old_xls_csv_and_encrypted_workbooks_are_refused(tmp_path: Path) -> None:
    # .xls is read now (tests/exchange/test_real_files.py); a broken one says it is broken.
    xls = tmp_path / "ledger.xls"
    xls.write_bytes(OLE + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 100)
    assert refused(xls) == "“ledger.xls”已损坏，无法作为 Excel 97-2003 工作簿（.xls）读取"
    renamed = tmp_path / "ledger-renamed.xlsx"
    renamed.write_bytes(xls.read_bytes())
    assert (
        refused(renamed) == "“ledger-renamed.xlsx”已损坏，无法作为 Excel 97-2003 工作簿（.xls）读取"
    )
    encrypted = tmp_path / "secret.xlsx"
    encrypted.write_bytes(
        OLE
        + b"\0" * 504
        + "EncryptionInfo".encode("utf-16-le")
        + "EncryptedPackage".encode("utf-16-le")
    )
    assert "设置了打开密码" in refused(encrypted)
    csv = tmp_path / "roster.csv"
    csv.write_text("姓名,身份证号\n张示安,999999198506151234\n", encoding="utf-8")
    assert "不支持 CSV" in refused(csv)


def test_truncated_empty_and_non_workbook_files_are_refused(tmp_path: Path) -> None:
    data = good_bytes(tmp_path)
    truncated = tmp_path / "half.xlsx"
    truncated.write_bytes(data[: len(data) // 2])
    assert "已损坏或不完整" in refused(truncated)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert refused(empty) == "“empty.xlsx”是空文件"
    text = tmp_path / "notes.xlsx"
    text.write_text("这不是表格", encoding="utf-8")
    assert refused(text) == "“notes.xlsx”不是 Excel 工作簿（.xlsx/.xls/.ods）"
    for name, member in (("doc.xlsx", "word/document.xml"), ("zip.xlsx", "readme.txt")):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(member, "x")
        (tmp_path / name).write_bytes(buffer.getvalue())
    assert "Word 文档" in refused(tmp_path / "doc.xlsx")
    assert "不是 Excel 工作簿" in refused(tmp_path / "zip.xlsx")
    assert "不存在" in refused(tmp_path / "missing.xlsx")


def test_a_damaged_sheet_inside_a_sound_zip_is_refused(tmp_path: Path) -> None:
    source = io.BytesIO(good_bytes(tmp_path))
    damaged = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(damaged, "w") as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                body = body[: len(body) // 2]  # cut mid-element
            new.writestr(info, body)
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(damaged.getvalue())
    assert "损坏" in refused(path) or "无法" in refused(path)


def test_zip_bombs_are_refused_from_the_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = io.BytesIO(good_bytes(tmp_path))
    bomb = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info.filename))
        new.writestr("xl/media/padding.bin", b"\0" * (3 << 20))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb.getvalue())
    monkeypatch.setattr(rd, "RATIO_FLOOR", 1 << 20)
    assert "疑似恶意文件" in refused(path)
    monkeypatch.setattr(rd, "RATIO_FLOOR", 1 << 30)
    monkeypatch.setattr(rd, "MAX_UNCOMPRESSED", 2 << 20)
    assert "超出台账文件的合理大小" in refused(path)


def test_sheets_beyond_the_row_cap_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rd, "MAX_DATA_ROWS", 3)
    path = workbook(
        tmp_path / "big.xlsx", {"党员": [MEMBER_HEADER, *[member_row(n) for n in range(1, 5)]]}
    )
    assert refused(path) == "工作表“党员”超过 3 行数据，超出单次导入的上限，请拆分后分批导入"


def test_a_workbook_without_any_ledger_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "other.xlsx", {"收支": [["日期", "金额"], [dt.date(2023, 1, 1), 5]]})
    assert "没有可识别为任何台账的工作表" in refused(path)


def test_refused_files_leave_the_database_untouched(tmp_path: Path, sqlite_db: pw.Database) -> None:
    from partybuild.cli import main

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04broken")
    assert main(["import", str(bad), "--db", str(tmp_path / "ledger.sqlite3")]) == 2
    assert not (tmp_path / "backups").exists()
    assert m.Member.select().count() == 0


# --------------------------------------------------------------------------- cell parsing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023.4.18", dt.date(2023, 4, 18)),
        ("2023年4月18日", dt.date(2023, 4, 18)),
        ("2023/4/18", dt.date(2023, 4, 18)),
        ("2023-04-18", dt.date(2023, 4, 18)),
        ("2023-04-18 00:00:00", dt.date(2023, 4, 18)),
        (dt.datetime(2023, 4, 18, 9, 30), dt.date(2023, 4, 18)),
        (45034, dt.date(2023, 4, 18)),
        (45034.0, dt.date(2023, 4, 18)),
        (20230418, dt.date(2023, 4, 18)),
    ],
)
def test_date_forms(value: Any, expected: dt.date) -> None:
    assert rd.parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2019.07", "只精确到月"),
        (2019.07, "只精确到月"),
        ("2019年7月", "只精确到月"),
        (2019, "只有年份"),
        ("2023-02-30", "不是有效的日期"),
        (-5, "不是有效的日期"),
        (True, "应为日期"),
        ("上周", "无法识别的日期"),
    ],
)
def test_dates_that_are_not_guessed(value: Any, message: str) -> None:
    with pytest.raises(rd.CellError, match=message):
        rd.parse_date(value)


def test_the_1904_date_system_of_old_mac_workbooks() -> None:
    from openpyxl.utils.datetime import MAC_EPOCH

    assert rd.parse_date(43572, MAC_EPOCH) == dt.date(2023, 4, 18)


def test_datetimes_need_a_time() -> None:
    assert rd.parse_datetime("2023/2/16 8:20") == dt.datetime(2023, 2, 16, 8, 20)
    assert rd.parse_datetime("2023年2月16日 8时20分") == dt.datetime(2023, 2, 16, 8, 20)
    assert rd.parse_datetime(44973.3472222222) == dt.datetime(2023, 2, 16, 8, 20)
    with pytest.raises(rd.CellError, match="只有日期"):
        rd.parse_datetime("2023-02-16")


def test_numbers_where_text_belongs() -> None:
    with pytest.raises(rd.CellError, match="已丢失末位"):
        rd.parse_id_number(999999198506151230)
    assert rd.parse_phone(19900001234) == "19900001234"
    with pytest.raises(rd.CellError, match="开头的 0"):
        rd.parse_phone(7981234567)  # 0798-1234567 typed as a number
    with pytest.raises(rd.CellError, match="已丢失末位"):
        rd.parse_credit_code(9.1360281e17)
    assert rd.parse_cell(12.0, spec.TEXT) == "12" and rd.parse_cell(True, spec.TEXT) == "是"


def test_booleans_choices_and_errors() -> None:
    assert [rd.parse_bool(x) for x in ("是", "否", "√", "Y", 1, 0, "FALSE")] == [
        True, False, True, True, True, False, False,
    ]  # fmt: skip
    category = rd.parser(spec.CHOICE, vocab.MEMBER_CATEGORY)
    assert category(" 预备党员 ") == category("probationary") == "probationary"
    with pytest.raises(rd.CellError, match="Excel 错误值 #N/A"):
        rd.parse_cell(rd.ErrorValue("#N/A"), spec.TEXT)  # an error cell (t="e")
    assert rd.parse_cell("#N/A", spec.TEXT) == "#N/A"  # a text cell spelling it
    # (OOXML's _x000D_ escapes are undone by the reader: tests/exchange/test_real_files.py)
    assert rd.parse_cell("恒远化工\r\n有限公司", spec.LONGTEXT) == "恒远化工\n有限公司"


KINDS = [
    (spec.TEXT, None),
    (spec.LONGTEXT, None),
    (spec.INT, None),
    (spec.FLOAT, None),
    (spec.BOOL, None),
    (spec.DATE, None),
    (spec.DATETIME, None),
    (spec.ID_NUMBER, None),
    (spec.PHONE, None),
    (spec.CREDIT_CODE, None),
    (spec.CHOICE, vocab.ISSUE_STATE),
]
CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)


@settings(max_examples=300, deadline=None)
@given(value=CELLS, kind=st.sampled_from(KINDS))
def test_any_cell_parses_or_says_why(value: Any, kind: tuple[str, Any]) -> None:
    try:
        rd.parse_cell(value, kind[0], kind[1])
    except rd.CellError as exc:
        assert str(exc)
