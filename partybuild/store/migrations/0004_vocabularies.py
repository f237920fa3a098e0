"""The park's own vocabulary items (vocabulary_item) and 民族 stored as GB/T 3304 names.

学历 and the other choice fields keep every code they had, with the meaning it had: 'junior' is
still 初中及以下 and 'postgraduate' still 研究生; the finer codes (doctor, master, middle_school,
primary, technical_school…) are new and only new entries use them. 民族 was free text and is now
a checked choice whose stored value is the standard's full name: a value written as the short
form or the numeric code (汉, 维吾尔, 01, 01汉族) becomes the full name, each change written to the
操作日志 (operator “数据库升级”) so nothing changes without saying; any other value is left as
it is and is refused with its reason when the record is next saved.

Frozen: the names are copied here, not read from partybuild.domain, so this step stays what it was.
"""

import datetime as dt
import json
import unicodedata

from peewee import *

NAMES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
OTHER = {"97": "其他", "98": "外国血统中国籍人士"}
EXTRA = {
    "蒙族": "蒙古族",
    "维族": "维吾尔族",
    "其它": "其他",
    "其他未识别民族": "其他",
    "未识别民族": "其他",
    "外国血统": "外国血统中国籍人士",
    "外国血统中国籍": "外国血统中国籍人士",
}
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)


def _key(text):
    folded = unicodedata.normalize("NFKC", text).translate(INVISIBLE)
    return "".join(folded.split()).rstrip("。.")


def _spellings():
    table = {}
    for number, name in enumerate(NAMES, start=1):
        code = f"{number:02d}"
        for word in (name, name[:-1], code, code + name):
            table[word] = name
    for code, name in OTHER.items():
        table[name] = table[code] = table[code + name] = name
    table["穿青人"] = "穿青人"
    table.update(EXTRA)
    return table


def up(migrator, db):
    class VocabularyItem(Model):
        vocabulary = CharField()
        code = CharField()
        label = CharField()
        synonyms = TextField(null=True)
        position = IntegerField()

        class Meta:
            database = db
            table_name = "vocabulary_item"
            indexes = ((("vocabulary", "code"), True),)

    db.create_tables([VocabularyItem])

    spellings = _spellings()
    rows = db.execute_sql(
        "SELECT id, name, ethnicity FROM member WHERE ethnicity IS NOT NULL"
    ).fetchall()
    stamp = dt.datetime.now().replace(microsecond=0)
    for record_id, name, old in rows:
        new = spellings.get(_key(old))
        if new is None or new == old:
            continue
        db.execute_sql(
            "UPDATE member SET ethnicity = %s WHERE id = %s" % (db.param, db.param),
            (new, record_id),
        )
        changes = json.dumps(
            [{"field": "ethnicity", "label": "民族", "old": old, "new": new}], ensure_ascii=False
        )
        db.execute_sql(
            "INSERT INTO audit_log (at, operator, action, ledger, record_id, title, changes)"
            " VALUES (%s)" % ", ".join([db.param] * 7),
            (stamp, "数据库升级", "update", "members", record_id, name, changes),
        )


def down(migrator, db):
    migrator.migrate(migrator.drop_table("vocabulary_item"))
