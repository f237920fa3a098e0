"""Chinese collation of names: the pinyin order tables use, and pinyin spellings for search.

pypinyin gives each character's reading; a name's first character is read as a surname, where
several common surnames differ from the character's everyday reading (曾 zēng not céng, 单 shàn not
dān). The key is a plain string, so it can be stored in a column and sorted by the database.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

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

# Below every letter and digit, so "li4 si4" sorts before "lin2".
_SEP = " "


def _syllables(text: str, *, surname: bool) -> list[str]:
    text = text.strip()
    if not text:
        return []
    readings = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors="default")
    # lazy_pinyin keeps a run of non-Chinese characters as one item; only a leading Chinese
    # character is a surname.
    if surname and text[0] in SURNAME_READINGS and readings:
        readings[0] = SURNAME_READINGS[text[0]]
    return [r.lower() for r in readings]


@lru_cache(maxsize=65536)
def pinyin_key(name: str) -> str:
    """A sort key for a person's name in pinyin order: syllable by syllable, then tone."""
    return _SEP.join(_syllables(name or "", surname=True))


@lru_cache(maxsize=65536)
def pinyin_spellings(name: str) -> tuple[str, str]:
    """(full spelling, initials) without tones, e.g. 张三 → ("zhangsan", "zs"), for search."""
    syllables = [s.rstrip("012345") for s in _syllables(name or "", surname=True)]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return full, initials
