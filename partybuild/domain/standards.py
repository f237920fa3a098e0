"""National standard code lists that choice vocabularies accept as input.

GB/T 4658-2006 学历代码 and GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码, as far as a
ledger needs them: the numeric code a roster may print beside (or instead of) the name.
"""

from __future__ import annotations

# GB/T 4658-2006: code → (the standard's name, the education code partybuild stores, or None).
# 结业/肄业 did not complete the level: a ledger's 学历 records the highest level completed, so
# such a code is refused with its reason rather than stored as that level.

EDUCATION_CODES: dict[str, tuple[str, str | None]] = {
    "10": ("研究生", "postgraduate"),
    "11": ("博士研究生毕业", "doctor"),
    "12": ("博士研究生结业", None),
    "13": ("博士研究生肄业", None),
    "14": ("硕士研究生毕业", "master"),
    "15": ("硕士研究生结业", None),
    "16": ("硕士研究生肄业", None),
    "17": ("研究生班毕业", "postgraduate"),
    "18": ("研究生班结业", None),
    "19": ("研究生班肄业", None),
    "20": ("大学本科", "bachelor"),
    "21": ("大学本科毕业", "bachelor"),
    "22": ("大学本科结业", None),
    "23": ("大学本科肄业", None),
    "28": ("大学普通班毕业", "bachelor"),
    "30": ("大学专科", "college"),
    "31": ("大学专科毕业", "college"),
    "32": ("大学专科结业", None),
    "33": ("大学专科肄业", None),
    "40": ("中等专科", "secondary"),
    "41": ("中等专科毕业", "secondary"),
    "42": ("中等专科结业", None),
    "43": ("中等专科肄业", None),
    "44": ("职业高中毕业", "vocational_high"),
    "45": ("职业高中结业", None),
    "46": ("职业高中肄业", None),
    "47": ("技工学校毕业", "technical_school"),
    "48": ("技工学校结业", None),
    "49": ("技工学校肄业", None),
    "60": ("普通高级中学", "high_school"),
    "61": ("普通高中毕业", "high_school"),
    "62": ("普通高中结业", None),
    "63": ("普通高中肄业", None),
    "70": ("初级中学", "middle_school"),
    "71": ("初中毕业", "middle_school"),
    "73": ("初中肄业", None),
    "80": ("小学", "primary"),
    "81": ("小学毕业", "primary"),
    "83": ("小学肄业", None),
    "90": ("其他", "other"),
}


# GB/T 3304-1991: the 56 民族 in the standard's order with their numeric codes, then 97 其他未识别
# 民族 and 98 外国血统中国籍人士. 穿青人 has no code of its own (it is among 97) but is written
# so on 居民身份证 since 2004, so it is kept as written.
ETHNICITIES: tuple[tuple[str, str], ...] = (
    ("01", "汉族"),
    ("02", "蒙古族"),
    ("03", "回族"),
    ("04", "藏族"),
    ("05", "维吾尔族"),
    ("06", "苗族"),
    ("07", "彝族"),
    ("08", "壮族"),
    ("09", "布依族"),
    ("10", "朝鲜族"),
    ("11", "满族"),
    ("12", "侗族"),
    ("13", "瑶族"),
    ("14", "白族"),
    ("15", "土家族"),
    ("16", "哈尼族"),
    ("17", "哈萨克族"),
    ("18", "傣族"),
    ("19", "黎族"),
    ("20", "傈僳族"),
    ("21", "佤族"),
    ("22", "畲族"),
    ("23", "高山族"),
    ("24", "拉祜族"),
    ("25", "水族"),
    ("26", "东乡族"),
    ("27", "纳西族"),
    ("28", "景颇族"),
    ("29", "柯尔克孜族"),
    ("30", "土族"),
    ("31", "达斡尔族"),
    ("32", "仫佬族"),
    ("33", "羌族"),
    ("34", "布朗族"),
    ("35", "撒拉族"),
    ("36", "毛南族"),
    ("37", "仡佬族"),
    ("38", "锡伯族"),
    ("39", "阿昌族"),
    ("40", "普米族"),
    ("41", "塔吉克族"),
    ("42", "怒族"),
    ("43", "乌孜别克族"),
    ("44", "俄罗斯族"),
    ("45", "鄂温克族"),
    ("46", "德昂族"),
    ("47", "保安族"),
    ("48", "裕固族"),
    ("49", "京族"),
    ("50", "塔塔尔族"),
    ("51", "独龙族"),
    ("52", "鄂伦春族"),
    ("53", "赫哲族"),
    ("54", "门巴族"),
    ("55", "珞巴族"),
    ("56", "基诺族"),
    ("97", "其他"),
    ("98", "外国血统中国籍人士"),
)

# Everyday spellings beyond "the name without 族" (汉 → 汉族), which every name gets.
ETHNICITY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "蒙古族": ("蒙族",),
    "维吾尔族": ("维族",),
    "其他": ("其他未识别民族", "未识别民族"),
    "外国血统中国籍人士": ("外国血统", "外国血统中国籍"),
}
