"""Tests for partybuild.domain.validators.

Besides round-trips through our own builders, several cases use independently published
sample numbers so a shared mistake in builder and checker cannot hide.
"""

from __future__ import annotations

import datetime

import pytest

from partybuild.domain.validators import (
    CHINESE_PUNCTUATION_KEPT,
    CREDIT_CODE_ALPHABET,
    birth_date_from_id,
    check_credit_code,
    check_id_number,
    check_phone,
    credit_check_char,
    gender_from_id,
    id_check_char,
    make_credit_code,
    make_id_number,
    mask_id_number,
    mask_phone,
    normalize_text,
)

PUBLISHED_ID = "11010519491231002X"
PUBLISHED_CREDIT = "91350100M000100Y43"

# --------------------------------------------------------------------------- 身份证号


def test_published_id_sample_is_valid() -> None:
    check_id_number(PUBLISHED_ID)
    assert id_check_char(PUBLISHED_ID[:17]) == "X"


@pytest.mark.parametrize(
    ("region", "birth", "seq"),
    [
        ("360202", datetime.date(1990, 1, 1), 123),
        ("110105", datetime.date(1949, 12, 31), 2),
        ("440305", datetime.date(2000, 2, 29), 999),
        ("310101", datetime.date(1900, 1, 1), 0),
    ],
)
def test_made_id_numbers_are_valid(region: str, birth: datetime.date, seq: int) -> None:
    value = make_id_number(region, birth, seq)
    assert len(value) == 18
    assert value.startswith(region + birth.strftime("%Y%m%d") + f"{seq:03d}")
    check_id_number(value)
    assert birth_date_from_id(value) == birth


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),  # published sample
        ("00000000000000000", "1"),  # sum 0 -> map[0]
        ("10000000000000000", "5"),  # sum 7 -> map[7]
        ("01000000000000000", "3"),  # sum 9 -> map[9]
    ],
)
def test_id_check_char_independent(first17: str, expected: str) -> None:
    assert id_check_char(first17) == expected


@pytest.mark.parametrize("bad", ["1101051949123100", "1101051949123100A", "110105194912310021"])
def test_id_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        id_check_char(bad)


def test_wrong_check_char_refused() -> None:
    with pytest.raises(ValueError, match="校验位不正确"):
        check_id_number("110105194912310021")


def test_wrong_check_char_message_does_not_reveal_expected() -> None:
    with pytest.raises(ValueError) as info:
        check_id_number("110105194912310021")
    assert "X" not in str(info.value)


@pytest.mark.parametrize(
    "birth8",
    [
        "19491331",  # month 13
        "19490001",  # month 0
        "19490230",  # 30 February
        "19000229",  # 1900 is not a leap year
        "19490100",  # day 0
    ],
)
def test_impossible_birth_date_refused(birth8: str) -> None:
    first17 = "110105" + birth8 + "002"
    value = first17 + id_check_char(first17)  # correct check char, so only the date is wrong
    with pytest.raises(ValueError, match="出生日期"):
        check_id_number(value)


def test_birth_year_before_1900_refused() -> None:
    value = make_id_number("110105", datetime.date(1899, 12, 31), 2)
    with pytest.raises(ValueError, match="出生日期"):
        check_id_number(value)


def test_future_birth_date_refused() -> None:
    birth = datetime.date(2030, 6, 1)
    value = make_id_number("110105", birth, 2)
    with pytest.raises(ValueError, match="出生日期"):
        check_id_number(value, today=datetime.date(2030, 5, 31))
    check_id_number(value, today=birth)  # born today is fine


def test_future_birth_date_refused_against_real_today() -> None:
    value = make_id_number("110105", datetime.date.today() + datetime.timedelta(days=1), 2)
    with pytest.raises(ValueError, match="出生日期"):
        check_id_number(value)


