"""入会审核 in a batch: the cadre searches the queue, ticks several and approves them in one go; each is approved (and
audited, and its applicant told) as if alone, and the summary explains every one that was not."""
import pytest
from django.urls import reverse

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.audit.models import AuditEvent
from gonghui.members import services
from gonghui.members.models import ApplicationStatus, JoinApplication, Membership
from gonghui.members.tests.factories import join, new_id_number, worker
from gonghui.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(org):
    return PostFactory(org=org("440106"), role=Role.objects.get(code="reviewer")).user


def approve(client, ids, **extra):
    """Post the ticked ids, follow back to the queue; returns the response and the messages shown there."""
    response = client.post(reverse("members:applications_approve"), {"ids": [str(i) for i in ids], **extra}, follow=True)
    return response, [str(message) for message in response.context["messages"]]


def test_approves_the_ticked_ones_and_explains_the_rest(client, reviewer):
    ticked = [join(town_code="440106006", name=name) for name in ("赵大一", "钱大二", "孙大三")]
    decided = join(town_code="440106001", name="李大四")
    services.application_approve(actor=None, application_id=decided.pk)
    pooled = join(town_code="440106001", name="周大五")
    JoinApplication.objects.filter(pk=pooled.pk).update(in_holding_pool=True)
    elsewhere = join(town_code="440104001", name="吴大六")
    client.force_login(reviewer)

    response, said = approve(client, [*(a.pk for a in ticked), decided.pk, pooled.pk, elsewhere.pk, "abc", ticked[0].pk],
                             next="/workbench/members/applications/?q=%E8%B5%B5")
    assert response.redirect_chain == [("/workbench/members/applications/?q=%E8%B5%B5", 302)]
    assert said == [
        "已通过 3 份入会申请，已通知申请人",
        "李*四（五山街道总工会）未通过：该申请已通过，不能重复处理",
        "周*五（五山街道总工会）未通过：周转库中的申请请先分配到具体工会",
        f"申请 #{elsewhere.pk}未通过：对象不存在或无权访问",  # out of scope: not even its name
        "申请 #abc未通过：对象不存在或无权访问",
    ]
    assert {a.status for a in JoinApplication.objects.filter(pk__in=[a.pk for a in ticked])} == {ApplicationStatus.APPROVED}
    assert JoinApplication.objects.get(pk=elsewhere.pk).status == ApplicationStatus.PENDING
    assert AuditEvent.objects.filter(action="members.application.approved", actor=reviewer).count() == 3
    assert Notification.objects.filter(template_code="member.approved", channel="inbox", recipient__in=[a.applicant for a in ticked]).count() == 3


def test_nothing_ticked_or_too_many_changes_nothing(client, reviewer):
    pending = join(town_code="440106006")
    client.force_login(reviewer)
    assert approve(client, [])[1] == ["请先勾选要通过的申请"]
    assert approve(client, [pending.pk, *range(10_000, 10_000 + services.APPROVE_AT_ONCE)])[1] == [
        f"一次最多通过 {services.APPROVE_AT_ONCE} 份申请，请分批办理"]
    assert JoinApplication.objects.get(pk=pending.pk).status == ApplicationStatus.PENDING and not Membership.objects.exists()
    assert client.get(reverse("members:applications_approve")).status_code == 405


def test_a_reader_cannot_approve(client, org):
    pending = join(town_code="440106006")
    analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user
    client.force_login(analyst)
    _, said = approve(client, [pending.pk])
    assert len(said) == 1 and "未通过" in said[0]
    assert JoinApplication.objects.get(pk=pending.pk).status == ApplicationStatus.PENDING


class TestSearch:
    @pytest.fixture
    def queue(self, client, reviewer):
        client.force_login(reviewer)
        return lambda q: client.get(reverse("members:applications"), {"q": q}).content.decode()

    def test_by_name_as_shown_or_in_full(self, queue):
        join(town_code="440106006", name="赵小一")
        join(town_code="440106006", name="钱小二")
        for q in ("赵小一", "赵*一", "赵＊一"):
            html = queue(q)
            assert "赵*一" in html and "钱*二" not in html, q
        assert "共 1 条（搜索“赵*一”）" in queue("赵*一")

    def test_by_id_or_mobile_number(self, queue):
        id_number, applicant = new_id_number(), worker()
        join(applicant=applicant, town_code="440106006", name="赵小一", id_number=id_number)
        join(town_code="440106006", name="钱小二")
        for q in (id_number, applicant.phone):
            assert "赵*一" in queue(q) and "钱*二" not in queue(q)
        assert "没有找到与“44010619950601000X”相符的申请" in queue("44010619950601000X")  # not a valid ID number

    def test_by_union_and_never_outside_scope(self, queue):
        join(town_code="440106006", name="赵小一")
        join(town_code="440106001", name="钱小二")
        join(town_code="440104001", name="孙小三")
        html = queue("石牌")
        assert "赵*一" in html and "钱*二" not in html
        assert "孙*三" not in queue("孙小三") and "孙*三" not in queue("北京街道")
