"""Workflows of the org tree and the ledger, through the services."""
import pytest

from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, PermissionDenied
from gonghui.orgs import services
from gonghui.orgs.models import Employer, Org, OrgMove, OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory, valid_uscc

pytestmark = pytest.mark.django_db


class TestOrgCreate:
    def test_enterprise_union_under_a_town_gets_a_path_below_it(self, org, cadre):
        town = org("440106001")
        union = services.org_create(actor=cadre("440106"), name="广州某科技有限公司工会委员会", type=OrgType.ENTERPRISE, parent=town)
        assert union.path.startswith(town.path) and union.depth == town.depth + 1
        assert union.code == f"ORG{union.pk:08d}"
        assert union.name_initials.startswith("gzmkj")
        assert AuditEvent.objects.filter(action="orgs.org.created", object_id=str(union.pk)).exists()

    def test_enterprise_union_may_sit_directly_under_a_city_or_an_industry_union(self, org):
        industry = OrgFactory(parent=org("44"), type=OrgType.INDUSTRY_UNION, name="广东省教科文卫工会")
        assert OrgFactory(parent=org("4401"), type=OrgType.ENTERPRISE).parent == org("4401")
        assert OrgFactory(parent=industry, type=OrgType.ENTERPRISE).parent == industry

    def test_town_may_sit_directly_under_dongguan(self, org):
        assert OrgFactory(parent=org("4419"), type=OrgType.TOWN, name="测试镇总工会").depth == 3

    @pytest.mark.parametrize(
        ("parent_code", "org_type", "message"),
        [
            ("440106001", OrgType.COUNTY, "区/县总工会不能设在街道/镇总工会之下"),
            ("44", OrgType.TOWN, "不能设在省总工会之下"),
            ("4401", OrgType.BRANCH, "分会/班组不能设在市总工会之下"),
        ],
    )
    def test_a_parent_of_the_wrong_type_is_refused(self, org, parent_code, org_type, message):
        count = Org.objects.count()
        with pytest.raises(ApplicationError, match=message):
            services.org_create(actor=None, name="新组织", type=org_type, parent=org(parent_code))
        assert Org.objects.count() == count

    def test_a_cadre_cannot_create_under_a_sibling_district(self, org, cadre):
        with pytest.raises(PermissionDenied):
            services.org_create(actor=cadre("440106"), name="越秀某公司工会", type=OrgType.ENTERPRISE, parent=org("440104001"))

    def test_a_taken_code_is_refused_with_the_field_named(self, org):
        with pytest.raises(ApplicationError) as error:
            services.org_create(actor=None, name="重复", type=OrgType.ENTERPRISE, parent=org("440106001"), code="440106")
        assert error.value.fields == {"code": ["编码重复"]}

    def test_blank_name_is_refused(self, org):
        with pytest.raises(ApplicationError, match="请填写组织名称"):
            services.org_create(actor=None, name="  ", type=OrgType.ENTERPRISE, parent=org("440106001"))


