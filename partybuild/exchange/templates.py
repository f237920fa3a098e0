"""Import templates: per ledger, an empty workbook with the headers, one example row, drop-down
lists for choice columns and ID/phone columns pre-formatted as text.

The text format matters most: a secretary who types an 18-digit ID number into a General cell
loses its last digits the moment Excel turns it into a number. The example row is recognised and
skipped by the importer, so a template filled in below its example imports cleanly.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from partybuild.domain import dates
from partybuild.domain import validators as v
from partybuild.exchange import sheets as lay
from partybuild.exchange.export import HEADER_BORDER, HEADER_FILL, PAPER_A4
from partybuild.exchange.sheets import SheetSpec, XColumn
from partybuild.ledgers import spec
from partybuild.outputs.workbook import set_cell, workbook_output
from partybuild.outputs.xlsx_font import font, use_chinese_font

TEMPLATE_ROWS = 2000  # rows prepared with drop-downs and formats below the header
EXAMPLE_FONT = font(italic=True, color="808080")
REQUIRED_FONT = font(bold=True, color="C00000")

_BRANCH = "园区第一联合党支部"
_FIRM = "恒远化工有限公司"
_TRAINING = "党的二十大精神轮训第一期"
_TEAM = "恒远化工党员志愿服务队"


@cache
def example_rows() -> dict[str, dict[str, Any]]:
    """Sheet name → header → the example value (synthetic: 示 names, region 999999)."""
    id_number = v.make_id_number("999999", dt.date(1985, 6, 15), 123)
    return {
        "branches": {
            "名称": _BRANCH,
            "类型": "联合党支部",
            "书记": "张示安",
            "成立日期": dt.date(2023, 7, 1),
            "设支委会": "否",
            "设党小组": "否",
            "备注": "覆盖园区 5 家企业",
        },
        "enterprises": {
            "名称": _FIRM,
            "统一社会信用代码": v.make_credit_code("91360281MA35ABCDE"),
            "产业": "精细化工",
            "类型": "工业企业",
            "职工数": 320,
            "规上企业": "是",
            "高新技术企业": "否",
            "项目状态": "投产",
            "联系服务干部": "李示华",
            "纳入联系服务": "是",
            "所属党组织": _BRANCH,
        },
        "members": {
            "姓名": "张示安",
            "性别": "男",
            "民族": "汉族",
            "出生日期": dt.date(1985, 6, 15),
            "身份证号": id_number,
            "学历": "大学本科",
            "联系电话": "19900001234",
            "所在企业": _FIRM,
            "所属党组织": _BRANCH,
            "类别": "正式党员",
            "入党日期": dt.date(2010, 7, 1),
            "转正日期": dt.date(2011, 7, 1),
            "党内职务": "书记",
            "企业岗位": "车间主任",
            "状态": "正常",
        },
        "activities": {
            "党组织": _BRANCH,
            "类型": "支部党员大会",
            "日期": dt.date(2023, 3, 15),
            "主题": "学习党的二十大报告",
            "地点": "恒远化工党员活动室",
            "主持人": "张示安",
            "记录人": "李示华",
            "内容纪要": "应到 12 人，实到 11 人，请假 1 人。",
        },
        "trainings": {
            "名称": _TRAINING,
            "类型": "轮训",
            "开始日期": dt.date(2023, 2, 16),
            "结束日期": dt.date(2023, 2, 17),
            "地点": "园区党群服务中心",
            "主讲人": "王示明",
            "主办单位": "园区非公企业综合党委",
            "学时": 12,
            "内容": "系统学习党的二十大报告",
        },
        "attendance": {
            "培训名称": _TRAINING,
            "培训开始日期": dt.date(2023, 2, 16),
            "党员身份证号": id_number,
            "姓名": "张示安",
            "单位": _FIRM,
            "状态": "已签到",
            "签到时间": dt.datetime(2023, 2, 16, 8, 20),
        },
        "teams": {
            "名称": _TEAM,
            "类型": "党员志愿服务队",
            "所属党组织": _BRANCH,
            "队长": "张示安",
            "成立日期": dt.date(2023, 4, 6),
            "服务方向": "安全生产宣传、关爱职工",
        },
        "services": {
            "服务队": _TEAM,
            "日期": dt.date(2023, 4, 18),
            "主题": "园区招聘会志愿服务",
            "地点": "园区党群服务中心",
            "服务对象": "求职群众及园区企业",
            "时长（小时）": 3,
            "成效": "服务求职群众 200 余人次",
        },
        "issues": {
            "企业": _FIRM,
            "受理日期": dt.date(2023, 5, 8),
            "来源": "走访",
            "类别": "用工",
            "问题描述": "企业急需招聘操作工 20 名",
            "责任单位": "园区人社服务站",
            "责任人": "李示华",
            "办结时限": dt.date(2023, 6, 7),
            "状态": "已解决",
            "办结日期": dt.date(2023, 5, 30),
            "解决措施": "组织专场招聘会，帮助企业招聘到位",
            "企业评价": "满意",
        },
        "recruitment": {
            "姓名": "王示进",
            "身份证号": v.make_id_number("999999", dt.date(1996, 3, 8), 125),
            "所属党组织": _BRANCH,
            "所在企业": _FIRM,
            "当前发展阶段": "发展对象",
            "提交书面申请书时间": dt.date(2021, 3, 2),
            "谈话日期": dt.date(2021, 3, 20),
            "确定为入党积极分子时间": dt.date(2021, 9, 6),
            "培养联系人": "张示安",
            "确定为发展对象时间": dt.date(2022, 10, 10),
            "政治审查日期": dt.date(2022, 10, 28),
            "发展对象培训起止时间": "2022.11.07-2022.11.09",
        },
        "dues": {
            "党员身份证号": id_number,
            "姓名": "张示安",
            "月份": "2023.05",
            "缴费类别": "在职",
            "缴费基数": 5100,
            "比例": "1.5%",
            "应交": 76.5,
            "实交": 76.5,
            "交纳日期": dt.date(2023, 5, 12),
            "交纳方式": "线上",
            "备注": "月份写到月，如 2023.05；合并交纳几个月时填截止月份",
        },
    }


def _choices(col: XColumn) -> list[str] | None:
    if col.kind == spec.CHOICE and col.vocabulary is not None:
        return list(col.vocabulary.labels)
    if col.kind == spec.BOOL:
        return ["是", "否"]
    return None


def _required(sheet_spec: SheetSpec, col: XColumn) -> bool:
    if col.column is not None and col.column.required:
        return True
    return col.header in sheet_spec.key_headers


def _hint(col: XColumn) -> str:
    hints = {
        spec.DATE: "日期，如 2023-04-18（须写到日）",
        spec.PARTIAL_DATE: "日期，如 2023-04-18；只知道年月写 1998.11，只知道年份写 1998",
        spec.DATETIME: "日期和时间，如 2023-04-18 08:30",
        spec.ID_NUMBER: "18 位身份证号（文本格式，末位 X 大写）",
        spec.PHONE: "手机号或带区号的座机",
        spec.CREDIT_CODE: "18 位统一社会信用代码",
        spec.INT: "整数",
        spec.FLOAT: "数字",
        spec.MONEY: "金额（元），如 76.50",
        spec.RATE: "比例，如 1.5% 或 0.015",
        spec.BOOL: "是 / 否",
        spec.LONGTEXT: "文字，可换行",
    }
    if col.link:
        return {
            "branches": "党组织名称（须已存在或在本文件中）",
            "enterprises": "企业名称（须已存在或在本文件中）",
            "members": "党员的身份证号",
            "trainings": "培训名称",
            "teams": "服务队名称",
        }.get(_target(col), "名称")
    choices = _choices(col)
    if choices and col.kind == spec.CHOICE:
        return "下拉选择：" + "、".join(choices)
    return hints.get(col.kind, "文字")


def _target(col: XColumn) -> str:
    assert col.column is not None or col.link
    if col.link == "member":
        return "members"
    if col.link == "training":
        return "trainings"
    if col.column is not None and col.column.link_model is not None:
        return lay.TARGET_OF_MODEL[col.column.link_model]
    return ""


def write_template(ledger: str, path: Path | str) -> Path:
    """An empty import template for one ledger (its sheet plus a 填写说明 sheet)."""
    path = Path(path)
    sheet_spec = lay.sheet(ledger)
    with workbook_output(path, private=False) as save:  # only synthetic example data inside
        save(_template(ledger, sheet_spec))
    return path


def _template(ledger: str, sheet_spec: SheetSpec) -> Workbook:
    workbook = use_chinese_font(Workbook())
    ws = workbook.active
    ws.title = sheet_spec.label
    columns = sheet_spec.columns
    last = get_column_letter(len(columns))
    ws.merge_cells(f"A1:{last}1")
    title = set_cell(
        ws, 1, 1, f"{sheet_spec.label}导入模板（第 3 行为示例，导入时自动跳过；红色表头为必填列）"
    )
    title.font = font(bold=True, size=13)
    title.alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[1].height = 26
    example = example_rows().get(ledger, {})
    last_row = 2 + TEMPLATE_ROWS
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = col.width + 2
        header = set_cell(ws, 2, index, ("*" if _required(sheet_spec, col) else "") + col.header)
        header.font = REQUIRED_FONT if _required(sheet_spec, col) else font(bold=True)
        header.fill = HEADER_FILL
        header.border = HEADER_BORDER
        header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.comment = Comment(_hint(col), "partybuild")
        value = example.get(col.header)
        if col.kind == spec.PARTIAL_DATE and isinstance(value, dt.date):
            value = dates.shown(value)  # a text column (see _number_format), so written as text
        cell = set_cell(ws, 3, index, value)
        cell.font = EXAMPLE_FONT
        number_format = _number_format(col)
        if number_format:
            cell.number_format = number_format
            ws.column_dimensions[letter].number_format = number_format
        choices = _choices(col)
        # Excel refuses a file whose in-cell list is longer than 255 characters (the park may have
        # added many 问题类别); the header's note still lists the choices then.
        if choices and len(",".join(choices)) + 2 <= 255:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="输入值无效",
                error=f"请从下拉列表中选择：{'、'.join(choices)}",
            )
            validation.add(f"{letter}3:{letter}{last_row}")
            ws.add_data_validation(validation)
    ws.freeze_panes = "A3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    _instructions(workbook, sheet_spec)
    return workbook


def _number_format(col: XColumn) -> str | None:
    if col.is_text_cell:
        return "@"
    if col.kind == spec.PARTIAL_DATE:
        # Text, so “1998.11” stays what was typed: in a date cell Excel turns “1998-11” into
        # 1998-11-01 (a day nobody gave) and “1998.11” into the number of a day in 1905.
        return "@"
    if col.kind == spec.DATE:
        return "yyyy-mm-dd"
    if col.kind == spec.DATETIME:
        return "yyyy-mm-dd hh:mm"
    return None


def _instructions(workbook: Workbook, sheet_spec: SheetSpec) -> None:
    ws = workbook.create_sheet("填写说明")

    rows = iter(range(1, 10_000))

    def append(values: list[Any]) -> None:
        row = next(rows)
        for column, value in enumerate(values, start=1):
            set_cell(ws, row, column, value)

    append(["列名", "必填", "填写要求", "也可用的列名"])
    for cell in ws[1]:
        cell.font = font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
    for col in sheet_spec.columns:
        append(
            [
                col.header,
                "是" if _required(sheet_spec, col) else "",
                _hint(col),
                "、".join(col.aliases),
            ]
        )
    for letter, width in zip("ABCD", (16, 6, 48, 40), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2, min_col=3, max_col=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    # Printed as it is read: A4, the table as wide as the page, its header on every page.
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    append([None])
    notes = (
        "列的顺序可以调整；表头上方可以有标题行；“序号”列会被忽略。",
        "日期可写成 2023-04-18、2023/4/18、2023.4.18 或 2023年4月18日。入党、转正、出生、成立、换届日期"
        "只知道年月时写 1998.11（或 1998-11、1998年11月），只知道年份写 1998，按所写保存、不补日；"
        "出生年月的日取自身份证号。活动、培训、服务、诉求等事项的日期须写到日。",
        "身份证号、电话号码请保持文本格式；以数字保存的身份证号已丢失末位，不能导入。",
        "导入前会先预检每一行，全部正确才写入；有错误时可导出错误行，改正后重新导入。",
    )
    for note in notes:
        append([note])
