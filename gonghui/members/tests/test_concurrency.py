"""One person is one member even when requests race (real threads and connections)."""
import pytest

from gonghui.core.exceptions import ApplicationError
from gonghui.members import services
from gonghui.members.models import JoinApplication, Membership, Person
from gonghui.members.tests.factories import new_id_number, worker
from gonghui.orgs.tests.test_concurrency import run_in_threads

THREADS = 8


@pytest.fixture
def tree(transactional_db, divisions_after_flush):
    divisions_after_flush()


def test_the_same_id_submitted_at_once_from_many_accounts_joins_once(tree):
    id_number = new_id_number()
    applicants = [worker() for _ in range(THREADS)]

    def submit(index: int):
        data = services.JoinInput(name="并发测试", id_number=id_number, town_code="440106006")
        return services.join_submit(applicant=applicants[index], data=data)

    results = run_in_threads(submit, THREADS)
    accepted = [r for r in results if isinstance(r, JoinApplication)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(accepted) == 1 and len(refused) == THREADS - 1, results
    assert Person.objects.count() == 1 and JoinApplication.objects.count() == 1


def test_two_reviewers_approving_at_once_make_one_membership(tree):
    application = services.join_submit(applicant=worker(), data=services.JoinInput(name="并发审批", id_number=new_id_number(), town_code="440106006"))
    results = run_in_threads(lambda index: services.application_approve(actor=None, application_id=application.pk), 4)
    assert sum(isinstance(r, Membership) for r in results) == 1
    assert all(isinstance(r, (Membership, ApplicationError)) for r in results), results
    assert Membership.objects.count() == 1


def test_two_reviewers_approving_overlapping_batches_approve_each_once(tree):
    from gonghui.accounts.models import Role
    from gonghui.accounts.tests.factories import PostFactory
    from gonghui.orgs.models import Org

    reviewers = [PostFactory(org=Org.objects.get(code="440106"), role=Role.objects.get(code="reviewer")).user for _ in range(2)]
    ids = [services.join_submit(applicant=worker(), data=services.JoinInput(name="批量并发", id_number=new_id_number(), town_code="440106006")).pk
           for _ in range(6)]
    batches = [ids[:4], list(reversed(ids[2:]))]  # both hold the middle two, taken in opposite orders
    results = run_in_threads(lambda index: services.applications_approve(actor=reviewers[index], application_ids=batches[index]), 2)
    outcomes = [outcome for result in results for outcome in result]
    assert sorted(int(o.application_id) for o in outcomes if not o.refused) == ids, results
    assert {o.refused for o in outcomes if o.refused} == {"该申请已通过，不能重复处理"}
    assert Membership.objects.count() == 6
