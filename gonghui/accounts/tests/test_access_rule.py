"""The one access rule (core.access, decision 0011): what guidance reads cover, owner rows, object grants, and the
same not-found answer for missing and forbidden ids on the decide endpoints."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import ObjectGrant, Role
from gonghui.accounts.services import object_grant_give, object_grant_revoke
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import NOT_FOUND_MESSAGE, ApplicationError
from gonghui.core.tests.test_url_walk import flashed
from gonghui.members import drives
from gonghui.members import services as member_services
from gonghui.members.models import DriveMetric, JoinApplication, Membership, Transfer
from gonghui.members.tests.factories import join, new_id_number, worker
from gonghui.orgs import assessment
from gonghui.orgs import assessment_schemes as schemes
from gonghui.orgs import services
from gonghui.orgs.models import AssessmentScheme, Employer, Org, OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory

pytestmark = pytest.mark.django_db
MISSING = 987654321


class TestGuidanceReads:
    """省教科文卫工会's read-only post reads the enterprises it guides (their orgs, employers, members), not the drives
    and schemes of the district and city those enterprises sit in."""

    @pytest.fixture
    def setting(self, org, cadre):
        industry = OrgFactory(parent=org("44"), type=OrgType.INDUSTRY_UNION, name="广东省教科文卫工会")
        school_union = OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE, name="某中学工会委员会")
        services.guidance_link_create(actor=None, org=school_union, guide=industry)
        school = EmployerFactory(town=org("440106006"), name="某中学", union=school_union)
        member = member_services.application_approve(actor=None, application_id=join(employer_id=school.pk).pk)
        reader = PostFactory(org=industry, role=Role.objects.get(code="analyst"), guidance_read=True).user
        city, district = cadre("4401"), cadre("440106")
        today = timezone.localdate()
        drive = drives.drive_create(actor=district, org=org("440106"), name="天河百日攻坚", metric=DriveMetric.NEW_MEMBERS, target=10,
                                    starts_on=today, ends_on=today + dt.timedelta(days=30))
        scheme = schemes.scheme_publish(actor=city, scheme_id=schemes.scheme_create(
            actor=city, owner=org("4401"), name="", year=2026, template=schemes.ZHUHAI).pk)
        return {"union": school_union, "school": school, "member": member, "reader": reader, "drive": drive, "scheme": scheme}

    def test_the_guided_enterprises_own_data_is_read(self, setting):
        reader = setting["reader"]
        assert Org.objects.restrict(reader, "orgs.view").filter(pk=setting["union"].pk).exists()
        assert Employer.objects.restrict(reader, "employers.view").filter(pk=setting["school"].pk).exists()
        assert Membership.objects.restrict(reader, "members.view").filter(pk=setting["member"].pk).exists()

    def test_the_district_and_city_above_them_are_not(self, setting, logged_in):
        reader = setting["reader"]
        assert list(drives.drive_list(actor=reader)) == []
        assert setting["scheme"] not in assessment.scheme_list(actor=reader)
        client = logged_in(reader)
        assert client.get(f"/api/drives/{setting['drive'].pk}").status_code == 404
        assert client.get(reverse("assessments:scheme", args=[setting["scheme"].pk])).status_code == 404

    def test_a_cadre_of_the_district_still_reads_the_citys_published_scheme_and_not_a_draft(self, setting, org, cadre):
        district = cadre("440106")
        draft = schemes.scheme_create(actor=cadre("4401"), owner=org("4401"), name="草稿方案", year=2026, template=schemes.ZHUHAI)
        visible = AssessmentScheme.objects.restrict(district, "orgs.view")
        assert visible.filter(pk=setting["scheme"].pk).exists() and not visible.filter(pk=draft.pk).exists()
        assert [(d.pk, d.higher) for d in drives.drive_list(actor=district)] == [(setting["drive"].pk, False)]


class TestOwnerRows:
    def test_a_worker_reads_their_own_applications_and_transfers_and_nobody_elses(self, org):
        applicant, other = worker(), worker()
        own = join(applicant=applicant, town_code="440106006")
        theirs = join(applicant=other, town_code="440106006")
        assert list(JoinApplication.objects.restrict(applicant, "members.view")) == [own]
        assert not JoinApplication.objects.restrict(applicant, "members.manage").exists()  # owning is no deciding
        member_services.application_approve(actor=None, application_id=own.pk)
        transfer = member_services.transfer_request(user=applicant, to_union=org("440106001"))
        assert list(Transfer.objects.restrict(applicant, "members.view")) == [transfer]
        assert not Transfer.objects.restrict(other, "members.view").exists()
        assert theirs not in JoinApplication.objects.restrict(applicant, "members.view")

    def test_the_submitted_page_shows_only_the_workers_own_application(self, client):
        applicant, other = worker(), worker()
        own, theirs = join(applicant=applicant, town_code="440106006"), join(applicant=other, town_code="440106006")
        client.force_login(applicant)
        assert client.get(reverse("members_h5:submitted", args=[own.pk])).status_code == 200
        assert client.get(reverse("members_h5:submitted", args=[theirs.pk]))["Location"] == reverse("members_h5:home")


class TestObjectGrants:
    @pytest.fixture
    def case(self, org, cadre):
        """A 越秀区 member's pending application, a 越秀 cadre who may decide it, and an outside lawyer."""
        application = join(town_code=Org.objects.filter(parent__code="440104", type=OrgType.TOWN).first().code)
        lawyer = UserFactory(kind="external", username="lawyer")
        return application, cadre("440104"), lawyer

    def test_a_grant_opens_that_object_for_those_actions_until_it_ends(self, case):
        application, yuexiu, lawyer = case
        assert not JoinApplication.objects.restrict(lawyer, "members.view").exists()
        grant = object_grant_give(actor=yuexiu, grantee=lawyer, obj=application, actions=["members.view"],
                                  until=timezone.now() + dt.timedelta(days=30))
        assert list(JoinApplication.objects.restrict(lawyer, "members.view")) == [application]
        assert not JoinApplication.objects.restrict(lawyer, "members.manage").exists()
        assert AuditEvent.objects.filter(action="accounts.object_grant.given", object_id=str(grant.pk)).exists()
        ObjectGrant.objects.filter(pk=grant.pk).update(valid_until=timezone.now() - dt.timedelta(seconds=1),
                                                       valid_since=timezone.now() - dt.timedelta(days=1))
        assert not JoinApplication.objects.restrict(lawyer, "members.view").exists()

    def test_revoked_grants_give_nothing_and_revoking_is_audited(self, case):
        application, yuexiu, lawyer = case
        grant = object_grant_give(actor=yuexiu, grantee=lawyer, obj=application, actions=["members.view"])
        object_grant_revoke(actor=yuexiu, grant=grant)
        assert not JoinApplication.objects.restrict(lawyer, "members.view").exists()
        assert AuditEvent.objects.filter(action="accounts.object_grant.revoked", object_id=str(grant.pk)).exists()
        with pytest.raises(ApplicationError, match="已撤销"):
            object_grant_revoke(actor=yuexiu, grant=grant)

    def test_nobody_grants_what_they_do_not_hold_nor_to_themselves(self, case, cadre):
        application, yuexiu, lawyer = case
        with pytest.raises(ApplicationError, match="不能给自己授权"):
            object_grant_give(actor=yuexiu, grantee=yuexiu, obj=application, actions=["members.view"])
        with pytest.raises(ApplicationError, match="没有以下权限"):  # a 天河区 cadre holds nothing over 越秀's application
            object_grant_give(actor=cadre("440106"), grantee=lawyer, obj=application, actions=["members.view"])
        with pytest.raises(ApplicationError, match="没有以下权限"):  # nor anyone an action no role has
            object_grant_give(actor=yuexiu, grantee=lawyer, obj=application, actions=["members.delete_everything"])
        reader = PostFactory(org=application.union, role=Role.objects.get(code="analyst")).user
        with pytest.raises(ApplicationError, match="办理入会审核"):  # reading is no deciding, so it is not handed on
            object_grant_give(actor=reader, grantee=lawyer, obj=application, actions=["members.manage"])
        received = object_grant_give(actor=yuexiu, grantee=lawyer, obj=application, actions=["members.view"])
        with pytest.raises(ApplicationError, match="没有以下权限"):  # a grant received is not passed on
            object_grant_give(actor=lawyer, grantee=worker(), obj=application, actions=["members.view"])
        with pytest.raises(ApplicationError, match="撤销"):
            object_grant_revoke(actor=cadre("440106"), grant=received)
        assert ObjectGrant.objects.count() == 1

    def test_an_end_before_now_is_refused_and_changes_nothing(self, case):
        application, yuexiu, lawyer = case
        with pytest.raises(ApplicationError, match="截止时间"):
            object_grant_give(actor=yuexiu, grantee=lawyer, obj=application, actions=["members.view"],
                              until=timezone.now() - dt.timedelta(hours=1))
        assert not ObjectGrant.objects.exists()


