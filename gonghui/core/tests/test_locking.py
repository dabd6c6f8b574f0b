"""core.locking with real threads and connections: row locks in primary-key order never deadlock, a held lock answers
"busy, try again" after the timeout, and an advisory lock serialises read-then-write work (PostgreSQL; SQLite's IMMEDIATE
transactions serialise writers already)."""
import threading

import pytest
from django.db import connection, connections, transaction
from django.db.transaction import TransactionManagementError

from gonghui.accounts.tests.factories import UserFactory
from gonghui.core.exceptions import NOT_FOUND_MESSAGE, NotFound
from gonghui.core.locking import Busy, advisory_key, advisory_lock, lock_row, lock_rows
from gonghui.core.models import IdempotencyRecord

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="row and advisory locks are PostgreSQL's; SQLite has one write lock per database")
WAIT = 30  # seconds a thread waits for a step that follows at once; only a failing test ever waits this long


@pytest.fixture
def rows(transactional_db, divisions_after_flush):
    user = UserFactory()
    return [IdempotencyRecord.objects.create(user=user, key=f"k{n}", method="POST", path="/api/x") for n in range(3)]


def run_threads(*targets) -> list:
    results: list = [None] * len(targets)

    def run(index, target):
        try:
            results[index] = target()
        except Exception as exc:  # collected and asserted on by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, target)) for i, target in enumerate(targets)]
    for thread in threads:
        thread.start()
    return threads, results


def wait_for_a_lock_wait() -> None:
    """Until some backend waits on a lock held by another, read from PostgreSQL's own view rather than guessed by time."""
    with connections["default"].cursor() as cursor:
        for _ in range(WAIT * 100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.01)
    raise AssertionError("no backend ever waited on the lock")


def test_rows_come_back_in_primary_key_order_without_the_missing_ones(rows):
    with transaction.atomic():
        locked = lock_rows(IdempotencyRecord.objects.order_by("-pk"), [rows[2].pk, 987654321, rows[0].pk])
        assert [row.pk for row in locked] == [rows[0].pk, rows[2].pk]
        assert lock_row(IdempotencyRecord, 987654321) is None
        with pytest.raises(NotFound, match=NOT_FOUND_MESSAGE):
            lock_row(IdempotencyRecord, 987654321, required=True)


def test_locks_are_refused_outside_a_transaction(rows):
    with pytest.raises(TransactionManagementError):
        lock_rows(IdempotencyRecord, [rows[0].pk])
    with pytest.raises(TransactionManagementError):
        advisory_lock("bookings.slot:1")


def test_busy_is_a_409_with_a_chinese_message():
    busy = Busy()
    assert (busy.status_code, busy.code, busy.message) == (409, "busy", "系统繁忙，请稍后再试")
    assert advisory_key("lottery:7") == advisory_key("lottery:7") != advisory_key("lottery:8")
    assert -(2**63) <= advisory_key("lottery:7") < 2**63


def test_an_advisory_lock_serialises_read_then_write_work(rows):
    """Eight writers each read a value and write it back plus one: none is lost (on SQLite the IMMEDIATE transaction does it)."""
    barrier = threading.Barrier(8)

    def add_one():
        barrier.wait(WAIT)
        with transaction.atomic():
            advisory_lock("test.counter")
            record = IdempotencyRecord.objects.get(pk=rows[0].pk)
            IdempotencyRecord.objects.filter(pk=record.pk).update(status_code=(record.status_code or 0) + 1)

    threads, results = run_threads(*[add_one] * 8)
    for thread in threads:
        thread.join(WAIT)
    assert results == [None] * 8
    assert IdempotencyRecord.objects.get(pk=rows[0].pk).status_code == 8


@postgres_only
def test_rows_locked_in_key_order_queue_instead_of_deadlocking(rows):
    """The first writer holds row 0 and then takes row 2; the second asks for rows 2 and 0 (its queryset ordered backwards). In
    the order asked, the second would hold row 2 while waiting for row 0, and the first would deadlock on row 2; in key order
    it waits for row 0 holding nothing, and both finish."""
    first_holds_0, go_on = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            lock_rows(IdempotencyRecord, [rows[0].pk])
            first_holds_0.set()
            go_on.wait(WAIT)
            lock_rows(IdempotencyRecord, [rows[2].pk])
            return "first"

    def second():
        first_holds_0.wait(WAIT)
        with transaction.atomic():
            return [row.pk for row in lock_rows(IdempotencyRecord.objects.order_by("-pk"), [rows[2].pk, rows[0].pk], timeout=None)]

    threads, results = run_threads(first, second)
    first_holds_0.wait(WAIT)
    wait_for_a_lock_wait()  # the second writer is queued behind row 0
    go_on.set()
    for thread in threads:
        thread.join(WAIT)
    assert results == ["first", [rows[0].pk, rows[2].pk]]


@postgres_only
@pytest.mark.parametrize("lock", ["row", "advisory"])
def test_a_held_lock_answers_busy_after_the_timeout_and_leaves_the_transaction_usable(rows, lock):
    def take(timeout):
        if lock == "row":
            lock_row(IdempotencyRecord, rows[1].pk, timeout=timeout)
        else:
            advisory_lock("test.busy", timeout=timeout)

    holding, release = threading.Event(), threading.Event()

    def holder():
        with transaction.atomic():
            take(None)
            holding.set()
            release.wait(WAIT)

    def latecomer():
        holding.wait(WAIT)
        with transaction.atomic():
            with pytest.raises(Busy) as refused:
                take(0.2)
            # the wait ran in a savepoint: this transaction goes on, with PostgreSQL's own lock_timeout back in place
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('lock_timeout')")
                setting = cursor.fetchone()[0]
            return refused.value.message, setting, IdempotencyRecord.objects.count()

    threads, results = run_threads(holder, latecomer)
    threads[1].join(WAIT)
    release.set()
    threads[0].join(WAIT)
    assert results == [None, ("系统繁忙，请稍后再试", "0", 3)]
    with transaction.atomic():
        take(0.2)  # free again once the holder's transaction ended
