"""The migrated schema against the models, leaving out what only one database can have."""

from __future__ import annotations

import peewee as pw
from playhouse.schema_diff import SchemaDiff, diff_models

from partybuild.store import models as m

# PostgreSQL's indexes of member search (migrations 0009, 0010): the models cannot declare an
# index that SQLite has no kind for (SQLite has its FTS5 table instead).
SERVER_ONLY_INDEXES = {
    "member_search_trgm",
    "member_search_grams",  # 0010: one- and two-character search pieces
    "member_id_shown_trgm",  # 0010
    "member_phone_shown_trgm",  # 0010
}


# PostgreSQL's sort indexes of members carry the id after the key (migration 0010: SQLite's
# indexes order equal keys by rowid, PostgreSQL's do not): (deleted, column, id) stands for the
# models' (deleted, column) there.
SERVER_ID_TIEBREAK = "member_deleted_{}_id"


def schema_diff(database: pw.Database) -> SchemaDiff:
    diff = diff_models(database, list(m.ALL_MODELS))
    drops = [i for i in diff.drop_indexes if i.name not in SERVER_ONLY_INDEXES]
    adds = list(diff.add_indexes)
    if isinstance(database, pw.PostgresqlDatabase):
        for index in list(drops):
            cols = tuple(index.columns or ())
            plain = (*cols[:-1],)
            name = SERVER_ID_TIEBREAK.format(cols[1]) if len(cols) == 3 else None
            paired = [a for a in adds if a.table == index.table and tuple(a.columns or ()) == plain]
            if index.name == name and cols[0] == "deleted" and cols[-1] == "id" and paired:
                drops.remove(index)
                adds.remove(paired[0])
    return diff._replace(drop_indexes=drops, add_indexes=adds)
