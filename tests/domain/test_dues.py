"""The 党费 calculator at every boundary of 中组发〔2008〕3号, and its rules as data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from partybuild.domain import dues

D = Decimal


@pytest.mark.parametrize(
    ("kind", "base", "rate", "due"),
    [
        ("working", "3000", "0.005", "15.00"),
        ("working", "3000.01", "0.01", "30.00"),
        ("working", "5000", "0.01", "50.00"),
        ("working", "5000.01", "0.015", "75.00"),
        ("working", "10000", "0.015", "150.00"),
        ("working", "10000.01", "0.02", "200.00"),
        ("working", "5100", "0.015", "76.50"),  # the official Q&A's worked examples
        ("working", "4900", "0.01", "49.00"),
        ("working", "0", "0.005", "0.00"),
        ("retired", "5000", "0.005", "25.00"),
        ("retired", "5000.01", "0.01", "50.00"),
    ],
)
def test_brackets_upper_bound_inclusive(kind: str, base: str, rate: str, due: str) -> None:
    result = dues.calculate(kind, D(base))
    assert dues.rate_text(result.rate) == rate
    assert dues.money_text(result.due) == due


@pytest.mark.parametrize("kind", ["student", "unemployed", "relief", "farmer"])
def test_flat_amounts(kind: str) -> None:
    result = dues.calculate(kind, None)
    assert result.rate is None and dues.money_text(result.due) == "0.20"
    assert result.to_dict() == {"kind": kind, "base": None, "rate": None, "due": "0.20"}


def test_json_shape() -> None:
    assert dues.calculate("working", D("5100")).to_dict() == {
        "kind": "working",
        "base": "5100.00",
        "rate": "0.015",
        "due": "76.50",
    }


def test_rounding_is_half_up_to_the_fen_by_default_and_a_setting() -> None:
    # 3001 × 1 % = 30.01; 1001 × 0.5 % = 5.005 → 5.01 half up (5.00 half even).
    assert dues.calculate("working", D("1001")).due == D("5.01")
    even = dues.with_changes(dues.default_rules(), rounding="ROUND_HALF_EVEN")
    assert dues.calculate("working", D("1001"), even).due == D("5.00")
    to_jiao = dues.with_changes(dues.default_rules(), quantum="0.1")
    assert dues.calculate("working", D("5100"), to_jiao).due == D("76.50")
    assert dues.calculate("working", D("5110"), to_jiao).due == D("76.70")  # 76.65 → 76.7
    assert dues.money_text(dues.calculate("working", D("5110"), to_jiao).due) == "76.70"


def test_changed_brackets_and_farmer_amount_take_effect() -> None:
    rules = dues.rules_from_json(
        '{"working": [{"upper": "4000", "rate": "0.005"}, {"upper": null, "rate": "0.01"}],'
        ' "farmer": "0.50"}'
    )
    assert dues.calculate("working", D("4000"), rules).due == D("20.00")
    assert dues.calculate("working", D("4000.01"), rules).due == D("40.00")
    assert dues.calculate("farmer", None, rules).due == D("0.50")
    assert dues.calculate("retired", D("5000"), rules).due == D("25.00")  # untouched default


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"farmer": "1.50"}', "农民党员每月金额应在 0.20 至 1.00 元之间"),
        ('{"farmer": "abc"}', "农民党员每月金额“abc”应为数字"),
        (
            '{"working": [{"upper": "5000", "rate": "0.01"}, {"upper": "3000", "rate": "0.02"},'
            ' {"upper": null, "rate": "0.03"}]}',
            "在职党员第 2 档的上限 3000.00 应高于上一档的 5000.00",
        ),
        ('{"working": [{"upper": "5000", "rate": "0.01"}]}', "在职党员第 1 档是最高档，不应有上限"),
        ('{"retired": [{"upper": null, "rate": "1.5"}]}', "比例“1.5”过大"),
        ('{"rounding": "ROUND_CEILING"}', "取整方式“ROUND_CEILING”不认识"),
        ('{"deduction": "gross"}', "税后工资口径“gross”不认识"),
        ("[1", "党费规则设置不是有效的 JSON"),
    ],
)
def test_stored_rules_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        dues.rules_from_json(text)


def test_rules_round_trip_exactly() -> None:
    rules = dues.default_rules()
    assert dues.rules_from_json(dues.rules_to_json(rules)) == rules


def test_base_after_tax_by_the_locality_setting() -> None:
    rules = dues.default_rules()
    assert dues.base_after_tax(D("8000"), D("100"), D("1500"), rules) == D("7900.00")
    wide = dues.with_changes(rules, deduction="tax_and_contributions")
    assert dues.base_after_tax(D("8000"), D("100"), D("1500"), wide) == D("6400.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.5%", "0.015"), ("0.015", "0.015"), (0.015, "0.015"), ("2％", "0.02"), ("0.5%", "0.005")],
)
def test_rate_spellings(value: object, expected: str) -> None:
    assert dues.rate_text(dues.rate_value(value)) == expected


@pytest.mark.parametrize("value", ["1.5", "0.5", "abc", "-1%"])
def test_rates_that_cannot_be_read_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        dues.rate_value(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("76.5", "76.50"),
        ("1,200 元", "1200.00"),
        (45.00000000000001, "45.00"),
        (3000.01, "3000.01"),
    ],
)
def test_money_spellings(value: object, expected: str) -> None:
    assert dues.money_text(dues.money(value)) == expected


@pytest.mark.parametrize("value", ["76.505", "-1", "一百", "NaN"])
def test_money_refused(value: str) -> None:
    with pytest.raises(ValueError):
        dues.money(value)
