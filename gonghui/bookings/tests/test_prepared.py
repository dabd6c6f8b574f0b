"""Decision 0031: the two statements every booking press runs (the user's row, the person's facts) are planned by
PostgreSQL once per connection, and are still seen and counted like any other query."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.bookings import services
from gonghui.bookings.tests.factories import member, offering
from gonghui.core.prepared import prepared_cursor

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")


def _press(client, session):
    return client.post(f"/h5/bookings/sessions/{session.pk}/book/", HTTP_HX_REQUEST="true").content.decode()


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@postgres_only
def test_the_user_row_and_the_facts_are_prepared_once_and_still_counted(world, client, settings):
    settings.SESSION_ENGINE, settings.SESSION_CACHE_ALIAS = "django.contrib.sessions.backends.cache", "sessions"  # as deployed
    full = offering(world.officer, world.tianhe, capacity=1).sessions.get()
    services.booking_create(actor=member(), session_id=full.pk)
    client.force_login(member())
    assert "名额已满" in _press(client, full)
    statements = _prepared_statements()
    assert any('FROM "accounts_user"' in s for s in statements)
    assert any('FROM "members_person"' in s and "seat_free" in s for s in statements)
    with CaptureQueriesContext(connection) as captured:
        assert "名额已满" in _press(client, full)
    assert len(captured.captured_queries) == 2  # the user's row and the facts, logged though prepared
    assert 'FROM "accounts_user"' in captured.captured_queries[0]["sql"] and "seat_free" in captured.captured_queries[1]["sql"]
    assert len(_prepared_statements()) == len(statements)  # prepared once, not again per press


@postgres_only
def test_other_queries_stay_unprepared(world):
    with prepared_cursor(connection) as cursor:
        cursor.execute("SELECT %s::int + 1", [41])
        assert cursor.fetchone() == (42,)
    before = len(_prepared_statements())
    list(type(world.officer).objects.filter(pk=world.officer.pk))
    assert len(_prepared_statements()) == before


def test_its_statements_are_logged_on_every_database(db):
    with CaptureQueriesContext(connection) as captured, prepared_cursor(connection) as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
    assert "SELECT 1" in captured.captured_queries[0]["sql"]
