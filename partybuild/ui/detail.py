"""The side panel that shows, for the selected row, the records linked to it.

A ledger page puts the panel beside its table and calls :meth:`DetailPanel.show_record` when the
selection changes. The panel is read-only HTML in a :class:`QTextBrowser`: it wraps long topics
and names in a narrow panel and can be selected and copied, which a tree of cells cannot.

Everything shown comes from :mod:`partybuild.services.details`, which hands over ID numbers and
phones already masked: the panel sits on screens that others can see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from html import escape

from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from partybuild.domain import dates
from partybuild.services import details
from partybuild.services.errors import RecordNotFound

_STYLE = """
h2 { margin: 0; }
p.sub { color: #555; margin-top: 2px; }
h4 { margin-top: 12px; margin-bottom: 4px; }
table.facts td.k { color: #666; padding-right: 10px; }
table.list { border-collapse: collapse; }
table.list th { background: #eef1f5; text-align: left; font-weight: normal; color: #444; }
table.list th, table.list td { border: 1px solid #d5dae1; padding: 2px 5px; }
.muted { color: #888; }
.warn { color: #b3261e; }
"""


def _date(value: dt.date | None) -> str:
    """2023-04-18, or 1998.11 for a date of record given to the month (never a made-up day)."""
    return dates.shown(value) if value else ""


class DetailPanel(QWidget):
    """A read-only view of one record and what hangs off it; subclasses say which ledger."""

    ledger_name = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record_id: int | None = None
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.document().setDefaultStyleSheet(_STYLE)
        self.browser.document().setDocumentMargin(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self.setMinimumWidth(280)
        self.show_record(None)

    # ------------------------------------------------------------------ public API

    def show_record(self, record_id: int | None) -> None:
        """Show a record's details; None (no selection) shows a hint instead."""
        self.record_id = record_id
        if record_id is None:
            self._show_hint(self.tr("选择一条记录查看详情"))
            return
        try:
            html = self._render(record_id)
        except RecordNotFound:
            self._show_hint(self.tr("该记录不存在或已移入回收站"))
            return
        self.browser.setHtml(html)

    def refresh(self) -> None:
        """Re-read the shown record (after an edit elsewhere)."""
        self.show_record(self.record_id)

    def plain_text(self) -> str:
        return self.browser.toPlainText()

    # ------------------------------------------------------------------ for subclasses

    def _render(self, record_id: int) -> str:
        raise NotImplementedError

    def _show_hint(self, text: str) -> None:
        self.browser.setHtml(f'<p class="muted" align="center"><br>{escape(text)}</p>')

    def _header(self, title: str, subtitle: Iterable[str | None]) -> str:
        sub = " · ".join(escape(s) for s in subtitle if s)
        return f"<h2>{escape(title)}</h2>" + (f'<p class="sub">{sub}</p>' if sub else "")

    def _facts(self, pairs: Sequence[tuple[str, object]]) -> str:
        rows = "".join(
            f'<tr><td class="k">{escape(k)}</td><td>{escape(str(v))}</td></tr>'
            for k, v in pairs
            if v not in (None, "")
        )
        return (
            f'<table class="facts" cellspacing="0" cellpadding="1">{rows}</table>' if rows else ""
        )

    def _section(
        self,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        total: int | None = None,
        *,
        counted: bool = True,
    ) -> str:
        """A titled table of cells already escaped by :meth:`_cell`; says when it is cut short."""
        shown = len(rows)
        total = shown if total is None else total
        html = f"<h4>{escape(title)}{f'（{total}）' if counted else ''}</h4>"
        if not rows:
            return html + f'<p class="muted">{escape(self.tr("无"))}</p>'
        head = "".join(f"<th>{escape(h)}</th>" for h in headers)
        # An empty cell would swallow the margin of the next heading in Qt's HTML layout.
        body = "".join(
            "<tr>" + "".join(f"<td>{c or '&nbsp;'}</td>" for c in row) + "</tr>" for row in rows
        )
        html += f'<table class="list" width="100%" cellspacing="0">{"<tr>" + head + "</tr>"}{body}</table>'
        if total > shown:
            note = self.tr("仅显示最近 %s 条，共 %s 条") % (shown, total)
            html += f'<p class="muted">{escape(note)}</p>'
        return html

    @staticmethod
    def _cell(value: object, css: str | None = None) -> str:
        text = escape("" if value is None else str(value))
        return f'<span class="{css}">{text}</span>' if css else text


class MemberDetailPanel(DetailPanel):
    ledger_name = "members"

    def _render(self, record_id: int) -> str:
        d = details.member_detail(record_id)
        tr, c = self.tr, self._cell
        sub = [
            d.category_label,
            d.gender_label,
            tr("%s 岁") % d.age if d.age is not None else None,
            (tr("党龄至少 %s 年") if d.party_years_at_least else tr("党龄 %s 年")) % d.party_years
            if d.party_years is not None
            else None,
            d.status_label if d.status != "normal" else None,
        ]
        facts = [
            (tr("身份证号"), d.id_number_masked),
            (tr("联系电话"), d.phone_masked),
            (tr("所属党组织"), d.branch),
            (tr("所在企业"), d.enterprise),
            (tr("党内职务"), d.party_post),
            (tr("企业岗位"), d.job_title),
            (tr("入党日期"), _date(d.joined_on)),
            (tr("转正日期"), _date(d.confirmed_on)),
        ]
        return "".join(
            [
                self._header(d.name, sub),
                self._facts(facts),
                self._section(
                    tr("参加培训"),
                    [tr("培训"), tr("开始日期"), tr("签到")],
                    [[c(t.name), c(_date(t.start_date)), c(t.status_label)] for t in d.trainings],
                    d.totals["trainings"],
                ),
                self._section(
                    tr("组织生活"),
                    [tr("日期"), tr("类型"), tr("主题"), tr("出席")],
                    [
                        [c(_date(a.date)), c(a.kind_label), c(a.topic), c(a.status_label)]
                        for a in d.activities
                    ],
                    d.totals["activities"],
                ),
                self._section(
                    tr("志愿服务队"),
                    [tr("名称"), tr("类型"), tr("职责")],
                    [[c(t.name), c(t.kind_label), c(t.role)] for t in d.teams],
                    d.totals["teams"],
                ),
            ]
        )


class EnterpriseDetailPanel(DetailPanel):
    ledger_name = "enterprises"

    def _render(self, record_id: int) -> str:
        d = details.enterprise_detail(record_id)
        tr, c = self.tr, self._cell
        branch = f"{d.branch}（{d.branch_kind_label}）" if d.branch else tr("未纳入党组织")
        facts = [
            (tr("所属党组织"), branch),
            (tr("信用代码"), d.credit_code),
            (tr("职工数"), d.employees),
            (tr("联系服务干部"), d.liaison),
        ]
        issues_note = ""
        if d.open_issues:
            text = tr("未办结 %s 件") % d.open_issues
            if d.overdue_issues:
                text += tr("，其中超期 %s 件") % d.overdue_issues
            issues_note = f'<p class="{"warn" if d.overdue_issues else "sub"}">{escape(text)}</p>'

        def state(i: details.EnterpriseIssueLine) -> str:
            return c(i.state_label) + (" " + c(tr("超期"), "warn") if i.overdue else "")

        return "".join(
            [
                self._header(d.name, [d.industry_label, d.kind_label, d.project_state_label]),
                self._facts(facts),
                self._section(
                    tr("党员"),
                    [tr("姓名"), tr("类别"), tr("党内职务")],
                    [[c(p.name), c(p.category_label), c(p.party_post)] for p in d.members],
                    d.totals["members"],
                ),
                self._section(
                    tr("企业诉求"),
                    [tr("受理日期"), tr("类别"), tr("问题描述"), tr("状态")],
                    [
                        [c(_date(i.received_on)), c(i.category_label), c(i.description), state(i)]
                        for i in d.issues
                    ],
                    d.totals["issues"],
                ),
                issues_note,
            ]
        )


class BranchDetailPanel(DetailPanel):
    ledger_name = "branches"

    def _render(self, record_id: int) -> str:
        d = details.branch_detail(record_id)
        tr, c = self.tr, self._cell
        facts = [
            (tr("上级党组织"), d.parent),
            (tr("书记"), d.secretary),
            (tr("成立日期"), _date(d.founded_on)),
            (tr("换届日期"), _date(d.renewed_on)),
            (tr("应换届日期"), d.renewal_due),
            (tr("支委会"), tr("已设") if d.has_committee else tr("未设")),
        ]
        counts = "、".join(f"{label} {n}" for label, n in d.member_counts if n)
        members = tr("党员等 %s 人") % d.member_total + (f"（{counts}）" if counts else "")
        return "".join(
            [
                self._header(d.name, [d.kind_label]),
                self._facts(facts),
                f"<h4>{escape(tr('人员'))}</h4><p>{escape(members)}</p>",
                self._section(
                    tr("联系企业"),
                    [tr("企业"), tr("产业"), tr("党员")],
                    [[c(e.name), c(e.industry_label), c(e.members)] for e in d.enterprises],
                    d.totals["enterprises"],
                ),
                self._section(
                    tr("志愿服务队"),
                    [tr("名称"), tr("类型"), tr("队长")],
                    [[c(t.name), c(t.kind_label), c(t.leader)] for t in d.teams],
                    d.totals["teams"],
                ),
                self._section(
                    tr("最近一次组织生活"),
                    [tr("类型"), tr("日期"), tr("主题")],
                    [
                        [c(a.kind_label), c(_date(a.date)) or c("—", "muted"), c(a.topic)]
                        for a in d.last_activities
                    ],
                    counted=False,
                ),
            ]
        )


class TrainingDetailPanel(DetailPanel):
    ledger_name = "trainings"

    def _render(self, record_id: int) -> str:
        d = details.training_detail(record_id)
        tr, c = self.tr, self._cell
        when = _date(d.start_date)
        if d.end_date and d.end_date != d.start_date:
            when += " — " + _date(d.end_date)
        facts = [
            (tr("日期"), when),
            (tr("地点"), d.place),
            (tr("主讲人"), d.lecturer),
            (tr("主办单位"), d.organiser),
            (tr("学时"), f"{d.hours:g}" if d.hours is not None else None),
        ]
        rate = f"{d.rate * 100:.1f}%" if d.rate is not None else "—"
        figures = [
            (tr("应到"), d.expected),
            (tr("已签到"), d.signed),
            (tr("请假"), d.leave),
            (tr("缺席"), d.absent),
            (tr("未签到"), d.not_signed),
            (tr("签到率"), rate),
        ]
        figures_html = " · ".join(f"{escape(k)} <b>{escape(str(v))}</b>" for k, v in figures)
        return "".join(
            [
                self._header(d.name, [d.kind_label]),
                self._facts(facts),
                f"<h4>{escape(tr('签到情况'))}</h4><p>{figures_html}</p>",
                self._section(
                    tr("参训人员"),
                    [tr("姓名"), tr("单位"), tr("状态")],
                    [[c(a.name), c(a.unit), c(a.status_label)] for a in d.attendees],
                    d.totals["attendees"],
                ),
            ]
        )


class ActivityDetailPanel(DetailPanel):
    ledger_name = "activities"

    def _render(self, record_id: int) -> str:
        d = details.activity_detail(record_id)
        tr, c = self.tr, self._cell
        facts = [
            (tr("日期"), _date(d.date)),
            (tr("党组织"), d.branch),
            (tr("地点"), d.place),
            (tr("主持人"), d.host),
            (tr("记录人"), d.recorder),
        ]
        figures = [(tr("出席"), d.present), (tr("请假"), d.leave), (tr("缺席"), d.absent)]
        figures_html = " · ".join(f"{escape(k)} <b>{escape(str(v))}</b>" for k, v in figures)
        quorum = f"<p>{escape(d.quorum)}</p>" if d.quorum else ""
        return "".join(
            [
                self._header(d.topic, [d.kind_label]),
                self._facts(facts),
                f"<h4>{escape(tr('到会情况'))}</h4><p>{figures_html}</p>{quorum}",
                self._section(
                    tr("参会人员"),
                    [tr("姓名"), tr("出席情况")],
                    [[c(a.name), c(a.status_label)] for a in d.attendees],
                    d.totals["attendees"],
                ),
            ]
        )


_PANELS: dict[str, Callable[[QWidget | None], DetailPanel]] = {
    panel.ledger_name: panel
    for panel in (
        MemberDetailPanel,
        EnterpriseDetailPanel,
        BranchDetailPanel,
        TrainingDetailPanel,
        ActivityDetailPanel,
    )
}


def detail_panel_for(ledger_name: str, parent: QWidget | None = None) -> DetailPanel | None:
    """The detail panel for a ledger's page, or None for ledgers that have nothing to show."""
    factory = _PANELS.get(ledger_name)
    return factory(parent) if factory is not None else None
