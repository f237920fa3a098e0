"""Storage: the models, opening a database (SQLite or PostgreSQL), the shared database's accounts.

peewee imports psycopg2, PostgreSQL's driver (with libpq and ssl: about 10 ms), when it is itself
imported, and an SQLite start never uses it. So when this package is the first to import peewee
it does so with psycopg2 held back, and the driver is loaded when the first PostgreSQL database
object is made (:func:`load_psycopg2`, doing what peewee's import would have done).
"""

from __future__ import annotations

import sys


def load_psycopg2() -> None:
    """Give peewee its PostgreSQL driver now, as its own import would have (a no-op if it has it,
    or if psycopg2 is not installed: peewee then says so when connecting, as it always did)."""
    import peewee

    if peewee.psycopg2 is not None:
        return
    try:
        import psycopg2
        from psycopg2 import extensions
        from psycopg2.extras import Json, register_uuid
    except ImportError:
        return
    register_uuid()
    peewee.pg_extensions = extensions
    peewee.pg_register_uuid = register_uuid
    peewee.Json_pg2 = Json
    adapter = peewee.Psycopg2Adapter
    adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
    adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
    adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN
    peewee.psycopg2 = psycopg2  # last: the sign that all of the above is in place


def _import_peewee_without_psycopg2() -> None:
    if "peewee" in sys.modules or "psycopg2" in sys.modules:
        return  # imported already, with its driver: nothing left to save
    sys.modules["psycopg2"] = None  # type: ignore[assignment]  # its import raises ImportError
    try:
        import peewee
    finally:
        del sys.modules["psycopg2"]
    init = peewee.PostgresqlDatabase.init

    def init_with_driver(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        load_psycopg2()
        return init(self, *args, **kwargs)

    peewee.PostgresqlDatabase.init = init_with_driver


_import_peewee_without_psycopg2()
