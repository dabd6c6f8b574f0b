"""Bulk inserts for imports of up to a million rows (decision 0008).

Rows arrive already in their stored form (ciphertexts, blind indexes) with ids reserved up front, so one
batch can fill several tables that point at each other. PostgreSQL takes them by COPY; other databases
(SQLite in development and tests) by executemany, so both run the same row-building code.

On PostgreSQL the per-row foreign-key triggers cost more than the COPY itself (about 9 µs a key, five keys
a member). When the database role may set `session_replication_role` (a superuser, or PostgreSQL 15's
`GRANT SET ON PARAMETER session_replication_role`), `BulkLoad` switches those triggers off for its own
COPY statements only. It collects the keys the new rows point at while writing them and then checks them per
foreign key in one query, taking the FOR KEY SHARE locks on pre-existing referenced rows the triggers would have taken.
Unique indexes and NOT NULL are not triggers: they are always enforced. (A DEFERRABLE unique constraint is a trigger
and would be paused; the tables loaded here have none.) The audit table's append-only trigger is ENABLE ALWAYS.
"""
from __future__ import annotations

import queue
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter

from django.db import IntegrityError, connection, models, transaction


class BulkLoad:
    """Inserts into several tables inside the caller's transaction, one savepoint (`batch()`) at a time:

        load = BulkLoad()
        for rows in batches:
            with load.batch():
                ids = load.reserve_ids(Person, len(rows))
                load.insert(Person, ("id", ...), ...)

    A batch that fails leaves nothing behind; the caller may catch the error and go on with the next one.
    """

    def __init__(self):
        if not connection.in_atomic_block:
            raise RuntimeError("BulkLoad must run inside transaction.atomic()")
        self.triggers_off = connection.vendor == "postgresql" and _may_skip_triggers()
        # Keys that a kept batch checked and locked FOR KEY SHARE: the locks last until commit, so later batches
        # need not check them again (an import of a hundred batches locks its few thousand unions once).
        self.held: dict[type[models.Model], set] = defaultdict(set)
        self._sequences: dict[str, str] = {}
        self.in_batch = False
        # held locks are only as good as the savepoints under them: batches must open at the level the load was made,
        # never inside a savepoint that could roll back the locks and leave `held` believing in them
        self._depth = len(connection.savepoint_ids)
        self._reset()

    def _reset(self) -> None:
        self.loaded: dict[type[models.Model], set[int]] = defaultdict(set)
        self.references: dict[models.ForeignKey, set] = defaultdict(set)
        self.locked: dict[type[models.Model], set] = defaultdict(set)
        self.triggers_paused = False

    @contextmanager
    def batch(self):
        """A savepoint around one batch of inserts; at its end every reference the new rows make is checked.

        While it is open, the FK triggers are paused (when the role may) for everything that runs on this connection:
        run nothing but this load's own statements inside it. Batches do not nest, and open at the savepoint level the
        load was made at."""
        if self.in_batch or len(connection.savepoint_ids) != self._depth or not connection.in_atomic_block:
            raise RuntimeError("BulkLoad.batch() opens at the transaction level the BulkLoad was made at, one at a time")
        self._reset()
        self.in_batch = True
        try:
            with transaction.atomic():
                yield self
                self._resume_triggers()
                self._check_references()
        finally:
            self.in_batch = False
        for model, keys in self.locked.items():
            self.held[model] |= keys

    def reserve_ids(self, model: type[models.Model], count: int) -> Sequence[int]:
        if count == 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Usually nobody else draws from the sequence meanwhile and the ids are one run: then only its ends
                # travel (fetching 10,000 rows of ids cost the import more than the query). Otherwise all of them.
                cursor.execute("WITH ids AS (SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) "
                               "SELECT min(id), max(id), CASE WHEN max(id) - min(id) + 1 = count(DISTINCT id) THEN NULL "
                               "ELSE array_agg(id ORDER BY id) END FROM ids", [self._sequence(cursor, table), count])
                first, last, scattered = cursor.fetchone()
                return scattered if scattered is not None else range(first, last + 1)
            # SQLite: the open write transaction holds the database lock, so nobody else takes these ids meanwhile
            cursor.execute(f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                           f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0))", [table])
            last = cursor.fetchone()[0]
            return range(last + 1, last + 1 + count)

    def _sequence(self, cursor, table: str) -> str:
        if table not in self._sequences:  # looked up once: pg_get_serial_sequence() per row would cost more than nextval()
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            self._sequences[table] = cursor.fetchone()[0]
        return self._sequences[table]

    def insert(self, model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        """Rows that start with an `id` reserved by `reserve_ids` (where later rows of this batch point at them) or
        have no id column (the table's sequence numbers them).

        On PostgreSQL the rows are built as COPY sends them, so PostgreSQL stores the first while Python builds the next.
        """
        if not self.in_batch:
            raise RuntimeError("BulkLoad.insert runs inside `with load.batch():`")
        if "id" in columns and columns[0] != "id":
            raise ValueError("id must be the first column")
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return
        written = [first]
        quote = connection.ops.quote_name
        table, names = quote(model._meta.db_table), ", ".join(quote(c) for c in columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                self._pause_triggers(cursor)
                # the raw psycopg cursor's errors are turned into Django's (IntegrityError …) like any other query's
                with connection.wrap_database_errors, \
                        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(_column_types(model, columns))  # binary: no text formatting of dates on either side
                    write_row, keep = copy.write_row, written.append
                    write_row(first)
                    for row in rows:
                        write_row(row)
                        keep(row)
            else:
                written.extend(rows)
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
                                   _adapted(model, columns, written))
        for field in _foreign_keys(model):
            if field.column in columns:
                self.references[field].update(map(itemgetter(columns.index(field.column)), written))
        if columns[0] == "id":
            self.loaded[model].update(map(itemgetter(0), written))  # the ids actually written, not what the caller meant

    def _pause_triggers(self, cursor) -> None:
        if self.triggers_off and not self.triggers_paused:
            cursor.execute("SET LOCAL session_replication_role = replica")
            self.triggers_paused = True

    def _resume_triggers(self) -> None:
        # not in a finally: after an error the savepoint is rolled back, and that restores the setting
        if self.triggers_paused:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
            self.triggers_paused = False

    def _check_references(self) -> None:
        """What the paused FK triggers would have checked: every key the new rows point at exists, and rows that
        predate this batch are locked FOR KEY SHARE until commit so nobody deletes them meanwhile."""
        if not self.triggers_off:
            return  # the triggers ran
        for field, keys in self.references.items():
            keys.discard(None)
            target = field.related_model
            # rows this batch wrote exist (COPY succeeded); held ones were checked and locked by a kept batch
            earlier = keys - self.loaded.get(target, set()) - self.held.get(target, set()) - self.locked[target]
            if earlier:
                found = _locked_keys(target, field.target_field.column, earlier)
                if missing := earlier - found:
                    raise IntegrityError(f"{field.model._meta.db_table}.{field.column}: 引用的记录不存在（{sorted(missing)[:5]}）")
                self.locked[target] |= found


def _adapted(model: type[models.Model], columns: Sequence[str], rows: list[Sequence]) -> list[Sequence]:
    """Rows with dates and datetimes as the backend stores them (SQLite keeps them as text)."""
    fields = _fields_by_column(model)
    ops = connection.ops
    adapters = [ops.adapt_datetimefield_value if isinstance(fields[c], models.DateTimeField)
                else ops.adapt_datefield_value if isinstance(fields[c], models.DateField) else None for c in columns]
    return [[value if adapt is None else adapt(value) for value, adapt in zip(row, adapters, strict=True)] for row in rows]


def _column_types(model: type[models.Model], columns: Sequence[str]) -> list[str]:
    """PostgreSQL type names of the columns, without length modifiers ("varchar(64)" → "varchar")."""
    fields = _fields_by_column(model)
    return [fields[column].db_type(connection).split("(")[0] for column in columns]


def _fields_by_column(model: type[models.Model]) -> dict[str, models.Field]:
    return {f.column: f for f in model._meta.concrete_fields}


def _may_skip_triggers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        return bool(cursor.fetchone()[0])


def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if f.is_relation and (f.many_to_one or f.one_to_one) and f.db_constraint]


