"""The import wizard, export dialog and template saving, driven as a user would."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import peewee as pw
import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QColor, QDesktopServices
from PySide6.QtWidgets import QApplication, QComboBox, QInputDialog
from pytestqt.qtbot import QtBot

from partybuild.exchange import importer as imp
from partybuild.exchange.sheets import SEPARATE, SHEETS
from partybuild.store import models as m
from partybuild.ui import file_dialogs
from partybuild.ui.excel_dialogs import COLOURS, ImportWizard
from partybuild.ui.main_window import MainWindow
from tests.exchange.conftest import MEMBER_HEADER, make_registry, member_row, person_id, workbook

PREVIEW_PNG = Path("/tmp/import_preview.png")


@pytest.fixture
def window(sqlite_db: pw.Database, qtbot: QtBot) -> MainWindow:
    make_registry()
    win = MainWindow(sqlite_db)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    return win


def messy_roster(folder: Path) -> Path:
    """A title, two good rows, a damaged ID number, an impossible date, a footer."""
    damaged = float(person_id(3)[:17] + "0")
    return workbook(
        folder / "恒远化工党员花名册.xlsx",
        {
            "花名册": [
                ["恒远化工有限公司党员花名册"],
                MEMBER_HEADER,
                member_row(1),
                member_row(2, name="李示芳", 类别="预备党员"),
                member_row(3, name="王示明", 身份证号=damaged),
                member_row(4, name="赵示华", 入党日期="2019.13"),
                ["填报人：张示安"],
            ]
        },
        merge=["A1:H1"],
    )


def open_wizard(window: MainWindow, path: Path, monkeypatch: pytest.MonkeyPatch) -> ImportWizard:
    monkeypatch.setattr(file_dialogs, "open_file", lambda *a, **k: str(path))
    window.import_action.trigger()
    wizard = window.import_wizard
    assert wizard.isVisible()
    wizard.browse_button.click()
    assert wizard.path_edit.text() == str(path)
    return wizard


def to_preview(wizard: ImportWizard, qtbot: QtBot) -> None:
    """下一步 (read) → the 列对应 step → 预检 → the preview."""
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.MAPPING, timeout=20000)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.PREVIEW, timeout=20000)


def test_the_wizard_previews_commits_and_leaves_the_error_workbook_one_click_away(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = messy_roster(tmp_path)
    wizard = open_wizard(window, path, monkeypatch)
    assert QSettings().value("folders/excel") == str(tmp_path)
    to_preview(wizard, qtbot)  # 读取 → 列对应 → 预检, in the worker thread

    assert "新增" in wizard.summary.text() and "2" in wizard.summary.text()
    model = wizard.model
    assert [model.data(model.index(r, 1)) for r in range(model.rowCount())] == [
        "新增",
        "新增",
        "错误",
        "错误",
    ]
    assert [model.data(model.index(r, 0)) for r in range(model.rowCount())] == [3, 4, 5, 6]
    bad = model.index(2, 0)
    assert model.data(bad, 8).color() == QColor(COLOURS[imp.INVALID][0])  # BackgroundRole
    assert "丢失末位" in model.data(model.index(2, 2))
    assert model.data(model.index(0, 5)) == person_id(1)  # 行号 状态 说明 | 序号 姓名 身份证号
    # Filter to the errors only.
    wizard.state_combo.setCurrentIndex(wizard.state_combo.findData(imp.INVALID))
    assert wizard.proxy.rowCount() == 2
    wizard.state_combo.setCurrentIndex(0)
    wizard.table.resizeRowsToContents()
    QApplication.processEvents()
    assert wizard.grab().save(str(PREVIEW_PNG))

    # Invalid rows: nothing can be written until the user chooses to skip them.
    assert not wizard.next_button.isEnabled()
    wizard.skip_box.setChecked(True)
    wizard.next_button.click()
    assert wizard.pages.currentIndex() == wizard.CONFIRM
    assert "新增 <b>2</b> 条" in wizard.confirm_text.text()
    assert "2 行错误将被跳过" in wizard.confirm_text.text()
    wizard.next_button.click()  # 开始导入
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.RESULT, timeout=20000)

    assert {x.id_number for x in m.Member.select()} == {person_id(1), person_id(2)}
    assert "已写入 <b>2</b> 条" in wizard.result_label.text()
    assert wizard.open_errors_button.isVisible()
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    wizard.open_errors_button.click()
    errors = Path(opened[0].toLocalFile())
    assert errors.name == "恒远化工党员花名册-错误行.xlsx" and errors.parent == tmp_path
    rows = list(load_workbook(errors).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("错误原因", "原行号") and [r[-1] for r in rows[1:]] == [5, 6]
    wizard.next_button.click()  # 完成
    assert not wizard.isVisible()


def test_a_refused_file_says_why_and_stays_on_the_first_page(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "台账.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    wizard = open_wizard(window, old, monkeypatch)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: bool(wizard.file_message.text()), timeout=10000)
    assert (
        wizard.file_message.text() == "“台账.xls”已损坏，无法作为 Excel 97-2003 工作簿（.xls）读取"
    )
    assert wizard.pages.currentIndex() == wizard.FILE and wizard.next_button.isEnabled()


def test_cancelling_the_import_writes_nothing(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = workbook(tmp_path / "ok.xlsx", {"党员": [MEMBER_HEADER, member_row(1), member_row(2)]})
    real_apply = imp.apply

    def slow_apply(plan, database=None, **kwargs):  # noqa: ANN001, ANN202 - the wizard's call
        cancel = kwargs["cancel"]
        deadline = time.monotonic() + 10
        while not cancel() and time.monotonic() < deadline:  # in the worker thread: just wait
            time.sleep(0.01)  # for the user to press 取消 while it runs
        return real_apply(plan, database, **kwargs)

    monkeypatch.setattr(imp, "apply", slow_apply)
    wizard = open_wizard(window, path, monkeypatch)
    to_preview(wizard, qtbot)
    wizard.next_button.click()
    wizard.next_button.click()
    assert wizard.pages.currentIndex() == wizard.RUNNING
    wizard.cancel_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.RESULT, timeout=20000)
    assert "已取消导入，数据库未做任何改动" in wizard.result_label.text()
    assert not wizard.open_errors_button.isVisible()
    assert m.Member.select().count() == 0


def test_export_defaults_to_masked_and_says_what_full_data_contains(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imp.apply(
        imp.plan_file(workbook(tmp_path / "ok.xlsx", {"党员": [MEMBER_HEADER, member_row(1)]}))
    )
    window.go_to("members")
    window.export_action.trigger()
    dialog = window.export_dialog
    assert dialog.mask_box.isChecked() and dialog.one_button.isChecked()
    assert "不能再导入" in dialog.mask_note.text()
    dialog.mask_box.setChecked(False)
    assert "完整身份证号" in dialog.mask_note.text()
    dialog.mask_box.setChecked(True)
    out = tmp_path / "exports" / "members"
    out.parent.mkdir()
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(out), ""))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20000)
    written = out.with_suffix(".xlsx")
    rows = list(load_workbook(written).active.iter_rows(values_only=True))
    assert rows[0][0] == "党员台账（脱敏）" and person_id(1) not in str(rows)
    assert "已导出 1 条记录" in window.statusBar().currentMessage()
    assert QSettings().value("folders/excel") == str(out.parent)


def test_export_all_from_the_overview(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.go_to("overview")
    window.export_action.trigger()
    dialog = window.export_dialog
    assert dialog.all_button.isChecked() and not dialog.one_button.isEnabled()
    out = tmp_path / "all.xlsx"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(out), ""))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20000)
    assert len(load_workbook(out, read_only=True).sheetnames) == len(SHEETS) - len(SEPARATE)


def test_template_of_the_page_or_of_a_chosen_ledger(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "members-template.xlsx"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: (str(out), ""))
    window.go_to("members")
    window.template_action.trigger()
    assert load_workbook(out).sheetnames == ["党员", "填写说明"]
    window.go_to("overview")
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("企业诉求", True))
    window.template_action.trigger()
    assert load_workbook(out).sheetnames == ["企业诉求", "填写说明"]
    assert "导入模板" in window.statusBar().currentMessage()


def test_the_window_stays_responsive_while_a_big_file_is_read(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [member_row(n, 入党日期=dt.date(2010, 7, 1)) for n in range(1, 600)]
    path = workbook(tmp_path / "big.xlsx", {"党员": [MEMBER_HEADER, *rows]})
    wizard = open_wizard(window, path, monkeypatch)
    ticks: list[int] = []
    wizard.next_button.click()
    while wizard.pages.currentIndex() == wizard.FILE and len(ticks) < 10_000:
        ticks.append(1)  # the event loop keeps turning while the worker reads
        qtbot.wait(5)
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.MAPPING, timeout=30000)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.PREVIEW, timeout=30000)
    assert len(ticks) > 1
    assert wizard.model.rowCount() == 599


MAPPING_PNG = Path("/tmp/import_mapping.png")
QUESTION_PNG = Path("/tmp/import_mapping_question.png")


def staffing_roster(folder: Path, name: str = "花名册.xlsx") -> Path:
    """Another system's roster: a staffing 人员类别 beside 党籍状态, and no 类别 column at all
    in the second sheet."""
    header = ["姓名", "身份证号", "所在党支部", "人员类别", "党籍状态", "联系电话/手机"]
    return workbook(
        folder / name,
        {
            "党员花名册": [
                header,
                ["张示安", person_id(1), "第一联合党支部", "在编", "正式党员", "13900000001"],
                ["李示芳", person_id(2), "第一联合党支部", "聘用", "预备党员", "13900000002"],
                ["王示明", person_id(3), "第一联合党支部", "在编", "预备党员", "13900000003"],
            ]
        },
    )


def combo(wizard: ImportWizard, index: int) -> QComboBox:
    found = wizard.mapping_page.table.findChild(QComboBox, f"import_map_{index}")
    assert found is not None
    return found


def test_the_mapping_step_shows_every_column_with_samples_and_flags_the_doubtful_one(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = staffing_roster(tmp_path)
    wizard = open_wizard(window, path, monkeypatch)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.MAPPING, timeout=20000)
    page = wizard.mapping_page
    table = page.table
    assert table.rowCount() == 6
    assert [table.item(r, 0).text() for r in range(6)] == [
        "姓名",
        "身份证号",
        "所在党支部",
        "人员类别",
        "党籍状态",
        "联系电话/手机",
    ]
    assert table.item(0, 1).text() == "张示安、李示芳、王示明"
    assert table.item(2, 1).text() == "第一联合党支部"  # each value once
    assert "“人员类别”列的值（在编、聘用）不是“类别”" in page.warnings_label.text()
    assert [combo(wizard, i).currentText() for i in range(6)] == [
        "姓名",
        "身份证号",
        "所属党组织",
        "不导入",
        "类别",
        "联系电话",
    ]
    # 人员类别 is highlighted: its values are not a 类别, 党籍状态's are.
    assert table.item(3, 0).background().color() == QColor(COLOURS[imp.UPDATE][0])
    assert "党籍状态" in table.item(3, 0).toolTip()
    assert table.item(4, 0).background().color() != QColor(COLOURS[imp.UPDATE][0])
    assert not page.missing_label.isVisible() and not page.question_boxes
    wizard.resize(1080, 680)
    QApplication.processEvents()
    assert wizard.grab().save(str(MAPPING_PNG))
    # Two columns for one field cannot go on.
    combo(wizard, 3).setCurrentIndex(combo(wizard, 3).findText("类别"))
    assert "多列都对应到了“类别”" in page.missing_label.text()
    assert not wizard.next_button.isEnabled()
    combo(wizard, 3).setCurrentIndex(0)
    assert wizard.next_button.isEnabled()
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.PREVIEW, timeout=20000)
    assert "文件没有“状态”列，新增的 3 行记为“正常”" in wizard.notes.text()
    wizard.next_button.click()
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.RESULT, timeout=20000)
    stored = {x.name: (x.category, x.phone) for x in m.Member.select()}
    assert stored == {
        "张示安": ("full", "13900000001"),
        "李示芳": ("probationary", "13900000002"),
        "王示明": ("probationary", "13900000003"),
    }


def test_a_missing_category_is_asked_and_the_choice_is_remembered(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = ["姓名", "身份证号", "所在党支部", "备注栏"]
    rows = [header, *[[f"示{n}", person_id(n), "第一联合党支部", "x"] for n in (11, 12)]]
    path = workbook(tmp_path / "无类别.xlsx", {"名单": rows})
    wizard = open_wizard(window, path, monkeypatch)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.MAPPING, timeout=20000)
    page = wizard.mapping_page
    question = page.question_boxes["category"]
    assert page.question("category") == "文件没有类别列，全部记为正式党员？"
    assert not question.isChecked()
    assert "状态记为“正常”" in page.defaults_label.text()
    QApplication.processEvents()
    assert wizard.grab().save(str(QUESTION_PNG))
    # Not confirmed: the new rows are refused in the preview, with the reason.
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.PREVIEW, timeout=20000)
    assert [wizard.model.data(wizard.model.index(r, 1)) for r in range(2)] == ["错误", "错误"]
    assert "文件没有“类别”列" in wizard.model.data(wizard.model.index(0, 2))
    qtbot.waitUntil(wizard.back_button.isEnabled)  # the worker has finished
    wizard.back_button.click()
    assert wizard.pages.currentIndex() == wizard.MAPPING
    # Confirmed, and 备注栏 mapped by hand to 备注.
    page.question_boxes["category"].setChecked(True)
    combo(wizard, 3).setCurrentIndex(combo(wizard, 3).findText("备注"))
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.PREVIEW, timeout=20000)
    assert [wizard.model.data(wizard.model.index(r, 1)) for r in range(2)] == ["新增", "新增"]
    wizard.next_button.click()
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.RESULT, timeout=20000)
    assert {(x.name, x.category, x.note) for x in m.Member.select()} == {
        ("示11", "full", "x"),
        ("示12", "full", "x"),
    }
    wizard.next_button.click()

    # The next file with the same headers opens with the same choices.
    rows = [header, [f"示{13}", person_id(13), "第一联合党支部", "y"]]
    second = workbook(tmp_path / "无类别2.xlsx", {"名单": rows})
    wizard = open_wizard(window, second, monkeypatch)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.MAPPING, timeout=20000)
    page = wizard.mapping_page
    assert page.recalled_label.text() == "已按上次对同样表头的选择填好"
    assert combo(wizard, 3).currentText() == "备注"
    assert page.question_boxes["category"].isChecked()


def test_a_required_choice_the_file_lacks_can_be_given_one_value(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = ["党支部名称", "简称", "成立时间", "支部类别"]
    rows = [header, ["瑞丰医药党支部", "瑞丰支部", dt.datetime(2017, 9, 1), "在职教工党支部"]]
    path = workbook(tmp_path / "党支部录入样表.xlsx", {"Sheet1": rows})
    wizard = open_wizard(window, path, monkeypatch)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.MAPPING, timeout=20000)
    page = wizard.mapping_page
    assert "缺少必填的列：类型" in page.missing_label.text()
    assert page.warnings_label.text() == (
        "“支部类别”列的值（在职教工党支部）不是“类型”，未导入；"
        "如该列就是类型，请在右边的“导入为”中选择"
    )
    assert page.table.item(3, 0).background().color() == QColor(COLOURS[imp.UPDATE][0])
    assert page.table.item(1, 0).toolTip().startswith("未识别的列")  # 简称
    values = page.question_values["kind"]
    assert values.currentText() == "（请选择）"
    values.setCurrentIndex(values.findText("联合党支部"))
    page.question_boxes["kind"].setChecked(True)
    assert page.question("kind") == "文件没有类型列，全部记为联合党支部？"
    assert not page.missing_label.isVisible()
    QApplication.processEvents()
    assert wizard.grab().save(str(QUESTION_PNG.with_name("import_mapping_kind.png")))
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.PREVIEW, timeout=20000)
    wizard.next_button.click()
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.RESULT, timeout=20000)
    stored = m.Branch.get(m.Branch.name == "瑞丰医药党支部")
    assert (stored.kind, stored.founded_on) == ("joint", dt.date(2017, 9, 1))


def test_two_columns_that_both_fit_are_highlighted_and_left_to_the_user(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = ["姓名", "身份证号", "党籍状态", "政治面貌"]
    rows = [header, ["张示安", person_id(31), "预备党员", "中共党员"]]
    path = workbook(tmp_path / "两列.xlsx", {"党员": rows})
    wizard = open_wizard(window, path, monkeypatch)
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.MAPPING, timeout=20000)
    page = wizard.mapping_page
    flagged = QColor(COLOURS[imp.UPDATE][0])
    assert [page.table.item(r, 0).background().color() == flagged for r in range(4)] == [
        False,
        False,
        True,
        True,
    ]
    assert [combo(wizard, i).currentText() for i in (2, 3)] == ["不导入", "不导入"]
    assert page.missing_label.text().startswith(
        "无法判断哪一列是“类别”：“党籍状态”、“政治面貌”都可能是。请在右边的“导入为”中选择"
    )
    combo(wizard, 2).setCurrentIndex(combo(wizard, 2).findText("类别"))
    assert not page.missing_label.isVisible()
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.PREVIEW, timeout=20000)
    wizard.next_button.click()
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.RESULT, timeout=20000)
    assert m.Member.get().category == "probationary"


def test_with_a_ledger_chosen_an_unknown_header_can_be_mapped_by_hand(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = ["支部", "开会日子", "讲了什么", "会的种类"]
    rows = [header, ["第一联合党支部", dt.datetime(2023, 6, 28), "七一专题党课", "党课"]]
    path = workbook(tmp_path / "自制记录.xlsx", {"记录": rows})
    wizard = open_wizard(window, path, monkeypatch)
    wizard.ledger_combo.setCurrentIndex(wizard.ledger_combo.findData("activities"))
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.MAPPING, timeout=20000)
    page = wizard.mapping_page
    assert "未找到“组织生活”的表头，暂以第 1 行为表头" in page.warnings_label.text()
    assert [combo(wizard, i).currentText() for i in range(4)] == ["不导入"] * 4
    assert "缺少必填的列：党组织、类型、日期、主题" in page.missing_label.text()
    for index, label in enumerate(["党组织", "日期", "主题", "类型"]):
        combo(wizard, index).setCurrentIndex(combo(wizard, index).findText(label))
    assert not page.missing_label.isVisible()
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.PREVIEW, timeout=20000)
    wizard.next_button.click()
    wizard.next_button.click()
    qtbot.waitUntil(lambda: wizard.pages.currentIndex() == wizard.RESULT, timeout=20000)
    stored = m.Activity.get()
    assert (stored.kind, stored.date, stored.topic) == (
        "party_lesson",
        dt.date(2023, 6, 28),
        "七一专题党课",
    )


def test_the_error_workbook_falls_back_to_the_home_folder_never_the_temporary_one(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The imported file's folder refuses the error workbook (a read-only share): it goes to the
    user's home folder, 0600, since it holds full ID numbers — not to /tmp for everyone."""
    import errno
    import os

    from PySide6.QtCore import QDir

    from partybuild.outputs import OutputError

    path = messy_roster(tmp_path)
    wizard = open_wizard(window, path, monkeypatch)
    to_preview(wizard, qtbot)
    real = imp.write_error_workbook

    def read_only_source_folder(plan: imp.ImportPlan, target: Path | str) -> int:
        if Path(target).parent == tmp_path:
            raise OutputError(errno.EROFS, f"无法保存“{target}”：所在的磁盘是只读的")
        return real(plan, target)

    monkeypatch.setattr(imp, "write_error_workbook", read_only_source_folder)
    home = Path(QDir.homePath())
    home.mkdir(parents=True, exist_ok=True)
    wizard._write_error_workbook()
    errors = wizard.error_workbook
    assert errors == home / "恒远化工党员花名册-错误行.xlsx"
    assert os.stat(errors).st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if "错误行" in p.name] == []


def test_error_rows_are_saved_beside_the_source_and_a_missing_launcher_is_said(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """导出错误行 starts in the imported file's folder, whatever folder was used last; and
    打开错误行工作簿 on a machine with no spreadsheet program says so instead of nothing."""
    from PySide6.QtWidgets import QMessageBox

    source = tmp_path / "企业报来"
    source.mkdir()
    path = messy_roster(source)
    wizard = open_wizard(window, path, monkeypatch)
    QSettings().setValue("folders/excel", str(tmp_path / "别处"))  # e.g. a template saved there
    to_preview(wizard, qtbot)
    suggested: list[str] = []

    def save_file(_parent, _title, default, _filters):  # noqa: ANN001, ANN202
        suggested.append(default)
        return str(source / "错误行.xlsx"), ""

    monkeypatch.setattr(file_dialogs, "save_file", save_file)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warned.append(text))
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    wizard.export_errors_button.click()
    assert suggested == [str(source / "恒远化工党员花名册-错误行.xlsx")]
    assert (source / "错误行.xlsx").exists()
    assert len(warned) == 1 and "没有可以打开它的程序" in warned[0]
    wizard.open_error_workbook()
    assert len(warned) == 2 and str(source / "错误行.xlsx") in warned[1]
