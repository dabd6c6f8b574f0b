"""Locks for writes that must not interleave: row locks taken in primary-key order, and named advisory locks, both with a
bounded wait that ends in a clear "busy, try again" answer (`Busy`) instead of a hung request.

PostgreSQL: rows are locked with `SELECT … FOR UPDATE … ORDER BY pk`, so two writers that need overlapping sets of rows take
them in the same order and queue instead of deadlocking; an advisory lock is `pg_advisory_xact_lock` on a 64-bit hash of its
name, held until the transaction ends. A wait longer than `timeout` seconds (PostgreSQL's `lock_timeout`, set for this one
statement) raises `Busy` and leaves the caller's transaction usable (the wait runs in a savepoint).

SQLite: every transaction starts `IMMEDIATE` (settings), which takes the database's single write lock at BEGIN, so writers
are already serialised for the whole transaction and there is no row or named lock to take: `lock_rows` reads the rows in the
same order and `advisory_lock` only checks that it is called inside a transaction, so code that runs on both behaves alike.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, models, transaction
from django.db.transaction import TransactionManagementError

from gonghui.core.exceptions import ApplicationError, NotFound

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout ends a wait
DEFAULT_TIMEOUT = 5.0  # seconds: a person waiting on a page, far above any write that holds these locks


class Busy(ApplicationError):
    """Another request holds the lock: nothing was changed and the same request can simply be sent again (409, like an
    Idempotency-Key still in progress)."""

    status_code = 409

    def __init__(self, message: str = "系统繁忙，请稍后再试", *, code: str = "busy"):
        super().__init__(message, code=code)


def _require_transaction(using: str) -> None:
    if not connections[using].in_atomic_block:
        raise TransactionManagementError("locks are held until the transaction ends: call this inside transaction.atomic()")


@contextmanager
def _waiting_at_most(timeout: float | None, *, using: str) -> Iterator[None]:
    """Run the lock statement in a savepoint with PostgreSQL's lock_timeout set to `timeout`, then put the setting back."""
    connection = connections[using]
    if timeout is None or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{max(int(timeout * 1000), 1)}ms"])
    try:
        with transaction.atomic(using=using):
            yield
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise Busy() from None
        raise
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def lock_rows(source: type[models.Model] | models.QuerySet, ids: Iterable, *, timeout: float | None = DEFAULT_TIMEOUT) -> list:
    """Lock the rows of `source` (a model or a queryset, e.g. with `select_related`) whose primary keys are in `ids`, in
    primary-key order, and return them in that order; ids with no row are left out. Only the model's own rows are locked,
    not the rows `select_related` joins in. Raises `Busy` after waiting `timeout` seconds (None: wait as the database does)."""
    queryset = source._default_manager.all() if isinstance(source, type) else source
    _require_transaction(queryset.db)
    with _waiting_at_most(timeout, using=queryset.db):
        return list(queryset.select_for_update(of=("self",)).filter(pk__in=list(ids)).order_by("pk"))


def lock_row(source: type[models.Model] | models.QuerySet, pk, *, required: bool = False,
             timeout: float | None = DEFAULT_TIMEOUT):
    """The one row with primary key `pk`, locked (see `lock_rows`). When there is none: `NotFound` if `required` (a row
    deleted since the caller read it), else None for the caller to answer."""
    rows = lock_rows(source, [pk], timeout=timeout)
    if not rows and required:
        raise NotFound()
    return rows[0] if rows else None


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name such as "bookings.session:42" (PostgreSQL advisory locks take a bigint)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def advisory_lock(name: str, *, timeout: float | None = DEFAULT_TIMEOUT, using: str = DEFAULT_DB_ALIAS) -> None:
    """Hold the named lock until the surrounding transaction ends, for work that has no row to lock (a lottery draw, the
    first booking of a slot that has no row yet). Raises `Busy` after waiting `timeout` seconds."""
    _require_transaction(using)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction already holds the database's one write lock (module docstring)
    with _waiting_at_most(timeout, using=using), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [advisory_key(name)])
