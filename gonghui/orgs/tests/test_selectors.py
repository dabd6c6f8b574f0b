"""Reads: scoping to the actor's subtree, search with pinyin, subtree counts and 建会率."""
import pytest
from django.contrib.auth.models import AnonymousUser

from gonghui.accounts.tests.factories import UserFactory
from gonghui.core.exceptions import NotFound
from gonghui.orgs import selectors, services
from gonghui.orgs.models import OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory

pytestmark = pytest.mark.django_db


class TestScoping:
    def test_a_district_cadre_sees_only_the_district_subtree(self, org, cadre):
        tianhe = cadre("440106")
        codes = set(selectors.org_list(actor=tianhe).values_list("code", flat=True))
        assert "440106" in codes and "440106001" in codes
        assert "440104" not in codes and "4401" not in codes and "44" not in codes

    def test_missing_and_forbidden_look_the_same(self, org, cadre):
        tianhe = cadre("440106")
        with pytest.raises(NotFound) as forbidden:
            selectors.org_get_for(actor=tianhe, org_id=org("440104").pk)
        with pytest.raises(NotFound) as missing:
            selectors.org_get_for(actor=tianhe, org_id=99999999)
        assert forbidden.value.message == missing.value.message

    def test_employers_follow_the_same_rule(self, org, cadre):
        yuexiu_employer = EmployerFactory(town=org("440104001"))
        tianhe_employer = EmployerFactory(town=org("440106001"))
        tianhe, guangzhou = cadre("440106"), cadre("4401")
        assert list(selectors.employer_list(actor=tianhe)) == [tianhe_employer]
        with pytest.raises(NotFound):
            selectors.employer_get_for(actor=tianhe, employer_id=yuexiu_employer.pk)
        assert selectors.employer_get_for(actor=guangzhou, employer_id=yuexiu_employer.pk) == yuexiu_employer

    def test_anonymous_and_postless_users_see_nothing(self, db):
        assert not selectors.org_list(actor=AnonymousUser()).exists()
        assert not selectors.org_list(actor=UserFactory()).exists()

    def test_roots_are_the_posts_orgs(self, org, cadre, superuser):
        assert [o.code for o in selectors.org_roots_for(actor=cadre("440106"))] == ["440106"]
        assert [o.code for o in selectors.org_roots_for(actor=superuser)] == ["44"]
        assert all(o.has_children for o in selectors.org_roots_for(actor=superuser))

    def test_children_are_lazy_loaded_one_level(self, org, superuser):
        children = list(selectors.org_children(actor=superuser, parent=org("4401")))
        assert {c.type for c in children} == {OrgType.COUNTY}
        assert len(children) == 11 and all(c.has_children for c in children)


class TestSearch:
    @pytest.mark.parametrize("query", ["天河", "thq", "tianhe", "TianHe", "440106"])
    def test_tianhe_is_found_by_name_pinyin_initials_or_code(self, superuser, query):
        names = [o.name for o in selectors.org_list(actor=superuser, q=query)[:5]]
        assert names[0] == "天河区总工会"

    def test_search_within_scope_and_by_type(self, org, cadre):
        results = selectors.org_list(actor=cadre("440106"), q="街道", type=OrgType.TOWN)
        assert results.count() == 21
        assert all(o.path.startswith(org("440106").path) for o in results)

    def test_breadcrumbs_name_the_chain(self, org):
        crumbs = selectors.org_breadcrumbs(orgs=[org("440106001")])
        assert crumbs[org("440106001").pk] == "广东省 › 广州市 › 天河区"

    def test_worker_search_finds_active_unions_only(self, org, superuser):
        services.org_update(actor=superuser, org=OrgFactory(parent=org("440106001"), name="天河停用工会"), is_active=False)
        names = [o.name for o in selectors.org_public_search(q="天河")]
        assert "天河区总工会" in names and "天河停用工会" not in names


class TestSubtreeStats:
    def test_counts_and_unionization_rate_for_the_subtree(self, org):
        union = OrgFactory(parent=org("440106001"), type=OrgType.ENTERPRISE)
        EmployerFactory(town=org("440106001"), headcount=30, union=union)
        EmployerFactory(town=org("440106002"), headcount=10)
        EmployerFactory(town=org("440106003"), headcount=200)
        EmployerFactory(town=org("440106004"), headcount=5, has_union=True)
        EmployerFactory(town=org("440104001"), headcount=500, has_union=True)  # 越秀: not counted
        stats = selectors.org_subtree_stats(org=org("440106"))
        assert (stats.employer_count, stats.unionized_count) == (4, 2)
        assert stats.unionization_rate == 0.5
        assert (stats.large_employer_count, stats.large_unionized_count) == (2, 1)
        assert stats.orgs_by_type == {OrgType.TOWN: 21, OrgType.ENTERPRISE: 1}
        assert stats.org_count == 22

    def test_no_employers_means_no_rate(self, org):
        assert selectors.org_subtree_stats(org=org("440106001")).unionization_rate is None
