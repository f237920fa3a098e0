"""Accounts on the real PostgreSQL server: each role sees and changes exactly its scope, enforced
by the database (row-level security), and the audit trail's "who" is the server's.

The demo ledger is built once per module in its own database; two secretaries of different
branches, an office login and a viewer sign in with their own passwords (the test cluster asks
every role but the superuser for one).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest
from openpyxl import load_workbook

from partybuild import cli
from partybuild.exchange import export as xexport
from partybuild.ledgers import spec
from partybuild.services import audit, records
from partybuild.services.errors import PermissionDenied
from partybuild.services.query import LedgerQuery
from partybuild.store import accounts
from partybuild.store import models as m
from partybuild.store.database import (
    DatabaseRefused,
    SignInRequired,
    close_database,
    open_database,
)
from tests.pg import PgCluster
from tests.pg_accounts import Park, make_park


@pytest.fixture(scope="module")
def park(pg_cluster: PgCluster) -> Iterator[Park]:
    yield make_park(pg_cluster)


def expected_ids(branch_id: int | None) -> dict[str, set[int]]:
    """Live record ids of each ledger a branch owns (None: everything), read as the owner with
    the models' own links — not with the policies' SQL."""
    out: dict[str, set[int]] = {}
    mine = (lambda bid: True) if branch_id is None else (lambda bid: bid == branch_id)
    live = {
        name: list(spec.LEDGERS[name].model.select().where(m.live(spec.LEDGERS[name].model)))
        for name in spec.LEDGERS
    }
    out["branches"] = {r.id for r in live["branches"]}
    out["enterprises"] = {r.id for r in live["enterprises"]}
    out["trainings"] = {r.id for r in live["trainings"]}
    out["members"] = {r.id for r in live["members"] if mine(r.branch_id)}
    out["activities"] = {r.id for r in live["activities"] if mine(r.branch_id)}
    out["teams"] = {r.id for r in live["teams"] if mine(r.branch_id)}
    member_branch = {r.id: r.branch_id for r in m.Member.select()}
    team_branch = {r.id: r.branch_id for r in m.Team.select()}
    enterprise_branch = {r.id: r.branch_id for r in m.Enterprise.select()}
    out["attendance"] = {
        r.id
        for r in live["attendance"]
        if (branch_id is None) or (r.member_id is not None and mine(member_branch[r.member_id]))
    }
    out["services"] = {r.id for r in live["services"] if mine(team_branch[r.team_id])}
    out["issues"] = {r.id for r in live["issues"] if mine(enterprise_branch[r.enterprise_id])}
    # 发展党员 shows the members on the way in (ledgers.spec.RECRUITMENT.scope), in the same scope.
    out["recruitment"] = {
        r.id
        for r in live["recruitment"]
        if r.id in out["members"] and (r.category != "full" or r.applied_on is not None)
    }
    out["dues"] = {r.id for r in live["dues"] if mine(member_branch[r.member_id])}  # 党费
    return out


def scope_of(park: Park, branch_id: int | None) -> dict[str, set[int]]:
    open_database(park.owner_url)
    try:
        return expected_ids(branch_id)
    finally:
        close_database()


def seen_ids() -> dict[str, set[int]]:
    """What each page's query shows (services.query, as the ledger pages use it)."""
    out = {}
    for name, ledger in spec.LEDGERS.items():
        query = LedgerQuery(ledger)
        total = query.count()
        ids = {row.id for row in query.rows(0, 100_000)}
        assert total == len(ids), name
        out[name] = ids
    return out


@pytest.mark.parametrize("who", ["sec_a", "sec_b", "office", "viewer"])
def test_each_account_sees_exactly_its_scope_on_every_page(park: Park, who: str) -> None:
    branch = {"sec_a": park.branch_a_id, "sec_b": park.branch_b_id}.get(who)
    expected = scope_of(park, branch)
    everything = scope_of(park, None)
    database = open_database(park.url(who))
    account = database.partybuild_account
    assert account.login == park.logins[who]
    assert account.role == {"sec_a": "secretary", "sec_b": "secretary"}.get(who, who)
    seen = seen_ids()
    assert seen == expected
    if branch is not None:
        # a secretary's pages hold their branch's records, and not the others'
        assert seen["members"] and seen["activities"] and seen["teams"]
        assert len(seen["members"]) < len(everything["members"])
        assert seen["branches"] == everything["branches"]  # the registry pickers need
    else:
        assert seen == everything