def _locked_keys(model: type[models.Model], column: str, keys: set) -> set:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} WHERE {quote(column)} = ANY(%s) FOR KEY SHARE",
                       [list(keys)])
        return {row[0] for row in cursor.fetchall()}


def existing_keys(model: type[models.Model], column: str, values: Sequence[str]) -> dict[str, int]:
    """value → id for the rows of `model` whose unique `column` is one of `values`.

    On PostgreSQL one index probe per value: for a long IN list over a table that grows during an import (and has
    no fresh statistics inside the import's transaction) the planner prefers scanning the whole table every batch.
    """
    if not values:
        return {}
    if connection.vendor != "postgresql":
        return dict(model.objects.filter(**{f"{column}__in": values}).values_list(column, "pk"))
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT k.value, t.id FROM unnest(%s::text[]) AS k(value) CROSS JOIN LATERAL "
                       f"(SELECT id FROM {quote(model._meta.db_table)} WHERE {quote(column)} = k.value LIMIT 1) t", [list(values)])
        return dict(cursor.fetchall())


THREAD_SWITCH_SECONDS = 0.0005
_switching = {"users": 0, "before": None}
_switching_lock = threading.Lock()


@contextmanager
def quick_thread_switches():
    """While a reading thread keeps the GIL busy, hand it over to a waiting thread after 0.5 ms instead of Python's
    5 ms: the writing thread then resumes promptly after each PostgreSQL reply, where it would otherwise leave
    PostgreSQL idle (6 s of a 1,000,000-row import, measured). The setting is the process's: the first user sets it,
    the last one puts the old value back."""
    with _switching_lock:
        if _switching["users"] == 0:
            _switching["before"] = sys.getswitchinterval()
            sys.setswitchinterval(THREAD_SWITCH_SECONDS)
        _switching["users"] += 1
    try:
        yield
    finally:
        with _switching_lock:
            _switching["users"] -= 1
            if _switching["users"] == 0:
                sys.setswitchinterval(_switching["before"])


def prefetched(producer: Callable[..., Iterator], *args, depth: int = 2) -> Iterator:
    """Yield what the generator function `producer(*args)` yields, run in a background thread up to `depth` items ahead.

    Parsing and checking overlap with the caller's database writes: the caller waits on the socket with the GIL released.
    Items and errors are passed as they are.
    """
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in producer(*args):
                if not _put(items, (_ITEM, item), stop):
                    return
            _put(items, (_DONE, None), stop)
        except BaseException as exc:  # handed to the consumer, which re-raises it in its own thread
            _put(items, (_ERROR, exc), stop)

    worker = threading.Thread(target=produce, name="bulk-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, payload = items.get()
            if kind == _ERROR:
                raise payload
            if kind == _DONE:
                return
            yield payload
    finally:
        stop.set()
        worker.join()


_ITEM, _DONE, _ERROR = "item", "done", "error"


def _put(items: queue.Queue, entry, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            items.put(entry, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
