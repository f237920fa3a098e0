"""The name segmentation's fast path gives pypinyin's own segmentation, text for text."""

from __future__ import annotations

import itertools
import random

from pypinyin.constants import PHRASES_DICT
from pypinyin.seg.simpleseg import seg

from partybuild.domain import collation


def test_segments_are_pypinyins_for_names_phrases_and_mixed_text() -> None:
    assert collation._PREFIXES is not None, "the fast path is in use with this pypinyin"
    rng = random.Random(12)
    surnames, given = "王李张曾单解区覃欧阳司马诸葛长孙", "安华明文强伟芳长江大河人民中国天安门"
    texts = ["".join(rng.choice(given) for _ in range(rng.randint(1, 3))) for _ in range(2000)]
    texts = [rng.choice(surnames) + t for t in texts]
    texts += ["".join(p) for p in itertools.product("中国人民长江欧阳司马诸葛", repeat=3)]
    phrases = sorted(k for k in PHRASES_DICT if 2 <= len(k) <= 4)
    rng.shuffle(phrases)
    for a, b in zip(phrases[:3000], phrases[3000:6000], strict=True):
        texts += [a + b, a[:-1] + b, a + b[:1], a[:1] + b]
    texts += ["张三abc", "abc", "阿依古丽·买买提", "李 四", "王\u3007", "", " ", "王𠀾"]
    for text in texts:
        assert collation._segments(text) == seg(text), text
