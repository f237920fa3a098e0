"""Regenerate the LibreOffice-saved fixtures beside this file: ``python -m
tests.exchange.files.make_files`` (needs ``soffice``, Debian's libreoffice-calc).

The tests read the committed files, so they need no LibreOffice. The people are synthetic: the
project's own names (示…) and ID numbers of the non-existent region 999999, as in the demo.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import Workbook

from tests.exchange.conftest import person_id

HERE = Path(__file__).parent
FIRM_A = "恒远化工有限公司"
FIRM_B = "瑞丰医药有限公司"
BRANCH = "第一联合党支部"
HEADER = ["序号", "姓名", "身份证号", "所在企业", "所属党组织", "类别", "入党日期", "联系电话"]
# (name, n for the ID number, enterprise, category, joined)
PEOPLE = [
    ("张示安", 31, FIRM_A, "正式党员", dt.date(2008, 7, 1)),
    ("李示芳", 32, FIRM_A, "正式党员", dt.date(2012, 6, 28)),
    ("王示明", 33, FIRM_A, "预备党员", dt.date(2023, 5, 4)),
    ("赵示红", 34, FIRM_B, "正式党员", dt.date(2015, 11, 20)),
    ("钱示刚", 35, FIRM_B, "预备党员", dt.date(2023, 6, 30)),
]


def roster() -> Workbook:
    """党员 with 所在企业 and 所属党组织 merged over each enterprise's members, 类别 merged over
    a section, one hidden row, and a hidden stale copy of the sheet."""
    book = Workbook()
    ws = book.active
    ws.title = "党员"
    ws.append(["党员花名册"])
    ws.merge_cells("A1:H1")
    ws.append(HEADER)
    for number, (name, n, firm, category, joined) in enumerate(PEOPLE, start=1):
        first = number == 1 or PEOPLE[number - 2][2] != firm
        ws.append(
            [
                number,
                name,
                person_id(n),
                firm if first else None,
                BRANCH if number == 1 else None,
                category,
                joined,
                f"1990000{n:04d}",
            ]
        )
        ws.cell(row=ws.max_row, column=7).number_format = "yyyy-mm-dd"
        ws.cell(row=ws.max_row, column=3).number_format = "@"
    ws.merge_cells("D3:D5")  # 恒远化工 over its three members
    ws.merge_cells("D6:D7")  # 瑞丰医药 over its two
    ws.merge_cells("E3:E7")  # one branch over all five
    ws.row_dimensions[6].hidden = True
    stale = book.create_sheet("党员（旧）")
    stale.append(HEADER)
    stale.append([1, "张示安", person_id(31), FIRM_B, BRANCH, "入党积极分子", None, None])
    stale.sheet_state = "hidden"
    return book


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "members-libreoffice.xlsx"
        roster().save(source)
        for kind in ("xls", "ods"):
            subprocess.run(
                ["soffice", "--headless", "--convert-to", kind, "--outdir", tmp, str(source)],
                check=True,
                capture_output=True,
            )
            shutil.copy(source.with_suffix(f".{kind}"), HERE / f"members-libreoffice.{kind}")
        # Date cells formatted yyyy-mm, yyyy"年"m"月", yyyy: LibreOffice's month date styles.
        from tests.exchange.test_month_cells import roster as month_roster

        months = month_roster(Path(tmp) / "month-cells-libreoffice.xlsx")
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "ods", "--outdir", tmp, str(months)],
            check=True,
            capture_output=True,
        )
        shutil.copy(months.with_suffix(".ods"), HERE / "month-cells-libreoffice.ods")


if __name__ == "__main__":
    main()
