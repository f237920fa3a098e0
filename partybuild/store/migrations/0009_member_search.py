"""Members at park scale: a pinyin sort key, a maintained search text, and indexes the page uses.

``member.name_key`` is the pinyin sort key of the name (tables sort names 丁, 蔡, 曹… by pinyin,
not by code point) and ``member.search_text`` the name with its pinyin full spelling and initials
(张三 → "张三 zhangsan zs"), ``id_shown``/``phone_shown`` the parts of the numbers a table shows;
all written by the model on every insert and update
(``Member.derived``) and filled here for the rows there are.

Indexes follow the page's real queries: the deleted flag, then the sort key (the rowid, our id, is
the tiebreak every index carries); the name's index also carries what search reads, so a search
in name order walks that index alone. On SQLite an FTS5 trigram index over ``search_text``, kept in
step by triggers, answers search words of three characters or more; on PostgreSQL a pg_trgm GIN
index does, where the extension can be created. Drops 0001's index on the category
alone, which (deleted, category) serves. Otherwise only adds columns, indexes and objects of its
own: applies the same after any of 0006–0008.
"""

from peewee import *

SORTED = (
    "id_number",
    "enterprise_id",
    "branch_id",
    "note",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "category",
    "joined_on",
    "confirmed_on",
    "party_post",
    "job_title",
    "status",
)

FTS = (
    "CREATE VIRTUAL TABLE member_fts USING fts5("
    "search_text, content='member', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER member_fts_insert AFTER INSERT ON member BEGIN "
    "INSERT INTO member_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER member_fts_delete AFTER DELETE ON member BEGIN "
    "INSERT INTO member_fts(member_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER member_fts_update AFTER UPDATE OF search_text ON member BEGIN "
    "INSERT INTO member_fts(member_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO member_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO member_fts(member_fts) VALUES ('rebuild')",
)


def _shown(value, head, tail):
    """The parts of a number a masked table shows (as models.shown_parts, frozen here)."""
    if not value or len(value) <= head + tail:
        return None
    return f"{value[:head]} {value[-tail:]}"


def up(migrator, db):
    from partybuild.domain.collation import pinyin_key, search_text

    migrator.migrate(
        migrator.add_column("member", "name_key", CharField(null=True)),
        migrator.add_column("member", "search_text", TextField(null=True)),
        migrator.add_column("member", "id_shown", CharField(null=True)),
        migrator.add_column("member", "phone_shown", CharField(null=True)),
    )
    rows = db.execute_sql('SELECT id, name, id_number, phone FROM "member"').fetchall()
    mark = "?" if isinstance(db, SqliteDatabase) else "%s"
    db.cursor().executemany(
        f'UPDATE "member" SET name_key = {mark}, search_text = {mark}, id_shown = {mark}, '
        f"phone_shown = {mark} WHERE id = {mark}",
        [
            (
                pinyin_key(name or ""),
                search_text(name or ""),
                _shown(id_number, 4, 4),
                _shown(phone, 3, 4),
                row_id,
            )
            for row_id, name, id_number, phone in rows
        ],
    )
    db.execute_sql(
        'CREATE INDEX "member_deleted_name_key_id_search_text_id_shown_phone_shown" ON "member" '
        '("deleted", "name_key", "id", "search_text", "id_shown", "phone_shown")'
    )
    for column in SORTED:
        db.execute_sql(
            f'CREATE INDEX "member_deleted_{column}" ON "member" ("deleted", "{column}")'
        )
    db.execute_sql('CREATE INDEX "member_phone" ON "member" ("phone")')
    # 0001's index on the category alone: every query of it also asks for live rows, which
    # (deleted, category) answers; one index fewer for each member written.
    db.execute_sql('DROP INDEX IF EXISTS "member_category"')
    if isinstance(db, SqliteDatabase):
        try:
            with db.atomic():
                for sql in FTS:
                    db.execute_sql(sql)
        except OperationalError:
            pass  # an SQLite without FTS5: search reads search_text directly
        db.execute_sql("ANALYZE")
    elif isinstance(db, PostgresqlDatabase):
        try:
            with db.atomic():  # a savepoint: a role that may not create extensions goes on
                db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                db.execute_sql(
                    'CREATE INDEX "member_search_trgm" ON "member" '
                    "USING gin (search_text gin_trgm_ops)"
                )
        except (ProgrammingError, OperationalError, InternalError):
            pass
        db.execute_sql('ANALYZE "member"')


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for name in ("member_fts_insert", "member_fts_delete", "member_fts_update"):
            db.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"')
        db.execute_sql('DROP TABLE IF EXISTS "member_fts"')
    else:
        db.execute_sql('DROP INDEX IF EXISTS "member_search_trgm"')
    for column in SORTED:
        db.execute_sql(f'DROP INDEX IF EXISTS "member_deleted_{column}"')
    db.execute_sql('DROP INDEX IF EXISTS "member_phone"')
    db.execute_sql('CREATE INDEX IF NOT EXISTS "member_category" ON "member" ("category")')
    db.execute_sql(
        'DROP INDEX IF EXISTS "member_deleted_name_key_id_search_text_id_shown_phone_shown"'
    )
    migrator.migrate(
        migrator.drop_column("member", "phone_shown"),
        migrator.drop_column("member", "id_shown"),
        migrator.drop_column("member", "search_text"),
        migrator.drop_column("member", "name_key"),
    )