@pytest.mark.parametrize(
    ("value", "count"),
    [
        (PUBLISHED_ID[:17], "17"),
        (PUBLISHED_ID + "1", "19"),
        ("", "0"),
        ("110105491231002", "15"),  # old 15-digit format is not accepted
    ],
)
def test_wrong_length_refused_with_count(value: str, count: str) -> None:
    with pytest.raises(ValueError, match=f"18位.*{count}位"):
        check_id_number(value)


def test_lowercase_x_refused() -> None:
    with pytest.raises(ValueError, match="大写X"):
        check_id_number(PUBLISHED_ID.lower())


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231A02X",
        "1101051949123100 X",
        "１10105194912310021",  # full-width digit: must be normalised first
    ],
)
def test_non_digit_refused(value: str) -> None:
    with pytest.raises(ValueError, match="数字"):
        check_id_number(value)


@pytest.mark.parametrize("value", ["11010519491231002Y", "11010519491231002*"])
def test_bad_last_char_refused(value: str) -> None:
    with pytest.raises(ValueError, match="最后一位"):
        check_id_number(value)


@pytest.mark.parametrize(
    ("value", "gender"),
    [
        (PUBLISHED_ID, "female"),  # 17th digit 2
        ("110105194912310011", None),
        (make_id_number("360202", datetime.date(1990, 1, 1), 1), "male"),
        (make_id_number("360202", datetime.date(1990, 1, 1), 8), "female"),
        (make_id_number("360202", datetime.date(1990, 1, 1), 999), "male"),
    ],
)
def test_gender_from_id(value: str, gender: str | None) -> None:
    expected = gender or ("male" if int(value[16]) % 2 else "female")
    assert gender_from_id(value) == expected


def test_birth_date_from_published_id() -> None:
    assert birth_date_from_id(PUBLISHED_ID) == datetime.date(1949, 12, 31)


@pytest.mark.parametrize("value", ["", "1101051949", "11010519491331002X"])
def test_birth_date_from_id_rejects_bad_input(value: str) -> None:
    with pytest.raises(ValueError):
        birth_date_from_id(value)


def test_gender_from_id_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        gender_from_id("1101051949")


@pytest.mark.parametrize(
    ("region", "seq"),
    [("11010", 1), ("11010A", 1), ("110105", -1), ("110105", 1000)],
)
def test_make_id_number_rejects_bad_parts(region: str, seq: int) -> None:
    with pytest.raises(ValueError):
        make_id_number(region, datetime.date(1990, 1, 1), seq)


# --------------------------------------------------------------------------- 统一社会信用代码


def test_published_credit_code_is_valid() -> None:
    check_credit_code(PUBLISHED_CREDIT)
    assert credit_check_char(PUBLISHED_CREDIT[:17]) == "3"


def test_credit_alphabet_excludes_ambiguous_letters() -> None:
    assert len(CREDIT_CODE_ALPHABET) == 31
    assert not set("IOZSV") & set(CREDIT_CODE_ALPHABET)


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("00000000000000000", "0"),  # sum 0 -> (31 - 0) % 31 = 0
        ("10000000000000000", "Y"),  # sum 1 -> 30 -> 'Y'
        ("01000000000000000", "W"),  # sum 3 -> 28 -> 'W'
    ],
)
def test_credit_check_char_independent(first17: str, expected: str) -> None:
    assert credit_check_char(first17) == expected


@pytest.mark.parametrize(
    "first17",
    ["91350100M000100Y4", "12100000400000624", "52110000MJ0000000", "Y1110000ABCDEFGHJ"],
)
def test_made_credit_codes_are_valid(first17: str) -> None:
    value = make_credit_code(first17)
    assert value[:17] == first17
    check_credit_code(value)


@pytest.mark.parametrize("last", [ch for ch in CREDIT_CODE_ALPHABET if ch != "3"])
def test_changed_credit_check_char_refused(last: str) -> None:
    with pytest.raises(ValueError, match="校验位不正确"):
        check_credit_code(PUBLISHED_CREDIT[:17] + last)


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_credit_code_with_excluded_letter_refused(letter: str) -> None:
    value = PUBLISHED_CREDIT[:8] + letter + PUBLISHED_CREDIT[9:]
    with pytest.raises(ValueError, match="非法字符"):
        check_credit_code(value)


