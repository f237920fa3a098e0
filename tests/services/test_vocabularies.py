"""The park's vocabularies (查看 → 选项词表) and the search box reading the same spellings."""

from __future__ import annotations

import datetime as dt

import peewee as pw
import pytest

from partybuild.domain import vocab
from partybuild.domain.validators import make_id_number
from partybuild.ledgers import spec
from partybuild.services import records, recycle
from partybuild.services import vocabularies as service
from partybuild.services.errors import ValidationError
from partybuild.services.query import Filters, LedgerQuery
from partybuild.services.vocabularies import Item
from partybuild.store import models as m
from partybuild.store.database import close_database, current_location, open_database


def _search(ledger: str, text: str) -> set[str]:
    query = LedgerQuery(spec.ledger(ledger), Filters(search=text))
    column = [c.name for c in spec.ledger(ledger).columns].index(spec.ledger(ledger).title_field)
    return {row.values[column] for row in query.rows()}


def test_search_finds_a_code_by_any_of_its_spellings(db: pw.Database) -> None:
    for n, (name, education, ethnicity) in enumerate(
        [("示本", "bachelor", "汉族"), ("示专", "college", "壮族"), ("示硕", "master", "汉族")],
        start=1,
    ):
        number = make_id_number("999999", dt.date(1990, 1, 1), n)
        records.create(
            "members",
            {"name": name, "id_number": number, "education": education, "ethnicity": ethnicity},
        )
    assert _search("members", "本科") == {"示本"}
    assert _search("members", "大学本科") == {"示本"}
    assert _search("members", "大专") == {"示专"}
    assert _search("members", "硕士") == {"示硕"}
    assert _search("members", "大学") == {"示本", "示专"}  # labels that contain the word
    assert _search("members", "壮") == {"示专"}
    assert _search("members", "示本 本科") == {"示本"}
    assert _search("members", "博士") == set()
    branch = records.create("branches", {"name": "示范支部", "kind": "joint"})
    records.create(
        "activities",
        {
            "branch": branch.id,
            "kind": "committee_meeting",
            "date": dt.date(2023, 3, 1),
            "topic": "甲",
        },
    )
    records.create(
        "activities",
        {"branch": branch.id, "kind": "theme_day", "date": dt.date(2023, 3, 2), "topic": "乙"},
    )
    assert _search("activities", "支委会") == {"甲"}
    assert _search("activities", "主题党日活动") == {"乙"}


def _items(vocabulary: vocab.Vocabulary) -> list[Item]:
    return service.items(vocabulary)


def test_park_adds_an_industry_uses_it_and_cannot_remove_it_while_used(db: pw.Database) -> None:
    items = _items(vocab.INDUSTRY)
    assert [i.label for i in items] == ["精细化工", "生物医药", "新材料", "其他"]
    assert all(i.builtin for i in items)
    items.insert(0, Item(None, "新能源", ("新能源汽车", "光伏")))
    items[1].label = "化工"  # rename a built-in label
    service.save(vocab.INDUSTRY, items)
    assert vocab.INDUSTRY.labels == ("新能源", "化工", "生物医药", "新材料", "其他")
    assert vocab.INDUSTRY.codes[0] == "custom_1"
    # The form's, the importer's and the search's reading: the park's words and the old label.
    firm = records.create("enterprises", {"name": "示光伏有限公司", "industry": "光伏"})
    old = records.create("enterprises", {"name": "示化工有限公司", "industry": "精细化工"})
    assert firm.industry == "custom_1" and old.industry == "fine_chemical"
    assert _search("enterprises", "新能源汽车") == {"示光伏有限公司"}

    used = {i.label: i.usage.describe() for i in _items(vocab.INDUSTRY)}
    assert used["新能源"] == "1 条记录" and used["生物医药"] == "未使用"
    recycle_ready = [i for i in _items(vocab.INDUSTRY) if i.label != "新能源"]
    with pytest.raises(ValidationError) as caught:
        service.save(vocab.INDUSTRY, recycle_ready)
    assert caught.value.message() == "“新能源”：有 1 条记录在用，不能删除（可以改名）"
    records.soft_delete("enterprises", firm.id)  # the recycle bin still holds the code
    with pytest.raises(ValidationError) as caught:
        service.save(vocab.INDUSTRY, recycle_ready)
    assert "有 1 条记录（其中回收站 1 条）在用" in caught.value.message()
    recycle.purge_many([("enterprises", firm.id)])
    service.save(vocab.INDUSTRY, recycle_ready)
    assert "新能源" not in vocab.INDUSTRY.labels

    with pytest.raises(ValidationError) as caught:
        service.save(vocab.INDUSTRY, [i for i in _items(vocab.INDUSTRY) if i.label != "新材料"])
    assert caught.value.message() == "“新材料”：内置项不能删除（可以改名）"


def test_saved_items_are_read_when_the_database_is_opened_again(db: pw.Database) -> None:
    items = _items(vocab.ISSUE_CATEGORY)
    items.append(Item(None, "人才引进", ("引才",)))
    service.save(vocab.ISSUE_CATEGORY, items)
    location = current_location()
    close_database()
    assert "人才引进" not in vocab.ISSUE_CATEGORY.labels  # another database: built-in only
    open_database(location=location)
    assert vocab.ISSUE_CATEGORY.resolve("引才") == "custom_1"
    assert vocab.ISSUE_CATEGORY.labels[-1] == "人才引进"
    entry = m.AuditEntry.select().where(m.AuditEntry.title == "选项词表：问题类别").get()
    assert "人才引进（同义词：引才）" in entry.changes


def test_a_word_of_two_items_and_an_empty_label_are_refused(db: pw.Database) -> None:
    items = _items(vocab.INDUSTRY)
    items.append(Item(None, "新能源", ("精细化工",)))
    with pytest.raises(ValidationError) as caught:
        service.save(vocab.INDUSTRY, items)
    assert caught.value.message() == "第 5 行：“精细化工”已是“精细化工”的名称或同义词"
    items[-1] = Item(None, "  ")
    with pytest.raises(ValidationError, match="第 5 行：名称不能为空"):
        service.save(vocab.INDUSTRY, items)
    assert m.VocabularyItem.select().count() == 0
    assert vocab.INDUSTRY.items == vocab.INDUSTRY.builtin


def test_suggestion_lists_are_plain_words(db: pw.Database) -> None:
    service.save(vocab.RESPONSIBLE_UNIT, [Item(None, "园区人社服务站"), Item(None, "园区供电所")])
    assert vocab.RESPONSIBLE_UNIT.labels == ("园区人社服务站", "园区供电所")
    service.save(vocab.RESPONSIBLE_UNIT, [Item(None, "园区供电所")])
    assert vocab.RESPONSIBLE_UNIT.labels == ("园区供电所",)