@pytest.mark.parametrize("who", ["sec_a", "office"])
def test_the_export_holds_exactly_the_accounts_scope(park: Park, who: str, tmp_path: Path) -> None:
    branch = park.branch_a_id if who == "sec_a" else None
    expected = scope_of(park, branch)
    open_database(park.url(who))
    out = tmp_path / "export.xlsx"
    counts = xexport.export(out, mask=True)
    for name in ("members", "activities", "teams", "services", "issues", "attendance"):
        assert counts[name] == len(expected[name]), name
    workbook = load_workbook(out, read_only=True)
    sheet = next(ws for ws in workbook.worksheets if ws.title.startswith("党员"))
    rows = list(sheet.iter_rows(values_only=True))
    header_row = next(i for i, r in enumerate(rows) if "所属党组织" in r)
    column = rows[header_row].index("所属党组织")
    branches = {r[column] for r in rows[header_row + 1 :] if any(r)}
    if who == "sec_a":
        assert branches == {park.branch_a}
    else:
        assert park.branch_a in branches and park.branch_b in branches
    workbook.close()


def test_a_secretarys_own_sql_cannot_read_or_change_another_branchs_member(park: Park) -> None:
    open_database(park.owner_url)
    other = m.Member.select().where(m.Member.branch == park.branch_b_id).first()
    own = m.Member.select().where(m.Member.branch == park.branch_a_id).first()
    other_name, other_id_number = other.name, other.id_number
    close_database()
    con = park.raw("sec_a")
    try:
        cur = con.cursor()
        cur.execute("SELECT id, id_number, phone FROM member WHERE id = %s", (other.id,))
        assert cur.fetchall() == []
        cur.execute("SELECT count(*) FROM member WHERE branch_id = %s", (park.branch_b_id,))
        assert cur.fetchone()[0] == 0
        cur.execute("UPDATE member SET name = '改名' WHERE id = %s", (other.id,))
        assert cur.rowcount == 0
        cur.execute("DELETE FROM member WHERE id = %s", (other.id,))
        assert cur.rowcount == 0
        con.commit()
        # moving one's own member into the other branch, or creating one there: refused
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(
                "UPDATE member SET branch_id = %s WHERE id = %s", (park.branch_b_id, own.id)
            )
        con.rollback()
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(
                "INSERT INTO member (name, id_number, category, status, branch_id, created_at,"
                " updated_at, version, deleted) VALUES ('示外人', '99999919900101001X', 'full',"
                " 'normal', %s, now(), now(), 1, false)",
                (park.branch_b_id,),
            )
        con.rollback()
        # nor give itself the other branch
        for sql, params in (
            ("SELECT * FROM partybuild_account_branch", ()),
            (
                "INSERT INTO partybuild_account_branch VALUES (session_user, %s)",
                (park.branch_b_id,),
            ),
            ("SELECT partybuild_grant(session_user, %s)", (park.branch_b,)),
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql, params)
            con.rollback()
    finally:
        con.close()
    open_database(park.owner_url)
    again = m.Member.get_by_id(other.id)
    assert (again.name, again.id_number, again.branch_id, again.deleted) == (
        other_name,
        other_id_number,
        park.branch_b_id,
        False,
    )


