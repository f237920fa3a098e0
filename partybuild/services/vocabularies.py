"""The park's own vocabularies (查看 → 选项词表): 产业, 问题来源, 问题类别 and the suggestion
lists for 责任单位 and 服务方向.

A park relabels, reorders and adds items and gives them synonyms; the items live in the
``vocabulary_item`` table and are laid over the built-in ones (:func:`partybuild.domain.vocab.
apply_park`) as soon as they are saved, so the form, the importer and the search use them at once.
Built-in items cannot be removed (the statistics name them); an added item can, while no record
stores its code — the refusal says how many do, the recycle bin included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import peewee as pw

from partybuild.domain import validators as v
from partybuild.domain import vocab
from partybuild.domain.vocab import Vocabulary
from partybuild.ledgers import spec
from partybuild.services import audit
from partybuild.services.errors import ValidationError, busy_as_storage_busy
from partybuild.store import database
from partybuild.store import models as m

MAX_LABEL = 64
CUSTOM_PREFIX = "custom_"


@dataclass(frozen=True)
class Usage:
    live: int = 0
    deleted: int = 0

    @property
    def total(self) -> int:
        return self.live + self.deleted

    def describe(self) -> str:
        if not self.total:
            return "未使用"
        if self.deleted:
            return f"{self.total} 条记录（其中回收站 {self.deleted} 条）"
        return f"{self.total} 条记录"


@dataclass
class Item:
    """One row of the settings dialog. ``code`` is None for an item not saved yet."""

    code: str | None
    label: str
    synonyms: tuple[str, ...] = ()
    builtin: bool = False
    builtin_synonyms: tuple[str, ...] = ()
    usage: Usage = field(default_factory=Usage)


def editable() -> tuple[Vocabulary, ...]:
    return vocab.EDITABLE


def _fields(vocabulary: Vocabulary) -> list[tuple[type[m.BaseModel], pw.Field]]:
    """The model fields whose values this vocabulary gives (codes, or for suggestions the text)."""
    if vocabulary.kind == vocab.SUGGESTION_KIND:
        return [
            (spec.ledger(ledger).model, spec.ledger(ledger).column(name).field)
            for (ledger, name), voc in vocab.SUGGESTIONS.items()
            if voc is vocabulary
        ]
    found = [
        (ledger.model, column.field)
        for ledger in spec.LEDGERS.values()
        for column in ledger.columns
        if column.kind == spec.CHOICE and column.vocabulary is vocabulary
    ]
    return list(dict.fromkeys(found))  # 发展党员 and 党员 share the member's fields


def usage(vocabulary: Vocabulary) -> dict[str, Usage]:
    """Per code (per label for a suggestion list): how many records store it, live and deleted."""
    counts: dict[str, list[int]] = {}
    for model, fld in _fields(vocabulary):
        rows = model.select(fld, model.deleted, pw.fn.COUNT(model.id)).group_by(fld, model.deleted)
        for value, deleted, n in rows.tuples():
            if value is not None:
                slot = counts.setdefault(value, [0, 0])
                slot[1 if deleted else 0] += n
    if vocabulary.kind == vocab.SUGGESTION_KIND:
        by_label = {label: code for code, label in vocabulary.items}
        counts = {by_label[k]: c for k, c in counts.items() if k in by_label}
    return {code: Usage(*pair) for code, pair in counts.items()}


def items(vocabulary: Vocabulary) -> list[Item]:
    """The vocabulary as the park sees it now, in its order, with how much each item is used."""
    used = usage(vocabulary)
    return [
        Item(
            code,
            label,
            vocabulary.park_synonyms(code),
            vocabulary.is_builtin(code),
            vocabulary.builtin_synonyms.get(code, ()),
            used.get(code, Usage()),
        )
        for code, label in vocabulary.items
    ]


def _clean_word(word: str) -> str:
    text = v.normalize_text(word)
    if any(ord(ch) < 32 or ch == "\x7f" for ch in text):
        raise ValueError("含有不可见的控制字符")
    if len(text) > MAX_LABEL:
        raise ValueError(f"过长（{len(text)} 字，最多 {MAX_LABEL} 字）")
    return text


def _check(vocabulary: Vocabulary, wanted: Sequence[Item]) -> dict[str, str]:
    """Refusals by row ("第 N 行") or item, empty when the list can be saved."""
    errors: dict[str, str] = {}
    owner: dict[str, str] = {}  # normalised spelling → the label of the row that has it
    for row, item in enumerate(wanted, start=1):
        where = f"第 {row} 行"
        try:
            label = _clean_word(item.label)
            synonyms = [_clean_word(s) for s in item.synonyms if s.strip()]
        except ValueError as exc:
            errors[where] = str(exc)
            continue
        if not label:
            errors[where] = "名称不能为空"
            continue
        words = [label, *synonyms, *item.builtin_synonyms]
        if item.code:
            words += [item.code, dict(vocabulary.builtin).get(item.code, "")]
        keys = {vocab.normalise(word): word for word in words if word}
        for key, word in keys.items():
            if key in owner:
                errors[where] = f"“{word}”已是“{owner[key]}”的名称或同义词"
                break
        else:
            owner.update(dict.fromkeys(keys, label))
    kept = {item.code for item in wanted if item.code}
    used = usage(vocabulary)
    for code, label in vocabulary.items:
        if code in kept:
            continue
        if vocabulary.is_builtin(code):
            errors[f"“{label}”"] = "内置项不能删除（可以改名）"
        elif code in used and vocabulary.kind != vocab.SUGGESTION_KIND:
            errors[f"“{label}”"] = f"有 {used[code].describe()}在用，不能删除（可以改名）"
    return errors


def _next_code(vocabulary: Vocabulary, taken: set[str]) -> str:
    numbers = [
        int(code[len(CUSTOM_PREFIX) :])
        for code in taken
        if code.startswith(CUSTOM_PREFIX) and code[len(CUSTOM_PREFIX) :].isdigit()
    ]
    return f"{CUSTOM_PREFIX}{max(numbers, default=0) + 1}"


@busy_as_storage_busy
def save(vocabulary: Vocabulary, wanted: Sequence[Item]) -> None:
    """Store the park's list (its order, labels, synonyms, added items); all or nothing."""
    assert vocabulary.editable
    errors = _check(vocabulary, wanted)
    if errors:
        raise ValidationError(errors)
    before = {code: (label, vocabulary.synonyms(code)) for code, label in vocabulary.items}
    taken = set(before) | {item.code for item in wanted if item.code}
    VI = m.VocabularyItem
    with m.db_proxy.obj.atomic():
        VI.delete().where(VI.vocabulary == vocabulary.name).execute()
        changes = []
        for position, item in enumerate(wanted):
            code = item.code or _next_code(vocabulary, taken)
            taken.add(code)
            label = _clean_word(item.label)
            synonyms = [w for w in (_clean_word(s) for s in item.synonyms) if w]
            VI.create(
                vocabulary=vocabulary.name,
                code=code,
                label=label,
                synonyms="\n".join(dict.fromkeys(synonyms)) or None,
                position=position,
            )
            old = before.get(code)
            new_text = label + (f"（同义词：{'、'.join(synonyms)}）" if synonyms else "")
            old_park = vocabulary.park_synonyms(code) if old else ()
            if old is None or old[0] != label or tuple(old_park) != tuple(synonyms):
                old_text = ""
                if old is not None:
                    old_text = old[0] + (f"（同义词：{'、'.join(old_park)}）" if old_park else "")
                changes.append({"field": code, "label": label, "old": old_text, "new": new_text})
        kept = [item.code for item in wanted if item.code in before]
        for code, (label, _) in before.items():
            if code not in kept:
                changes.append({"field": code, "label": label, "old": label, "new": "（删除）"})
        order_changed = kept != [code for code in before if code in kept]
        audit.log(
            "update",
            None,
            title=f"选项词表：{vocabulary.title}",
            changes=changes,
            note="调整了顺序" if order_changed and not changes else None,
        )
    database.load_vocabularies()


def reload() -> None:
    """Read the park's items again (another user of a shared database may have changed them)."""
    database.load_vocabularies()
