"""The same post granted or revoked by several cadres at one moment, with real threads and connections."""
import pytest

from gonghui.accounts import services
from gonghui.accounts.models import Post, Role
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.orgs.models import Org
from gonghui.orgs.tests.test_concurrency import run_in_threads

THREADS = 6


@pytest.fixture
def district_admins(transactional_db, divisions_after_flush):
    divisions_after_flush()
    tianhe = Org.objects.get(code="440106")
    return [PostFactory(org=tianhe).user for _ in range(THREADS)]


def test_one_post_granted_at_once_by_several_admins_exists_once(district_admins):
    newcomer, street, handler = UserFactory(username="newcomer"), Org.objects.get(code="440106006"), Role.objects.get(code="handler")
    results = run_in_threads(lambda index: services.post_grant(actor=district_admins[index], user=newcomer, org=street, role=handler),
                             THREADS)
    granted = [r for r in results if isinstance(r, Post)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(granted) == 1 and len(refused) == THREADS - 1 and all("已有" in r.message for r in refused), results
    assert Post.objects.filter(user=newcomer).count() == 1
    assert AuditEvent.objects.filter(action="accounts.post.granted").count() == 1


def test_one_post_revoked_at_once_by_several_admins_is_revoked_once(district_admins):
    post = PostFactory(org=Org.objects.get(code="440106006"), role=Role.objects.get(code="handler"))
    results = run_in_threads(lambda index: services.post_revoke(actor=district_admins[index], post=post), THREADS)
    assert results.count(None) == 1 and sum(isinstance(r, NotFound) for r in results) == THREADS - 1, results
    assert AuditEvent.objects.filter(action="accounts.post.revoked").count() == 1
