"""发展党员: each hard rule refuses exactly at its boundary, each reminder appears when due and
goes when done; 换届 reminders 6 and 3 months before and monthly after. Hand-built people."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import peewee as pw
import pytest

from partybuild.domain import recruitment as rules_
from partybuild.domain.dates import PartialDate
from partybuild.domain.validators import make_id_number
from partybuild.services import details, records, recruitment
from partybuild.services.errors import ValidationError
from partybuild.store import models as m

BORN = dt.date(2000, 3, 15)
D = dt.date


def ident(n: int, born: dt.date = BORN) -> str:
    return make_id_number("110101", born, 100 + n)


@pytest.fixture
def branch(sqlite_db: pw.Database) -> m.Branch:
    return records.create("branches", {"name": "恒远化工党支部", "kind": "standalone"})


@pytest.fixture
def full_members(branch: m.Branch) -> list[m.Member]:
    return [
        records.create(
            "members",
            {
                "name": name,
                "id_number": make_id_number("110101", dt.date(1980, 1, 1 + i), 200 + i),
                "branch": branch,
                "category": "full",
                "joined_on": D(2005, 1, 1),
                "confirmed_on": D(2006, 1, 1),
            },
        )
        for i, name in enumerate(("李介绍", "王介绍"))
    ]


def person(branch: m.Branch, n: int = 1, **stages: object) -> dict[str, object]:
    return {"name": f"张发展{n}", "id_number": ident(n), "branch": branch, **stages}


def refused(data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as err:
        records.create("recruitment", data)
    return err.value.errors


def test_application_at_17_years_364_days_is_refused_at_18_accepted(branch: m.Branch) -> None:
    errors = refused(person(branch, applied_on=D(2018, 3, 14)))
    assert "未满18周岁" in errors["applied_on"] and "第五条" in errors["applied_on"]
    row = records.create("recruitment", person(branch, applied_on=D(2018, 3, 15)))
    assert row.category == "applicant"  # the category follows the stage


def test_activist_one_year_minus_a_day_refused_one_year_accepted(branch: m.Branch) -> None:
    base = {"applied_on": D(2020, 1, 2), "activist_on": D(2021, 3, 1)}
    errors = refused(person(branch, **base, candidate_on=D(2022, 2, 28)))
    assert "第十四条" in errors["candidate_on"] and "不满1年" in errors["candidate_on"]
    row = records.create("recruitment", person(branch, **base, candidate_on=D(2022, 3, 1)))
    assert row.category == "candidate"


def test_month_only_dates_refuse_only_what_is_certainly_wrong(branch: m.Branch) -> None:
    # 积极分子 2021.03, 发展对象 2022.03: one year or not depending on the days: accepted.
    row = records.create(
        "recruitment",
        person(
            branch,
            applied_on=PartialDate(2020, 1),
            activist_on=PartialDate(2021, 3),
            candidate_on=PartialDate(2022, 3),
        ),
    )
    assert row.candidate_on.precision == "month"
    errors = refused(
        person(branch, 2, activist_on=PartialDate(2021, 3), candidate_on=PartialDate(2022, 2))
    )
    assert "第十四条" in errors["candidate_on"]


def test_stage_dated_before_the_one_it_follows_is_refused(branch: m.Branch) -> None:
    errors = refused(person(branch, applied_on=D(2021, 5, 1), talked_on=D(2021, 4, 30)))
    assert "谈话（2021-04-30）早于递交入党申请书" in errors["talked_on"]


def test_one_introducer_refused_two_full_members_accepted(
    branch: m.Branch, full_members: list[m.Member]
) -> None:
    stages = {
        "applied_on": D(2020, 1, 2),
        "activist_on": D(2020, 3, 1),
        "candidate_on": D(2021, 3, 1),
    }
    errors = refused(person(branch, **stages, introducer_1=full_members[0].id))
    assert (
        "只填写了 1 名入党介绍人" in errors["introducer_2"] and "第十五条" in errors["introducer_2"]
    )
    applicant = records.create("recruitment", person(branch, 9, applied_on=D(2022, 1, 1)))
    errors = refused(
        person(branch, **stages, introducer_1=full_members[0].id, introducer_2=applicant.id)
    )
    assert "不是正式党员" in errors["introducer_2"]
    row = records.create(
        "recruitment",
        person(branch, **stages, introducer_1=full_members[0].id, introducer_2=full_members[1].id),
    )
    assert row.introducer_2_id == full_members[1].id


def admitted(branch: m.Branch, **more: object) -> dict[str, object]:
    return person(
        branch,
        applied_on=D(2020, 1, 2),
        activist_on=D(2020, 3, 1),
        candidate_on=D(2021, 3, 1),
        prechecked_on=D(2021, 5, 6),
        joined_on=D(2021, 6, 1),
        **more,
    )


def test_admission_vote_needs_more_than_half_present_and_yes(branch: m.Branch) -> None:
    errors = refused(admitted(branch, admission_entitled=10, admission_present=5, admission_yes=5))
    assert (
        "到会 5 人，未超过" in errors["admission_present"]
        and "第二十条" in errors["admission_present"]
    )
    errors = refused(admitted(branch, admission_entitled=10, admission_present=6, admission_yes=5))
    assert "赞成 5 人" in errors["admission_yes"]
    row = records.create(
        "recruitment", admitted(branch, admission_entitled=10, admission_present=6, admission_yes=6)
    )
    assert row.category == "probationary"


def test_confirmation_one_day_before_a_year_refused_on_the_day_accepted(branch: m.Branch) -> None:
    errors = refused(admitted(branch, confirmed_on=D(2022, 5, 31)))
    assert "预备期满之日 2022-06-01" in errors["confirmed_on"] and "党章" in errors["confirmed_on"]
    row = records.create("recruitment", admitted(branch, confirmed_on=D(2022, 6, 1)))
    assert row.category == "full"


def test_extension_between_6_and_12_months_and_counted_in_the_probation(branch: m.Branch) -> None:
    for months in (5, 13):
        errors = refused(admitted(branch, extension_months=months))
        assert "应为 6–12 个月" in errors["extension_months"]
    errors = refused(admitted(branch, extension_months=6, confirmed_on=D(2022, 11, 30)))
    assert "2022-12-01（含延长 6 个月）" in errors["confirmed_on"]
    row = records.create(
        "recruitment", admitted(branch, extension_months=6, confirmed_on=D(2022, 12, 1))
    )
    assert row.extension_months == 6


def test_owip_training_range_fills_the_training_dates(branch: m.Branch) -> None:
    row = records.create(
        "recruitment",
        person(
            branch,
            applied_on=D(2020, 1, 2),
            activist_on=D(2020, 3, 1),
            candidate_on=D(2021, 3, 1),
            candidate_training="2021.04.06-2021.04.08",
        ),
    )
    assert (row.training_start, row.training_end) == (D(2021, 4, 6), D(2021, 4, 8))
    assert row.candidate_training == "2021.04.06-2021.04.08"  # kept as written


def test_a_rule_set_in_the_settings_is_the_one_applied(branch: m.Branch) -> None:
    rules = [replace(r, value=20) if r.key == "min_age" else r for r in recruitment.load_rules()]
    recruitment.save_rules(rules)
    errors = refused(person(branch, applied_on=D(2019, 3, 15)))
    assert "未满20周岁" in errors["applied_on"]
    recruitment.reset_rules()
    assert records.create("recruitment", person(branch, applied_on=D(2019, 3, 15)))


# --------------------------------------------------------------------------- reminders


def keys(on: dt.date) -> list[tuple[str, str, str]]:
    return [
        (r.person or r.branch, r.rule_key, r.due.isoformat())
        for r in recruitment.recruitment_reminders(on)
    ]


def test_talk_reminder_from_notice_before_due_until_the_talk_is_recorded(branch: m.Branch) -> None:
    row = records.create("recruitment", person(branch, applied_on=D(2023, 3, 10)))
    # due 2023-04-10; notice 30 days → from 2023-03-11
    assert keys(D(2023, 3, 10)) == []
    assert keys(D(2023, 3, 11)) == [("张发展1", "talk", "2023-04-10")]
    late = recruitment.recruitment_reminders(D(2023, 4, 11))[0]
    assert late.overdue and "第七条" in late.basis
    records.update(
        "recruitment",
        row.id,
        {**person(branch, applied_on=D(2023, 3, 10)), "talked_on": D(2023, 4, 1)},
        row.version,
    )
    assert keys(D(2023, 4, 11)) == []


def test_activist_review_every_half_year_from_the_last_review(branch: m.Branch) -> None:
    data = person(
        branch, applied_on=D(2022, 1, 5), talked_on=D(2022, 1, 20), activist_on=D(2022, 6, 1)
    )
    row = records.create("recruitment", data)
    assert keys(D(2022, 10, 31)) == []
    assert keys(D(2022, 11, 1)) == [("张发展1", "review", "2022-12-01")]
    records.update("recruitment", row.id, {**data, "reviewed_on": D(2022, 11, 20)}, row.version)
    assert keys(D(2022, 12, 2)) == []
    assert keys(D(2023, 4, 20)) == [("张发展1", "review", "2023-05-20")]


def test_short_training_counts_days_or_signed_hours(branch: m.Branch) -> None:
    data = admitted(
        branch, talked_on=D(2020, 1, 10), training_start=D(2021, 4, 6), training_end=D(2021, 4, 7)
    )
    data["publicized_on"] = D(2021, 4, 26)
    row = records.create("recruitment", data)
    found = recruitment.recruitment_reminders(D(2021, 8, 15))
    assert [r.rule_key for r in found] == ["short_training", "approval"]
    assert "2 天，签到 0 学时" in found[0].rule
    training = records.create(
        "trainings",
        {"name": "发展对象培训班", "kind": "rotation", "start_date": D(2021, 4, 10), "hours": 24},
    )
    records.create("attendance", {"training": training, "member": row.id, "status": "signed"})
    assert [r.rule_key for r in recruitment.recruitment_reminders(D(2021, 8, 15))] == ["approval"]
    records.update("recruitment", row.id, {**data, "training_end": D(2021, 4, 8)}, row.version)
    records.update(
        "attendance",
        m.Attendance.get().id,
        {"training": training, "member": row.id, "status": "absent"},
        1,
    )
    assert [r.rule_key for r in recruitment.recruitment_reminders(D(2021, 8, 15))] == ["approval"]


def test_publicity_of_five_working_days_before_the_precheck(branch: m.Branch) -> None:
    # 公示 from Monday 2021-04-26: five working days end Friday 04-30; 预审 that day is too soon.
    data = admitted(
        branch, talked_on=D(2020, 1, 10), training_start=D(2021, 4, 6), training_end=D(2021, 4, 8)
    )
    data.update(publicized_on=D(2021, 4, 26), prechecked_on=D(2021, 4, 30))
    row = records.create("recruitment", data)
    found = [
        r for r in recruitment.recruitment_reminders(D(2021, 6, 2)) if r.rule_key == "publicity"
    ]
    assert found and found[0].due == D(2021, 4, 30)
    records.update("recruitment", row.id, {**data, "prechecked_on": D(2021, 5, 3)}, row.version)
    assert not [
        r for r in recruitment.recruitment_reminders(D(2021, 6, 2)) if r.rule_key == "publicity"
    ]


def test_approval_within_three_months_and_probation_end(branch: m.Branch) -> None:
    data = admitted(
        branch, talked_on=D(2020, 1, 10), training_start=D(2021, 4, 6), training_end=D(2021, 4, 8)
    )
    data["publicized_on"] = D(2021, 4, 26)
    row = records.create("recruitment", data)
    assert keys(D(2021, 8, 1)) == []
    assert keys(D(2021, 8, 2)) == [("张发展1", "approval", "2021-09-01")]
    records.update("recruitment", row.id, {**data, "approved_on": D(2021, 8, 20)}, row.version)
    assert keys(D(2022, 5, 1)) == []
    assert keys(D(2022, 5, 2)) == [("张发展1", "probation", "2022-06-01")]


def test_application_age_is_a_setting_off_by_default(branch: m.Branch) -> None:
    records.create(
        "recruitment",
        person(
            branch, applied_on=D(2022, 1, 5), talked_on=D(2022, 1, 6), activist_on=D(2022, 5, 1)
        ),
    )
    assert [k for k in keys(D(2022, 6, 1)) if k[1] == "application_age"] == []
    rules = [
        replace(r, enabled=True) if r.key == "application_age" else r
        for r in recruitment.load_rules()
    ]
    recruitment.save_rules(rules)
    assert [k for k in keys(D(2022, 6, 1)) if k[1] == "application_age"] == [
        ("张发展1", "application_age", "2022-07-05")
    ]


# --------------------------------------------------------------------------- 换届


def renewal(on: dt.date) -> list[tuple[str, str, str]]:
    return [(r.branch, r.rule, r.due.isoformat()) for r in recruitment.renewal_reminders(on)]


def test_renewal_reminders_6_and_3_months_before_and_monthly_after(branch: m.Branch) -> None:
    records.update(
        "branches",
        branch.id,
        {
            "name": branch.name,
            "kind": "standalone",
            "founded_on": D(2018, 5, 1),
            "renewed_on": D(2020, 9, 15),
        },
        branch.version,
    )
    # term 3 years from the 换届: due 2023-09-15
    assert renewal(D(2023, 3, 14)) == []
    assert renewal(D(2023, 3, 15)) == [
        ("恒远化工党支部", "任期将于6个月内届满，应准备换届", "2023-09-15")
    ]
    assert renewal(D(2023, 6, 15))[0][1] == "任期将于3个月内届满，应准备换届"
    assert renewal(D(2023, 9, 15))[0][1] == "任期已届满，应及时换届"
    assert renewal(D(2023, 10, 14))[0][1] == "任期已届满，应及时换届"
    assert renewal(D(2023, 10, 15))[0][1] == "任期已届满1个月，应及时换届"
    assert renewal(D(2024, 1, 20))[0][1] == "任期已届满4个月，应及时换届"
    assert details.branch_detail(branch.id).renewal_due == "2023-09-15（任期3年，自换届起算）"


def test_term_counts_from_founding_and_follows_the_setting_and_the_branch(branch: m.Branch) -> None:
    data = {"name": branch.name, "kind": "standalone", "founded_on": PartialDate(2021, 5)}
    records.update("branches", branch.id, data, branch.version)
    assert recruitment.branch_terms()[0].due == D(2024, 5, 1)
    recruitment.save_terms({"standalone": 5})
    assert recruitment.branch_terms()[0].due == D(2026, 5, 1)
    records.update("branches", branch.id, {**data, "term_years": 4}, 2)
    assert recruitment.branch_terms()[0].due == D(2025, 5, 1)


def test_check_lists_carry_branch_person_rule_and_due(branch: m.Branch) -> None:
    records.create("recruitment", person(branch, applied_on=D(2023, 3, 10)))
    lists = recruitment.check_lists(D(2023, 4, 20))
    item = lists["recruitment"][0]
    assert (item["branch"], item["person"], item["due"], item["overdue"]) == (
        "恒远化工党支部",
        "张发展1",
        "2023-04-10",
        True,
    )
    assert item["rule"] == "应派人同入党申请人谈话" and "id_number" not in item
    assert lists["renewal"] == []


def test_domain_helpers_months_and_working_days() -> None:
    assert rules_.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert rules_.months_between(D(2023, 1, 31), D(2023, 2, 28)) == 1
    assert rules_.last_working_day(D(2021, 4, 24), 5) == D(2021, 4, 30)  # from a Saturday
