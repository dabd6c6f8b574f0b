"""岗位管理: posts are granted and revoked through audited services, inside the actor's subtree, never to themselves and
never with an action the actor does not hold there; the 工作台 page does the same, and the admin only looks."""
import pytest
from django.urls import reverse

from gonghui.accounts import services
from gonghui.accounts.models import Post, Role, UserKind
from gonghui.accounts.tests.factories import PostFactory, UserFactory
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.orgs.models import GuidanceLink, OrgType
from gonghui.orgs.tests.factories import OrgFactory

pytestmark = pytest.mark.django_db


def role(code):
    return Role.objects.get(code=code)


@pytest.fixture
def newcomer(db):
    return UserFactory(username="shipai_cadre", display_name="石牌街道干部")


def test_a_district_admin_grants_a_post_in_a_street_below_and_it_is_audited(cadre, org, newcomer):
    actor = cadre("440106")
    post = services.post_grant(actor=actor, user=newcomer, org=org("440106006"), role=role("reviewer"), title="组织委员")
    assert (post.user, post.org, post.role, post.title) == (newcomer, org("440106006"), role("reviewer"), "组织委员")
    event = AuditEvent.objects.get(action="accounts.post.granted")
    assert (event.actor, event.object_id, event.org_path) == (actor, str(post.pk), org("440106006").path)
    assert event.data["actions"] == role("reviewer").permissions and event.data["user"] == "shipai_cadre"


def test_nobody_grants_a_post_to_themselves(cadre, org):
    actor = cadre("440106")
    with pytest.raises(ApplicationError, match="不能给自己授予岗位"):
        services.post_grant(actor=actor, user=actor, org=org("440106006"), role=role("handler"))
    assert not AuditEvent.objects.filter(action="accounts.post.granted").exists()


def test_a_role_with_an_action_the_actor_lacks_there_is_refused(cadre, org, newcomer):
    """The district admin role lacks calendar.manage (province-wide); the calendar_admin role carries it."""
    actor = cadre("440106")
    with pytest.raises(PermissionDenied, match="维护工作日历"):
        services.post_grant(actor=actor, user=newcomer, org=org("440106006"), role=role("calendar_admin"))
    assert not Post.objects.filter(user=newcomer).exists()


def test_a_reviewer_cannot_hand_on_admin_rights_even_with_accounts_manage(org, newcomer):
    """accounts.manage alone does not let a cadre pass on actions they do not hold (pii.reveal, audit.view …)."""
    custom = Role.objects.create(code="people_clerk", name="人事专员", permissions=["accounts.manage", "orgs.view"])
    actor = PostFactory(org=org("440106"), role=custom).user
    with pytest.raises(PermissionDenied):
        services.post_grant(actor=actor, user=newcomer, org=org("440106006"), role=role("admin"))
    assert services.post_grant(actor=actor, user=newcomer, org=org("440106006"), role=role("lawyer")).role.code == "lawyer"


def test_an_org_outside_the_subtree_answers_as_a_missing_one(cadre, org, newcomer):
    actor = cadre("440106")
    for elsewhere in (org("440104"), org("4401")):  # a sibling district, the city above
        with pytest.raises(NotFound):
            services.post_grant(actor=actor, user=newcomer, org=elsewhere, role=role("handler"))
    yuexiu_post = PostFactory(org=org("440104"), role=role("handler"))
    with pytest.raises(NotFound):
        services.post_revoke(actor=actor, post=yuexiu_post)
    assert Post.objects.filter(pk=yuexiu_post.pk).exists()


def test_only_active_cadre_accounts_hold_posts_and_a_post_is_granted_once(cadre, org, newcomer):
    actor, street = cadre("440106"), org("440106006")
    for account in (UserFactory(kind=UserKind.WORKER), UserFactory(kind=UserKind.EXTERNAL), UserFactory(is_active=False)):
        with pytest.raises(ApplicationError, match="干部账号"):
            services.post_grant(actor=actor, user=account, org=street, role=role("handler"))
    services.post_grant(actor=actor, user=newcomer, org=street, role=role("handler"))
    with pytest.raises(ApplicationError, match="已有"):
        services.post_grant(actor=actor, user=newcomer, org=street, role=role("handler"))
    assert Post.objects.filter(user=newcomer).count() == 1


def test_guidance_reads_beyond_the_actors_subtree_are_refused(cadre, org, newcomer):
    """A 天河 industry union that guides a 越秀 enterprise union: a guidance-read post there would open 越秀 to reading."""
    actor = cadre("440106")
    industry = OrgFactory(parent=org("440106"), type=OrgType.INDUSTRY_UNION, name="天河区某产业工会")
    GuidanceLink.objects.create(guide=industry, org=OrgFactory(parent=org("440104"), type=OrgType.ENTERPRISE))
    with pytest.raises(PermissionDenied, match="管辖范围以外"):
        services.post_grant(actor=actor, user=newcomer, org=industry, role=role("analyst"), guidance_read=True)
    assert services.post_grant(actor=actor, user=newcomer, org=industry, role=role("analyst")).guidance_read is False


def test_revoking_a_post_removes_its_access_at_once_and_is_audited(cadre, org, newcomer):
    actor = cadre("440106")
    post = services.post_grant(actor=actor, user=newcomer, org=org("440106006"), role=role("reviewer"))
    services.post_revoke(actor=actor, post=post)
    assert not Post.objects.filter(pk=post.pk).exists()
    event = AuditEvent.objects.get(action="accounts.post.revoked")
    assert (event.actor, event.object_id, event.data["role"]) == (actor, str(post.pk), "reviewer")


