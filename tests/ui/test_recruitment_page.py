"""发展党员 page on the demo ledger: the pipeline by stage, the form refusing a step taken too
early with the rule named, the rules dialog changing what is refused, 概览's card and reminders,
and the two printouts read back from their PDFs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import peewee as pw
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from partybuild.printing.recruitment import recruitment_ledger, recruitment_record
from partybuild.printing.render import write_pdf
from partybuild.services import recruitment
from partybuild.store import models as m
from partybuild.ui.main_window import MainWindow
from partybuild.ui.overview import OverviewPage
from partybuild.ui.recruitment_page import RecruitmentPage, RecruitmentSettingsDialog
from tests.printing.conftest import read_pdf


@pytest.fixture
def page(demo: pw.Database, qtbot: QtBot) -> RecruitmentPage:
    widget = RecruitmentPage()
    qtbot.addWidget(widget)
    return widget


def test_the_pipeline_lists_each_stage_with_its_next_step(page: RecruitmentPage) -> None:
    counts = {
        c: m.Member.select().where(m.Member.category == c, m.live(m.Member)).count()
        for c in ("applicant", "activist", "candidate", "probationary")
    }
    assert page.stage_label.text() == (
        f"入党申请人 {counts['applicant']}　入党积极分子 {counts['activist']}　"
        f"发展对象 {counts['candidate']}　预备党员 {counts['probationary']}"
    )
    table = page.pipeline_table
    assert table.rowCount() == sum(counts.values())
    stages = [table.item(i, 0).text() for i in range(table.rowCount())]
    assert stages == sorted(
        stages, key=["入党申请人", "入党积极分子", "发展对象", "预备党员"].index
    )
    # The one admitted in spring and never sent up: 上级党委审批 with its deadline, overdue.
    late = next(r for r in page.pipeline_rows if r.next_step == "上级党委审批")
    assert late.deadline is not None and late.deadline < dt.date(2023, 12, 31)
    assert any(x.overdue and x.rule_key == "approval" for x in late.reminders)
    # The ledger below shows the people of the pipeline only (no full member without stages).
    assert (
        page.model.rowCount()
        == m.Member.select()
        .where(m.live(m.Member), (m.Member.category != "full") | m.Member.applied_on.is_null(False))
        .count()
    )


def test_the_rules_dialog_changes_what_the_form_refuses(
    page: RecruitmentPage, qtbot: QtBot
) -> None:
    page.open_rules()
    dialog = page.rules_dialog
    assert isinstance(dialog, RecruitmentSettingsDialog)
    row = [r.key for r in dialog.rules].index("activist_training")
    assert "第十四条" in dialog.table.item(row, 5).text()
    dialog.values[row].setValue(2)
    dialog.term_spins["joint"].setValue(5)
    dialog.accept()
    rules = {r.key: r for r in recruitment.load_rules()}
    assert rules["activist_training"].value == 2 and recruitment.load_terms()["joint"] == 5


def test_a_double_click_on_the_pipeline_opens_the_persons_form(
    page: RecruitmentPage, qtbot: QtBot
) -> None:
    page.show()
    page.pipeline_table.cellDoubleClicked.emit(0, 1)
    assert page.dialog is not None
    wanted = page.pipeline_table.item(0, 0).data(Qt.ItemDataRole.UserRole)
    assert page.current_id() == wanted
    page.dialog.reject()


def test_overview_card_and_reminders(demo: pw.Database, qtbot: QtBot) -> None:
    overview = OverviewPage()
    qtbot.addWidget(overview)
    overview.set_year(2023)
    card = overview.cards["renewal"]
    assert card.value == 1
    assert m.Branch.get_by_id(card.record_ids[0]).name == "绿源新材料有限公司党支部"
    texts = overview.reminder_texts()
    assert any("应报上级党委审批" in t and "已超期" in t for t in texts)
    assert any("绿源新材料有限公司党支部：任期已届满" in t for t in texts)


def test_the_page_is_in_the_window(demo: pw.Database, qtbot: QtBot) -> None:
    window = MainWindow(demo)
    qtbot.addWidget(window)
    assert isinstance(window.go_to("recruitment"), RecruitmentPage)


def test_the_printouts_carry_every_person_and_step(demo: pw.Database, tmp_path: Path) -> None:
    branch = m.Branch.get(m.Branch.name == "宏图医药有限公司党支部")
    document = recruitment_ledger(branch.id, dt.date(2024, 1, 5))
    path = tmp_path / "台账.pdf"
    assert write_pdf(document, path) == 1
    pdf = read_pdf(path)
    assert "宏图医药有限公司党支部发展党员工作台账" in pdf.text
    for name in document.names:
        assert name in pdf.text
    person = m.Member.get(m.Member.name == document.names[-1])
    record = recruitment_record(person.id, dt.date(2024, 1, 5))
    path = tmp_path / "纪实表.pdf"
    assert write_pdf(record, path) == 1
    text = read_pdf(path).text
    for step in (
        "递交入党申请书",
        "确定为入党积极分子",
        "短期集中培训",
        "支部大会讨论接收预备党员",
    ):
        assert step in text
    assert person.applied_on.strftime("%Y.%m.%d") in text
    assert person.id_number not in text  # masked
