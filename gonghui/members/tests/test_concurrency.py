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
