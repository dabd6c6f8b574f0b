import threading

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connections

from gonghui.accounts.models import User
from gonghui.core.prepared import prepared_cursor

# Every signed-in request loads its user by primary key. Building and compiling that ORM query cost about as much CPU as
# the rest of a trivial request (decision 0030); the SQL is the same every time but for the id, so it is compiled once
# per thread with a stand-in id that each request swaps for the real one, and PostgreSQL plans it once per connection
# (decision 0031). Still one query, the same row, the same checks.
_COMPILED = threading.local()
_ID_STAND_IN = -917_000_029


def _compiled(connection):
    kept = getattr(_COMPILED, "user", None)
    if kept is None or kept[0] is not connection:
        compiler = User._default_manager.filter(pk=_ID_STAND_IN).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        names = [column.target.attname for column, _, _ in compiler.select]
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        kept = _COMPILED.user = (connection, compiler, sql, params, names, converters)
    return kept[1:]


class ModelBackend(DjangoModelBackend):
    """Django's ModelBackend with the user's row read by SQL compiled once (see above)."""

    def get_user(self, user_id):
        if type(user_id) is not int:
            return super().get_user(user_id)
        db = User._default_manager.db
        connection = connections[db]
        compiler, sql, params, names, converters = _compiled(connection)
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, tuple(user_id if p == _ID_STAND_IN and type(p) is int else p for p in params))
            raw = cursor.fetchone()
        if raw is None:
            return None
        values = next(compiler.apply_converters([raw], converters)) if converters else raw
        user = User.from_db(db, names, values)
        return user if self.user_can_authenticate(user) else None
