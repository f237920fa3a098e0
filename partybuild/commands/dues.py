"""``partybuild dues calc|rules``: the 党费 calculator (中组发〔2008〕3号) and the park's rules.

``calc`` uses the rules stored in the database (查看 → 党费规则), or the defaults of the
规定 when no database is named and the default one does not exist yet.
"""

from __future__ import annotations

import argparse
import os

from partybuild.cli import EXIT_OK, EXIT_UNUSABLE, CliError, open_db, terminal_json, terminal_text
from partybuild.domain import dues as rules_mod

CALC_KINDS = ("working", "retired", "student", "unemployed", "relief", "farmer")


def _rules(args: argparse.Namespace) -> rules_mod.DuesRules:
    from partybuild.services import dues

    named = getattr(args, "db", None) or os.environ.get("PARTYBUILD_DB")
    try:
        open_db(args)
    except CliError:
        if named:
            raise
        return rules_mod.default_rules()  # no database yet: the 规定's own rules
    try:
        return dues.load_rules()
    except ValueError as exc:
        raise CliError(str(exc), EXIT_UNUSABLE) from exc


def run_calc(args: argparse.Namespace) -> int:
    try:
        base = rules_mod.money(args.base, "缴费基数")
    except ValueError as exc:
        raise CliError(f"--base：{exc}", EXIT_UNUSABLE) from exc
    rules = _rules(args)
    result = rules_mod.calculate(args.kind, base, rules)
    if args.json:
        print(terminal_json(result.to_dict()))
        return EXIT_OK
    kind = rules_mod.KIND_LABELS[args.kind]
    if result.rate is None:
        line = f"{kind}党员：每月交纳 {rules_mod.money_text(result.due)} 元（固定金额）"
    else:
        line = (
            f"{kind}党员：缴费基数 {rules_mod.money_text(base)} 元，"
            f"比例 {rules_mod.percent_text(result.rate)}，"
            f"每月应交 {rules_mod.money_text(result.due)} 元"
        )
    print(terminal_text(line))
    return EXIT_OK


def rules_lines(rules: rules_mod.DuesRules) -> list[str]:
    basis = rules_mod.BASIS
    return [
        f"依据：{rules_mod.SOURCE}",
        f"在职党员：{rules_mod.brackets_text(rules.working)}（{basis['working']}）",
        f"离退休党员：{rules_mod.brackets_text(rules.retired)}（{basis['retired']}）",
        f"学生党员每月 {rules_mod.money_text(rules.student)} 元；下岗失业党员每月 "
        f"{rules_mod.money_text(rules.unemployed)} 元；低保救济党员每月 "
        f"{rules_mod.money_text(rules.relief)} 元（{basis['flat']}）",
        f"农民党员每月 {rules_mod.money_text(rules.farmer)} 元（{basis['farmer']}）",
        f"税后工资口径：{rules_mod.DEDUCTION_LABELS[rules.deduction]}（{basis['base']}）",
        f"取整：到{rules_mod.QUANTUM_LABELS[rules.quantum]}，"
        f"{rules_mod.MODE_LABELS[rules.rounding]}（{basis['rounding']}）",
    ]


def run_rules(args: argparse.Namespace) -> int:
    rules = _rules(args)
    if args.json:
        import json

        data = json.loads(rules_mod.rules_to_json(rules))
        print(terminal_json({**data, "source": rules_mod.SOURCE}))
    else:
        print(terminal_text("\n".join(rules_lines(rules)), newlines=True))
    return EXIT_OK


def run_dues(args: argparse.Namespace) -> int:
    return {"calc": run_calc, "rules": run_rules}[args.action](args)