def test_credit_code_lowercase_refused() -> None:
    with pytest.raises(ValueError, match="大写"):
        check_credit_code(PUBLISHED_CREDIT.lower())


@pytest.mark.parametrize(
    ("value", "count"),
    [(PUBLISHED_CREDIT[:17], "17"), (PUBLISHED_CREDIT + "0", "19"), ("", "0")],
)
def test_credit_code_wrong_length_refused(value: str, count: str) -> None:
    with pytest.raises(ValueError, match=f"18位.*{count}位"):
        check_credit_code(value)


@pytest.mark.parametrize("bad", ["91350100M000100Y", "91350100M000100I4"])
def test_credit_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        credit_check_char(bad)


# --------------------------------------------------------------------------- 电话


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "19912345678",
        "0798-1234567",
        "07981234567",
        "010-12345678",
        "01012345678",
        "0798-1234567-123",
        "0798-12345678-1",
    ],
)
def test_valid_phone(value: str) -> None:
    check_phone(value)


@pytest.mark.parametrize(
    "value",
    [
        "12812345678",  # second digit 2
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "138 1234 5678",  # spaces must be removed by the caller
        "+8613812345678",
        "798-1234567",  # area code must start with 0
        "0798-123456",  # local number too short
        "0798-1234567-",  # empty extension
        "0798-1234567-1234567",  # extension too long
        "１３８１２３４５６７８",  # full-width digits
        "",
    ],
)
def test_invalid_phone(value: str) -> None:
    with pytest.raises(ValueError, match="电话号码"):
        check_phone(value)


# --------------------------------------------------------------------------- 文本规范化


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１２３ＡＢＣ　", "123ABC"),
        ("　ａｂｃ＠ｘ．ｃｏｍ　", "abc@x.com"),
        ("０７９８－１２３４５６７", "0798-1234567"),
        ("＃＄％＆＊＋／＜＝＞［＼］＾＿｀｛｜｝～", "#$%&*+/<=>[\\]^_`{|}~"),
        ("张三，李四。", "张三，李四。"),  # Chinese punctuation untouched
        ("党支部（第一）：好！对吗？是；", "党支部（第一）：好！对吗？是；"),
        ("、《》“”【】…—", "、《》“”【】…—"),  # outside U+FF01..U+FF5E
        ("a　b", "a b"),  # inner ideographic space becomes a normal space
        ("  plain  ", "plain"),
        ("", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_text_folds_whole_fullwidth_block_except_chinese_punctuation() -> None:
    assert {ord(ch) for ch in CHINESE_PUNCTUATION_KEPT} == {
        0xFF01, 0xFF08, 0xFF09, 0xFF0C, 0xFF1A, 0xFF1B, 0xFF1F,
    }  # fmt: skip
    for cp in range(0xFF01, 0xFF5E + 1):
        ch = chr(cp)
        expected = ch if ch in CHINESE_PUNCTUATION_KEPT else chr(cp - 0xFEE0)
        assert normalize_text("x" + ch + "x") == "x" + expected + "x"


def test_normalize_text_makes_ids_checkable() -> None:
    check_id_number(normalize_text("１１０１０５１９４９１２３１００２Ｘ"))


# --------------------------------------------------------------------------- 脱敏


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("36020219900101123X", "3602**********123X"),
        (PUBLISHED_ID, "1101**********002X"),
        ("123456789", "1234*6789"),
        ("12345", "***45"),
        ("", ""),
    ],
)
def test_mask_id_number(value: str, expected: str) -> None:
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("0798-1234567", "079*****4567"),
        ("12345678", "123*5678"),
        ("1234567", "*****67"),
        ("12", "12"),
        ("", ""),
    ],
)
def test_mask_phone(value: str, expected: str) -> None:
    assert mask_phone(value) == expected
