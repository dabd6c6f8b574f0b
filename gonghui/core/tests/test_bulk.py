"""core.bulk: COPY with the FK triggers paused must still refuse a dangling reference; the run-ahead helper passes
errors on and stops with its consumer; imports that cannot pause triggers still work."""
import sys
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from gonghui.core import bulk
from gonghui.core.exceptions import ApplicationError
from gonghui.members.models import Membership, MembershipStatus, Person
from gonghui.members.tests.factories import join
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db


def membership_row(pk, person_id, union_id):
    now = timezone.now()
    return (pk, now, now, person_id, union_id, MembershipStatus.ACTIVE, now.date(), f"T{pk:012d}")


COLUMNS = ("id", "created_at", "updated_at", "person_id", "union_id", "status", "joined_on", "member_number")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and session_replication_role are PostgreSQL's")
def test_a_dangling_reference_is_refused_even_with_the_triggers_paused(org):
    person = join(town_code="440106006").person
    with pytest.raises(IntegrityError, match="union_id"), transaction.atomic():
        load = bulk.BulkLoad()
        assert load.triggers_off  # CI's role may set session_replication_role
        with load.batch():
            ids = load.reserve_ids(Membership, 1)
            load.insert(Membership, COLUMNS, [membership_row(ids[0], person.pk, 987654321)])
    assert not Membership.objects.filter(union_id=987654321).exists()


def test_rows_land_with_reserved_ids_and_checked_references(org):
    person = join(town_code="440106006").person
    Membership.objects.filter(person=person).delete()
    with transaction.atomic():
        load = bulk.BulkLoad()
        with load.batch():
            ids = load.reserve_ids(Membership, 1)
            load.insert(Membership, COLUMNS, [membership_row(ids[0], person.pk, org("440106006").pk)])
    assert Membership.objects.get(pk=ids[0]).person == person


def test_a_failed_batch_leaves_nothing_and_its_locks_are_not_counted_on(org):
    """Keys a rolled-back batch checked lose their locks with it: a later batch pointing at them checks them again."""
    people = [join(town_code="440106006").person for _ in range(2)]
    Membership.objects.filter(person__in=people).delete()
    union = org("440106006").pk
    with transaction.atomic():
        load = bulk.BulkLoad()
        with pytest.raises(IntegrityError), load.batch():
            ids = load.reserve_ids(Membership, 1)
            load.insert(Membership, COLUMNS, [membership_row(ids[0], people[0].pk, union)])
            raise IntegrityError("the caller gives this batch up")
        assert not Membership.objects.filter(person=people[0]).exists()
        assert union not in load.held[Org]
        with load.batch():
            ids = load.reserve_ids(Membership, 1)
            load.insert(Membership, COLUMNS, [membership_row(ids[0], people[1].pk, union)])
        assert union in load.held[Org] or not load.triggers_off
    assert Membership.objects.get(person=people[1]).union_id == union


def test_inserting_outside_a_batch_is_refused(org):
    with transaction.atomic(), pytest.raises(RuntimeError, match="batch"):
        bulk.BulkLoad().insert(Membership, COLUMNS, [membership_row(1, 1, 1)])


def test_when_the_role_may_not_pause_triggers_the_triggers_check(org, monkeypatch):
    monkeypatch.setattr(bulk, "_may_skip_triggers", lambda: False)
    person = join(town_code="440106006").person
    Membership.objects.filter(person=person).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        load = bulk.BulkLoad()
        assert not load.triggers_off
        with load.batch():  # nothing to check at its end: the deferred FK triggers queued their checks for the commit
            ids = load.reserve_ids(Membership, 1)
            load.insert(Membership, COLUMNS, [membership_row(ids[0], person.pk, 987654321)])
        connection.check_constraints(table_names=["members_membership"])  # what the commit would run
    assert Person.objects.filter(pk=person.pk).exists()


def numbers(count, fail_at=None):
    for number in range(count):
        if number == fail_at:
            raise ApplicationError("第 3 个出错了", code="test.fail")
        yield number


def test_prefetched_yields_everything_in_order_and_passes_errors_on():
    assert list(bulk.prefetched(numbers, 50)) == list(range(50))
    with pytest.raises(ApplicationError, match="第 3 个出错了") as caught:
        list(bulk.prefetched(numbers, 50, 3))
    assert caught.value.code == "test.fail"


def test_a_consumer_that_stops_early_stops_the_producer_thread():
    before = threading.active_count()
    items = bulk.prefetched(numbers, 10_000)
    assert next(items) == 0
    items.close()
    assert threading.active_count() == before


def test_quick_thread_switches_nest_and_put_the_old_interval_back():
    before = sys.getswitchinterval()
    with bulk.quick_thread_switches():
        with bulk.quick_thread_switches():
            assert sys.getswitchinterval() == pytest.approx(bulk.THREAD_SWITCH_SECONDS)
        assert sys.getswitchinterval() == pytest.approx(bulk.THREAD_SWITCH_SECONDS)
    assert sys.getswitchinterval() == before


def test_batches_neither_nest_nor_open_inside_a_savepoint_the_load_did_not_start_at(org):
    """A nested batch would wipe the outer one's references; a batch inside a savepoint that later rolls back would
    leave `held` trusting locks that are gone. Both are refused."""
    with transaction.atomic():
        load = bulk.BulkLoad()
        with load.batch(), pytest.raises(RuntimeError, match="one at a time"):
            with load.batch():
                pass
        with transaction.atomic(), pytest.raises(RuntimeError, match="one at a time"):
            with load.batch():
                pass
