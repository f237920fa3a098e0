"""Chinese collation of names: the pinyin order tables use, and pinyin spellings for search.

pypinyin gives each character's reading; a name's first character is read as a surname, where
several common surnames differ from the character's everyday reading (曾 zēng not céng, 单 shàn not
dān). The key is a plain string, so it can be stored in a column and sorted by the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT, RE_HANS
from pypinyin.seg import mmseg
from pypinyin.seg.simpleseg import seg

# Surnames whose reading differs from the character's most common one (通用规范汉字表 readings
# given in 《中国姓氏》 use). Only the first character of a name is read this way.
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng1",
    "单": "shan4",
    "解": "xie4",
    "仇": "qiu2",
    "朴": "piao2",
    "区": "ou1",
    "查": "zha1",
    "盖": "ge3",
    "乐": "yue4",
    "覃": "qin2",
    "翟": "zhai2",
    "缪": "miao4",
    "秘": "bi4",
    "尉": "yu4",
    "种": "chong2",
    "折": "she2",
    "召": "shao4",
    "员": "yun4",
    "繁": "po2",
    "句": "gou1",
    "洗": "xian3",
    "冼": "xian3",
    "那": "na1",
    "华": "hua4",
    "任": "ren2",
    "薄": "bo2",
    "柏": "bai3",
    "沈": "shen3",
    "长": "chang2",
    "重": "chong2",
    "黑": "he4",
    "宁": "ning4",
    "隗": "wei3",
    "过": "guo1",
    "燕": "yan1",
    "纪": "ji3",
    "谌": "chen2",
    "卜": "bu3",
    "万": "wan4",
    "石": "shi2",
}

T = TypeVar("T")

# Below every letter and digit, so "li4 si4" sorts before "lin2".
_SEP = " "


@lru_cache(maxsize=65536)
def _word_readings(word: str) -> tuple[str, ...]:
    """The readings of one segment of a text (a character, a phrase of pypinyin's dictionary, or
    a run of non-Chinese characters), as ``lazy_pinyin`` gives them. Names are new almost every
    time but their characters are not, so readings are remembered by segment."""
    return tuple(
        lazy_pinyin(word, style=Style.TONE3, neutral_tone_with_five=True, errors="default")
    )


def _segments(text: str) -> list[str]:
    """pypinyin's ``seg(text)``. A text of Chinese characters only (almost every name) is one
    run, so its character-by-character split into runs is skipped: the phrase segmentation of
    the run is what ``seg`` would do next."""
    if PHRASES_DICT and RE_HANS.match(text):
        if _PREFIXES is None:
            return list(mmseg.seg.cut(text))
        return _cut(text, _PREFIXES)
    return seg(text)


def _cut(text: str, prefixes: set[str]) -> list[str]:
    """``mmseg.seg.cut`` (forward maximum matching, phrases only), step for step without the
    generator: at each place the longest phrase of the dictionary among the prefixes that
    match in a row, else one character; a run that matches to its end without a phrase is
    split into characters."""
    words: list[str] = []
    remain = text
    while remain:
        length = len(remain)
        valid = 0
        end = 0
        while end < length and remain[: end + 1] in prefixes:
            end += 1
            if remain[:end] in PHRASES_DICT:
                valid = end
        if valid:
            words.append(remain[:valid])
            remain = remain[valid:]
        elif end < length:
            words.append(remain[0])
            remain = remain[1:]
        else:
            words.extend(remain)
            break
    return words


# The phrase prefixes mmseg's segmenter matches against; None (then its own generator runs)
# when pypinyin keeps them elsewhere or segments in its other mode.
_PREFIXES: set[str] | None = getattr(getattr(mmseg.seg, "_prefix_set", None), "_set", None)
if getattr(mmseg.seg, "_no_non_phrases", None) is not True or not isinstance(_PREFIXES, set):
    _PREFIXES = None


def _syllables(text: str, *, surname: bool) -> list[str]:
    text = text.strip()
    if not text:
        return []
    # lazy_pinyin(text) is its segments' readings one after the other: the same segmentation
    # (pypinyin's own seg), each segment read as lazy_pinyin reads it, cached.
    readings = [r for word in _segments(text) for r in _word_readings(word)]
    # lazy_pinyin keeps a run of non-Chinese characters as one item; only a leading Chinese
    # character is a surname.
    if surname and text[0] in SURNAME_READINGS and readings:
        readings[0] = SURNAME_READINGS[text[0]]
    return [r.lower() for r in readings]


@lru_cache(maxsize=4096)
def _name_syllables(name: str) -> tuple[str, ...]:
    """A name's syllables with its surname read as one; both keys of a name read it once."""
    return tuple(_syllables(name, surname=True))


