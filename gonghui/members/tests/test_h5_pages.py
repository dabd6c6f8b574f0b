"""The worker's H5 pages as a worker meets them: waiting for a decision, not yet a member, 我的, a refused join form,
a union found by 找工会, the card's offline copy. The same pages in a phone-sized browser: test_browser_h5.py."""
import re

import pytest
from django.urls import reverse

from gonghui.core.masking import mask_name
from gonghui.members import services
from gonghui.members.models import MembershipStatus
from gonghui.members.tests.factories import join, worker
from gonghui.orgs import services as org_services
from gonghui.orgs.models import OrgType
from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(client):
    """A worker whose application waits at 石牌街道总工会 (manual review), signed in."""
    application = join(town_code="440106006", name="周八")
    client.force_login(application.applicant)
    return application


def test_a_pending_applicant_sees_the_application_not_the_join_form(client, applicant):
    home = client.get(reverse("members_h5:home")).content.decode()
    assert "入会申请审核中" in home and "石牌街道总工会" in home and "您还不是工会会员" not in home
    assert applicant.due_at.strftime("%Y-%m-%d") in home and 'href="/h5/member/join/"' not in home
    response = client.get(reverse("members_h5:join"))
    assert response["Location"] == reverse("members_h5:submitted", args=[applicant.pk])
    assert "申请已提交" in client.get(response["Location"]).content.decode()


def test_after_a_rejection_the_join_form_is_offered_again(client, applicant, cadre):
    services.application_reject(actor=cadre("440106"), application_id=applicant.pk, reason="非本辖区单位")
    home = client.get(reverse("members_h5:home")).content.decode()
    assert "您还不是工会会员" in home and "非本辖区单位" in home
    assert client.get(reverse("members_h5:join")).status_code == 200


@pytest.mark.parametrize("page, what", [("members_h5:transfer", "会籍转接"), ("members_h5:leave", "退会")])
def test_non_members_are_sent_to_join_from_transfer_and_leave(client, page, what):
    client.force_login(worker())
    for method in (client.get, client.post):
        response = method(reverse(page), follow=True)
        assert response.redirect_chain[0][0] == reverse("members_h5:join")
        assert f"您还不是工会会员，请先入会；入会后可办理{what}" in response.content.decode()


@pytest.mark.parametrize("page", ["members_h5:transfer", "members_h5:leave"])
def test_a_pending_applicant_or_a_frozen_member_goes_to_the_membership_page(client, applicant, page):
    response = client.get(reverse(page), follow=True)
    assert response.redirect_chain[0][0] == reverse("members_h5:home") and "您的入会申请正在审核" in response.content.decode()
    membership = services.application_approve(actor=None, application_id=applicant.pk)
    membership.status = MembershipStatus.FROZEN
    membership.save()
    response = client.get(reverse(page), follow=True)
    assert response.redirect_chain[0][0] == reverse("members_h5:home") and "会籍状态为“冒用冻结”，暂不能办理" in response.content.decode()


def test_a_member_opens_the_transfer_page_with_the_current_union(client, applicant):
    services.application_approve(actor=None, application_id=applicant.pk)
    assert "当前：<strong>石牌街道总工会</strong>" in client.get(reverse("members_h5:transfer")).content.decode()
    assert client.get(reverse("members_h5:leave")).status_code == 200


def test_me_shows_the_masked_name_of_the_person_not_the_account_name(client, applicant):
    page = client.get(reverse("h5_me")).content.decode()
    assert f"<h2>{mask_name('周八')}</h2>" in page and applicant.applicant.username not in page and "周八" not in page
    client.force_login(worker())
    assert "<h2>职工朋友</h2>" in client.get(reverse("h5_me")).content.decode()


def test_the_chosen_employer_stays_named_after_a_refused_submit(client, org):
    employer = EmployerFactory(town=org("440106006"), name="天河某某科技有限公司")
    client.force_login(worker())
    page = client.post(reverse("members_h5:join"), {"name": "吴九", "id_number": "440106199513011234", "employer_id": employer.pk}).content.decode()
    assert "出生日期无效" in page
    assert f'data-employer-id="{employer.pk}"' in page and 'data-employer-label="天河某某科技有限公司"' in page
    missing = client.post(reverse("members_h5:join"), {"name": "吴九", "id_number": "440106199513011234", "employer_id": 999999}).content.decode()
    assert 'data-employer-label=""' in missing


def test_a_union_found_by_find_union_opens_its_public_page(client, org):
    shipai = org("440106006")
    org_services.org_update(actor=None, org=shipai, address="天河区石牌东路1号", contact_phone="020-38000000",
                            office_hours="周一至周五 9:00-17:30", contact_name="陈主席")
    results = client.get(reverse("h5_find_union"), {"q": "石牌"}).content.decode()
    assert f'href="{reverse("h5_union", args=[shipai.pk])}"' in results
    page = client.get(reverse("h5_union", args=[shipai.pk])).content.decode()
    for shown in ("石牌街道总工会", "天河区石牌东路1号", 'href="tel:020-38000000"', "周一至周五 9:00-17:30", "一键入会", "会籍转接"):
        assert shown in page
    assert "陈主席" not in page and shipai.code not in page  # only the public fields


def test_a_county_union_page_offers_its_join_code_and_an_inactive_union_has_no_page(client, org):
    code = services.join_code_for(org=org("440106"))
    page = client.get(reverse("h5_union", args=[org("440106").pk])).content.decode()
    assert "扫码入会" in page and reverse("members_h5:code", args=[code.token]) in page and "暂未登记" in page
    closed = OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE, name="某已注销公司工会")
    org_services.org_update(actor=None, org=closed, is_active=False)
    assert client.get(reverse("h5_union", args=[closed.pk])).status_code == 404
    assert client.get(reverse("h5_union", args=[closed.pk + 10_000])).status_code == 404
    city = client.get(reverse("h5_union", args=[org("4401").pk])).content.decode()
    assert "本工会暂未在线提供服务" in city  # a 市总 holds no members and has no join code


def test_the_card_says_when_it_was_updated_and_its_fragment_varies_from_the_page(client, applicant):
    services.application_approve(actor=None, application_id=applicant.pk)
    page = client.get(reverse("members_h5:card"))
    html = page.content.decode()
    assert 'data-served="network"' in html and 'id="offline-badge" hidden>离线' in html
    assert re.search(r"最后更新 \d\d:\d\d", html) and "HX-Request" in page["Vary"]
    fragment = client.get(reverse("members_h5:card"), headers={"HX-Request": "true"}).content.decode()
    assert "最后更新" in fragment and "member-card-head" not in fragment
    worker_script = client.get(reverse("members_h5:card_sw")).content.decode()
    assert 'data-served="offline"' in worker_script and "HX-Request" in worker_script

