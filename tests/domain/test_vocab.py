"""Choice vocabularies read every everyday and standard spelling of a value, exactly, and refuse
the rest with a reason; the park's own items are laid over the built-in ones."""

from __future__ import annotations

import pytest

from partybuild.domain import compliance, vocab
from partybuild.domain.vocab import UnknownChoice, Vocabulary

# Every everyday spelling issue 11 lists, with the code partybuild stores for it.
EVERYDAY = [
    (vocab.EDUCATION, "本科", "bachelor"),
    (vocab.EDUCATION, "大专", "college"),
    (vocab.EDUCATION, "专科", "college"),
    (vocab.EDUCATION, "硕士", "master"),
    (vocab.EDUCATION, "博士", "doctor"),
    (vocab.EDUCATION, "硕士研究生", "master"),
    (vocab.EDUCATION, "博士研究生", "doctor"),
    (vocab.EDUCATION, "初中", "middle_school"),
    (vocab.EDUCATION, "小学", "primary"),
    (vocab.EDUCATION, "高中及以下", "high_school_or_below"),
    (vocab.EDUCATION, "博士及以上", "doctor"),
    (vocab.EDUCATION, "中技", "technical_school"),
    (vocab.EDUCATION, "技工学校", "technical_school"),
    (vocab.EDUCATION, "21 大学", "bachelor"),
    (vocab.EDUCATION, "21", "bachelor"),
    (vocab.EDUCATION, "大学本科(21)", "bachelor"),
    (vocab.EDUCATION, "中等专科", "secondary"),
    (vocab.EDUCATION, "中专", "secondary"),
    (vocab.EDUCATION, "职业高中", "vocational_high"),
    (vocab.EDUCATION, "普通高中", "high_school"),
    (vocab.EDUCATION, "高中", "high_school"),
    (vocab.EDUCATION, "研究生", "postgraduate"),
    (vocab.EDUCATION, "初中及以下", "junior"),
    (vocab.EDUCATION, "高中以下", "junior"),
    (vocab.GENDER, "男性", "male"),
    (vocab.GENDER, "女性", "female"),
    (vocab.GENDER, "M", "male"),
    (vocab.GENDER, "f", "female"),
    (vocab.MEMBER_CATEGORY, "正式", "full"),
    (vocab.MEMBER_CATEGORY, "预备", "probationary"),
    (vocab.MEMBER_CATEGORY, "中共党员", "full"),
    (vocab.MEMBER_CATEGORY, "中共预备党员", "probationary"),
    # 预/正 columns of member exports write one character.
    (vocab.MEMBER_CATEGORY, "预", "probationary"),
    (vocab.MEMBER_CATEGORY, "正", "full"),
    (vocab.MEMBER_CATEGORY, "积极分子", "activist"),
    (vocab.MEMBER_CATEGORY, "申请人", "applicant"),
    (vocab.MEMBER_STATUS, "流动党员", "mobile"),
    (vocab.MEMBER_STATUS, "失联党员", "lost"),
    (vocab.MEMBER_STATUS, "停止党籍", "suspended"),
    (vocab.MEMBER_STATUS, "死亡", "deceased"),
    (vocab.ACTIVITY_KIND, "党员大会", "general_meeting"),
    (vocab.ACTIVITY_KIND, "支部大会", "general_meeting"),
    (vocab.ACTIVITY_KIND, "支委会", "committee_meeting"),
    (vocab.ACTIVITY_KIND, "支委会议", "committee_meeting"),
    (vocab.ACTIVITY_KIND, "党小组会议", "group_meeting"),
    (vocab.ACTIVITY_KIND, "上党课", "party_lesson"),
    (vocab.ACTIVITY_KIND, "讲党课", "party_lesson"),
    (vocab.ACTIVITY_KIND, "主题党日活动", "theme_day"),
    (vocab.ACTIVITY_KIND, "民主评议", "review"),
    (vocab.ATTENDANCE_STATUS, "签到", "signed"),
    (vocab.ATTENDANCE_STATUS, "出席", "signed"),
    (vocab.ATTENDANCE_STATUS, "到", "signed"),
    (vocab.ATTENDANCE_STATUS, "已到", "signed"),
    (vocab.ATTENDANCE_STATUS, "√", "signed"),
    (vocab.ATTENDANCE_STATUS, "✓", "signed"),
    (vocab.ATTENDANCE_STATUS, "未到", "absent"),
    (vocab.ATTENDANCE_STATUS, "未签到", "expected"),
    (vocab.ATTENDANCE_STATUS, "假", "leave"),
    (vocab.ATTENDEE_STATUS, "到会", "present"),
    (vocab.ATTENDEE_STATUS, "参会", "present"),
    (vocab.ATTENDEE_STATUS, "未到", "absent"),
    (vocab.ISSUE_STATE, "已办结", "resolved"),
    (vocab.ISSUE_STATE, "办结", "resolved"),
    (vocab.ISSUE_STATE, "完成", "resolved"),
    (vocab.ISSUE_STATE, "正在办理", "in_progress"),
    (vocab.ISSUE_STATE, "未办", "open"),
    (vocab.ISSUE_STATE, "待办理", "open"),
    (vocab.ISSUE_EVALUATION, "非常满意", "very_satisfied"),
    (vocab.ISSUE_EVALUATION, "比较满意", "rather_satisfied"),
    (vocab.ISSUE_EVALUATION, "基本满意", "fair"),
    (vocab.ISSUE_EVALUATION, "满意", "satisfied"),
    (vocab.ETHNICITY, "汉", "汉族"),
    (vocab.ETHNICITY, "壮", "壮族"),
    (vocab.ETHNICITY, "维吾尔", "维吾尔族"),
    (vocab.ETHNICITY, "01", "汉族"),
    (vocab.ETHNICITY, "05 维吾尔族", "维吾尔族"),
    (vocab.ETHNICITY, "穿青人", "穿青人"),
    (vocab.ETHNICITY, "外国血统中国籍人士", "外国血统中国籍人士"),
    (vocab.ETHNICITY, "其他", "其他"),
]


