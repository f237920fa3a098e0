"""``partybuild import``, ``export`` and ``template``: the Excel exchange from the command line.

Exit codes (DESIGN.md): 0 every row applied (or would be, with --dry-run); 1 invalid rows — with
nothing written unless --skip-invalid wrote the valid ones; 2 an unusable file, database or
argument. ``import --json`` prints one object whose keys are a contract (issue 4).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from partybuild.cli import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNUSABLE,
    CliError,
    open_db,
    terminal_json,
    terminal_text,
)
from partybuild.commands import output_target

MAX_LISTED = 50


def _xlsx(path: str) -> Path:
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise CliError(f"输出文件应以 .xlsx 结尾：{path}", EXIT_UNUSABLE)
    return output_target(target)


def _unwritable(exc: OSError, path: Path) -> CliError:
    """Exit 2 with one line; an OutputError already says what, where and why."""
    from partybuild.outputs import OutputError

    if isinstance(exc, OutputError):
        return CliError(str(exc), EXIT_UNUSABLE)
    return CliError(f"无法写入“{path}”：{exc.strerror or exc}", EXIT_UNUSABLE)


def run_import(args: argparse.Namespace) -> int:
    from partybuild.exchange import importer as excel_import
    from partybuild.exchange.mapping import MappingError, parse_map
    from partybuild.exchange.read import WorkbookRefused

    errors_path = _xlsx(args.errors) if args.errors else None
    try:
        mapping = parse_map(args.mapping, args.ledger) if args.mapping else None
    except MappingError as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    try:  # the file first: an unusable file must not create or touch a database
        plan = excel_import.read_file(Path(args.file), args.ledger, mapping=mapping)
    except (WorkbookRefused, MappingError) as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    database = open_db(args, create=not args.dry_run)
    excel_import.plan(plan)
    if mapping is None:
        _remembered_hints(plan)
    invalid = plan.invalid
    errors_written = 0
    if errors_path is not None and invalid:
        try:
            errors_written = excel_import.write_error_workbook(plan, errors_path)
        except OSError as exc:
            raise _unwritable(exc, errors_path) from exc
    written = False
    backup = None
    refused = None
    refused_code = EXIT_INVALID
    if not args.dry_run and (not invalid or args.skip_invalid) and plan.to_write:
        try:
            result = excel_import.apply(plan, database, skip_invalid=args.skip_invalid)
        except excel_import.ImportRefused as exc:
            refused = str(exc)
            refused_code = EXIT_UNUSABLE if exc.unusable else EXIT_INVALID
        else:
            written = result.written > 0
            backup = result.backup
    if args.json:
        print(terminal_json(plan.report(written)))
    else:
        _print_text(plan, written, backup, args.dry_run, errors_path if errors_written else None)
    if refused is not None:
        raise CliError(refused, refused_code)
    sheet_level = _sheet_level(plan)
    if invalid and sheet_level and not written and len(sheet_level) == len(invalid):
        texts = dict.fromkeys(
            f"工作表“{r.sheet.title}”：{r.sheet.problem or r.reason}" for r in invalid
        )
        print(terminal_text(f"partybuild: {'；'.join(texts)}；未写入任何数据"), file=sys.stderr)
        return EXIT_INVALID
    if invalid:
        if written:
            note = f"有 {len(invalid)} 行错误已跳过，其余 {plan.to_write} 行已写入"
        elif args.skip_invalid or args.dry_run:
            note = f"有 {len(invalid)} 行错误，未写入任何数据"
        else:
            note = f"有 {len(invalid)} 行错误，未写入任何数据（改正后重新导入，或加 --skip-invalid 只导入正确的行）"
        print(f"partybuild: {note}", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _remembered_hints(plan) -> None:  # noqa: ANN001
    """A sheet the wizard once mapped by hand: say how to do the same here. The command line
    never applies a remembered choice itself — a script gives the same result on any database."""
    from partybuild.exchange import mapping as mp

    for sheet in plan.sheets:
        if not (sheet.problem or sheet.gaps or sheet.header.ambiguous):
            continue
        saved = mp.remembered(sheet.spec.name, sheet.headers)
        text = mp.as_map_text(sheet.spec, sheet.headers, saved) if saved is not None else ""
        if text:
            plan.warn(
                sheet.spec.name,
                sheet.title,
                None,
                f'导入向导为同样的表头保存过列对应；命令行只按参数导入，要同样导入请加 --map "{text}"',
            )


def _sheet_level(plan) -> list:  # noqa: ANN001
    """Invalid rows refused only for what their sheet lacks (said once per sheet)."""
    return [
        r
        for r in plan.invalid
        if r.sheet.problem or (r.sheet.gaps and set(r.reasons) <= set(r.sheet.gaps))
    ]


def _row_span(rows: list) -> str:  # noqa: ANN001
    numbers = [r.row for r in rows]
    if len(numbers) == 1:
        return f"第 {numbers[0]} 行"
    return f"第 {numbers[0]}–{numbers[-1]} 行中的 {len(numbers)} 行"


def _print_text(plan, written: bool, backup, dry_run: bool, errors_path) -> None:  # noqa: ANN001
    from partybuild.exchange import importer as excel_import

    # Sheet names, headers and cell text come from the file: escape control characters (ESC, BEL)
    # so a hostile workbook cannot drive the terminal.
    for line in excel_import.describe(plan):
        print(terminal_text(line))
    for note in plan.ignored:
        print(terminal_text(f"提示：{note}"))
    for warning in plan.warnings:
        print(terminal_text(f"注意：{warning.text()}"))
    unknown = plan.unknown_columns()
    if unknown:
        listing = "；".join(f"{u['sheet']}：{u['column']}" for u in unknown)
        print(terminal_text(f"未识别的列（已忽略）：{listing}"))
    said: set[int] = set()
    for sheet in plan.sheets:  # what is about a whole sheet is said once, not on every row
        if sheet.problem:
            print(
                terminal_text(
                    f"错误：工作表“{sheet.title}”未导入（{len(sheet.rows)} 行）：{sheet.problem}"
                )
            )
            said.update(id(r) for r in sheet.rows)
            continue
        for gap in sheet.gaps:
            rows = [r for r in sheet.rows if r.state == excel_import.INVALID and gap in r.reasons]
            if rows:
                print(terminal_text(f"错误：工作表“{sheet.title}”{_row_span(rows)}：{gap}"))
                said.update(id(r) for r in rows if set(r.reasons) <= set(sheet.gaps))
    invalid = [r for r in plan.invalid if id(r) not in said]
    if invalid:
        print(f"错误行（{len(invalid)} 行）：")
        for row in invalid[:MAX_LISTED]:
            print(terminal_text(f"  {row.where} {row.reason}"))
        if len(invalid) > MAX_LISTED:
            print(f"  ……另有 {len(invalid) - MAX_LISTED} 行，详见错误行文件（--errors）")
    if errors_path is not None:
        print(f"错误行已写入：{errors_path}")
    if written:
        where = f"（导入前已备份到 {backup}）" if backup else ""
        print(f"已写入数据库：{plan.to_write} 行{where}")
    elif dry_run:
        print("预检完成（--dry-run），未写入数据库")
    elif not plan.to_write and not invalid:
        print("没有需要写入的变化")


def run_export(args: argparse.Namespace) -> int:
    from partybuild.exchange import export as excel_export

    output = _xlsx(args.output)
    open_db(args)
    ledgers = None if args.ledger == "all" else [args.ledger]
    try:
        counts = excel_export.export(output, ledgers, mask=args.mask, order=args.order)
    except OSError as exc:
        raise _unwritable(exc, output) from exc
    total = sum(counts.values())
    from partybuild.store.accounts import masked_only

    masked = "（已脱敏）" if args.mask or masked_only() else ""
    print(f"已导出 {len(counts)} 个工作表、{total} 条记录{masked}：{output}")
    return EXIT_OK


def run_template(args: argparse.Namespace) -> int:
    from partybuild.exchange import templates

    output = _xlsx(args.output)
    try:
        templates.write_template(args.ledger, output)
    except OSError as exc:
        raise _unwritable(exc, output) from exc
    print(f"已生成导入模板：{output}")
    return EXIT_OK
