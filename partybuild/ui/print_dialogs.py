"""打印 in the app: a print preview of the page's document, from which the user prints or saves a PDF.

Trainings offer the sign-in sheet and the attendance summary of the selected training, activities
the sign-in sheet of the selected meeting, members the roster of the branch in the page's filter
(or one the user picks). The preview paints through :func:`partybuild.printing.render.render`,
the same function the CLI writes PDFs with, so preview, paper and PDF are the same pages.

The dialog is opened with ``open()`` and kept on the window as ``window.print_preview`` so the
window stays usable and tests can reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QInputDialog,
    QLabel,
    QMessageBox,
    QToolBar,
    QWidget,
)

from partybuild.domain import collation
from partybuild.printing import data
from partybuild.printing.layout import Document
from partybuild.printing.render import page_layout, render, write_pdf
from partybuild.services import name_order
from partybuild.services.errors import RecordNotFound, ValidationError
from partybuild.store import models as m
from partybuild.ui import file_dialogs

#: (translated label shown in the preview's document choice, builder taking ``unmasked`` and the
#: order of names: stroke / pinyin / entry)
Choice = tuple[str, Callable[[bool, str], Document]]


class PrintPreview(QPrintPreviewDialog):
    """QPrintPreviewDialog with a choice of document, of the order of names and, for rosters, of
    masking. The order starts at the database's default (姓氏笔画 unless the park chose another);
    设为默认 makes the chosen one the default of every later print and export."""

    def __init__(
        self, choices: Sequence[Choice], parent: QWidget | None = None, *, maskable: bool = False
    ) -> None:
        # Read the first document before any widget exists: a record gone meanwhile raises here
        # and leaves no half-built dialog behind.
        order = name_order.default_order()
        first = choices[0][1](False, order)
        # The dialog does not own the printer it is given: keep it on the dialog.
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        super().__init__(self.printer, parent)
        self.setWindowTitle(self.tr("打印预览"))
        self.resize(960, 800)
        self.choices = list(choices)
        self._documents: dict[tuple[int, bool, str], Document] = {(0, False, order): first}
        self.preview = self.findChild(QPrintPreviewWidget)

        self.document_combo = QComboBox()
        self.document_combo.setObjectName("print_document")
        for label, _build in self.choices:
            self.document_combo.addItem(label)
        self.document_combo.setEnabled(len(self.choices) > 1)
        self.order_combo = QComboBox()
        self.order_combo.setObjectName("print_order")
        self.order_combo.setToolTip(self.tr("名单中姓名的排列顺序"))
        for code, label in collation.NAME_ORDERS:
            self.order_combo.addItem(self.tr(label), code)
        self.order_combo.setCurrentIndex(self.order_combo.findData(order))
        self.order_default_action = QAction(self.tr("设为默认"), self)
        self.order_default_action.setToolTip(self.tr("以后打印和导出名单都默认按此顺序"))
        self.order_default_action.triggered.connect(self.make_order_default)
        self.unmasked_check = QCheckBox(self.tr("显示完整身份证号、电话和出生日期"))
        self.unmasked_check.setObjectName("print_unmasked")
        from partybuild.store.accounts import masked_only

        maskable = maskable and not masked_only()  # a viewer prints masked only
        self.unmasked_check.setVisible(maskable)
        self.pdf_action = QAction(self.tr("保存为 PDF…"), self)
        self.pdf_action.triggered.connect(self.save_pdf)

        toolbar = self.findChild(QToolBar)
        if toolbar is not None:
            first = toolbar.actions()[0] if toolbar.actions() else None
            toolbar.insertWidget(first, QLabel(self.tr(" 文档：")))
            toolbar.insertWidget(first, self.document_combo)
            toolbar.insertWidget(first, QLabel(self.tr(" 排序：")))
            toolbar.insertWidget(first, self.order_combo)
            toolbar.insertAction(first, self.order_default_action)
            if maskable:
                toolbar.insertWidget(first, self.unmasked_check)
            toolbar.insertAction(first, self.pdf_action)
            toolbar.insertSeparator(first)

        file_dialogs.guard_print_preview(self, self.printer)
        self.paintRequested.connect(self._paint)
        self.document_combo.currentIndexChanged.connect(self._refresh)
        self.unmasked_check.toggled.connect(self._refresh)
        self.order_combo.currentIndexChanged.connect(self._refresh)
        self.printer.setPageLayout(page_layout(self.document()))
        self.printer.setDocName(self.document().title)

    def document(self) -> Document:
        """The chosen document, read from the database once per choice."""
        key = (
            max(0, self.document_combo.currentIndex()),
            self.unmasked_check.isChecked(),
            self.order(),
        )
        if key not in self._documents:
            _label, build = self.choices[key[0]]
            self._documents[key] = build(key[1], key[2])
        return self._documents[key]

    def order(self) -> str:
        return str(self.order_combo.currentData())

    def make_order_default(self) -> None:
        name_order.set_default_order(self.order())
        self.order_default_action.setText(
            self.tr("已设为默认（%s）") % self.order_combo.currentText()
        )

    def _paint(self, printer: QPrinter) -> None:
        render(self.document(), printer)

    def _refresh(self) -> None:
        document = self.document()
        self.printer.setPageLayout(page_layout(document))
        self.printer.setDocName(document.title)
        if self.preview is not None:
            self.preview.updatePreview()

    def page_count(self) -> int:
        return self.preview.pageCount() if self.preview is not None else 0

    def save_pdf(self) -> None:
        document = self.document()
        path, _filter = file_dialogs.save_file(
            self, self.tr("保存为 PDF"), f"{document.title}.pdf", self.tr("PDF 文件 (*.pdf)")
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        try:
            write_pdf(document, Path(path))
        except OSError as exc:  # OutputError: one line saying what, where and why
            QMessageBox.warning(self, self.tr("保存为 PDF"), str(exc))
            return
        self.saved_box = file_dialogs.saved_notice(self, self.tr("保存为 PDF"), Path(path))


def _status(window, text: str) -> None:  # noqa: ANN001 - MainWindow
    window.statusBar().showMessage(text, 8000)


def _branch_for_print(window, page_name: str, none_message: str) -> int | None:  # noqa: ANN001
    """The branch in the page's 党组织 filter, else one the user picks (None: nothing to print)."""
    page = window.pages.get(page_name)
    combo = getattr(page, "filter_combos", {}).get("branch")
    if combo is not None and combo.currentData() is not None:
        return int(combo.currentData())
    branches = list(
        m.Branch.select(m.Branch.id, m.Branch.name)
        .where(m.Branch.deleted == False)  # noqa: E712
        .order_by(m.Branch.name)
        .tuples()
    )
    if not branches:
        _status(window, none_message)
        return None
    names = [name for _id, name in branches]
    name = _pick_branch(window, names)
    if name is None or name not in names:
        return None
    return branches[names.index(name)][0]


