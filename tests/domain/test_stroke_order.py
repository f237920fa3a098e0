"""姓氏笔画 order as official name lists print it: strokes, then 横竖撇点折, then the next character."""

from __future__ import annotations

from pathlib import Path

import pytest

from partybuild.domain import collation
from partybuild.domain.collation import stroke_key, strokes

ROOT = Path(__file__).resolve().parents[2]


def ordered(names: str | list[str]) -> list[str]:
    return sorted(names, key=stroke_key)


def test_fewer_strokes_first() -> None:
    assert ordered(["田亮", "王芳"]) == ["王芳", "田亮"]  # 王 4 before 田 5
    assert ordered(["万里", "丁一"]) == ["丁一", "万里"]  # 丁 2 before 万 3
    assert ordered(["张伟", "丁一", "王芳", "万里"]) == ["丁一", "万里", "王芳", "张伟"]


def test_the_same_count_by_the_first_stroke_横竖撇点折() -> None:
    # Four strokes each: 王 starts with 横, 毛 with 撇, 方 with 点, 尹 with 折 (横折).
    assert ordered(["尹", "方", "毛", "王"]) == ["王", "毛", "方", "尹"]
    # The four-stroke surnames of a printed 代表名单, in its order.
    assert "".join(ordered(list("邓孔尹方卞毛车尤韦王"))) == "王韦尤车毛卞方尹孔邓"
    # Five strokes: 石 (横) … 田 史 (竖) … 白 (撇) … 冯 (点).
    assert "".join(ordered(list("冯白史田叶卢龙石"))) == "石龙卢叶田史白冯"


def test_later_strokes_decide_when_the_first_agree() -> None:
    # 王 一一丨一 (1121) before 天 一一丿丶 (1134): the third stroke decides.
    assert strokes("王") == (4, "1121") and strokes("天") == (4, "1134")
    assert ordered(["天", "王"]) == ["王", "天"]


def test_then_the_following_characters() -> None:
    assert ordered(["王芳", "王一", "王五"]) == ["王一", "王五", "王芳"]  # 一 1, 五 4, 芳 7
    assert ordered(["张三丰", "张三"]) == ["张三", "张三丰"]  # a name before its continuation
    # The surname decides before anything after it.
    assert ordered(["田一", "王芳芳"]) == ["王芳芳", "田一"]


def test_separators_inside_a_name_do_not_count() -> None:
    assert stroke_key("阿依古丽·买买提") == stroke_key("阿依古丽买买提")


def test_strokes_of_the_five_classes() -> None:
    # 提 counts as 横 (江's third stroke), 竖钩 as 竖 (丁), 捺 as 点 (人), bends as 折 (乙).
    assert strokes("江") == (6, "441121")
    assert strokes("丁") == (2, "12")
    assert strokes("人") == (2, "34")
    assert strokes("乙") == (1, "5")


def test_a_rare_character_is_placed_by_its_count_and_unknown_text_last() -> None:
    rare = "𠀀"  # CJK Extension B, counted by Unihan only: no writing order in the table
    count, sequence = strokes(rare)  # type: ignore[misc]
    assert sequence == "9"
    same_count = [c for c in "丁七乃九了二人儿入八几刀力十厂又" if strokes(c)[0] == count]  # type: ignore[index]
    assert same_count, "some common character shares its count"
    assert ordered([rare, *same_count])[-1] == rare
    assert ordered(["Tom", "丁一"]) == ["丁一", "Tom"]
    assert strokes("A") is None


@pytest.mark.parametrize("order", ["stroke", "pinyin", "entry"])
def test_sort_by_name_in_each_order(order: str) -> None:
    people = [(1, "张伟"), (2, "王芳"), (3, "艾青"), (4, "丁一")]
    result = [n for _i, n in collation.sort_by_name(people, order, lambda p: p[1], lambda p: p[0])]
    assert (
        result
        == {
            "stroke": ["丁一", "王芳", "艾青", "张伟"],
            "pinyin": ["艾青", "丁一", "王芳", "张伟"],
            "entry": ["张伟", "王芳", "艾青", "丁一"],
        }[order]
    )


def test_the_table_says_its_sources_and_licences_and_has_a_generator() -> None:
    table = ROOT / "resources" / "collation" / "strokes.txt"
    header = "".join(line for line in table.read_text(encoding="utf-8").splitlines()[:10])
    for word in ("cnchar", "MIT", "Unihan", "Unicode License", "make_stroke_table.py"):
        assert word in header
    assert (ROOT / "tools" / "make_stroke_table.py").is_file()
    # Every hanzi of GB 2312 has a count; all but 31 radicals (丨 丿 冫 氵 …) their writing order.
    missing, count_only = [], []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            found = strokes(ch)
            if found is None:
                missing.append(ch)
            elif found[1] == "9":
                count_only.append(ch)
    assert missing == []
    assert len(count_only) == 31 and {"丨", "丿", "冫", "氵", "艹", "扌"} <= set(count_only)
