"""The one workbook writer: text stays text, impossible characters are shown escaped, openpyxl's
sheet buffers never appear in the shared temporary folder."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from partybuild.domain.dates import PartialDate
from partybuild.outputs import OutputError
from partybuild.outputs.workbook import (
    FORMULA_START,
    XlsxBook,
    clean_text,
    set_cell,
    text_cell,
    workbook_output,
)

# (A leading CR is quoted too, but XML reads it back as LF, as it does for any CR in a cell.)
FORMULAS = ("=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "=1+1", "\t=x", "\n=z")


def open_files() -> list[str]:
    links = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:  # the descriptor listdir itself used
            continue
    return links


def sheet_xml(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as archive:
        return [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]


def test_clean_text_shows_what_a_cell_cannot_hold() -> None:
    assert clean_text("党员大会") == "党员大会"
    assert clean_text("a\x07b\x1bc") == "a\\x07b\\x1bc"
    assert clean_text("x\ud800y") == "x\\ud800y"
    assert clean_text("\ufffe") == "\\ufffe"
    assert clean_text("tab\tcr\rlf\n") == "tab\tcr\rlf\n"  # kept: a cell holds them
    assert clean_text("a_x0041_b") == "a_x005Fx0041_b"  # not turned into “A” by Excel


@pytest.mark.parametrize("write_only", [True, False])
def test_formula_looking_text_is_text(tmp_path: Path, write_only: bool) -> None:
    target = tmp_path / "x.xlsx"
    with workbook_output(target, private=False) as save:
        workbook = Workbook(write_only=write_only)
        if write_only:
            ws = workbook.create_sheet("表")
            for text in FORMULAS:
                ws.append([text_cell(ws, text), text_cell(ws, 12), text_cell(ws, None)])
        else:
            ws = workbook.active
            ws.title = "表"
            for row, text in enumerate(FORMULAS, start=1):
                set_cell(ws, row, 1, text)
                set_cell(ws, row, 2, 12)
        save(workbook)
    for xml in sheet_xml(target):
        assert b"<f>" not in xml and b"<f " not in xml
    sheet = load_workbook(target)["表"]
    assert [sheet.cell(r, 1).value for r in range(1, len(FORMULAS) + 1)] == list(FORMULAS)
    assert sheet.cell(1, 2).value == 12
    assert all(sheet.cell(r, 1).quotePrefix for r in range(1, len(FORMULAS) + 1))


ERROR_LITERALS = ("#N/A", "#DIV/0!", "#NULL!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#n/a")


@pytest.mark.parametrize("write_only", [True, False])
def test_text_spelling_an_error_value_is_text(tmp_path: Path, write_only: bool) -> None:
    # openpyxl makes "#N/A" an error cell (t="e"), which reads back as an error, not as the text.
    target = tmp_path / "x.xlsx"
    with workbook_output(target, private=False) as save:
        workbook = Workbook(write_only=write_only)
        if write_only:
            ws = workbook.create_sheet("表")
            for text in ERROR_LITERALS:
                ws.append([text_cell(ws, text)])
        else:
            ws = workbook.active
            ws.title = "表"
            for row, text in enumerate(ERROR_LITERALS, start=1):
                set_cell(ws, row, 1, text)
        save(workbook)
    for xml in sheet_xml(target):
        assert b't="e"' not in xml
    sheet = load_workbook(target)["表"]
    cells = [sheet.cell(r, 1) for r in range(1, len(ERROR_LITERALS) + 1)]
    assert [c.value for c in cells] == list(ERROR_LITERALS)
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_control_characters_and_lone_surrogates_are_written_escaped(tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    with workbook_output(target, private=True) as save:
        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet("表")
        ws.append([text_cell(ws, "响铃\x07"), text_cell(ws, "\ud800孤"), text_cell(ws, "=\x1b")])
        save(workbook)
    row = next(load_workbook(target, read_only=True)["表"].iter_rows(values_only=True))
    assert row == ("响铃\\x07", "\\ud800孤", "=\\x1b")


def test_openpyxl_sheet_buffers_never_appear_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    out = tmp_path / "out"
    out.mkdir()
    target = out / "名册.xlsx"
    with workbook_output(target, private=True) as save:
        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet("党员")
        for n in range(2000):
            ws.append([f"11010119850615{n:04d}", "13800000000"])
        # The sheet is being streamed into a buffer: nothing has a name anywhere.
        assert list(shared.iterdir()) == [] and list(out.iterdir()) == []
        assert any(link.startswith(f"{out}/") and "(deleted)" in link for link in open_files())
        save(workbook)
    assert list(shared.iterdir()) == []
    assert [p.name for p in out.iterdir()] == ["名册.xlsx"]
    assert target.stat().st_mode & 0o777 == 0o600
    assert not any(link.startswith(f"{out}/") and "(deleted)" in link for link in open_files())


def test_a_failure_while_filling_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), workbook_output(target, private=False):
        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet("表")
        ws.append(["a"])
        raise RuntimeError("cancelled")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]


def test_an_unwritable_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    with (
        pytest.raises(OutputError, match="不存在"),
        workbook_output(tmp_path / "无" / "x.xlsx", private=False),
    ):
        pytest.fail("the block must not run")


def test_save_not_called_writes_nothing(tmp_path: Path) -> None:
    with workbook_output(tmp_path / "x.xlsx", private=False):
        pass
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- xlsxwriter


def read_back(path: Path) -> tuple[list[tuple[object, ...]], list[list[object]]]:
    """Every row as openpyxl reads it (values) and as python-calamine (the app's reader) does."""
    from python_calamine import CalamineWorkbook

    book = load_workbook(path, read_only=True)
    with_openpyxl = list(book["表"].iter_rows(values_only=True))
    book.close()
    calamine = CalamineWorkbook.from_path(str(path))
    try:
        with_calamine = calamine.get_sheet_by_name("表").to_python()
    finally:
        calamine.close()
    return with_openpyxl, with_calamine


@pytest.mark.parametrize("constant_memory", [True, False])
def test_xlsxwriter_text_is_text_never_a_formula_or_an_error(
    tmp_path: Path, constant_memory: bool
) -> None:
    target = tmp_path / "x.xlsx"
    texts = (*FORMULAS, *ERROR_LITERALS, "{=A1}", "http://example.com", "1e5", "0012")
    with workbook_output(target, private=False) as save:
        book = XlsxBook(constant_memory=constant_memory)
        ws = book.add_worksheet("表")
        for row, text in enumerate(texts):
            ws.write_cells(row, [text, 12, None, text], [None, None, None, book.text])
        save(book)
    for xml in sheet_xml(target):
        assert b"<f>" not in xml and b"<f " not in xml and b't="e"' not in xml
    sheet = load_workbook(target)["表"]
    for row, text in enumerate(texts, start=1):
        for column in (1, 4):
            cell = sheet.cell(row, column)
            assert cell.value == text and cell.data_type == "s", (row, column)
            assert cell.quotePrefix == (text.startswith(FORMULA_START) or text.startswith("#"))
        assert sheet.cell(row, 2).value == 12 and sheet.cell(row, 3).value is None
        assert sheet.cell(row, 4).number_format == "@"
    _, calamine = read_back(target)
    assert [r[0] for r in calamine] == list(texts)  # exactly as typed, a leading CR included


def test_xlsxwriter_cells_read_back_field_by_field(tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    long_text = "长" * 40_000  # more than Excel shows in a cell: kept whole, as openpyxl did
    values = [
        "党员大会",
        "响铃\x07",
        "\ud800孤",
        "a_x0041_b",  # xlsxwriter escapes this itself; Excel would otherwise show “aAb”
        "tab\tlf\n",
        12,
        1.5,
        Decimal("3.10"),
        dt.date(2020, 1, 2),
        dt.datetime(2020, 1, 2, 3, 4, 5),
        PartialDate(1998, 11),
        PartialDate(2005),
        PartialDate(1998, 11, 5),
        True,
        None,
        long_text,
    ]
    with workbook_output(target, private=True) as save:
        book = XlsxBook()
        ws = book.add_worksheet("表")
        ws.write_cells(0, values)
        save(book)
    openpyxl_row, calamine_rows = read_back(target)
    assert calamine_rows[0] == [
        "党员大会",
        "响铃\\x07",
        "\\ud800孤",
        "a_x0041_b",
        "tab\tlf\n",
        12,
        1.5,
        3.1,
        dt.date(2020, 1, 2),
        dt.datetime(2020, 1, 2, 3, 4, 5),
        "1998.11",
        "2005",
        dt.date(1998, 11, 5),
        True,
        "",
        long_text,
    ]
    first = openpyxl_row[0]
    assert first[:3] == ("党员大会", "响铃\\x07", "\\ud800孤")
    assert first[5:8] == (12, 1.5, 3.1)
    assert first[8:10] == (dt.datetime(2020, 1, 2), dt.datetime(2020, 1, 2, 3, 4, 5))
    assert first[10:] == ("1998.11", "2005", dt.datetime(1998, 11, 5), True, None, long_text)
    sheet = load_workbook(target)["表"]
    assert sheet["I1"].number_format == "yyyy-mm-dd" and sheet["K1"].number_format == "@"
    assert sheet["A1"].font.name == "宋体"


def test_xlsxwriter_temporary_files_have_no_name_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    out = tmp_path / "out"
    out.mkdir()
    target = out / "名册.xlsx"
    with workbook_output(target, private=True) as save:
        book = XlsxBook()
        for name in ("党员", "签到"):  # xlsxwriter closes and reopens the first sheet's row file
            ws = book.add_worksheet(name)
            for n in range(2000):
                ws.write_cells(n, [f"11010119850615{n:04d}", "13800000000"], [book.text, None])
        assert list(shared.iterdir()) == [] and list(out.iterdir()) == []
        assert any(link.startswith(f"{out}/") and "(deleted)" in link for link in open_files())
        save(book)
    assert list(shared.iterdir()) == []
    assert [p.name for p in out.iterdir()] == ["名册.xlsx"]
    assert target.stat().st_mode & 0o777 == 0o600
    assert not any(link.startswith(f"{out}/") and "(deleted)" in link for link in open_files())
    written = load_workbook(target, read_only=True)
    rows = list(written["签到"].iter_rows(values_only=True))
    written.close()
    assert len(rows) == 2000 and rows[-1] == ("110101198506151999", "13800000000")


def test_xlsxwriter_a_block_left_unsaved_writes_nothing_and_holds_nothing(tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), workbook_output(target, private=False):
        book = XlsxBook()
        ws = book.add_worksheet("表")
        ws.write_cells(0, ["a"])
        ws.write_cells(1, ["b"])
        raise RuntimeError("cancelled")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]
    assert not any(link.startswith(f"{tmp_path}/") for link in open_files())


def test_an_xlsxbook_is_made_inside_workbook_output_only() -> None:
    with pytest.raises(RuntimeError):
        XlsxBook()


def test_xlsxwriter_without_unnamed_files_uses_a_private_folder_removed_at_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another OS, or a filesystem without O_TMPFILE: a 0700 folder of our own, then nothing.
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    target = tmp_path / "out.xlsx"
    with workbook_output(target, private=True) as save:
        book = XlsxBook()
        ws = book.add_worksheet("表")
        ws.write_cells(0, ["11010119850615001X"], [book.text])
        (folder,) = shared.iterdir()
        assert folder.stat().st_mode & 0o777 == 0o700
        save(book)
    assert list(shared.iterdir()) == []
    assert read_back(target)[1] == [["11010119850615001X"]]