@pytest.mark.parametrize(("vocabulary", "word", "code"), EVERYDAY)
def test_every_everyday_spelling_is_read_as_its_code(
    vocabulary: Vocabulary, word: str, code: str
) -> None:
    assert vocabulary.resolve(word) == code


@pytest.mark.parametrize(
    "word", ["本科", " 本 科 ", "本科。", "（本科）", "【本科】", "本\u200b科", "ＢＡＣＨＥＬＯＲ"]
)
def test_width_spaces_case_stops_and_brackets_do_not_matter(word: str) -> None:
    assert vocab.EDUCATION.resolve(word) == "bachelor"


@pytest.mark.parametrize(
    ("vocabulary", "word", "reason"),
    [
        (vocab.EDUCATION, "大学", "没有说明是大学本科还是大学专科"),
        (vocab.EDUCATION, "本科及以上", "是一个学历范围"),
        (vocab.EDUCATION, "大专及以下", "是一个学历范围"),
        (vocab.EDUCATION, "初中以下", "是一个学历范围"),
        (vocab.EDUCATION, "22", "大学本科结业”未毕业"),
        (vocab.EDUCATION, "大学本科肄业", "未毕业"),
        (vocab.EDUCATION, "21 初中", "代码 21 是“大学本科毕业”，与“初中”不符"),
        (vocab.MEMBER_CATEGORY, "党员", "没有说明是正式党员还是预备党员"),
        (vocab.ISSUE_STATE, "未办结", "没有说明是待办还是办理中"),
        (vocab.ETHNICITY, "火星族", "不是 GB/T 3304 的民族名称"),
        (vocab.EDUCATION, "本科生", "不是可选值（可选：研究生、博士研究生"),
        (vocab.GENDER, "男的", "不是可选值（可选：男、女）"),
    ],
)
def test_ambiguous_ranges_and_unknown_words_are_refused_with_the_reason(
    vocabulary: Vocabulary, word: str, reason: str
) -> None:
    with pytest.raises(UnknownChoice) as caught:
        vocabulary.resolve(word)
    assert f"“{word.strip()}”" in str(caught.value)
    assert reason in str(caught.value)
    assert vocabulary.code(word) is None


