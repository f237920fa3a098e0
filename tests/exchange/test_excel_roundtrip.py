"""Export, templates and the round trip: the demo ledger survives export → import → export whole,
formula-looking text stays text, and anything a cell may hold never crashes or half-writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee as pw
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from partybuild.exchange import export as exp
from partybuild.exchange import importer as imp
from partybuild.exchange import sheets as lay
from partybuild.exchange import templates
from partybuild.services import records
from partybuild.services.demo import build_demo
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database
from tests.exchange.conftest import MEMBER_HEADER, Registry, member_row, person_id, workbook

HYPERLINK = '=HYPERLINK("http://example.com","x")'


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("demo-export")
    database = open_database(folder / "demo.sqlite3")
    build_demo(database)
    path = folder / "all.xlsx"
    exp.export(path)
    close_database()
    yield path


def test_the_demo_ledger_round_trips_whole(demo_export: Path, tmp_path: Path) -> None:
    """Export all → import into an empty database → export again: the same cells everywhere;
    importing the export again finds nothing to change."""
    database = open_database(tmp_path / "empty.sqlite3")
    plan = imp.plan_file(demo_export)
    counts = plan.counts()
    assert [s.title for s in plan.sheets] == [
        s.label for s in lay.SHEETS.values() if s.name not in lay.SEPARATE
    ]
    assert all(c["invalid"] == 0 and c["updated"] == 0 for c in counts.values()), plan.invalid[:3]
    assert counts["activity_attendees"]["new"] == 12486 and counts["members"]["new"] == 748
    result = imp.apply(plan, database)
    assert result.written == sum(c["new"] for c in counts.values())
    again = tmp_path / "again.xlsx"
    exp.export(again)
    first, second = cells(demo_export), cells(again)
    assert list(first) == list(second)
    for title in first:
        assert first[title] == second[title], title
    replan = imp.plan_file(demo_export)
    assert all(
        c == {"new": 0, "updated": 0, "unchanged": c["unchanged"], "invalid": 0}
        for c in replan.counts().values()
    )
    assert replan.to_write == 0


def test_export_is_formatted_for_reading_and_printing(demo_export: Path) -> None:
    book = load_workbook(demo_export)
    ws = book["党员"]
    assert ws["A1"].value == "党员台账" and ws["A1"].font.b
    assert "A1:P1" in {str(r) for r in ws.merged_cells.ranges}
    header = [c.value for c in ws[2]]
    assert header == [c.header for c in lay.sheet("members").columns]
    assert all(c.font.b for c in ws[2])
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:P{ws.max_row}"
    # The width Excel shows (21 + 2 characters); the file stores it with Excel's cell padding.
    width = lay.sheet("members").by_header["身份证号"].width + 2
    assert width < ws.column_dimensions["E"].width < width + 1
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    # One page wide: fitToWidth is left out at its default, 1 (ECMA-376 CT_PageSetup), and no
    # limit on the pages down (0).
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$2:$2"
    id_cell, phone_cell, born = ws["E3"], ws["G3"], ws["D3"]
    assert id_cell.data_type == "s" and id_cell.number_format == "@"
    assert phone_cell.data_type == "s" and phone_cell.number_format == "@"
    assert born.is_date and isinstance(born.value, dt.datetime)
    sign_in = book["培训签到"]
    assert sign_in["A2"].value == "培训名称" and sign_in["B2"].value == "培训开始日期"


def test_masked_export_hides_id_and_phone_numbers(
    sqlite_registry: Registry, tmp_path: Path
) -> None:
    records.create("members", {"name": "张示安", "id_number": person_id(1), "phone": "19900001234"})
    path = tmp_path / "masked.xlsx"
    exp.export(path, ["members"], mask=True)
    rows = cells(path)["党员"]
    assert rows[0][0] == "党员台账（脱敏）"
    row = dict(zip(rows[1], rows[2], strict=False))
    assert row["身份证号"] == "9999**********" + person_id(1)[-4:]
    assert row["联系电话"] == "199****1234"


def test_a_formula_looking_name_exports_as_text_and_reimports_unchanged(
    sqlite_registry: Registry, tmp_path: Path
) -> None:
    names = [HYPERLINK, "+86 转 1", "-", "@某人", "\t缩进"]
    for n, name in enumerate(names, start=1):
        records.create("members", {"name": name, "id_number": person_id(n), "note": "=1+1"})
    path = tmp_path / "members.xlsx"
    exp.export(path, ["members"])
    book = load_workbook(path)
    ws = book["党员"]
    by_name = {
        ws.cell(row=r, column=1).value: ws.cell(row=r, column=1) for r in range(3, ws.max_row + 1)
    }
    stored = {x.name for x in m.Member.select()}
    assert set(by_name) == stored
    for name, cell in by_name.items():
        assert cell.data_type == "s"  # text, never a formula
        assert cell.quotePrefix == name.startswith(("=", "+", "-", "@"))
    assert {c.value for c in ws["P"][2:]} == {"=1+1"}
    plan = imp.plan_file(path)
    assert [r.state for r in plan.rows()] == ["unchanged"] * len(names)


def test_templates_have_headers_an_example_drop_downs_and_text_columns(tmp_path: Path) -> None:
    path = templates.write_template("members", tmp_path / "members.xlsx")
    book = load_workbook(path)
    ws = book["党员"]
    headers = [c.value for c in ws[2]]
    assert headers[0] == "*姓名" and "*身份证号" in headers and "联系电话" in headers
    assert ws["E3"].value == templates.example_rows()["members"]["身份证号"]
    assert ws.column_dimensions["E"].number_format == "@"
    lists = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert lists["J3:J2002"] == '"正式党员,预备党员,发展对象,入党积极分子,入党申请人"'
    assert lists["B3:B2002"] == '"男,女"'
    assert book.sheetnames == ["党员", "填写说明"]
    # Imported as it is, the example row is skipped: nothing to do, nothing unknown.
    plan = imp.read_file(path)
    assert plan.sheets[0].skipped_example == 1 and plan.sheets[0].rows == []
    assert plan.ignored == [] and plan.unknown_columns() == []


@pytest.mark.parametrize("ledger", list(templates.example_rows()))
def test_every_ledger_has_a_template_whose_filled_row_imports(
    ledger: str, tmp_path: Path, sqlite_db: pw.Database
) -> None:
    path = templates.write_template(ledger, tmp_path / f"{ledger}.xlsx")
    book = load_workbook(path)
    ws = book.worksheets[0]
    for cell in ws[3]:  # the example, made a row of its own
        ws.cell(row=4, column=cell.column, value=cell.value)
    ws.cell(row=4, column=1, value=f"{ws['A3'].value}（二）")
    book.save(path)
    plan = imp.read_file(path)
    assert plan.sheets[0].skipped_example == 1 and len(plan.sheets[0].rows) == 1


# --------------------------------------------------------------------------- hypothesis


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
).filter(lambda s: not ILLEGAL_CHARACTERS_RE.search(s))
CELL = st.one_of(
    st.none(),
    TEXT,
    st.sampled_from(["正式党员", "男", "2023.4.18", "2019.07", "=SUM(A1)", "#N/A", "是", "   "]),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2110, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
)


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pw.Database]:
    database = open_database(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3")
    from tests.exchange.conftest import make_registry

    make_registry()
    yield database
    close_database()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(
        st.lists(CELL, min_size=len(MEMBER_HEADER), max_size=len(MEMBER_HEADER)),
        min_size=1,
        max_size=4,
    ),
    keep_valid=st.booleans(),
)
def test_any_cells_never_crash_and_never_half_write(
    fuzz_db: pw.Database, tmp_path_factory: pytest.TempPathFactory, rows: list, keep_valid: bool
) -> None:
    m.db_proxy.initialize(fuzz_db)
    if keep_valid:
        rows = [*rows, member_row(7)]
    path = workbook(
        tmp_path_factory.mktemp("cells") / "fuzz.xlsx", {"党员": [MEMBER_HEADER, *rows]}
    )
    before = [tuple(r) for r in m.Member.select().order_by(m.Member.id).tuples()]
    plan = imp.plan_file(path)
    invalid = plan.invalid
    assert all(r.reason for r in invalid)
    if invalid:
        with pytest.raises(imp.ImportRefused):
            imp.apply(plan, fuzz_db)
        after = [tuple(r) for r in m.Member.select().order_by(m.Member.id).tuples()]
        assert after == before
    else:
        imp.apply(plan, fuzz_db)
        expected = sum(1 for r in plan.rows() if r.state == "new")
        assert m.Member.select().count() == len(before) + expected


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=TEXT.filter(lambda s: s.strip() and "\n" not in s and "\r" not in s))
def test_any_stored_text_round_trips(
    fuzz_db: pw.Database, tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    """What the form accepts, export writes and import reads back unchanged (_x0041_, =, +…).

    The deliberate exceptions: 张  三, a short name spaced out to align a printed roster; and what
    the reader takes out of every text cell of other people's files — zero-width and other
    invisible characters, and the ' that marks '0371… as text (tests/exchange/test_real_files.py).
    """
    from partybuild.exchange.read import ALIGNED_NAME, clean_text
    from partybuild.services.errors import ValidationError

    assume(not ALIGNED_NAME.fullmatch(name.strip()))
    assume(clean_text(name) == name)
    m.db_proxy.initialize(fuzz_db)
    number = person_id(500)
    existing = m.Member.get_or_none(m.Member.id_number == number)
    try:
        if existing is None:
            records.create("members", {"name": name, "id_number": number, "note": name})
        else:
            records.update("members", existing.id, {"name": name, "note": name}, existing.version)
    except ValidationError:
        return  # the form refuses it (control characters, too long): nothing to export
    path = tmp_path_factory.mktemp("text") / "one.xlsx"
    exp.export(path, ["members"])
    plan = imp.plan_file(path)
    row = next(
        r for r in plan.rows() if r.values.get("id_number") == number or number in str(r.raw)
    )
    assert row.state == "unchanged", (row.reason, row.changes)


ERROR_NAMES = ["#N/A", "#DIV/0!", "#NULL!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#GETTING_DATA"]


def test_text_spelling_an_excel_error_is_written_as_text_and_reads_back(
    db: pw.Database, tmp_path: Path
) -> None:
    """A member named #N/A (or any Excel error literal) is a text cell with the quote prefix,
    not an error cell, and the import reads back the very name — in an empty ledger too."""
    from tests.exchange.conftest import make_registry

    make_registry()
    numbers = {}
    for i, name in enumerate([*ERROR_NAMES, "#n/a"], start=600):
        numbers[person_id(i)] = name
        records.create("members", {"name": name, "id_number": person_id(i), "note": name})
    path = tmp_path / "errors.xlsx"
    exp.export(path, ["members"])

    sheet = load_workbook(path)[lay.sheet("members").label]
    written = [c for row in sheet.iter_rows() for c in row if c.value in ERROR_NAMES]
    assert len(written) == 2 * len(ERROR_NAMES)  # 姓名 and 备注 of each
    assert all(c.data_type == "s" and c.quotePrefix for c in written)

    plan = imp.plan_file(path)
    assert {r.state for r in plan.rows() if r.sheet.spec.name == "members"} == {"unchanged"}
    m.Member.delete().execute()
    imp.apply(imp.plan_file(path), db)
    stored = {p.id_number: (p.name, p.note) for p in m.Member.select()}
    assert stored == {number: (name, name) for number, name in numbers.items()}
