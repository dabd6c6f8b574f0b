"""一键入会: routing to the right union, one person one member, review, the 15-working-day flag."""
import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.core.exceptions import ApplicationError, NotFound
from gonghui.members import services
from gonghui.members.models import JoinPolicy, Membership, MembershipStatus, NewFormType
from gonghui.members.routing import county_level
from gonghui.members.tests.factories import join, new_id_number, worker
from gonghui.notify.models import Notification
from gonghui.orgs.models import OrgType, Sector
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def riders(org):
    """天河区外卖配送行业工会联合会."""
    return OrgFactory(parent=org("440106"), type=OrgType.SECTOR_FEDERATION, sector=Sector.FOOD_DELIVERY, name="天河区外卖配送行业工会联合会")


class TestRouting:
    def test_employer_with_a_union_routes_to_its_enterprise_union(self, org):
        union = OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE)
        employer = EmployerFactory(town=org("440106006"), union=union)
        application = join(employer_id=employer.pk)
        assert application.union == union and "已建会" in application.routing_reason and not application.in_holding_pool

    def test_employer_without_a_union_routes_to_its_street_union(self, org):
        employer = EmployerFactory(town=org("440106006"))
        assert join(employer_id=employer.pk).union == org("440106006")

    def test_new_form_worker_routes_to_the_county_sector_federation(self, org, riders):
        application = join(town_code="440106006", new_form_type=NewFormType.FOOD_DELIVERY, platform_company="美团")
        assert application.union == riders and "外卖骑手" in application.routing_reason

    def test_new_form_worker_without_a_federation_goes_to_the_street_union(self, org, riders):
        assert join(town_code="440106006", new_form_type=NewFormType.COURIER).union == org("440106006")
        assert join(town_code="440104001", new_form_type=NewFormType.FOOD_DELIVERY).union == org("440104001")

    def test_dongguan_and_zhongshan_federations_sit_in_the_town(self, org):
        changan = org("4419").children.get(short_name="长安镇")
        federation = OrgFactory(parent=changan, type=OrgType.SECTOR_FEDERATION, sector=Sector.TRUCKING, name="长安镇货车司机工会联合会")
        assert county_level(changan) == changan and county_level(org("440106006")) == org("440106")
        assert join(town_code=changan.code, new_form_type=NewFormType.TRUCKING).union == federation
        xiaolan = org("4420").children.get(short_name="小榄镇")
        assert join(town_code=xiaolan.code, new_form_type=NewFormType.TRUCKING).union == xiaolan

    def test_a_federation_join_code_routes_there(self, riders):
        code = services.join_code_for(org=riders)
        assert join(join_code_token=code.token).union == riders

    def test_a_county_code_with_nothing_else_goes_to_the_holding_pool(self, org):
        code = services.join_code_for(org=org("440106"))
        application = join(join_code_token=code.token, employer_name="不在台账的小店")
        assert application.union == org("440106") and application.in_holding_pool and "周转库" in application.routing_reason

    def test_nothing_at_all_asks_for_a_place(self):
        with pytest.raises(ApplicationError, match="请选择您的工作单位或工作地"):
            join(employer_name="某公司")


class TestOnePersonOneMember:
    def test_a_second_join_with_the_same_id_names_the_existing_union_masked(self, org):
        id_number = new_id_number()
        application = join(id_number=id_number, town_code="440106006")
        services.application_approve(actor=None, application_id=application.pk)
        with pytest.raises(ApplicationError, match=r"已是会员（所在工会：石牌\*\*总工会）"):
            join(id_number=id_number, town_code="440104001")

    def test_a_pending_application_blocks_another(self, org):
        applicant = worker()
        id_number = new_id_number()
        join(applicant, id_number=id_number, town_code="440106006")
        with pytest.raises(ApplicationError, match="正在审核"):
            join(applicant, id_number=id_number, town_code="440106006")

    def test_someone_elses_account_cannot_reuse_an_id(self, org):
        id_number = new_id_number()
        join(id_number=id_number, town_code="440106006")
        with pytest.raises(ApplicationError, match="已绑定其他账号"):
            join(id_number=id_number, town_code="440106006")

    @pytest.mark.parametrize(("id_number", "message"), [("440106199513011234", "出生日期无效"), ("1234", "18位")])
    def test_bad_ids_are_refused_before_anything_is_written(self, org, id_number, message):
        with pytest.raises(ApplicationError, match=message):
            join(id_number=id_number, town_code="440106006")
        assert not Membership.objects.exists()

    def test_the_raw_rows_hold_no_plaintext(self, org):
        id_number = new_id_number()
        join(id_number=id_number, name="王大锤", town_code="440106006")
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, id_number, phone FROM members_person")
            name, raw_id, phone = cursor.fetchone()
        assert "王大锤" not in name and id_number not in raw_id and phone.startswith("enc1:")


class TestReview:
    def test_auto_approving_unions_admit_at_once_and_tell_the_worker(self, org):
        JoinPolicy.objects.create(org=org("440106006"), auto_approve=True)
        application = join(town_code="440106006")
        membership = Membership.objects.get(person=application.person)
        assert application.person.membership.status == MembershipStatus.ACTIVE
        assert membership.member_number.startswith(f"44{timezone.localdate():%Y}")
        assert Notification.objects.filter(recipient=application.applicant, template_code="member.approved").exists()

    def test_a_reviewer_approves_rejects_and_reroutes_within_scope(self, org, cadre):
        reviewer = PostFactory(org=org("440106"), role=Role.objects.get(code="reviewer")).user
        first, second = join(town_code="440106006"), join(town_code="440106006")
        services.application_approve(actor=reviewer, application_id=first.pk)
        services.application_reject(actor=reviewer, application_id=second.pk, reason="单位不在本辖区")
        assert Notification.objects.get(recipient=second.applicant, template_code="member.rejected").body.endswith("如有疑问请联系该工会。")
        with pytest.raises(ApplicationError, match="不能重复处理"):
            services.application_approve(actor=reviewer, application_id=second.pk)
        pooled = join(join_code_token=services.join_code_for(org=org("440106")).token, employer_name="小店")
        with pytest.raises(ApplicationError, match="先分配"):
            services.application_approve(actor=reviewer, application_id=pooled.pk)
        services.application_reroute(actor=reviewer, application_id=pooled.pk, union=org("440106001"), note="核实在五山")
        pooled.refresh_from_db()
        assert pooled.union == org("440106001") and not pooled.in_holding_pool

    def test_a_sibling_districts_application_is_not_found(self, org, cadre):
        application = join(town_code="440104001")
        with pytest.raises(NotFound):
            services.application_approve(actor=cadre("440106"), application_id=application.pk)
        with pytest.raises(NotFound):
            services.application_reroute(actor=cadre("440104"), application_id=application.pk, union=org("440106001"))

    def test_applications_waiting_15_working_days_are_flagged_to_the_union_above(self, org):
        upper_reviewer = PostFactory(org=org("440106"), role=Role.objects.get(code="reviewer")).user
        application = join(town_code="440106006")
        assert application.due_at > timezone.now() + dt.timedelta(days=14)
        assert services.applications_flag_overdue(now=application.due_at - dt.timedelta(minutes=1)) == 0
        assert services.applications_flag_overdue(now=application.due_at + dt.timedelta(minutes=1)) == 1
        assert services.applications_flag_overdue(now=application.due_at + dt.timedelta(days=3)) == 0  # once only
        notice = Notification.objects.get(recipient=upper_reviewer, template_code="member.application_overdue")
        assert "石牌街道总工会" in notice.body
