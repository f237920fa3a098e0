"""The ledger descriptions cover the data model: a field missing here would be missing everywhere."""

from __future__ import annotations

from partybuild.domain import vocab
from partybuild.ledgers import spec
from partybuild.store import models as m

BOOKKEEPING = {"id", "created_at", "updated_at", "version", "deleted", "deleted_at", "updated_by"}


def test_every_model_field_is_described_once() -> None:
    # A table may be shown by two ledgers (党员 and 发展党员 both show the member row): together
    # they describe every field of it, each once.
    by_model: dict[type, list[spec.Ledger]] = {}
    for ledger in spec.LEDGERS.values():
        by_model.setdefault(ledger.model, []).append(ledger)
        described = [c.name for c in ledger.columns]
        assert len(described) == len(set(described)), ledger.name
    for model, ledgers in by_model.items():
        # A date of record's precision column is part of its date (store.models.PartialDateField).
        precision = {f.precision_name for f in m.partial_fields(model)}
        # Columns the model derives from others (a member's pinyin sort key, search text and
        # shown number parts) are not fields of a ledger either (BaseModel.derived).
        derived = set(model.derived(dict.fromkeys(model._meta.fields, "")))
        fields = set(model._meta.fields) - BOOKKEEPING - precision - derived
        described_all = {c.name for ledger in ledgers for c in ledger.columns}
        assert described_all == fields, model.__name__
        partial = {
            c.name for ledger in ledgers for c in ledger.columns if c.kind == spec.PARTIAL_DATE
        }
        assert {f"{name}_precision" for name in partial} == precision, model.__name__


def test_dates_of_record_allow_a_month_and_event_dates_need_a_day() -> None:
    partial = {
        (ledger.name, c.name)
        for ledger in spec.LEDGERS.values()
        for c in ledger.columns
        if c.kind == spec.PARTIAL_DATE
    }
    assert partial == {
        ("branches", "founded_on"),
        ("branches", "renewed_on"),
        ("members", "birth_date"),
        ("members", "joined_on"),
        ("members", "confirmed_on"),
        ("teams", "founded_on"),
        *(
            ("recruitment", name)
            for name in (
                "birth_date",
                "applied_on",
                "talked_on",
                "activist_on",
                "plan_on",
                "candidate_on",
                "vetted_on",
                "training_start",
                "training_end",
                "prechecked_on",
                "pledge_on",
                "joined_on",
                "approved_on",
                "confirmed_on",
            )
        ),
        ("dues", "month"),  # months of record: 党费 are owed per month
        ("dues", "until"),
    }
    for name, field in [
        ("activities", "date"),
        ("trainings", "start_date"),
        ("trainings", "end_date"),
        ("services", "date"),
        ("issues", "received_on"),
        ("issues", "deadline"),
        ("issues", "resolved_on"),
    ]:
        assert spec.ledger(name).column(field).kind == spec.DATE, (name, field)


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
