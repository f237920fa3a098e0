"""The demo ledger on the real PostgreSQL server with accounts of every role (store.accounts)."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg2

from partybuild.services.demo import build_demo
from partybuild.store import accounts
from partybuild.store import models as m
from partybuild.store.database import close_database, open_database
from tests.pg import PgCluster


@dataclass
class Park:
    cluster: PgCluster
    dbname: str
    owner_url: str
    branch_a: str
    branch_b: str
    branch_a_id: int
    branch_b_id: int
    logins: dict[str, str]  # role key → login
    passwords: dict[str, str]

    def url(self, who: str) -> str:
        login = self.logins[who]
        return f"postgresql://{login}:{self.passwords[who]}@127.0.0.1:{self.cluster.port}/{self.dbname}"

    def raw(self, who: str) -> psycopg2.extensions.connection:
        """A psql-like connection with the account's own credentials, not through the app."""
        return psycopg2.connect(
            host="127.0.0.1",
            port=self.cluster.port,
            user=self.logins[who],
            password=self.passwords[who],
            dbname=self.dbname,
        )


def make_park(pg_cluster: PgCluster) -> Park:
    """The demo ledger in a fresh database with accounts: secretaries of two branches that both
    have members, activities and teams, an office login and a whole-park viewer."""
    owner_url = pg_cluster.new_database()
    dbname = owner_url.rsplit("/", 1)[1]
    database = open_database(owner_url)
    try:
        build_demo(database)
        accounts.init(database)
        # Two branches that both have members, activities and teams.
        counts = {
            b.id: (
                m.Member.select().where(m.Member.branch == b).count(),
                m.Activity.select().where(m.Activity.branch == b).count(),
                m.Team.select().where(m.Team.branch == b).count(),
            )
            for b in m.Branch.select()
        }
        rich = [bid for bid, c in sorted(counts.items()) if all(c)]
        a, b = (m.Branch.get_by_id(i) for i in rich[:2])
        tag = dbname.lower()
        logins = {k: f"{k}_{tag}" for k in ("sec_a", "sec_b", "office", "viewer")}
        passwords = {k: f"密码-{k}-示例" for k in logins}
        accounts.add_user(database, logins["sec_a"], "secretary", [a.name], passwords["sec_a"])
        accounts.add_user(database, logins["sec_b"], "secretary", [b.name], passwords["sec_b"])
        accounts.add_user(database, logins["office"], "office", [], passwords["office"])
        accounts.add_user(database, logins["viewer"], "viewer", [], passwords["viewer"])
        park = Park(pg_cluster, dbname, owner_url, a.name, b.name, a.id, b.id, logins, passwords)
    finally:
        close_database()
    return park
