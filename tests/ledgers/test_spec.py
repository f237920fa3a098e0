"""The ledger descriptions cover the data model: a field missing here would be missing everywhere."""

from __future__ import annotations

from partybuild.domain import vocab
from partybuild.ledgers import spec

BOOKKEEPING = {"id", "created_at", "updated_at", "version", "deleted", "deleted_at", "updated_by"}


def test_every_model_field_is_described_once() -> None:
    for ledger in spec.LEDGERS.values():
        fields = set(ledger.model._meta.fields) - BOOKKEEPING
        described = [c.name for c in ledger.columns]
        assert len(described) == len(set(described)), ledger.name
        assert set(described) == fields, ledger.name


def test_headers_and_aliases_are_unambiguous_within_a_ledger() -> None:
    for ledger in spec.LEDGERS.values():
        seen: dict[str, str] = {}
        for column in ledger.columns:
            for name in (column.label, *column.aliases):
                assert seen.setdefault(name, column.name) == column.name, (ledger.name, name)


def test_choice_columns_use_the_vocabulary() -> None:
    members = spec.ledger("members")
    assert members.column("category").vocabulary is vocab.MEMBER_CATEGORY
    assert members.column("id_number").kind == spec.ID_NUMBER
    assert members.column("name").required and not members.column("phone").required
    assert vocab.MEMBER_CATEGORY.label("probationary") == "预备党员"
    assert vocab.MEMBER_CATEGORY.code("预备党员") == "probationary"