def branch_dialog(window, names: list[str]) -> QInputDialog:  # noqa: ANN001 - MainWindow
    """The 花名册 branch choice, wide enough for the longest branch name."""
    dialog = QInputDialog(window)
    dialog.setWindowTitle(window.tr("打印党员花名册"))
    dialog.setLabelText(window.tr("打印哪个党组织的花名册？"))
    dialog.setComboBoxItems(names)
    dialog.setComboBoxEditable(False)
    combo = dialog.findChild(QComboBox)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    longest = max(combo.fontMetrics().horizontalAdvance(n) for n in names)
    combo.setMinimumWidth(longest + 48)  # the text, the arrow and the frame
    dialog.setMinimumWidth(longest + 48 + 48)  # and the dialog's margins
    return dialog


def _pick_branch(window, names: list[str]) -> str | None:  # noqa: ANN001 - MainWindow
    dialog = branch_dialog(window, names)
    if dialog.exec() != QInputDialog.DialogCode.Accepted:
        return None
    return dialog.textValue()


def _choices(window) -> tuple[list[Choice], bool] | None:  # noqa: ANN001 - MainWindow
    ledger = window.current_ledger_name()
    if ledger == "trainings":
        training_id = window.current_record_id()
        if training_id is None:
            _status(window, window.tr("请先在列表中选中要打印的培训"))
            return None
        return [
            (window.tr("签到表"), lambda _u, o: data.training_signin(training_id, o)),
            (window.tr("签到汇总"), lambda _u, o: data.training_summary(training_id, o)),
        ], False
    if ledger == "activities":
        activity_id = window.current_record_id()
        if activity_id is None:
            _status(window, window.tr("请先在列表中选中要打印的组织生活"))
            return None
        return [(window.tr("签到表"), lambda _u, o: data.activity_signin(activity_id, o))], False
    if ledger == "members":
        branch_id = _branch_for_print(window, "members", window.tr("还没有党组织，无法打印花名册"))
        if branch_id is None:
            return None
        roster = (
            window.tr("党员花名册"),
            lambda u, o: data.branch_roster(branch_id, unmasked=u, order=o),
        )
        return [roster], True
    if ledger == "dues":
        return _dues_choices(window)
    _status(window, window.tr("打印：请在培训、组织生活、党员或党费页面使用"))
    return None