def test_every_gb_t_3304_name_and_its_short_form_and_code() -> None:
    names = [label for _, label in vocab.ETHNICITY]
    assert len(names) == 59 and names[0] == "汉族" and names[55] == "基诺族"
    assert names[56:] == ["穿青人", "其他", "外国血统中国籍人士"]
    for number, name in enumerate(names[:56], start=1):
        assert vocab.ETHNICITY.resolve(name) == name
        assert vocab.ETHNICITY.resolve(name.removesuffix("族")) == name
        assert vocab.ETHNICITY.resolve(f"{number:02d}") == name
    # 土族 and 土家族 stay apart.
    assert vocab.ETHNICITY.resolve("土") == "土族"
    assert vocab.ETHNICITY.resolve("土家") == "土家族"


def test_every_label_and_code_reads_back_as_itself() -> None:
    for vocabulary in vocab.ALL:
        for code, label in vocabulary:
            assert vocabulary.resolve(label) == code
            assert vocabulary.resolve(code) == code


def test_what_the_app_writes_about_organisational_life_it_reads() -> None:
    # The annual summary's meeting words (services/report.py) and the compliance rules' labels.
    written = {
        "支委会": "committee_meeting",
        "党小组会": "group_meeting",
        "讲党课": "party_lesson",
        "主题党日": "theme_day",
        "组织生活会": "life_meeting",
        "民主评议党员": "review",
    }
    for word, code in written.items():
        assert vocab.ACTIVITY_KIND.resolve(word) == code
    for rule in compliance.DEFAULT_RULES:
        assert vocab.ACTIVITY_KIND.resolve(rule.title) == rule.kind


def test_a_spelling_meaning_two_codes_is_a_programming_error() -> None:
    with pytest.raises(AssertionError, match="本科"):
        Vocabulary("x", (("a", "甲"), ("b", "乙")), synonyms={"a": ("本科",), "b": ("本科",)})


def test_park_items_are_laid_over_the_builtin_ones_and_reset() -> None:
    try:
        vocab.apply_park(
            [
                ("industry", "custom_1", "新能源", ("新能源汽车", "光伏")),
                ("industry", "fine_chemical", "化工", ()),
            ]
        )
        assert vocab.INDUSTRY.codes[:2] == ("custom_1", "fine_chemical")
        assert vocab.INDUSTRY.label("fine_chemical") == "化工"
        assert vocab.INDUSTRY.resolve("光伏") == "custom_1"
        assert vocab.INDUSTRY.resolve("新能源") == "custom_1"
        assert vocab.INDUSTRY.resolve("custom_1") == "custom_1"
        # The built-in label still reads (older files), and the built-in items all remain.
        assert vocab.INDUSTRY.resolve("精细化工") == "fine_chemical"
        assert set(vocab.INDUSTRY.codes) == {"custom_1", *dict(vocab.INDUSTRY.builtin)}
        assert "精细化工" in vocab.INDUSTRY.synonyms("fine_chemical")
        # The peewee choices stay the built-in ones: the model is static.
        assert vocab.INDUSTRY.choices() == vocab.INDUSTRY.builtin
    finally:
        vocab.apply_park(())
    assert vocab.INDUSTRY.items == vocab.INDUSTRY.builtin
    assert vocab.INDUSTRY.code("光伏") is None


def test_a_park_synonym_cannot_take_over_a_word_of_another_code() -> None:
    try:
        vocab.apply_park([("industry", "custom_1", "新能源", ("精细化工",))])
        assert vocab.INDUSTRY.resolve("精细化工") == "fine_chemical"
    finally:
        vocab.apply_park(())
