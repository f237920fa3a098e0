"""Masked means unlinkable: a masked export of the demo ledger leaves every member's ID number
thousands of possible values, not the 9 that the full 出生日期 beside a first-4/last-4 ID left.

The count is an attacker's: the masked row gives the ID's first 4 characters (province and
prefecture), its last 4 (three sequence digits and the check character) and whatever else the row
says about the birth date; the two county digits and the birth date inside the ID are unknown;
a candidate must pass the GB 11643 check character.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from partybuild.domain.validators import _ID_WEIGHTS, id_check_char
from partybuild.exchange.export import export
from partybuild.services.demo import build_demo
from partybuild.store import models as m
from partybuild.store.database import open_database

CHECK_VALUES = {str(v): v for v in range(10)} | {"X": 10}


def _candidates(head: str, tail: str, days: list[dt.date]) -> int:
    """IDs of the form head + 2 county digits + birth date + tail that pass the check."""
    seq, check = tail[:3], tail[3]
    # the check character c satisfies (sum of weighted digits + c) ≡ 1 (mod 11)
    want = (1 - CHECK_VALUES[check]) % 11
    known = sum(int(d) * w for d, w in zip(head, _ID_WEIGHTS[:4], strict=True))
    known += sum(int(d) * w for d, w in zip(seq, _ID_WEIGHTS[14:17], strict=True))
    county = [0] * 11
    for n in range(100):
        county[(n // 10 * _ID_WEIGHTS[4] + n % 10 * _ID_WEIGHTS[5]) % 11] += 1
    born = [0] * 11
    for day in days:
        digits = day.strftime("%Y%m%d")
        born[sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS[6:14], strict=True)) % 11] += 1
    return sum(county[r] * born[(want - known - r) % 11] for r in range(11) if county[r])


def _year_days(year: int) -> list[dt.date]:
    return [
        dt.date(year, 1, 1) + dt.timedelta(days=i)
        for i in range(366 if calendar.isleap(year) else 365)
    ]


def test_the_counting_is_right_on_a_known_number() -> None:
    real = "99999919900307123"
    full = real + id_check_char(real)
    # knowing the birth date leaves the county digits: about 100 / 11 candidates, the real one too
    assert 5 <= _candidates(full[:4], full[-4:], [dt.date(1990, 3, 7)]) <= 15
    assert _candidates(full[:4], full[-4:], _year_days(1990)) > 3000


def _members_sheet(path: Path) -> tuple[list[str], list[tuple]]:
    workbook = load_workbook(path, read_only=True)
    try:
        sheet = next(ws for ws in workbook.worksheets if ws.title.startswith("党员"))
        rows = [r for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    start = next(i for i, r in enumerate(rows) if "身份证号" in r)
    header = [str(h) if h is not None else "" for h in rows[start]]
    return header, [r for r in rows[start + 1 :] if any(c not in (None, "") for c in r)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dt.date]]:
    folder = tmp_path_factory.mktemp("masked")
    database = open_database(folder / "demo.sqlite3")
    build_demo(database)
    births = {r.id_number: r.birth_date for r in m.Member.select() if not r.deleted}
    out = folder / "masked.xlsx"
    export(out, mask=True)
    database.close()
    return out, births


def test_no_member_of_the_demo_is_re_identified_by_the_masked_export(
    demo: tuple[Path, dict[str, dt.date]],
) -> None:
    path, births = demo
    header, rows = _members_sheet(path)
    assert len(rows) == len(births) == 748
    id_col, birth_col = header.index("身份证号"), header.index("出生日期")
    by_tail: dict[tuple[str, str], list[dt.date]] = {}
    for number, born in births.items():
        by_tail.setdefault((number[:4], number[-4:]), []).append(born)
    fewest = None
    for row in rows:
        masked = str(row[id_col])
        assert len(masked) == 18 and masked[4:14] == "*" * 10, masked
        shown = str(row[birth_col])
        assert shown.isdigit() and len(shown) == 4, shown  # the year only
        # nothing else in the row gives the day away
        matches = by_tail[(masked[:4], masked[-4:])]
        for born in matches:
            if born.year == int(shown):
                for cell in row:
                    text = str(cell) if cell is not None else ""
                    assert born.isoformat() not in text and born.strftime("%Y%m%d") not in text
                    assert born.strftime("%Y.%m") not in text
        count = _candidates(masked[:4], masked[-4:], _year_days(int(shown)))
        fewest = count if fewest is None else min(fewest, count)
        assert count > 1000, (masked, shown, count)
    assert fewest is not None and fewest > 1000


def test_every_id_number_and_phone_in_the_masked_workbook_is_masked(
    demo: tuple[Path, dict[str, dt.date]],
) -> None:
    path, births = demo
    workbook = load_workbook(path, read_only=True)
    try:
        texts = [
            str(c)
            for ws in workbook.worksheets
            for row in ws.iter_rows(values_only=True)
            for c in row
            if c is not None
        ]
    finally:
        workbook.close()
    whole = "\n".join(texts)
    assert not any(number in whole for number in births)
    assert not any(number[4:14] in whole for number in births)  # not even the middle
