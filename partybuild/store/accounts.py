"""Accounts on the shared PostgreSQL database: real roles, branch-scoped rows, an honest audit.

A desktop client cannot keep a secretary out of another branch's members — anyone with the URL
can connect with psql — so the database does it. :func:`init` (``partybuild admin init``, run by
the database's owner) creates three group roles per database, ``<db>_office`` (党委办公室:
everything), ``<db>_secretary`` (支部书记: the rows of their branches) and ``<db>_viewer`` (查看:
read-only), grants them what they may do, and puts row-level security policies on every table
that belongs to a branch. Login roles are members of one group; which branches a login has is a
table only the owner can touch, read by the policies through SECURITY DEFINER functions keyed on
``session_user`` (the login the server authenticated, which a client cannot change).

Account management itself is a set of SECURITY DEFINER functions owned by the owner and executable
by the office only, so the CLI (as owner) and the app's 用户管理 page (as an office login) use the
same code in the database. Passwords reach the server only as SCRAM verifiers computed on the
client (``psycopg2.extensions.encrypt_password``), never as text a server log could keep.

This is not a migration: roles are objects of the whole server that need CREATEROLE, the migration
runner runs for whoever opens the database, and SQLite has nothing of it. :func:`init` is
idempotent; after a migration run by the owner it is applied again (store.database), so a table a
later schema adds gets its policy from the lists below.

The owner (and a superuser) is not subject to the policies: it owns the tables and could switch
row-level security off anyway, so FORCE ROW LEVEL SECURITY would protect nothing from it. It is the
administrator; day-to-day work is done with office/secretary/viewer logins.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field

import peewee as pw

#: The roles of the CLI's ``--role`` and their names in the app.
ROLES: dict[str, str] = {"office": "党委办公室", "secretary": "支部书记", "viewer": "查看"}
#: The owner (or a superuser) signed in directly.
OWNER = "owner"
ROLE_LABELS: dict[str, str] = {**ROLES, OWNER: "数据库所有者"}

#: Tables whose rows belong to a branch: (table, SQL expression giving the branch id of a row).
#: A ledger that arrives later (dues, recruitment…) adds one line; a missing table is skipped.
SCOPED_TABLES: list[tuple[str, str]] = [
    ("member", "branch_id"),
    ("activity", "branch_id"),
    (
        "activity_attendee",
        "(SELECT a.branch_id FROM activity a WHERE a.id = activity_attendee.activity_id)",
    ),
    # a training's sign-in list: the rows of the branch's own members
    ("attendance", "(SELECT mm.branch_id FROM member mm WHERE mm.id = attendance.member_id)"),
    ("team", "branch_id"),
    ("team_member", "(SELECT t.branch_id FROM team t WHERE t.id = team_member.team_id)"),
    ("service", "(SELECT t.branch_id FROM team t WHERE t.id = service.team_id)"),
    (
        "service_participant",
        "(SELECT t.branch_id FROM service s JOIN team t ON t.id = s.team_id"
        " WHERE s.id = service_participant.service_id)",
    ),
    (
        "enterprise_issue",
        "(SELECT e.branch_id FROM enterprise e WHERE e.id = enterprise_issue.enterprise_id)",
    ),
    # 党费 (issue 14): a member's months
    ("dues", "(SELECT mm.branch_id FROM member mm WHERE mm.id = dues.member_id)"),
    # 附件 (issue 16): a file is its record's; a training's (no branch) the office's only
    (
        "attachment",
        "(CASE attachment.owner_ledger"
        " WHEN 'activities' THEN (SELECT a.branch_id FROM activity a WHERE a.id = attachment.owner_id)"
        " WHEN 'members' THEN (SELECT mm.branch_id FROM member mm WHERE mm.id = attachment.owner_id)"
        " WHEN 'services' THEN (SELECT t.branch_id FROM service s JOIN team t ON t.id = s.team_id"
        " WHERE s.id = attachment.owner_id)"
        " WHEN 'issues' THEN (SELECT e.branch_id FROM enterprise_issue i"
        " JOIN enterprise e ON e.id = i.enterprise_id WHERE i.id = attachment.owner_id)"
        " END)",
    ),
]
#: The registry every signed-in user reads (pickers need branch and enterprise names); a
#: secretary may change the rows of their own branch (expression as above), the office all.
REGISTRY_TABLES: list[tuple[str, str | None]] = [
    ("branch", "id"),
    ("enterprise", "branch_id"),
    ("training", None),
    ("vocabulary_item", None),
]
#: Read by everyone, written by the office only (schema history: by nobody but the owner).
READ_ONLY_TABLES = ("schema_migration",)
AUDIT_TABLE = "audit_log"
SETTING_TABLE = "setting"
MAPPING_TABLE = "partybuild_account_branch"
BLOB_TABLE = "attachment_blob"
#: What the viewer reads instead of ``member`` (masked by the database, not by the app).
MASKED_MEMBER_VIEW = "member_masked"
#: Ledger tables whose ``updated_by`` the database stamps with the signed-in login.
STAMPED_TABLES = [t for t, _ in SCOPED_TABLES] + [t for t, _ in REGISTRY_TABLES[:3]]

#: Ledger pages where a secretary creates and deletes records (of their branches).
SECRETARY_WRITES = frozenset(
    {"members", "activities", "attendance", "teams", "services", "issues", "enterprises", "dues"}
)

LOGIN_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class AccountError(Exception):
    """A refused account operation; one line of Chinese. ``unusable``: exit 2, else 1."""

    def __init__(self, message: str, *, unusable: bool = False) -> None:
        super().__init__(message)
        self.unusable = unusable


@dataclass(frozen=True)
class Account:
    """Who is signed in: the login, its role (office/secretary/viewer/owner) and branches."""

    login: str
    role: str
    branches: tuple[str, ...] = ()
    branch_ids: tuple[int, ...] = ()

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def can_write(self) -> bool:
        return self.role in (OWNER, "office", "secretary")

    @property
    def manages_accounts(self) -> bool:
        return self.role in (OWNER, "office")

    @property
    def sees_everything(self) -> bool:
        return self.role in (OWNER, "office") or (self.role == "viewer" and not self.branches)

    def may(self, action: str, ledger: str) -> bool:
        """Whether the app offers ``action`` (create/edit/delete) on a ledger page. The database
        decides in the end; this only keeps buttons from promising what it will refuse."""
        if self.role in (OWNER, "office"):
            return True
        if self.role != "secretary":
            return False
        if action == "edit":
            # their own branch's row; a training's sign-in list of their members
            return ledger in SECRETARY_WRITES or ledger in ("branches", "trainings")
        return ledger in SECRETARY_WRITES

    @property
    def unlinkable(self) -> bool:
        """The viewer sees masked values only (birth year, masked numbers), never the form."""
        return self.role == "viewer"

    def scope_text(self) -> str:
        if self.sees_everything:
            return "全部党组织"
        return "、".join(self.branches) or "无党组织"


@dataclass(frozen=True)
class AccountRow:
    login: str
    role: str
    branches: tuple[str, ...] = field(default=())
    enabled: bool = True

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def is_postgres(database: pw.Database) -> bool:
    return isinstance(database, pw.PostgresqlDatabase)


def _require_postgres(database: pw.Database) -> None:
    if not is_postgres(database):
        raise AccountError(
            "账户只用于共享的 PostgreSQL 数据库；SQLite 数据库文件是单用户的，没有账户",
            unusable=True,
        )


def groups(database: pw.Database) -> dict[str, str]:
    """The group role of each role in this database (roles are server-wide, databases are not)."""
    dbname = database.execute_sql("SELECT current_database()").fetchone()[0]
    names = {kind: f"{dbname}_{kind}" for kind in ROLES}
    if any(len(n.encode()) > 63 for n in names.values()):
        raise AccountError(f"数据库名“{dbname}”太长，无法建立角色（最多 53 个字节）", unusable=True)
    return names


def initialised(database: pw.Database) -> bool:
    if not is_postgres(database):
        return False
    row = database.execute_sql("SELECT to_regprocedure('partybuild_account_kind()')").fetchone()
    return row[0] is not None


def _existing(database: pw.Database, tables: list[str]) -> list[str]:
    present = set(database.get_tables())
    return [t for t in tables if t in present]


def _policy(table: str, name: str, body: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {name} ON {_ident(table)}",
        f"CREATE POLICY {name} ON {_ident(table)} {body}",
    ]


def init_statements(database: pw.Database) -> list[str]:
    """Everything :func:`init` runs, in order (idempotent)."""
    from partybuild.exchange.mapping import SETTING_PREFIX

    g = groups(database)
    office, secretary, viewer = (_ident(g[k]) for k in ("office", "secretary", "viewer"))
    dbname = database.execute_sql("SELECT current_database()").fetchone()[0]
    timezone = database.execute_sql("SHOW TimeZone").fetchone()[0]
    schema = database.execute_sql("SELECT current_schema()").fetchone()[0]
    out: list[str] = []
    for name in g.values():
        out.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {_lit(name)}) "
            f"THEN CREATE ROLE {_ident(name)} NOLOGIN; END IF; END $$"
        )
    everyone = f"{office}, {secretary}, {viewer}"
    out += [
        f"REVOKE ALL ON DATABASE {_ident(dbname)} FROM PUBLIC",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {_ident(dbname)} TO {everyone}",
        f"REVOKE CREATE ON SCHEMA {_ident(schema)} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {_ident(schema)} TO {everyone}",
        f"CREATE TABLE IF NOT EXISTS {MAPPING_TABLE} ("
        " login text NOT NULL,"
        " branch_id integer NOT NULL REFERENCES branch(id) ON DELETE CASCADE,"
        " PRIMARY KEY (login, branch_id))",
        f"REVOKE ALL ON {MAPPING_TABLE} FROM PUBLIC",
    ]
    # --- who is signed in, and their branches (SECURITY DEFINER: the mapping table is private)
    definer = f"SECURITY DEFINER SET search_path = {_ident(schema)}, pg_temp"
    out += [
        "CREATE OR REPLACE FUNCTION partybuild_account_kind() RETURNS text LANGUAGE sql STABLE "
        f"{definer} AS $$ SELECT CASE"
        " WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)"
        "  OR session_user = (SELECT pg_get_userbyid(datdba) FROM pg_database"
        "   WHERE datname = current_database()) THEN 'owner'"
        f" WHEN pg_has_role(session_user, {_lit(g['office'])}, 'MEMBER') THEN 'office'"
        f" WHEN pg_has_role(session_user, {_lit(g['secretary'])}, 'MEMBER') THEN 'secretary'"
        f" WHEN pg_has_role(session_user, {_lit(g['viewer'])}, 'MEMBER') THEN 'viewer'"
        " END $$",
        "CREATE OR REPLACE FUNCTION partybuild_my_branches() RETURNS SETOF integer LANGUAGE sql "
        f"STABLE {definer} AS $$ SELECT branch_id FROM {MAPPING_TABLE} WHERE login = session_user $$",
        # A viewer with no branch reads the whole park (an inspector); with branches, those.
        "CREATE OR REPLACE FUNCTION partybuild_sees_all() RETURNS boolean LANGUAGE sql STABLE "
        f"{definer} AS $$ SELECT pg_has_role(session_user, {_lit(g['viewer'])}, 'MEMBER')"
        f" AND NOT EXISTS (SELECT 1 FROM {MAPPING_TABLE} WHERE login = session_user) $$",
        "CREATE OR REPLACE FUNCTION partybuild_my_branch_names() RETURNS SETOF text LANGUAGE sql "
        f"STABLE {definer} AS $$ SELECT b.name FROM {MAPPING_TABLE} ab"
        " JOIN branch b ON b.id = ab.branch_id WHERE ab.login = session_user ORDER BY b.name $$",
    ]
    # --- account management: office (or owner) only; every check inside the database
    guard = (
        "IF partybuild_account_kind() IS DISTINCT FROM 'owner' "
        "AND partybuild_account_kind() IS DISTINCT FROM 'office' THEN "
        "RAISE EXCEPTION '权限不足：只有党委办公室可以管理账户' USING ERRCODE = '42501'; END IF;"
    )
    groups_array = "ARRAY[" + ", ".join(_lit(g[k]) for k in ROLES) + "]"
    managed = (
        "IF NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = p_login AND NOT r.rolsuper"
        f" AND EXISTS (SELECT 1 FROM unnest({groups_array}) grp"
        "  WHERE pg_has_role(r.oid, grp, 'MEMBER'))) THEN "
        "RAISE EXCEPTION '没有名为“%”的账户', p_login USING ERRCODE = 'P0001'; END IF;"
    )
    out += [
        "CREATE OR REPLACE FUNCTION partybuild_add_user(p_login text, p_role text, p_verifier text)"
        f" RETURNS void LANGUAGE plpgsql VOLATILE {definer} AS $$ BEGIN {guard}"
        " IF p_role NOT IN ('office', 'secretary', 'viewer') THEN"
        "  RAISE EXCEPTION '角色只能是 office、secretary 或 viewer：%', p_role USING ERRCODE = 'P0001';"
        " END IF;"
        " IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_login) THEN"
        "  RAISE EXCEPTION '账户“%”已存在', p_login USING ERRCODE = 'P0001'; END IF;"
        " EXECUTE format('CREATE ROLE %I LOGIN INHERIT PASSWORD %L IN ROLE %I', p_login,"
        f"  p_verifier, current_database() || '_' || p_role); END $$",
        "CREATE OR REPLACE FUNCTION partybuild_set_password(p_login text, p_verifier text)"
        f" RETURNS void LANGUAGE plpgsql VOLATILE {definer} AS $$ BEGIN {guard} {managed}"
        " EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier); END $$",
        "CREATE OR REPLACE FUNCTION partybuild_grant(p_login text, p_branch text)"
        f" RETURNS void LANGUAGE plpgsql VOLATILE {definer} AS $$ DECLARE v_id integer; BEGIN"
        f" {guard} {managed}"
        " SELECT id INTO v_id FROM branch WHERE name = p_branch AND NOT deleted;"
        " IF v_id IS NULL THEN"
        "  RAISE EXCEPTION '没有名为“%”的党组织', p_branch USING ERRCODE = 'P0001'; END IF;"
        f" INSERT INTO {MAPPING_TABLE} (login, branch_id) VALUES (p_login, v_id)"
        " ON CONFLICT DO NOTHING; END $$",
        "CREATE OR REPLACE FUNCTION partybuild_revoke(p_login text, p_branch text)"
        f" RETURNS void LANGUAGE plpgsql VOLATILE {definer} AS $$ BEGIN {guard} {managed}"
        f" DELETE FROM {MAPPING_TABLE} WHERE login = p_login"
        "  AND branch_id IN (SELECT id FROM branch WHERE name = p_branch);"
        " IF NOT FOUND THEN RAISE EXCEPTION '账户“%”没有党组织“%”', p_login, p_branch"
        "  USING ERRCODE = 'P0001'; END IF; END $$",
        "CREATE OR REPLACE FUNCTION partybuild_disable(p_login text)"
        f" RETURNS void LANGUAGE plpgsql VOLATILE {definer} AS $$ BEGIN {guard} {managed}"
        " IF p_login = session_user THEN"
        "  RAISE EXCEPTION '不能停用自己正在使用的账户' USING ERRCODE = 'P0001'; END IF;"
        " EXECUTE format('ALTER ROLE %I NOLOGIN', p_login); END $$",
        "CREATE OR REPLACE FUNCTION partybuild_accounts()"
        " RETURNS TABLE (login text, role text, branches text, enabled boolean)"
        f" LANGUAGE plpgsql STABLE {definer} AS $$ BEGIN {guard} RETURN QUERY"
        " SELECT r.rolname::text, CASE"
        f"  WHEN pg_has_role(r.oid, {_lit(g['office'])}, 'MEMBER') THEN 'office'"
        f"  WHEN pg_has_role(r.oid, {_lit(g['secretary'])}, 'MEMBER') THEN 'secretary'"
        "  ELSE 'viewer' END,"
        " COALESCE((SELECT string_agg(b.name, '、' ORDER BY b.name)"
        f"  FROM {MAPPING_TABLE} ab JOIN branch b ON b.id = ab.branch_id"
        "  WHERE ab.login = r.rolname), ''), r.rolcanlogin"
        " FROM pg_roles r WHERE r.rolcanlogin IS NOT NULL AND NOT r.rolsuper"
        f"  AND r.rolname <> ALL ({groups_array})"
        f"  AND EXISTS (SELECT 1 FROM unnest({groups_array}) grp"
        "   WHERE pg_has_role(r.oid, grp, 'MEMBER'))"
        " ORDER BY r.rolname; END $$",
    ]
    functions = [
        "partybuild_account_kind()",
        "partybuild_my_branches()",
        "partybuild_sees_all()",
        "partybuild_my_branch_names()",
        "partybuild_add_user(text, text, text)",
        "partybuild_set_password(text, text)",
        "partybuild_grant(text, text)",
        "partybuild_revoke(text, text)",
        "partybuild_disable(text)",
        "partybuild_accounts()",
    ]
    for fn in functions:
        out += [
            f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {fn} TO {everyone}",
        ]
    # --- the audit trail: who and when are the database's, not the client's
    out += [
        "CREATE OR REPLACE FUNCTION partybuild_audit_stamp() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN NEW.operator := session_user;"
        f" NEW.at := date_trunc('second', now() AT TIME ZONE {_lit(timezone)}); RETURN NEW; END $$",
        f"DROP TRIGGER IF EXISTS partybuild_audit_stamp ON {AUDIT_TABLE}",
        f"CREATE TRIGGER partybuild_audit_stamp BEFORE INSERT ON {AUDIT_TABLE}"
        " FOR EACH ROW EXECUTE FUNCTION partybuild_audit_stamp()",
        "CREATE OR REPLACE FUNCTION partybuild_stamp_updated_by() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN NEW.updated_by := session_user; RETURN NEW; END $$",
    ]
    tables = set(database.get_tables())
    stamped = {
        r[0]
        for r in database.execute_sql(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND column_name = 'updated_by'"
        )
    }
    for table in STAMPED_TABLES:
        if table in tables and table in stamped:
            out += [
                f"DROP TRIGGER IF EXISTS partybuild_stamp_updated_by ON {_ident(table)}",
                f"CREATE TRIGGER partybuild_stamp_updated_by BEFORE INSERT OR UPDATE"
                f" ON {_ident(table)} FOR EACH ROW EXECUTE FUNCTION partybuild_stamp_updated_by()",
            ]
    # --- grants: nothing for anyone by default; the office everything but the private tables
    out.append(f"REVOKE ALL ON ALL TABLES IN SCHEMA {_ident(schema)} FROM PUBLIC, {everyone}")
    data_tables = sorted(tables - {MAPPING_TABLE, AUDIT_TABLE, *READ_ONLY_TABLES})
    for table in data_tables:
        out.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {_ident(table)} TO {office}")
    # sequences give out ids only; the rows they number are guarded by the policies
    out.append(
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_ident(schema)} TO {office}, {secretary}"
    )
    for table in _existing(database, list(READ_ONLY_TABLES)):
        out.append(f"GRANT SELECT ON {_ident(table)} TO {everyone}")
    mine = "IN (SELECT partybuild_my_branches())"
    sees_all = "(SELECT partybuild_sees_all())"
    for table, expr in SCOPED_TABLES:
        if table not in tables:
            continue
        t = _ident(table)
        out += [
            f"GRANT SELECT ON {t} TO {secretary}, {viewer}",
            f"GRANT INSERT, UPDATE, DELETE ON {t} TO {secretary}",
            f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
            *_policy(table, "pb_office", f"TO {office} USING (true) WITH CHECK (true)"),
            *_policy(
                table,
                "pb_read",
                f"FOR SELECT TO {secretary}, {viewer} USING ({sees_all} OR {expr} {mine})",
            ),
            *_policy(table, "pb_insert", f"FOR INSERT TO {secretary} WITH CHECK ({expr} {mine})"),
            *_policy(
                table,
                "pb_update",
                f"FOR UPDATE TO {secretary} USING ({expr} {mine}) WITH CHECK ({expr} {mine})",
            ),
            *_policy(table, "pb_delete", f"FOR DELETE TO {secretary} USING ({expr} {mine})"),
        ]
    for table, expr in REGISTRY_TABLES:
        if table not in tables:
            continue
        t = _ident(table)
        out.append(f"GRANT SELECT ON {t} TO {secretary}, {viewer}")
        if expr is None:
            continue
        out += [
            f"GRANT INSERT, UPDATE ON {t} TO {secretary}",
            f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
            *_policy(table, "pb_office", f"TO {office} USING (true) WITH CHECK (true)"),
            *_policy(table, "pb_read", f"FOR SELECT TO {secretary}, {viewer} USING (true)"),
            *_policy(table, "pb_insert", f"FOR INSERT TO {secretary} WITH CHECK ({expr} {mine})"),
            *_policy(
                table,
                "pb_update",
                f"FOR UPDATE TO {secretary} USING ({expr} {mine}) WITH CHECK ({expr} {mine})",
            ),
        ]
    if "member" in tables:
        out += _masked_member_view(database, viewer)
    if SETTING_TABLE in tables:
        # Settings are the park's (compliance rules…); a secretary may only remember the import
        # wizard's column choices.
        prefix = _lit(SETTING_PREFIX + ":%")
        out += [
            f"GRANT SELECT ON {SETTING_TABLE} TO {secretary}, {viewer}",
            f"GRANT INSERT, UPDATE ON {SETTING_TABLE} TO {secretary}",
            f"ALTER TABLE {SETTING_TABLE} ENABLE ROW LEVEL SECURITY",
            *_policy(SETTING_TABLE, "pb_office", f"TO {office} USING (true) WITH CHECK (true)"),
            *_policy(SETTING_TABLE, "pb_read", f"FOR SELECT TO {secretary}, {viewer} USING (true)"),
            *_policy(
                SETTING_TABLE,
                "pb_insert",
                f"FOR INSERT TO {secretary} WITH CHECK (key LIKE {prefix})",
            ),
            *_policy(
                SETTING_TABLE,
                "pb_update",
                f"FOR UPDATE TO {secretary} USING (key LIKE {prefix}) WITH CHECK (key LIKE {prefix})",
            ),
        ]
    if BLOB_TABLE in tables and "attachment" in tables:
        out += _blob_statements(office, secretary, viewer, definer)
    if AUDIT_TABLE in tables:
        # Everyone who writes adds entries (stamped by the trigger); nobody but the owner changes
        # or deletes one. The office reads all; a secretary their own entries (they hold the
        # changed values, ID numbers included, of the records they touched).
        out += [
            f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {office}, {secretary}",
            # the viewer may ask and gets no row (no policy for it): an empty page, no error
            f"GRANT SELECT ON {AUDIT_TABLE} TO {viewer}",
            f"ALTER TABLE {AUDIT_TABLE} ENABLE ROW LEVEL SECURITY",
            *_policy(AUDIT_TABLE, "pb_office_read", f"FOR SELECT TO {office} USING (true)"),
            *_policy(
                AUDIT_TABLE,
                "pb_own_read",
                f"FOR SELECT TO {secretary} USING (operator = session_user)",
            ),
            *_policy(
                AUDIT_TABLE,
                "pb_insert",
                f"FOR INSERT TO {office}, {secretary} WITH CHECK (operator = session_user)",
            ),
        ]
    return out


def _blob_statements(office: str, secretary: str, viewer: str, definer: str) -> list[str]:
    """附件's bytes (one row per content, shared by every record that has that file): readable
    through an attachment the reader may see; a secretary stores new content, links it (the link
    is checked as a scoped row) and clears content nobody links any more. Whether content is
    linked at all, and the id of content already stored for another branch's record, are
    answered by SECURITY DEFINER functions: the caller holds the bytes already (the hash is of
    them), so learning that they are stored reveals nothing."""
    t = BLOB_TABLE
    visible = f"EXISTS (SELECT 1 FROM attachment a WHERE a.blob_id = {t}.id)"
    unlinked = f"(SELECT partybuild_blob_unlinked({t}.id))"
    return [
        "CREATE OR REPLACE FUNCTION partybuild_blob_unlinked(blob integer) RETURNS boolean"
        f" LANGUAGE sql STABLE {definer}"
        " AS $$ SELECT NOT EXISTS (SELECT 1 FROM attachment WHERE blob_id = blob) $$",
        "CREATE OR REPLACE FUNCTION partybuild_blob_id(digest text) RETURNS integer"
        f" LANGUAGE sql STABLE {definer}"
        f" AS $$ SELECT id FROM {t} WHERE sha256 = digest $$",
        "REVOKE ALL ON FUNCTION partybuild_blob_unlinked(integer), partybuild_blob_id(text)"
        " FROM PUBLIC",
        "GRANT EXECUTE ON FUNCTION partybuild_blob_unlinked(integer), partybuild_blob_id(text)"
        f" TO {office}, {secretary}, {viewer}",
        f"GRANT SELECT ON {t} TO {secretary}, {viewer}",
        f"GRANT INSERT, DELETE ON {t} TO {secretary}",
        f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
        *_policy(t, "pb_office", f"TO {office} USING (true) WITH CHECK (true)"),
        *_policy(
            t, "pb_read", f"FOR SELECT TO {secretary}, {viewer} USING ({visible} OR {unlinked})"
        ),
        *_policy(t, "pb_insert", f"FOR INSERT TO {secretary} WITH CHECK (true)"),
        *_policy(t, "pb_delete", f"FOR DELETE TO {secretary} USING ({unlinked})"),
    ]


def _masked(column: str, head: int, tail: int, longer_than: int) -> str:
    """SQL of validators.mask_id_number / mask_phone: head and tail kept, the middle starred
    (a value too short keeps its last 2)."""
    c = _ident(column)
    return (
        f"CASE WHEN {c} IS NULL THEN NULL WHEN length({c}) > {longer_than}"
        f" THEN left({c}, {head}) || repeat('*', length({c}) - {head + tail}) || right({c}, {tail})"
        f" WHEN length({c}) <= 2 THEN {c}"
        f" ELSE repeat('*', length({c}) - 2) || right({c}, 2) END"
    )


def _masked_member_view(database: pw.Database, viewer: str) -> list[str]:
    """The viewer reads members through ``member_masked`` only: ID numbers and phones masked as on
    screen, 出生日期 to the year (ledgers.display.masked_value, in SQL), its own scope's rows. The
    view is the owner's (it reads past row-level security and applies the viewer's scope itself);
    of the table the viewer keeps only ``id`` and ``branch_id``, which other tables' policies
    read."""
    columns = [
        r[0]
        for r in database.execute_sql(
            "SELECT column_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND table_name = 'member' ORDER BY ordinal_position"
        )
    ]
    special = {
        "id_number": _masked("id_number", 4, 4, 8) + " AS id_number",
        "phone": _masked("phone", 3, 4, 7) + " AS phone",
        "birth_date": "date_trunc('year', birth_date)::date AS birth_date",
        "birth_date_precision": "CASE WHEN birth_date IS NULL THEN birth_date_precision"
        " ELSE 'year' END AS birth_date_precision",
    }
    select = ", ".join(special.get(c, _ident(c)) for c in columns)
    return [
        f"DROP VIEW IF EXISTS {MASKED_MEMBER_VIEW}",
        f"CREATE VIEW {MASKED_MEMBER_VIEW} WITH (security_barrier) AS SELECT {select}"
        " FROM member WHERE (SELECT partybuild_sees_all())"
        " OR branch_id IN (SELECT partybuild_my_branches())",
        f"REVOKE ALL ON {MASKED_MEMBER_VIEW} FROM PUBLIC",
        f"GRANT SELECT ON {MASKED_MEMBER_VIEW} TO {viewer}",
        f"REVOKE SELECT ON member FROM {viewer}",
        f"GRANT SELECT (id, branch_id) ON member TO {viewer}",
    ]


def init(database: pw.Database) -> dict[str, str]:
    """Create roles, grants, policies and triggers (idempotent); returns the group roles."""
    _require_postgres(database)
    g = groups(database)
    try:
        with database.atomic():
            cursor = database.cursor()
            for statement in init_statements(database):
                cursor.execute(statement)  # no parameters: the % of LIKE and format() stay
    except pw.DatabaseError as exc:
        raise AccountError(_server_line(exc), unusable=True) from exc
    return g


# --------------------------------------------------------------------------- accounts


def _server_line(exc: BaseException) -> str:
    """The server's message (ours are Chinese), first line, without the driver's decoration."""
    original = _pg_error(exc)
    diag = getattr(original, "diag", None)
    text = getattr(diag, "message_primary", None) or str(original)
    code = getattr(original, "pgcode", None)
    if code == "42501" and not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "权限不足：只有数据库所有者或党委办公室可以做这项操作"
    return text.strip().splitlines()[0] if text.strip() else type(original).__name__


def _pg_error(exc: BaseException) -> BaseException:
    from partybuild.services.errors import driver_error

    return driver_error(exc, "pgcode")


def _call(database: pw.Database, sql: str, params: tuple[object, ...] = ()) -> list[tuple]:
    _require_postgres(database)
    if not initialised(database):
        raise AccountError(
            "这个数据库还没有启用账户：请数据库所有者先运行 partybuild admin init", unusable=True
        )
    try:
        with database.atomic():
            return list(database.execute_sql(sql, params).fetchall())
    except pw.DatabaseError as exc:
        original = _pg_error(exc)
        unusable = getattr(original, "pgcode", None) != "P0001"
        raise AccountError(_server_line(exc), unusable=unusable) from exc


def check_login(login: str) -> None:
    if not LOGIN_RE.match(login):
        raise AccountError(
            f"账户名“{login}”不可用：应以小写字母开头，只含小写字母、数字和下划线，最多 40 个字符"
        )


def generate_password() -> str:
    """A password to hand out once: 16 letters and digits, no look-alikes (0/O, 1/l/I)."""
    alphabet = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
    return "".join(secrets.choice(alphabet) for _ in range(16))


def _verifier(database: pw.Database, login: str, password: str) -> str:
    from psycopg2.extensions import encrypt_password

    return str(encrypt_password(password, login, database.connection(), "scram-sha-256"))


def add_user(
    database: pw.Database,
    login: str,
    role: str,
    branches: list[str] | tuple[str, ...] = (),
    password: str | None = None,
) -> str:
    """Create a login in ``role`` with ``branches``; returns the password (generated if None).

    All or nothing: an unknown branch leaves no account behind.
    """
    check_login(login)
    if role not in ROLES:
        raise AccountError(f"角色只能是 office、secretary 或 viewer：{role}")
    if role == "secretary" and not branches:
        raise AccountError("支部书记（secretary）至少要有一个党组织：请用 --branch 给出")
    if role == "office" and branches:
        raise AccountError("党委办公室（office）可以看到全部党组织，不需要 --branch")
    if password is not None and not password:
        raise AccountError("密码不能为空")
    password = password if password is not None else generate_password()
    _require_postgres(database)
    if not initialised(database):
        _call(database, "SELECT 1")  # raises the "admin init first" line
    try:
        with database.atomic():
            verifier = _verifier(database, login, password)
            database.execute_sql("SELECT partybuild_add_user(%s, %s, %s)", (login, role, verifier))
            for branch in branches:
                database.execute_sql("SELECT partybuild_grant(%s, %s)", (login, branch))
    except pw.DatabaseError as exc:
        original = _pg_error(exc)
        raise AccountError(
            _server_line(exc), unusable=getattr(original, "pgcode", None) != "P0001"
        ) from exc
    return password


def grant(database: pw.Database, login: str, branch: str) -> None:
    _call(database, "SELECT partybuild_grant(%s, %s)", (login, branch))


def revoke(database: pw.Database, login: str, branch: str) -> None:
    _call(database, "SELECT partybuild_revoke(%s, %s)", (login, branch))


def disable(database: pw.Database, login: str) -> None:
    _call(database, "SELECT partybuild_disable(%s)", (login,))


def set_password(database: pw.Database, login: str, password: str | None = None) -> str:
    password = password if password else generate_password()
    _require_postgres(database)
    verifier = _verifier(database, login, password)
    _call(database, "SELECT partybuild_set_password(%s, %s)", (login, verifier))
    return password


def list_accounts(database: pw.Database) -> list[AccountRow]:
    rows = _call(database, "SELECT login, role, branches, enabled FROM partybuild_accounts()")
    return [
        AccountRow(login, role, tuple(b for b in branches.split("、") if b), bool(enabled))
        for login, role, branches, enabled in rows
    ]


def current_account(database: pw.Database) -> Account | None:
    """Who is signed in; None on SQLite or a server database without accounts."""
    if not initialised(database):
        return None
    login, kind = database.execute_sql("SELECT session_user, partybuild_account_kind()").fetchone()
    if kind is None:
        return None
    names = tuple(r[0] for r in database.execute_sql("SELECT partybuild_my_branch_names()"))
    ids = tuple(sorted(r[0] for r in database.execute_sql("SELECT partybuild_my_branches()")))
    return Account(str(login), str(kind), names, ids)


def branch_scope() -> set[int] | None:
    """The branches the signed-in account works on; None for all (SQLite, office, whole-park
    viewer). Rows are filtered by the database already; this is for what is counted per branch
    of the registry (三会一课 reminders, setup warnings), which every account reads whole."""
    from partybuild.store.database import current_account

    account = current_account()
    if account is None or account.sees_everything:  # type: ignore[attr-defined]
        return None
    return set(account.branch_ids)  # type: ignore[attr-defined]


def masked_only() -> bool:
    """The signed-in account sees masked values only (the viewer): every export, print and
    audit export of this process is masked, whatever a dialog or flag asks."""
    from partybuild.store.database import current_account

    account = current_account()
    return bool(account is not None and account.unlinkable)  # type: ignore[attr-defined]