def test_a_secretary_cannot_change_or_read_others_audit_entries(park: Park) -> None:
    open_database(park.url("sec_b"))
    own = m.Member.select().first()
    records.update("members", own.id, {"note": "乙支部的备注"}, own.version)
    close_database()
    con = park.raw("sec_a")
    try:
        cur = con.cursor()
        cur.execute("SELECT count(*) FROM audit_log WHERE operator <> session_user")
        assert cur.fetchone()[0] == 0  # sec_b's entry (and the demo's) are not readable
        for sql in ("UPDATE audit_log SET operator = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql)
            con.rollback()
    finally:
        con.close()
    con = park.raw("office")
    try:
        cur = con.cursor()
        cur.execute("SELECT count(*) FROM audit_log WHERE operator = %s", (park.logins["sec_b"],))
        assert cur.fetchone()[0] >= 1  # the office reads everyone's
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("DELETE FROM audit_log")
        con.rollback()
    finally:
        con.close()


def test_the_audit_who_is_the_signed_in_login_whatever_the_client_claims(park: Park) -> None:
    open_database(park.url("sec_a"))
    audit.set_operator("王示冒充的名字")
    try:
        member = m.Member.select().first()
        records.update("members", member.id, {"job_title": "车间主任"}, member.version)
        team = records.create(
            "teams", {"name": "甲支部新建的服务队", "kind": "volunteer", "branch": park.branch_a_id}
        )
    finally:
        audit.set_operator(None)
    newest = audit.entries(audit.AuditFilter(), 0, 2)
    assert [e.operator for e in newest] == [park.logins["sec_a"]] * 2
    assert {e.action for e in newest} == {"update", "create"}
    assert m.Member.get_by_id(member.id).updated_by == park.logins["sec_a"]
    assert m.Team.get_by_id(team.id).updated_by == park.logins["sec_a"]
    close_database()
    # A raw insert naming someone else, dated long ago, is stamped by the server anyway.
    con = park.raw("sec_a")
    try:
        cur = con.cursor()
        cur.execute(
            "INSERT INTO audit_log (at, operator, action) VALUES ('2000-01-01', %s, 'update')"
            " RETURNING operator, at",
            (park.logins["office"],),
        )
        operator, at = cur.fetchone()
        con.commit()
    finally:
        con.close()
    assert operator == park.logins["sec_a"]
    assert abs((at - dt.datetime.now()).total_seconds()) < 24 * 3600


def test_a_refusal_arrives_as_one_chinese_line(park: Park) -> None:
    open_database(park.url("sec_a"))
    own = m.Member.select().first()
    with pytest.raises(PermissionDenied) as err:
        records.update("members", own.id, {"branch": park.branch_b_id}, own.version)
    assert str(err.value) == "权限不足：只能修改本支部的记录"
    with pytest.raises(PermissionDenied):
        records.create(
            "teams", {"name": "乙支部的队", "kind": "volunteer", "branch": park.branch_b_id}
        )
    assert m.Member.get_by_id(own.id).branch_id == park.branch_a_id  # nothing written
    close_database()


def test_the_viewer_writes_nothing(park: Park) -> None:
    open_database(park.url("viewer"))
    member = m.Member.select().first()
    with pytest.raises(PermissionDenied) as err:
        records.update("members", member.id, {"note": "查看者的修改"}, member.version)
    assert str(err.value) == "权限不足：查看账户只能查看，不能修改记录"
    with pytest.raises(PermissionDenied):
        records.create(
            "trainings",
            {"name": "查看者的培训", "kind": "other", "start_date": dt.date(2024, 1, 1)},
        )
    close_database()
    con = park.raw("viewer")
    try:
        cur = con.cursor()
        for sql in (
            "UPDATE member SET note = 'x'",
            "DELETE FROM attendance",
            "UPDATE branch SET note = 'x'",
            "UPDATE training SET place = 'x'",
            "INSERT INTO setting VALUES ('compliance_rules', '{}')",
            "INSERT INTO audit_log (at, operator, action) VALUES (now(), 'x', 'update')",
            "UPDATE vocabulary_item SET label = 'x'",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql)
            con.rollback()
    finally:
        con.close()
    open_database(park.owner_url)
    assert m.Member.get_by_id(member.id).note != "查看者的修改"


def test_a_disabled_account_cannot_connect(park: Park) -> None:
    login = f"gone_{park.dbname.lower()}"
    database = open_database(park.owner_url)
    accounts.add_user(database, login, "secretary", [park.branch_a], "示例密码")
    close_database()
    url = (
        park.url("sec_a")
        .replace(park.logins["sec_a"], login)
        .replace(park.passwords["sec_a"], "示例密码")
    )
    open_database(url)
    close_database()
    database = open_database(park.url("office"))  # the office disables it, from its own login
    accounts.disable(database, login)
    assert {r.login: r.enabled for r in accounts.list_accounts(database)}[login] is False
    close_database()
    with pytest.raises(DatabaseRefused) as err:
        open_database(url)
    assert f"账户“{login}”已停用，不能登录" in str(err.value)
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(
            host="127.0.0.1",
            port=park.cluster.port,
            user=login,
            password="示例密码",
            dbname=park.dbname,
        )


def test_a_wrong_password_asks_again_and_never_shows_it(park: Park) -> None:
    url = park.url("sec_a").replace(park.passwords["sec_a"], "错的密码")
    with pytest.raises(SignInRequired) as err:
        open_database(url)
    assert "用户名或密码不正确" in str(err.value)
    assert "错的密码" not in str(err.value)
    # user and password given apart from the URL (the sign-in dialog)
    bare = f"postgresql://127.0.0.1:{park.cluster.port}/{park.dbname}"
    database = open_database(bare, user=park.logins["sec_b"], password=park.passwords["sec_b"])
    assert database.partybuild_account.branches == (park.branch_b,)


# --------------------------------------------------------------------------- CLI


def run(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    stdin: str | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_admin_commands_exit_codes_and_messages(
    park: Park, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = park.dbname.lower()
    owner = ["--db", park.owner_url]
    code, out, err = run(
        [
            "admin",
            "add-user",
            f"new_{tag}",
            "--role",
            "secretary",
            "--branch",
            park.branch_a,
            *owner,
        ],
        capsys,
    )
    assert code == 0, err
    password = out.split("初始密码：")[1].strip()
    assert len(password) == 16
    # the printed password signs in
    base = f"postgresql://127.0.0.1:{park.cluster.port}/{park.dbname}"
    assert (
        open_database(base, user=f"new_{tag}", password=password).partybuild_account.role
        == "secretary"
    )
    close_database()
    code, out, err = run(["admin", "add-user", f"new_{tag}", "--role", "viewer", *owner], capsys)
    assert (code, err.strip()) == (1, f"partybuild: 账户“new_{tag}”已存在")
    code, out, err = run(
        [
            "admin",
            "add-user",
            f"half_{tag}",
            "--role",
            "secretary",
            "--branch",
            park.branch_a,
            "--branch",
            "没有这个支部",
            "--password-stdin",
            *owner,
        ],
        capsys,
        "pw\n",
        monkeypatch,
    )
    assert (code, err.strip()) == (1, "partybuild: 没有名为“没有这个支部”的党组织")
    code, out, err = run(["admin", "list", "--json", *owner], capsys)
    listed = {row["login"]: row for row in __import__("json").loads(out)}
    assert f"half_{tag}" not in listed  # all or nothing
    assert listed[f"new_{tag}"] == {
        "login": f"new_{tag}",
        "role": "secretary",
        "branches": [park.branch_a],
        "enabled": True,
    }
    assert listed[park.logins["viewer"]]["role"] == "viewer"
    code, out, err = run(
        ["admin", "grant", f"new_{tag}", "--branch", park.branch_b, *owner], capsys
    )
    assert code == 0
    code, out, err = run(
        ["admin", "revoke", f"new_{tag}", "--branch", park.branch_a, *owner], capsys
    )
    assert code == 0
    code, out, err = run(["admin", "list", *owner], capsys)
    assert f"new_{tag}  支部书记  {park.branch_b}\n" in out
    # a secretary cannot manage accounts, even with the command line
    code, out, err = run(
        ["admin", "add-user", f"x_{tag}", "--role", "office", "--db", park.url("sec_a")], capsys
    )
    assert (code, err.strip()) == (2, "partybuild: 权限不足：只有党委办公室可以管理账户")
    code, out, err = run(["admin", "disable", f"nobody_{tag}", *owner], capsys)
    assert (code, err.strip()) == (1, f"partybuild: 没有名为“nobody_{tag}”的账户")
    code, out, err = run(["admin", "add-user", "Bad-Name", "--role", "viewer", *owner], capsys)
    assert code == 1 and "账户名“Bad-Name”不可用" in err


def test_admin_needs_a_server_database_with_accounts(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_database(tmp_path / "a.sqlite3")
    close_database()
    code, out, err = run(["admin", "list", "--db", str(tmp_path / "a.sqlite3")], capsys)
    assert (code, err.strip()) == (
        2,
        "partybuild: 账户只用于共享的 PostgreSQL 数据库；SQLite 数据库文件是单用户的，没有账户",
    )
    code, out, err = run(
        ["admin", "add-user", "someone", "--role", "viewer", "--db", pg_url], capsys
    )
    assert (code, err.strip()) == (
        2,
        "partybuild: 这个数据库还没有启用账户：请数据库所有者先运行 partybuild admin init",
    )
    code, out, err = run(["admin", "init", "--db", pg_url], capsys)
    assert code == 0 and "已启用账户" in out
    code, out, err = run(["admin", "init", "--db", pg_url], capsys)  # again: no harm
    assert code == 0


def test_only_the_owner_upgrades_a_database_with_accounts(park: Park) -> None:
    """A secretary's newer app does not try to migrate (it could not): it says who must."""
    con = psycopg2.connect(
        host="127.0.0.1", port=park.cluster.port, user="postgres", dbname=park.dbname
    )
    con.autocommit = True
    cur = con.cursor()
    cur.execute("SELECT id, name, applied FROM schema_migration ORDER BY name DESC LIMIT 1")
    last = cur.fetchone()
    cur.execute("DELETE FROM schema_migration WHERE id = %s", (last[0],))
    try:
        with pytest.raises(DatabaseRefused) as err:
            open_database(park.url("sec_a"))
        assert "请数据库所有者先用新版本打开一次" in str(err.value)
    finally:
        cur.execute("INSERT INTO schema_migration (id, name, applied) VALUES (%s, %s, %s)", last)
        con.close()
    assert open_database(park.url("sec_a")).partybuild_account.role == "secretary"


def test_a_secretarys_reminders_are_of_their_own_branch(park: Park) -> None:
    """The registry is readable whole, others' meetings are not: they must not look missed."""
    from partybuild.services import compliance

    open_database(park.owner_url)
    everyone = compliance.check_year(2023, today=dt.date(2024, 3, 1))
    own_for_owner = [d for d in everyone.dues if d.branch_id == park.branch_a_id]
    close_database()
    open_database(park.url("sec_a"))
    mine = compliance.check_year(2023, today=dt.date(2024, 3, 1))
    assert {d.branch_id for d in mine.dues} == {park.branch_a_id}
    assert [(d.kind, d.slot, d.held_ids) for d in mine.dues] == [
        (d.kind, d.slot, d.held_ids) for d in own_for_owner
    ]
    assert {w.branch_id for w in mine.setup_warnings} <= {park.branch_a_id}


def test_the_viewer_reads_masked_members_even_with_its_own_sql(park: Park) -> None:
    """Masked by the database, not by the app: psql with the viewer's password gets no full ID
    number, phone or birth date."""
    open_database(park.owner_url)
    full = {r.id: (r.id_number, r.phone, r.birth_date) for r in m.Member.select()}
    close_database()
    con = park.raw("viewer")
    try:
        cur = con.cursor()
        for column in ("id_number", "phone", "birth_date", "*"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(f"SELECT {column} FROM member")
            con.rollback()
        cur.execute(
            "SELECT id, id_number, phone, birth_date, birth_date_precision FROM member_masked"
        )
        rows = cur.fetchall()
    finally:
        con.close()
    assert len(rows) == len(full)
    for record_id, id_number, phone, born, precision in rows:
        real_id, real_phone, real_born = full[record_id]
        assert id_number == real_id[:4] + "*" * 10 + real_id[-4:]
        assert phone is None or (phone[:3], phone[-4:], phone[3:-4]) == (
            real_phone[:3],
            real_phone[-4:],
            "*" * (len(real_phone) - 7),
        )
        if real_born is not None:
            assert (born, precision) == (dt.date(real_born.year, 1, 1), "year")
    # the app, signed in as the viewer, reads the same view: no full number reaches it
    open_database(park.url("viewer"))
    shown = {r.id: r.id_number for r in m.Member.select()}
    assert not any(full[i][0] == number for i, number in shown.items())
    # a secretary reads their own members in full, and has no use of the view
    close_database()
    con = park.raw("sec_a")
    try:
        cur = con.cursor()
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("SELECT * FROM member_masked")
    finally:
        con.close()


def test_the_readme_setup_with_an_ordinary_owner_role(
    pg_cluster: PgCluster, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the README says: an owner with CREATEROLE (not a superuser) owns the database, the
    first start creates the tables, ``admin init`` and ``add-user`` run as that owner."""
    tag = f"{dt.datetime.now():%H%M%S%f}"
    owner, dbname = f"pbowner_{tag}", f"park_{tag}"
    con = psycopg2.connect(
        host="127.0.0.1", port=pg_cluster.port, user="postgres", dbname="postgres"
    )
    con.autocommit = True
    con.cursor().execute(f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '所有者密码'")
    con.cursor().execute(f"CREATE DATABASE {dbname} OWNER {owner} ENCODING 'UTF8'")
    con.close()
    base = f"127.0.0.1:{pg_cluster.port}/{dbname}"
    owner_url = f"postgresql://{owner}:所有者密码@{base}"
    database = open_database(owner_url)  # the first start: tables created, owned by the owner
    assert database.partybuild_account is None
    records.create("branches", {"name": "示范第一支部", "kind": "standalone"})
    records.create("branches", {"name": "示范第二支部", "kind": "standalone"})
    close_database()
    code, out, err = run(["admin", "init", "--db", owner_url], capsys)
    assert code == 0, err
    code, out, err = run(
        ["admin", "add-user", f"shuji_{tag}", "--role", "secretary", "--branch", "示范第一支部",
         "--password-stdin", "--db", owner_url],
        capsys, "书记密码\n", monkeypatch,
    )  # fmt: skip
    assert code == 0, err
    database = open_database(owner_url)
    assert database.partybuild_account.role == accounts.OWNER
    first = m.Branch.get(m.Branch.name == "示范第一支部")
    second = m.Branch.get(m.Branch.name == "示范第二支部")
    records.create("members", {"name": "示一", "id_number": "999999199001010024",
                               "category": "full", "branch": first.id})  # fmt: skip
    records.create("members", {"name": "示二", "id_number": "999999199001010032",
                               "category": "full", "branch": second.id})  # fmt: skip
    close_database()
    database = open_database(f"postgresql://shuji_{tag}:书记密码@{base}")
    assert database.partybuild_account.branches == ("示范第一支部",)
    assert [r.name for r in m.Member.select()] == ["示一"]
    member = records.create(
        "members",
        {"name": "示三", "id_number": "999999199001010040", "category": "full", "branch": first.id},
    )
    assert member.updated_by == f"shuji_{tag}"


def test_the_recycle_bin_audit_page_and_overview_keep_to_the_scope(park: Park) -> None:
    from partybuild.services import recycle, stats

    open_database(park.owner_url)
    a = m.Team.select().where(m.Team.branch == park.branch_a_id, m.live(m.Team)).first()
    b = m.Team.select().where(m.Team.branch == park.branch_b_id, m.live(m.Team)).first()
    records.soft_delete("teams", a.id)
    records.soft_delete("teams", b.id)
    period = stats.Period.year(2023)
    branch_a = m.Branch.get_by_id(park.branch_a_id)
    own_figures = stats.compute(period, branch_a)
    close_database()
    try:
        open_database(park.url("sec_a"))
        binned = {(r.ledger, r.record_id) for r in recycle.deleted_records("teams")}
        assert ("teams", a.id) in binned and ("teams", b.id) not in binned
        assert recycle.count_deleted("teams") == len(binned)
        own = m.Member.select().first()
        records.update("members", own.id, {"note": "甲支部看得到自己的日志"}, own.version)
        assert set(audit.operators()) == {park.logins["sec_a"]}  # not the owner's, not sec_b's
        assert all(e.operator == park.logins["sec_a"] for e in audit.entries(audit.AuditFilter()))
        # the overview's figures for their branch are the owner's for that branch
        figures = stats.compute(period, m.Branch.get_by_id(park.branch_a_id))
        assert figures["members"] == own_figures["members"]
        assert figures["activities"] == own_figures["activities"]
        assert figures["teams"] == own_figures["teams"]
    finally:
        close_database()
        open_database(park.owner_url)
        records.restore("teams", a.id)
        records.restore("teams", b.id)