def test_nobody_revokes_their_own_post_or_one_carrying_actions_they_lack(cadre, org, newcomer):
    actor = cadre("440106")
    with pytest.raises(ApplicationError, match="不能撤销自己的岗位"):
        services.post_revoke(actor=actor, post=actor.posts.get())
    stronger = PostFactory(org=org("440106"), role=role("calendar_admin"))
    with pytest.raises(PermissionDenied):
        services.post_revoke(actor=actor, post=stronger)
    assert Post.objects.filter(pk=stronger.pk).exists() and not AuditEvent.objects.filter(action="accounts.post.revoked").exists()


# --- the 岗位管理 page -------------------------------------------------------------------------------------------------

def test_the_page_lists_posts_of_the_subtree_only_with_search_and_filters(logged_in, cadre, org):
    PostFactory(org=org("440106006"), role=role("handler"), user=UserFactory(username="shipai_handler", display_name="石牌办事员"))
    PostFactory(org=org("440106"), role=role("analyst"), user=UserFactory(username="th_analyst"))
    PostFactory(org=org("440104"), role=role("handler"), user=UserFactory(username="yx_handler"))
    client = logged_in(cadre("440106"))
    page = client.get(reverse("staff:posts")).content.decode()
    assert "shipai_handler" in page and "th_analyst" in page and "yx_handler" not in page
    assert "越秀区总工会" not in page.split("<table")[1]
    by_name = client.get(reverse("staff:posts"), {"q": "石牌"}).content.decode()
    assert "shipai_handler" in by_name and "th_analyst" not in by_name
    by_role = client.get(reverse("staff:posts"), {"role": role("analyst").pk}).content.decode()
    assert "th_analyst" in by_role and "shipai_handler" not in by_role
    by_org = client.get(reverse("staff:posts"), {"org": org("440106006").pk}).content.decode()
    assert "shipai_handler" in by_org and "th_analyst" not in by_org


def test_the_page_is_paged(logged_in, cadre, org):
    for index in range(30):
        PostFactory(org=org("440106006"), role=role("handler"), user=UserFactory(username=f"street{index:02d}"))
    client = logged_in(cadre("440106"))
    first = client.get(reverse("staff:posts")).content.decode()
    assert "第 1 / 2 页" in first and "共 31 个岗位" in first
    assert "street29" in client.get(reverse("staff:posts"), {"page": 2}).content.decode()


def test_granting_on_the_page_and_an_error_keeps_what_was_typed(logged_in, cadre, org, newcomer):
    client = logged_in(cadre("440106"))
    typed = {"username": "shipai_cadre", "org_code": "440104", "role": role("handler").pk, "title": "宣传委员"}
    response = client.post(reverse("staff:post_grant"), typed)
    page = response.content.decode()
    assert response.status_code == 200 and "对象不存在或无权访问" in page
    missing = client.post(reverse("staff:post_grant"), typed | {"org_code": "999999999"})
    assert missing.status_code == 200 and "对象不存在或无权访问" in missing.content.decode()
    assert 'value="shipai_cadre"' in page and 'value="440104"' in page and 'value="宣传委员"' in page
    assert f'value="{role("handler").pk}" selected' in page
    assert not Post.objects.filter(user=newcomer).exists()
    response = client.post(reverse("staff:post_grant"), typed | {"org_code": "440106006"})
    assert response.status_code == 302 and Post.objects.get(user=newcomer).org == org("440106006")


def test_an_unknown_account_is_named_next_to_its_input(logged_in, cadre, org):
    client = logged_in(cadre("440106"))
    response = client.post(reverse("staff:post_grant"), {"username": "nobody_here", "org_code": "440106006", "role": role("handler").pk})
    assert response.status_code == 200 and "没有这个账号" in response.content.decode()


def test_revoking_on_the_page_asks_first(logged_in, cadre, org):
    post = PostFactory(org=org("440106006"), role=role("handler"))
    client = logged_in(cadre("440106"))
    confirm = client.get(reverse("staff:post_revoke", args=[post.pk]))
    assert confirm.status_code == 200 and "确认撤销" in confirm.content.decode()
    assert Post.objects.filter(pk=post.pk).exists()
    assert client.post(reverse("staff:post_revoke", args=[post.pk])).status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()


def test_a_yuexiu_cadre_gets_404_for_tianhe_post_ids_as_for_missing_ones(logged_in, cadre, org):
    tianhe_post = PostFactory(org=org("440106006"), role=role("handler"))
    client = logged_in(cadre("440104"))
    for post_id in (tianhe_post.pk, 987654321):
        assert client.get(reverse("staff:post_revoke", args=[post_id])).status_code == 404
        assert client.post(reverse("staff:post_revoke", args=[post_id])).status_code == 404
    assert Post.objects.filter(pk=tianhe_post.pk).exists()


def test_cadres_without_accounts_manage_do_not_get_the_page(logged_in, org):
    reviewer = PostFactory(org=org("440106"), role=role("reviewer")).user
    client = logged_in(reviewer)
    assert client.get(reverse("staff:posts")).status_code == 403
    assert client.post(reverse("staff:post_grant"), {"username": "x", "org_code": "440106", "role": 1}).status_code == 403


def test_the_org_picker_offers_only_orgs_of_the_subtree(logged_in, cadre):
    client = logged_in(cadre("440106"))
    assert "石牌街道" in client.get(reverse("staff:org_options"), {"org_code": "石牌"}).content.decode()
    assert client.get(reverse("staff:org_options"), {"org_code": "越秀"}).content.decode().strip() == ""
