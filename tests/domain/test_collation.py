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
