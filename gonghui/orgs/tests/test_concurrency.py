"""Concurrent writers on the tree, with real threads and connections (PostgreSQL row locks, SQLite IMMEDIATE)."""
import threading

import pytest
from django.db import connections

from gonghui.orgs import services
from gonghui.orgs.models import Org, OrgType

THREADS = 8


@pytest.fixture
def tree(transactional_db, divisions_after_flush):
    divisions_after_flush()
    return lambda code: Org.objects.get(code=code)


def run_in_threads(target, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results.append(target(index))
        except Exception as exc:  # collected and asserted on by the test
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_children_created_at_once_under_one_parent_get_distinct_paths(tree):
    town = tree("440106001")

    def create(index: int) -> Org:
        return services.org_create(actor=None, name=f"并发工会{index}", type=OrgType.ENTERPRISE, parent=town)

    results = run_in_threads(create, THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    paths = [org.path for org in Org.objects.filter(parent=town)]
    assert len(paths) == len(set(paths)) == THREADS
    assert all(path.startswith(town.path) and len(path) == len(town.path) + 4 for path in paths)


def test_moves_racing_with_creates_keep_every_path_consistent(tree):
    yuexiu, town = tree("440104"), tree("440106001")
    group = services.org_create(actor=None, name="集团工会", type=OrgType.ENTERPRISE, parent=town)

    def work(index: int):
        if index == 0:
            return services.org_move(actor=None, org=town, new_parent=yuexiu, reason="并发调整")
        parent_pk = town.pk if index % 2 else group.pk  # children of the moved org and of its descendant
        org_type = OrgType.ENTERPRISE if index % 2 else OrgType.BRANCH
        return services.org_create(actor=None, name=f"调整中新建{index}", type=org_type, parent=Org.objects.get(pk=parent_pk))

    results = run_in_threads(work, THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    town.refresh_from_db()
    assert town.parent == yuexiu
    subtree = list(Org.objects.subtree_of(town).exclude(pk=town.pk).select_related("parent"))
    assert len(subtree) == THREADS  # the group union and the seven created while the move ran
    for node in subtree:
        assert node.path.startswith(node.parent.path) and node.depth == node.parent.depth + 1, node.name


def test_submissions_racing_with_a_withdrawal_never_leave_a_scored_scheme_editable(tree):
    """The scheme row lock orders them: either the withdrawal comes first and every submission is refused, or a
    submission comes first and the withdrawal is refused because the scoring is locked."""
    from gonghui.accounts.tests.factories import PostFactory
    from gonghui.core.exceptions import ApplicationError
    from gonghui.orgs import assessment, assessment_schemes
    from gonghui.orgs.models import Assessment, AssessmentScheme, AssessmentStatus
    from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory, scores

    city = PostFactory(org=tree("4401")).user
    scheme = assessment_schemes.scheme_create(actor=city, owner=tree("4401"), name="", year=2026, template=assessment_schemes.ZHUHAI)
    scheme = assessment_schemes.scheme_publish(actor=city, scheme_id=scheme.pk)
    filers = []
    for index in range(THREADS - 1):
        union = OrgFactory(parent=tree("440106006"), type=OrgType.ENTERPRISE, name=f"并发申报{index}工会")
        EmployerFactory(town=tree("440106006"), union=union, headcount=150)
        company = PostFactory(org=union).user
        filers.append((company, assessment.assessment_start(actor=company, scheme=scheme, union=union)))
    full = scores(scheme, 0.8)

    def work(index: int):
        if index == 0:
            return assessment_schemes.scheme_unpublish(actor=city, scheme_id=scheme.pk)
        company, item = filers[index - 1]
        return assessment.assessment_submit(actor=company, assessment_id=item.pk, scores=full, evidence="并发申报的佐证说明材料。")

    results = run_in_threads(work, THREADS)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, ApplicationError)]
    assert not unexpected, unexpected
    submitted = Assessment.objects.filter(scheme=scheme).exclude(status=AssessmentStatus.DRAFT).count()
    if AssessmentScheme.objects.get(pk=scheme.pk).published_at is None:
        assert submitted == 0
    else:
        assert submitted == THREADS - 1
        assert any(isinstance(r, ApplicationError) and "已锁定" in r.message for r in results)
