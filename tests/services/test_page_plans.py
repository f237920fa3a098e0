"""Every column the members page sorts by is read by an index walk of live rows (SQLite's plan):
no scan of the table, no sort of it, whatever the column (the page stays instant at any size)."""

from __future__ import annotations

import peewee as pw

from partybuild.ledgers import spec
from partybuild.services.query import Filters, LedgerQuery
from partybuild.store import models as m
from tests.benchmarks.roster import member_rows

MEMBERS = spec.ledger("members")


def plan(database: pw.Database, query: pw.ModelSelect) -> str:
    sql, params = query.sql()
    rows = database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return " | ".join(str(r[-1]) for r in rows)


def test_every_sortable_member_column_walks_an_index_of_live_rows(
    sqlite_db: pw.Database,
) -> None:
    branch = m.Branch.create(name="第一党支部", kind="standalone")
    enterprise = m.Enterprise.create(name="某化工有限公司", branch=branch)
    m.Member.insert_many(member_rows(400, [branch.id], [enterprise.id], seed=3)).execute()
    sqlite_db.execute_sql("ANALYZE")
    for column in MEMBERS.columns:
        if column.kind == spec.LINK:
            continue  # a link's title order reads the link's index group by group (_ids_by_link)
        for descending in (False, True):
            query = LedgerQuery(MEMBERS, Filters(), column.name, descending)
            key, _desc, _link = query._sort_key()
            order = [key.desc(), m.Member.id.desc()] if descending else [key.asc(), m.Member.id]
            ids = query._lean(m.Member.id).where(key.is_null(False)).order_by(*order)
            shown = plan(sqlite_db, ids.offset(200).limit(200))
            assert "USING" in shown and "(deleted=?" in shown, (column.name, shown)
            # (Rows of one key put in id order is a sort of that key's rows only: fine.)
            assert "TEMP B-TREE FOR ORDER BY" not in shown, (column.name, shown)