class TestOneNotFound:
    """The decide pages answer a 越秀区 id exactly as an id that does not exist: the same redirect back to the queue with
    the same message (before, «对象不存在…» for one and «申请不存在…» for the other); every page and API path now
    answers a missing object with the one NOT_FOUND_MESSAGE."""

    @pytest.fixture
    def yuexiu(self, org):
        first, second = Org.objects.filter(parent=org("440104"), type=OrgType.TOWN).order_by("code")[:2]
        id_number = new_id_number()
        membership = member_services.application_approve(
            actor=None, application_id=join(town_code=first.code, name="王小红", id_number=id_number).pk)
        return {"members:application_decide": join(town_code=first.code),
                "members:transfer_decide": member_services.transfer_request(user=membership.person.user, to_union=second),
                "members:appeal_decide": member_services.appeal_file(user=worker(), name="王小红", id_number=id_number,
                                                                     statement="有人冒用我的身份证入会，我从未申请过")}

    @pytest.mark.parametrize("url_name", ["members:application_decide", "members:transfer_decide", "members:appeal_decide"])
    def test_decide_endpoints(self, url_name, yuexiu, cadre, logged_in):
        client = logged_in(cadre("440106"))
        body = {"decision": "approve", "accept": "1", "upheld": "1", "note": "处理意见", "reason": "不符合条件"}
        pk = yuexiu[url_name].pk
        sibling, missing = client.post(reverse(url_name, args=[pk]), body), client.post(reverse(url_name, args=[MISSING]), body)
        assert sibling.status_code == missing.status_code == 302 and sibling["Location"] == missing["Location"]
        assert flashed(sibling) == flashed(missing) == [NOT_FOUND_MESSAGE]
