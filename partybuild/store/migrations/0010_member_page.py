"""Members at park scale, continued: the phone's sort index, on PostgreSQL sort indexes that carry
the id, and search indexes for what pg_trgm cannot answer.

0009 gave every sortable member column an index on (deleted, column) but the phone, which kept
0001's index on the phone alone (the whole-number lookup of a search uses it): sorting 200,000
members by phone read the table row by row to skip deleted ones (0.6 s for a page in the middle).

On PostgreSQL, pg_trgm answers a search word of three characters or more but reads every row for
one or two (王, 张伟, zs): there ``partybuild_grams(search_text)``, the distinct one- and
two-character pieces of the search text that hold no blank (a search word never has one), gets a
GIN index, which such a word looks up exactly (``@> ARRAY[word]``); the function is declared
costly so that a plan reads the index rather than work the pieces out row by row. The shown parts of the ID and
phone numbers get pg_trgm indexes as the search text has (1395 in a phone number). SQLite has its
FTS5 table (0009) and no index of this kind. Only adds indexes and a function (on PostgreSQL it
replaces 0009's sort indexes by ones that also carry the id): applies the same after any of the
other migrations.
"""

from peewee import *

GRAMS = """
CREATE OR REPLACE FUNCTION partybuild_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM (
    SELECT substr(t, i, n) AS g, n
    FROM generate_series(1, coalesce(length(t), 0)) AS i, (VALUES (1), (2)) AS k(n)
  ) AS pieces
  WHERE length(g) = n AND position(' ' IN g) = 0
$$
"""


# 0009's sort indexes (deleted, column), and the phone's. SQLite orders equal keys of an index by
# rowid (our id, the page's tiebreak); PostgreSQL does not, so a page in the order of a column of
# few values (性别, 类别, 状态) sorted every row of that value: there they carry the id.
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
    "phone",
)


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for column in SORTED:
            db.execute_sql(f'DROP INDEX IF EXISTS "member_deleted_{column}"')
            db.execute_sql(
                f'CREATE INDEX "member_deleted_{column}_id" ON "member" '
                f'("deleted", "{column}", "id")'
            )
    else:
        db.execute_sql('CREATE INDEX "member_deleted_phone" ON "member" ("deleted", "phone")')
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(GRAMS)
        db.execute_sql(
            'CREATE INDEX "member_search_grams" ON "member" '
            "USING gin (partybuild_grams(search_text))"
        )
        try:
            with db.atomic():  # a savepoint: a role that may not create extensions goes on
                db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                for column in ("id_shown", "phone_shown"):
                    db.execute_sql(
                        f'CREATE INDEX "member_{column}_trgm" ON "member" '
                        f"USING gin ({column} gin_trgm_ops)"
                    )
        except (ProgrammingError, OperationalError, InternalError):
            pass
    db.execute_sql('ANALYZE "member"')  # the same statement on SQLite and PostgreSQL


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for name in ("member_search_grams", "member_id_shown_trgm", "member_phone_shown_trgm"):
            db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
        db.execute_sql("DROP FUNCTION IF EXISTS partybuild_grams(text)")
        for column in SORTED:
            db.execute_sql(f'DROP INDEX IF EXISTS "member_deleted_{column}_id"')
            if column != "phone":
                db.execute_sql(
                    f'CREATE INDEX "member_deleted_{column}" ON "member" ("deleted", "{column}")'
                )
    else:
        db.execute_sql('DROP INDEX IF EXISTS "member_deleted_phone"')
