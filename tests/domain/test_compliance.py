"""The rules of 三会一课 as data: DESIGN.md's defaults, stored as JSON, refused when not understood."""

from __future__ import annotations

import json

import peewee as pw
import pytest

from partybuild.domain import compliance as c
from partybuild.store import models as m


def _by_kind(rules: list[c.Rule]) -> dict[str, c.Rule]:
    return {r.kind: r for r in rules}


def test_defaults_are_the_rules_of_design_md() -> None:
    rules = _by_kind(c.default_rules())
    assert rules["general_meeting"].period == "quarter"
    assert rules["committee_meeting"].period == "month"
    assert rules["committee_meeting"].applies_to == "has_committee"
    assert rules["group_meeting"].period == "month"
    assert rules["group_meeting"].applies_to == "has_groups"
    assert rules["party_lesson"].period == "quarter"  # a setting, quarterly by default
    assert rules["theme_day"].period == "month"
    assert rules["life_meeting"].period == "year" and rules["review"].period == "year"
    assert all(r.enabled for r in rules.values())
    assert "other" not in rules


def test_applies_to_committee_and_groups() -> None:
    rules = _by_kind(c.default_rules())
    assert rules["general_meeting"].applies(False, False)
    assert not rules["committee_meeting"].applies(False, True)
    assert rules["committee_meeting"].applies(True, False)
    assert not rules["group_meeting"].applies(True, False)
    assert rules["group_meeting"].applies(False, True)


def test_json_round_trip_keeps_every_field() -> None:
    rules = c.default_rules()
    rules[3] = c.with_changes(rules[3], period="month", enabled=False)
    again = c.rules_from_json(c.rules_to_json(rules))
    assert again == rules
    assert json.loads(c.rules_to_json(rules))[3]["period"] == "month"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not json", "不是有效的 JSON"),
        ('{"kind": "theme_day"}', "规则列表"),
        ('[{"kind": "picnic", "period": "month"}]', "picnic"),
        ('[{"kind": "theme_day", "period": "weekly"}]', "weekly"),
        ('[{"kind": "theme_day", "period": "month", "applies_to": "big"}]', "big"),
        ('[{"kind": "theme_day", "period": "month", "enabled": "yes"}]', "启用"),
        (
            '[{"kind": "theme_day", "period": "month"}, {"kind": "theme_day", "period": "year"}]',
            "重复",
        ),
    ],
)
def test_what_is_not_understood_is_refused(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        c.rules_from_json(text)


def test_with_changes_refuses_an_unknown_frequency() -> None:
    with pytest.raises(ValueError):
        c.with_changes(c.default_rules()[0], period="fortnight")


def test_rules_are_stored_with_the_data(sqlite_db: pw.Database) -> None:
    assert c.load_rules() == c.default_rules()  # nothing stored yet
    rules = [c.with_changes(r, enabled=r.kind != "group_meeting") for r in c.default_rules()]
    rules = [c.with_changes(r, period="month") if r.kind == "party_lesson" else r for r in rules]
    c.save_rules(rules)
    c.save_rules(rules)  # saving again replaces, never duplicates
    assert m.Setting.select().where(m.Setting.key == c.SETTING_KEY).count() == 1
    loaded = _by_kind(c.load_rules())
    assert loaded["party_lesson"].period == "month"
    assert not loaded["group_meeting"].enabled
    c.reset_rules()
    assert c.load_rules() == c.default_rules()


def test_a_damaged_stored_value_is_reported_not_guessed(sqlite_db: pw.Database) -> None:
    m.Setting.create(key=c.SETTING_KEY, value='[{"kind": "picnic", "period": "month"}]')
    with pytest.raises(ValueError, match="picnic"):
        c.load_rules()
