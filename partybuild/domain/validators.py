"""Field validators and formatters for identity numbers, credit codes and phones.

Pure Python on purpose: the same checks run in the Qt forms, the Excel importer and the
demo-data generator, so none of them may depend on Qt or the database layer.

Every ``check_*`` function returns ``None`` when the value is valid and raises
``ValueError`` with a short Simplified-Chinese message otherwise.  The message names
only the problem; the caller prefixes the field label (e.g. "身份证号：").
"""

from __future__ import annotations

import datetime
import operator
import re

__all__ = [
    "CHINESE_PUNCTUATION_KEPT",
    "CREDIT_CODE_ALPHABET",
    "birth_date_from_id",
    "check_credit_code",
    "check_id_number",
    "check_phone",
    "credit_check_char",
    "gender_from_id",
    "id_check_char",
    "make_credit_code",
    "make_id_number",
    "mask_id_number",
    "mask_phone",
    "normalize_id_number",
    "normalize_phone",
    "normalize_text",
]

# --------------------------------------------------------------------------- 身份证号

# GB 11643-1999 / ISO 7064 MOD 11-2: weight i is 2**(17 - i) mod 11.
_ID_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_MAP = "10X98765432"
_ID_LENGTH = 18
_MIN_BIRTH_YEAR = 1900


def _is_ascii_digits(value: str) -> bool:
    """``str.isdigit`` also accepts full-width and other Unicode digits; we must not."""
    return value.isascii() and value.isdigit()


def id_check_char(first17: str) -> str:
    """Return the GB 11643 check character ('0'-'9' or 'X') for the first 17 digits."""
    if len(first17) != _ID_LENGTH - 1 or not _is_ascii_digits(first17):
        raise ValueError("身份证号本体码应为17位数字")
    total = sum(map(operator.mul, map(int, first17), _ID_WEIGHTS))
    return _ID_CHECK_MAP[total % 11]


