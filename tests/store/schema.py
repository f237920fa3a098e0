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


def schema_diff(database: pw.Database) -> SchemaDiff:
    diff = diff_models(database, list(m.ALL_MODELS))
    kept = [i for i in diff.drop_indexes if i.name not in SERVER_ONLY_INDEXES]
    return diff._replace(drop_indexes=kept)
