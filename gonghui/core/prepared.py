"""A cursor for the few statements every signed-in request runs (the user's row, the booking button's facts), which
PostgreSQL then plans once per connection instead of on every request (decision 0031).

Django binds parameters on the client and leaves psycopg's prepared statements off, so that connection poolers in
transaction mode keep working. Planning the booking facts' join with its four subqueries took PostgreSQL about 1 ms,
five times its execution. This cursor binds on the server and asks psycopg to prepare on first use; every other query
keeps Django's client-side cursor and is never prepared. Needs a direct connection or a pooler in session mode.
On other databases it is Django's plain cursor. Queries still pass through Django's cursor wrapper, so they are
logged and counted like any other.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache


@contextmanager
def prepared_cursor(connection) -> Iterator:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold != 0:
        raw.prepare_threshold = 0  # only server-binding cursors prepare; Django's client-side ones never do
    cursor = connection._prepare_cursor(_cursor_class()(raw))  # Django's wrapper: thread checks, query logging
    try:
        yield cursor
    finally:
        cursor.close()


@cache
def _cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Django's query log reads a statement's text from psycopg's `_query`, which psycopg (3.3) leaves empty when it
        runs a prepared statement: keep it, so logged and counted queries show their SQL (with $1 placeholders)."""

        def _send_query_prepared(self, name, pgq, *, binary=None):
            self._query = pgq
            super()._send_query_prepared(name, pgq, binary=binary)

    return PreparingCursor
