from __future__ import annotations

from partybuild.domain.collation import pinyin_key, pinyin_spellings


def test_names_sort_by_pinyin_not_code_point():
    names = ["严明", "万里", "丁一", "张三", "李四", "林五", "安娜"]
    assert sorted(names, key=pinyin_key) == ["安娜", "丁一", "李四", "林五", "万里", "严明", "张三"]


def test_surname_readings():
    # 曾 as a surname is zēng, 单 is shàn: they sort among z and s, not c and d.
    names = ["曾强", "陈红", "单立", "邓华", "沈阳", "赵六"]
    assert sorted(names, key=pinyin_key) == ["陈红", "邓华", "单立", "沈阳", "曾强", "赵六"]


def test_spellings_for_search():
    assert pinyin_spellings("张三") == ("zhangsan", "zs")
    assert pinyin_spellings("曾国藩") == ("zengguofan", "zgf")
    assert pinyin_spellings("") == ("", "")


def test_readings_by_segment_are_those_of_the_whole_text():
    # Readings are cached by segment (character, dictionary phrase, non-Chinese run): the key is
    # the one lazy_pinyin of the whole name gives, phrases (重庆 chóng, 银行 háng) and all.
    from pypinyin import Style, lazy_pinyin

    for name in ["重庆", "银行行长", "张三丰", "阿依古丽·买买提", "Anna李", "长安 12号", "行长"]:
        whole = lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)
        assert pinyin_key("王" + name) == " ".join(["wang2", *(r.lower() for r in whole)])
    assert pinyin_key("重庆") == "chong2 qing4"
    assert pinyin_key("曾经") == "zeng1 jing1"  # the surname reading only for the first character