def _parse_birth(digits8: str) -> datetime.date:
    """Parse YYYYMMDD; raise ``ValueError`` with a Chinese message when it is no real date."""
    try:
        return datetime.date(int(digits8[0:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        raise ValueError("身份证号中的出生日期无效") from None


def birth_date_from_id(value: str) -> datetime.date:
    """Return the birth date embedded in an 18-character ID number (positions 7-14)."""
    if len(value) != _ID_LENGTH or not _is_ascii_digits(value[6:14]):
        raise ValueError("身份证号格式不正确，无法读取出生日期")
    return _parse_birth(value[6:14])


def gender_from_id(value: str) -> str:
    """Return ``"male"`` or ``"female"``: the 17th digit is odd for men, even for women."""
    if len(value) != _ID_LENGTH or not _is_ascii_digits(value[16]):
        raise ValueError("身份证号格式不正确，无法判断性别")
    return "male" if int(value[16]) % 2 == 1 else "female"


def check_id_number(value: str, *, today: datetime.date | None = None) -> None:
    """Validate a 公民身份号码 (GB 11643-1999).

    ``today`` only exists so tests can pin the "not in the future" rule.
    """
    if len(value) != _ID_LENGTH:
        raise ValueError(f"身份证号应为18位，当前为{len(value)}位")
    body, check = value[:17], value[17]
    if not _is_ascii_digits(body):
        raise ValueError("身份证号前17位必须为数字")
    if check == "x":
        raise ValueError("身份证号最后一位请使用大写X")
    if not (_is_ascii_digits(check) or check == "X"):
        raise ValueError("身份证号最后一位必须为数字或大写X")
    birth = _parse_birth(body[6:14])
    if birth.year < _MIN_BIRTH_YEAR:
        raise ValueError("身份证号中的出生日期无效（早于1900年）")
    if birth > (today or datetime.date.today()):
        raise ValueError("身份证号中的出生日期无效（晚于今天）")
    if id_check_char(body) != check:
        raise ValueError("身份证号校验位不正确")


def make_id_number(region: str, birth: datetime.date, seq: int) -> str:
    """Build a valid ID number from a 6-digit region code, birth date and 3-digit sequence.

    Used by tests and the demo-data generator so fake people still pass validation.
    """
    if len(region) != 6 or not _is_ascii_digits(region):
        raise ValueError("地区码应为6位数字")
    if not 0 <= seq <= 999:
        raise ValueError("顺序码应在0到999之间")
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


# --------------------------------------------------------------------------- 统一社会信用代码

# GB 32100-2015: digits plus upper-case letters without I, O, Z, S, V (31 symbols).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUES = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}
# Weight i is 3**i mod 31.
_CREDIT_WEIGHTS: tuple[int, ...] = (
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
)  # fmt: skip
_CREDIT_LENGTH = 18


def credit_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a credit code."""
    if len(first17) != _CREDIT_LENGTH - 1 or any(ch not in _CREDIT_VALUES for ch in first17):
        raise ValueError("统一社会信用代码本体应为17位合法字符")
    total = sum(_CREDIT_VALUES[ch] * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: str) -> None:
    """Validate a 统一社会信用代码 (GB 32100-2015): length, alphabet and check character."""
    if len(value) != _CREDIT_LENGTH:
        raise ValueError(f"统一社会信用代码应为18位，当前为{len(value)}位")
    bad = [ch for ch in value if ch not in _CREDIT_VALUES]
    if bad:
        if any(ch.isascii() and ch.islower() for ch in bad):
            raise ValueError("统一社会信用代码中的字母请使用大写")
        raise ValueError(
            "统一社会信用代码含有非法字符（只允许数字和除I、O、Z、S、V以外的大写字母）"
        )
    if credit_check_char(value[:17]) != value[17]:
        raise ValueError("统一社会信用代码校验位不正确")


def make_credit_code(first17: str) -> str:
    """Append the check character; used by tests and the demo-data generator."""
    return first17 + credit_check_char(first17)


# --------------------------------------------------------------------------- 电话

# Mobile: 11 digits, second digit 3-9.  Landline: area code 0 + 2-3 digits, optional hyphen,
# 7-8 digit local number, optional "-extension".  Callers strip spaces beforehand.
_MOBILE_RE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_LANDLINE_RE = re.compile(r"0\d{2,3}-?\d{7,8}(?:-\d{1,6})?", re.ASCII)


def check_phone(value: str) -> None:
    """Validate a mainland mobile number or a landline with area code (optional extension)."""
    if _MOBILE_RE.fullmatch(value) or _LANDLINE_RE.fullmatch(value):
        return
    raise ValueError("电话号码格式不正确（手机号为11位，座机需带区号，如0798-1234567）")


# --------------------------------------------------------------------------- 文本规范化

_FULLWIDTH_OFFSET = 0xFF01 - 0x21
# These full-width forms (U+FF01..U+FF5E) are the standard Chinese punctuation marks
# (GB/T 15834), so folding them would corrupt ordinary Chinese text such as remarks or
# "党支部（第一）".  Everything else in the block -- digits, letters, ＋－／．＠ etc. -- is folded.
CHINESE_PUNCTUATION_KEPT = frozenset("！（），：；？")
_HALFWIDTH_TABLE: dict[int, int] = {
    cp: cp - _FULLWIDTH_OFFSET
    for cp in range(0xFF01, 0xFF5E + 1)
    if chr(cp) not in CHINESE_PUNCTUATION_KEPT
}
_HALFWIDTH_TABLE[0x3000] = 0x20


def normalize_text(value: str) -> str:
    """Fold full-width ASCII and the ideographic space to half-width, then strip.

    Chinese input methods often leave full-width digits/letters in numbers and codes.
    Chinese punctuation (，。！？：；（） and anything outside U+FF01..U+FF5E) is untouched.
    """
    return value.translate(_HALFWIDTH_TABLE).strip()


_BLANKS = re.compile(r"[\s\u3000\xa0]+")
_GROUPED_ID = re.compile(r"\d{6}([-\s])\d{8}\1\d{3}[\dXx]", re.ASCII)


def normalize_id_number(value: str) -> str:
    """The one reading of a typed or imported ID number, for the form, the importer and search.

    Full-width characters fold, blanks go (``110101 19900307 1234``, as the card groups it), the
    hyphens of the card's grouping ``110101-19900307-1234`` go, and a lower-case check letter is
    the same number: ``x`` becomes ``X``. Nothing else changes; the check digit still decides.
    """
    text = normalize_text(value)
    if _GROUPED_ID.fullmatch(text):
        text = re.sub(r"[-\s]", "", text)
    text = _BLANKS.sub("", text)
    if len(text) == _ID_LENGTH and text[-1] == "x":
        text = text[:-1] + "X"
    return text


def normalize_phone(value: str) -> str:
    """The one reading of a typed or imported phone number: full-width folded, blanks removed
    (``138 0013 8000`` is 13800138000); hyphens of a landline stay as written."""
    return _BLANKS.sub("", normalize_text(value))


# --------------------------------------------------------------------------- 脱敏


def _mask_middle(value: str, keep_head: int, keep_tail: int) -> str:
    """Replace everything between the kept head and tail with '*'."""
    hidden = len(value) - keep_head - keep_tail
    return value[:keep_head] + "*" * hidden + value[len(value) - keep_tail :]


def _mask_short(value: str) -> str:
    """Fallback for values too short to keep a head: show only the last 2 characters."""
    if len(value) <= 2:
        return value
    return _mask_middle(value, 0, 2)


def mask_id_number(value: str) -> str:
    """Hide the birth date and sequence for display: keep the first 4 and last 4 characters."""
    if len(value) > 8:
        return _mask_middle(value, 4, 4)
    return _mask_short(value)


def mask_phone(value: str) -> str:
    """Hide the middle of a phone number: keep the first 3 and last 4 (138****5678)."""
    if len(value) >= 8:
        return _mask_middle(value, 3, 4)
    return _mask_short(value)