@lru_cache(maxsize=65536)
def pinyin_key(name: str) -> str:
    """A sort key for a person's name in pinyin order: syllable by syllable, then tone."""
    return _SEP.join(_name_syllables((name or "").strip()))


@lru_cache(maxsize=65536)
def pinyin_spellings(name: str) -> tuple[str, str]:
    """(full spelling, initials) without tones, e.g. 张三 → ("zhangsan", "zs"), for search."""
    syllables = [s.rstrip("012345") for s in _name_syllables((name or "").strip())]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return full, initials


# --------------------------------------------------------------------------- 姓氏笔画 order

#: The orders of printed lists and exports: (code, label). 姓氏笔画 is the order official name
#: lists use; 录入顺序 is the order the records were entered (or imported) in.
NAME_ORDERS: tuple[tuple[str, str], ...] = (
    ("stroke", "姓氏笔画"),
    ("pinyin", "拼音"),
    ("entry", "录入顺序"),
)
DEFAULT_NAME_ORDER = "stroke"

# resources/collation/strokes.txt, from a checkout or an installed package.
_HERE = Path(__file__).resolve()
_STROKE_FILES = (
    _HERE.parents[2] / "resources" / "collation" / "strokes.txt",
    _HERE.parents[1] / "resources" / "collation" / "strokes.txt",
)
# Separators inside a name (阿依古丽·买买提) are not characters of it.
_NAME_SEPARATORS = frozenset(" \u3000·•・.．-")
# A character with a stroke count but no known writing order sorts after those of the same count
# whose order is known ("9" is above every class 1–5); one outside the table after every ideograph.
_NO_SEQUENCE = "9"
_NOT_IDEOGRAPH = 10_000


@lru_cache(maxsize=1)
def _stroke_table() -> dict[str, tuple[int, str]]:
    """Character → (stroke count, strokes in writing order as classes 1–5, or "9" unknown)."""
    path = next((p for p in _STROKE_FILES if p.is_file()), None)
    if path is None:
        raise FileNotFoundError("缺少笔画数据文件 resources/collation/strokes.txt")
    table: dict[str, tuple[int, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        head, _, rest = line.partition(" ")
        if head.isdigit():  # "笔画数 字字字…": a count from Unihan, no writing order
            count = int(head)
            for ch in rest:
                table.setdefault(ch, (count, _NO_SEQUENCE))
        else:  # "字 笔顺"
            table[head] = (len(rest), rest)
    return table


def strokes(char: str) -> tuple[int, str] | None:
    """(stroke count, 横竖撇点折 classes 1–5 in writing order) of a character; None if unknown.

    王 → (4, "1121"); a rare character known only by its count has "9" for its order.
    """
    return _stroke_table().get(char)


@lru_cache(maxsize=65536)
def stroke_key(name: str) -> tuple[tuple[int, str, int], ...]:
    """A sort key for 姓氏笔画 order (GB/T 13418): character by character, the first first —

    fewer strokes first; the same count by the strokes in writing order, 横 竖 撇 点 折; then by
    code point, so the order is total. 丁 (2) before 万 (3); 王 (4) before 田 (5); 王 (横 first)
    before 毛 (撇 first). A name that is the beginning of another comes first (张三 before 张三丰).
    """
    table = _stroke_table()
    key = []
    for ch in (name or "").strip():
        if ch in _NAME_SEPARATORS:
            continue
        count, sequence = table.get(ch, (_NOT_IDEOGRAPH, _NO_SEQUENCE))
        key.append((count, sequence, ord(ch)))
    return tuple(key)


def name_sort_key(order: str) -> Callable[[str], object]:
    """The key function of a name order other than 录入顺序 (which needs no name)."""
    if order == "stroke":
        return stroke_key
    if order == "pinyin":
        return pinyin_key
    raise ValueError(f"未知的排序方式：{order}")


def sort_by_name(
    items: Iterable[T], order: str, name: Callable[[T], str], entry: Callable[[T], object]
) -> list[T]:
    """``items`` in a name order: 姓氏笔画 or 拼音 (ties in entry order), or 录入顺序 (``entry``)."""
    if order == "entry":
        return sorted(items, key=entry)
    key = name_sort_key(order)
    return sorted(items, key=lambda item: (key(name(item)), entry(item)))


def order_label(order: str) -> str:
    """姓氏笔画 / 拼音 / 录入顺序 for a code."""
    return dict(NAME_ORDERS)[order]


@lru_cache(maxsize=65536)
def search_text(name: str) -> str:
    """What the search box matches a name by: the name, its pinyin full spelling and initials,
    lower case and blank-separated (张三 → "张三 zhangsan zs"). A search word has no blanks, so a
    match never runs from one part into the next."""
    name = (name or "").strip()
    full, initials = pinyin_spellings(name)
    return " ".join(part for part in (name.lower(), full, initials) if part)