class TestOrgMove:
    def _subtree(self, org):
        town = org("440106001")
        union = OrgFactory(parent=town, type=OrgType.ENTERPRISE, name="集团工会")
        branch = OrgFactory(parent=union, type=OrgType.BRANCH, name="一分会")
        team = OrgFactory(parent=branch, type=OrgType.BRANCH, name="一班组")
        return town, union, branch, team

    def test_moving_a_town_keeps_every_descendants_path_right(self, org, superuser):
        town, union, branch, team = self._subtree(org)
        new_county = org("440104")  # 越秀区
        record = services.org_move(actor=superuser, org=town, new_parent=new_county, reason="行政区划调整")
        for node in (town, union, branch, team):
            node.refresh_from_db()
        assert town.parent == new_county and town.path.startswith(new_county.path)
        assert union.path.startswith(town.path) and branch.path.startswith(union.path) and team.path.startswith(branch.path)
        assert [n.depth for n in (town, union, branch, team)] == [4, 5, 6, 7]
        assert record.descendants_moved == 3 and record.old_parent_name == "天河区总工会"
        assert not Org.objects.filter(path__startswith=record.old_path).exists()
        assert Org.objects.subtree_of(org("440104")).filter(pk=team.pk).exists()
        assert not Org.objects.subtree_of(org("440106")).filter(pk=team.pk).exists()

    def test_moving_across_depths_updates_depth(self, org, superuser):
        _, union, branch, team = self._subtree(org)
        services.org_move(actor=superuser, org=union, new_parent=org("4401"), reason="改由市总直管")
        team.refresh_from_db()
        union.refresh_from_db()
        assert union.depth == 3 and team.depth == 5 and team.path.startswith(union.path)

    def test_employers_follow_their_town(self, org, superuser):
        town = org("440106001")
        employer = EmployerFactory(town=town)
        services.org_move(actor=superuser, org=town, new_parent=org("440104"), reason="区划调整")
        assert Employer.objects.in_subtree(org("440104")).filter(pk=employer.pk).exists()

    def test_moving_into_own_subtree_is_refused(self, org, superuser):
        town, union, _, _ = self._subtree(org)
        with pytest.raises(ApplicationError, match="自己或它的下级"):
            services.org_move(actor=superuser, org=town, new_parent=union, reason="错误操作")

    def test_moving_needs_a_reason_and_an_allowed_parent(self, org, superuser):
        with pytest.raises(ApplicationError, match="请填写调整原因"):
            services.org_move(actor=superuser, org=org("440106001"), new_parent=org("440104"), reason=" ")
        with pytest.raises(ApplicationError, match="不能设在"):
            services.org_move(actor=superuser, org=org("440106"), new_parent=org("440104"), reason="x")
        assert not OrgMove.objects.exists()

    def test_a_district_cadre_cannot_move_into_a_sibling_district(self, org, cadre):
        with pytest.raises(PermissionDenied):
            services.org_move(actor=cadre("440106"), org=org("440106001"), new_parent=org("440104"), reason="x")


class TestEmployer:
    def test_create_validates_and_audits(self, org, cadre):
        actor = cadre("440106")
        data = services.EmployerInput(
            uscc=valid_uscc(), name="广州示例物流有限公司", industry="G", ownership="non_public",
            town=org("440106001"), headcount="120", has_union="否",
        )
        employer = services.employer_create(actor=actor, data=data)
        assert employer.headcount == 120 and not employer.has_union and employer.name_initials == "gzslwlyxgs"
        assert AuditEvent.objects.filter(action="orgs.employer.created", actor=actor).exists()

    def test_every_bad_field_is_reported_at_once(self, org):
        data = services.EmployerInput(uscc="91440106MA59ABCD01", name="", industry="Z", ownership="", town=org("440106"), headcount="很多")
        with pytest.raises(ApplicationError) as error:
            services.employer_create(actor=None, data=data)
        assert set(error.value.fields) == {"uscc", "name", "industry", "ownership", "town", "headcount"}
        assert "不是街道/镇" in error.value.fields["town"][0]
        assert not Employer.objects.exists()

    def test_a_registered_uscc_is_refused_naming_the_holder(self, org):
        first = EmployerFactory(town=org("440106001"), name="先登记的公司")
        with pytest.raises(ApplicationError, match="先登记的公司"):
            EmployerFactory(town=org("440106002"), uscc=first.uscc)

    def test_union_must_be_an_enterprise_union_and_implies_has_union(self, org):
        union = OrgFactory(parent=org("440106001"), type=OrgType.ENTERPRISE)
        employer = EmployerFactory(town=org("440106001"), union=union, has_union=False)
        assert employer.has_union and employer.union == union
        with pytest.raises(ApplicationError, match="不是企业工会"):
            EmployerFactory(town=org("440106001"), union=org("440106"))

    def test_update_records_what_changed(self, org, cadre):
        actor = cadre("440106")
        employer = EmployerFactory(town=org("440106001"), headcount=10)
        data = services.EmployerInput(
            uscc=employer.uscc, name=employer.name, industry="I", ownership="non_public", town=employer.town, headcount=30,
        )
        services.employer_update(actor=actor, employer=employer, data=data)
        event = AuditEvent.objects.get(action="orgs.employer.updated")
        assert event.data["changed"] == {"headcount": [10, 30]}

    def test_a_cadre_cannot_register_an_employer_in_a_sibling_district(self, org, cadre):
        data = services.EmployerInput(uscc=valid_uscc(), name="越秀公司", industry="C", ownership="state", town=org("440104001"))
        with pytest.raises(PermissionDenied):
            services.employer_create(actor=cadre("440106"), data=data)
