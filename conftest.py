"""Test fixtures shared by every app."""
import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load Guangdong's real divisions once per test database; each test then runs in a rollback."""
    from gonghui.orgs.divisions import divisions_load

    with django_db_blocker.unblock():
        divisions_load()
    yield


@pytest.fixture
def org(db):
    """Look up a real division's union by its code: org("440106") is 天河区总工会."""
    from gonghui.orgs.models import Org

    return lambda code: Org.objects.get(code=code)


@pytest.fixture
def superuser(db):
    from gonghui.accounts.tests.factories import UserFactory

    return UserFactory(is_superuser=True, is_staff=True, username="root")


@pytest.fixture
def cadre(db, org):
    """cadre("440106") is a cadre holding an admin post at 天河区总工会."""
    from gonghui.accounts.tests.factories import PostFactory

    return lambda code, **kwargs: PostFactory(org=org(code), **kwargs).user


@pytest.fixture
def seeded(db):
    call_command("seed_demo", employers=300, stdout=open("/dev/null", "w"))


def load_reference_data() -> None:
    """What migrations and the session put in the test database (the rows each app declares as reference data: roles,
    templates, the schedule; and the divisions).

    A transactional test ends by flushing every table; tests that run after it need this back."""
    from django.apps import apps

    from gonghui.core.registry import reference_data_loaders
    from gonghui.orgs.divisions import divisions_load

    for load in reference_data_loaders():
        load(apps, None)
    divisions_load()


@pytest.fixture(scope="module")
def divisions_after_flush(django_db_setup, django_db_blocker):
    """For modules of transactional tests: yields the loader for each test's start and reloads after the module."""
    yield load_reference_data
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def logged_in(client):
    """logged_in(user) → the test client, logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