def _dues_choices(window) -> tuple[list[Choice], bool] | None:  # noqa: ANN001 - MainWindow
    """党费: the 公示表 of the month (and its quarter) and the year's 台账 of the page's branch.

    The month is the page's 月份 filter, else the selected record's, else this month; incomes are
    shown only when the 党费规则 setting says prints are for the committee.
    """
    import datetime as dt

    from partybuild.domain.dates import PartialDate
    from partybuild.printing import dues as dues_print

    page = window.pages.get("dues")
    combos = getattr(page, "filter_combos", {})
    branch_id = _branch_for_print(window, "dues", window.tr("还没有党组织，无法打印党费公示表"))
    if branch_id is None:
        return None
    today = dt.date.today()
    year = combos["year"].currentData() if "year" in combos else None
    month = combos["month"].currentData() if "month" in combos else None
    record_id = window.current_record_id()
    if (year is None or month is None) and record_id is not None:
        chosen = m.Dues.get_or_none(m.Dues.id == record_id)
        if chosen is not None:
            year, month = year or chosen.month.year, month or chosen.month.month
    when = PartialDate(year or today.year, month or today.month)
    first, last = dues_print.quarter_of(when)
    return [
        (
            window.tr("%d年%d月党费收缴公示表") % (when.year, when.month),
            lambda _u, o: dues_print.notice(branch_id, when, order=o),
        ),
        (
            window.tr("%d年第%d季度党费收缴公示表") % (when.year, (when.month - 1) // 3 + 1),
            lambda _u, o: dues_print.notice(branch_id, first, last, order=o),
        ),
        (
            window.tr("%d年党费收缴台账") % when.year,
            lambda _u, o: dues_print.yearly_ledger(branch_id, when.year, order=o),
        ),
    ], False


def open_print(window) -> PrintPreview | None:  # noqa: ANN001 - MainWindow
    """The 打印 action (Ctrl+P): preview what the page in front can print."""
    found = _choices(window)
    if found is None:
        return None
    choices, maskable = found
    old = getattr(window, "print_preview", None)
    if old is not None:
        old.close()
        old.deleteLater()
    try:
        dialog = PrintPreview(choices, window, maskable=maskable)
    except (RecordNotFound, ValidationError) as exc:
        _status(window, window.tr("无法打印：%s") % exc)
        return None
    window.print_preview = dialog
    dialog.open()
    return dialog
