"""``partybuild admin``: accounts on the shared PostgreSQL database (store.accounts).

``init`` is run once by the database's owner; the others by the owner or an office login. Content
errors (an unknown branch, an account that exists) exit 1; a database that cannot be used, has no
accounts yet or refuses the caller exits 2.
"""

from __future__ import annotations

import argparse
import sys

from partybuild.cli import EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE, CliError, open_db, terminal_text


def _fail(exc: Exception) -> CliError:
    from partybuild.store.accounts import AccountError

    unusable = isinstance(exc, AccountError) and exc.unusable
    return CliError(str(exc), EXIT_UNUSABLE if unusable else EXIT_INVALID)


def _database(args: argparse.Namespace):  # noqa: ANN202 - a peewee database
    from partybuild.store import accounts

    database = open_db(args, create=False)
    if not accounts.is_postgres(database):
        raise CliError("账户只用于共享的 PostgreSQL 数据库；SQLite 数据库文件是单用户的，没有账户")
    return database


def run_admin(args: argparse.Namespace) -> int:
    from partybuild.store import accounts

    database = _database(args)
    try:
        return _run(args, database)
    except accounts.AccountError as exc:
        raise _fail(exc) from exc


def _run(args: argparse.Namespace, database) -> int:  # noqa: ANN001
    from partybuild.store import accounts

    action = args.admin_command
    if action == "init":
        groups = accounts.init(database)
        print("已启用账户和按党组织的行级权限：" + "、".join(groups[k] for k in accounts.ROLES))
        return EXIT_OK
    if action == "add-user":
        password = None
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CliError("--password-stdin：标准输入中没有密码", EXIT_INVALID)
        given = accounts.add_user(database, args.login, args.role, args.branch or [], password)
        scope = "、".join(args.branch) if args.branch else "全部党组织"
        print(f"已建立账户 {args.login}（{accounts.ROLES[args.role]}，{scope}）")
        if password is None:
            # Printed once, here only: the server keeps a SCRAM verifier, not the password.
            print(f"初始密码：{given}")
        return EXIT_OK
    if action == "grant":
        for branch in args.branch:
            accounts.grant(database, args.login, branch)
        print(f"账户 {args.login} 已可管理：" + "、".join(args.branch))
        return EXIT_OK
    if action == "revoke":
        for branch in args.branch:
            accounts.revoke(database, args.login, branch)
        print(f"账户 {args.login} 已不再管理：" + "、".join(args.branch))
        return EXIT_OK
    if action == "disable":
        accounts.disable(database, args.login)
        print(f"账户 {args.login} 已停用（不能再登录）")
        return EXIT_OK
    if action == "list":
        rows = accounts.list_accounts(database)
        if getattr(args, "json", False):
            from partybuild.cli import terminal_json

            print(
                terminal_json(
                    [
                        {
                            "login": r.login,
                            "role": r.role,
                            "branches": list(r.branches),
                            "enabled": r.enabled,
                        }
                        for r in rows
                    ]
                )
            )
            return EXIT_OK
        for r in rows:
            state = "" if r.enabled else "（已停用）"
            scope = "、".join(r.branches) or ("全部党组织" if r.role != "secretary" else "无")
            print(terminal_text(f"{r.login}  {r.role_label}  {scope}{state}"))
        return EXIT_OK
    raise CliError("请给出 admin 的子命令：init、add-user、grant、revoke、list、disable")


def add_parser(sub: argparse._SubParsersAction, db_parent: argparse.ArgumentParser) -> None:
    """The ``admin`` subcommand block of cli.py."""
    adm = sub.add_parser(
        "admin",
        parents=[db_parent],
        help="共享数据库的账户和权限（PostgreSQL）",
        description="在共享的 PostgreSQL 数据库上建立账户：党委办公室（office）管理全部，"
        "支部书记（secretary）只能看和改本支部的记录，查看（viewer）只读且脱敏。权限由数据库强制执行。",
    )
    adm_sub = adm.add_subparsers(dest="admin_command", metavar="操作")
    adm_sub.add_parser(
        "init",
        parents=[db_parent],
        help="启用账户（数据库所有者运行一次）",
        description="建立角色、授权、行级安全策略和操作日志触发器；可重复运行。",
    )
    add = adm_sub.add_parser("add-user", parents=[db_parent], help="新建账户")
    add.add_argument("login", metavar="LOGIN", help="账户名（小写字母开头，字母、数字、下划线）")
    add.add_argument(
        "--role",
        required=True,
        choices=("office", "secretary", "viewer"),
        help="office 党委办公室（全部）、secretary 支部书记（本支部）、viewer 查看（只读、脱敏）",
    )
    add.add_argument("--branch", action="append", metavar="NAME", help="可管理的党组织（可重复）")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="从标准输入读一行作为密码；不给则生成密码并显示一次",
    )
    for name, text in (("grant", "给账户增加党组织"), ("revoke", "取消账户的党组织")):
        p = adm_sub.add_parser(name, parents=[db_parent], help=text)
        p.add_argument("login", metavar="LOGIN")
        p.add_argument("--branch", action="append", required=True, metavar="NAME")
    lst = adm_sub.add_parser("list", parents=[db_parent], help="列出账户")
    lst.add_argument("--json", action="store_true", help="输出 JSON")
    dis = adm_sub.add_parser("disable", parents=[db_parent], help="停用账户（不能再登录）")
    dis.add_argument("login", metavar="LOGIN")
    from partybuild.cli import _delegate

    adm.set_defaults(func=_delegate("admin", "run_admin"))
