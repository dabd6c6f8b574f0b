"""接口密钥: an integration calls the API with a key, inside the key's org subtree and actions, through the same
scoping rule as a cadre; writes are audited under the key's name; the secret is never stored in clear."""
import hashlib

import pytest
from django.core.cache import cache
from django.urls import reverse

from gonghui.accounts.api_keys import api_key_issue, api_key_revoke
from gonghui.accounts.models import ApiKey, Role, User
from gonghui.accounts.tests.factories import PostFactory
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db
MISSING = 987654321


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issue(cadre, org):
    """issue(org_code, actions) → the secret of a key 天河区's admin issued for a hotline."""

    def make(org_code="440106", actions=("orgs.view", "orgs.manage")):
        return api_key_issue(actor=cadre("440106"), client_name="天河12345热线", org=org(org_code), actions=list(actions))[1]

    return make


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_good_key_reads_its_subtree_without_a_session_or_csrf(client, issue, org):
    secret = issue()
    response = client.get(f"/api/orgs/{org('440106006').pk}", **bearer(secret))
    assert response.status_code == 200 and response.json()["name"] == org("440106006").name
    assert client.get(f"/api/orgs/{org('440106').pk}", HTTP_X_API_KEY=secret).status_code == 200
    key = ApiKey.objects.get()
    assert key.last_used_at is not None and key.last_used_ip == "127.0.0.1"


def test_a_key_out_of_its_subtree_gets_the_404_a_missing_id_gets(client, issue, org):
    secret = issue()
    sibling = client.get(f"/api/orgs/{org('440104').pk}", **bearer(secret))
    missing = client.get(f"/api/orgs/{MISSING}", **bearer(secret))
    assert sibling.status_code == missing.status_code == 404 and sibling.json() == missing.json()
    above = client.patch(f"/api/orgs/{org('4401').pk}", {"name": "改名"}, content_type="application/json", **bearer(secret))
    assert above.status_code == 404


def test_a_key_without_an_action_is_answered_like_a_cadre_with_the_same_actions(client, issue, org, logged_in):
    """orgs.view only: a write is 403 where it reads (as for a cadre whose role reads only), a read without the action 404."""
    read_only = issue(actions=["orgs.view"])
    write = client.patch(f"/api/orgs/{org('440106006').pk}", {"name": "改名"}, content_type="application/json", **bearer(read_only))
    employers_only = issue(actions=["employers.view"])
    read = client.get(f"/api/orgs/{org('440106006').pk}", **bearer(employers_only))
    reader = PostFactory(org=org("440106"), role=Role.objects.create(code="org_reader", name="只读", permissions=["orgs.view"])).user
    session = logged_in(reader)
    cadre_write = session.patch(f"/api/orgs/{org('440106006').pk}", {"name": "改名"}, content_type="application/json")
    assert (write.status_code, write.json()["code"]) == (cadre_write.status_code, cadre_write.json()["code"]) == (403, "permission_denied")
    assert read.status_code == 404
    assert org("440106006").name != "改名"


def test_a_write_through_a_key_is_audited_under_the_keys_name(client, issue, org):
    secret = issue()
    response = client.patch(f"/api/orgs/{org('440106006').pk}", {"contact_name": "王主任"}, content_type="application/json", **bearer(secret))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="orgs.org.updated")
    assert event.actor == ApiKey.objects.get().account and event.actor_name == "接口密钥：天河12345热线"


def test_a_revoked_key_and_a_forged_key_are_refused_even_beside_a_session(client, issue, org, cadre, logged_in):
    secret = issue()
    key = ApiKey.objects.get()
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    for raw in (forged, f"ghk_{key.prefix}_", "ghk_00000000_" + secret.split("_", 2)[2], "not-a-key"):
        response = client.get(f"/api/orgs/{org('440106').pk}", **bearer(raw))
        assert (response.status_code, response.json()["code"]) == (401, "invalid_api_key"), raw
    api_key_revoke(actor=cadre("440106"), key=key)
    assert client.get(f"/api/orgs/{org('440106').pk}", **bearer(secret)).status_code == 401
    session = logged_in(cadre("440106"))  # a valid session does not rescue a bad key
    assert session.get(f"/api/orgs/{org('440106').pk}", **bearer(forged)).status_code == 401
    assert session.get(f"/api/orgs/{org('440106').pk}").status_code == 200


def test_failed_key_attempts_are_rate_limited_per_ip(client, issue, org):
    secret = issue()
    for _ in range(20):
        assert client.get("/api/orgs", **bearer("ghk_deadbeef_wrong")).status_code == 401
    limited = client.get("/api/orgs", **bearer("ghk_deadbeef_wrong"))
    assert (limited.status_code, limited.json()["code"]) == (429, "api_key_rate_limited")
    assert client.get("/api/orgs", **bearer(secret)).status_code == 429  # even a good key waits out the window
    assert client.get("/api/orgs", REMOTE_ADDR="10.0.0.9", **bearer(secret)).status_code == 200


def test_the_secret_is_stored_only_as_a_digest(cadre, org):
    key, secret = api_key_issue(actor=cadre("440106"), client_name="数据交换", org=org("440106"), actions=["orgs.view"])
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert all(secret not in str(value) and secret.split("_", 2)[2] not in str(value) for value in stored.values())
    assert stored["secret_hash"] == hashlib.sha256(secret.split("_", 2)[2].encode()).hexdigest()
    event = AuditEvent.objects.get(action="accounts.api_key.issued")
    assert secret.split("_", 2)[2] not in str(event.data) and event.data["actions"] == ["orgs.view"]
    account = User.objects.get(pk=key.account_id)
    assert not account.has_usable_password() and account.kind == "integration" and not account.posts.exists()


def test_the_issuer_gives_only_actions_they_hold_at_that_org_and_only_inside_their_subtree(cadre, org):
    district = cadre("440106")
    with pytest.raises(PermissionDenied, match="维护工作日历"):
        api_key_issue(actor=district, client_name="日历同步", org=org("440106"), actions=["orgs.view", "calendar.manage"])
    with pytest.raises(NotFound):
        api_key_issue(actor=district, client_name="越秀热线", org=org("440104"), actions=["orgs.view"])
    with pytest.raises(ApplicationError, match="请选择"):
        api_key_issue(actor=district, client_name="热线", org=org("440106"), actions=["orgs.fly"])
    with pytest.raises(ApplicationError, match="调用方"):
        api_key_issue(actor=district, client_name="  ", org=org("440106"), actions=["orgs.view"])
    assert not ApiKey.objects.exists()


# --- the 接口密钥 page ---------------------------------------------------------------------------------------------

def test_the_page_shows_the_secret_once_then_only_its_prefix_and_last_use(logged_in, cadre, org, client):
    page = logged_in(cadre("440106"))
    response = page.post(reverse("staff:api_key_issue"), {"client_name": "12345热线", "org_code": "440106", "actions": ["orgs.view"]})
    secret = response.context["secret"]
    assert response.status_code == 200 and secret in response.content.decode() and "只显示这一次" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    client.get("/api/orgs", **bearer(secret))
    listing = page.get(reverse("staff:api_keys")).content.decode()
    assert secret not in listing and ApiKey.objects.get().prefix in listing and "127.0.0.1" in listing


def test_issuing_on_the_page_keeps_the_input_after_an_error(logged_in, cadre):
    page = logged_in(cadre("440106"))
    response = page.post(reverse("staff:api_key_issue"), {"client_name": "日历同步", "org_code": "440106", "actions": ["calendar.manage"]})
    html = response.content.decode()
    assert response.status_code == 200 and "维护工作日历" in html and 'value="日历同步"' in html
    assert not ApiKey.objects.exists()


def test_revoking_on_the_page_asks_first_and_other_districts_get_404(logged_in, cadre, issue):
    issue()
    key = ApiKey.objects.get()
    assert logged_in(cadre("440104")).get(reverse("staff:api_key_revoke", args=[key.pk])).status_code == 404
    assert logged_in(cadre("440104")).post(reverse("staff:api_key_revoke", args=[key.pk])).status_code == 404
    district = cadre("440106")
    page = logged_in(district)
    assert "确认吊销" in page.get(reverse("staff:api_key_revoke", args=[key.pk])).content.decode()
    assert page.post(reverse("staff:api_key_revoke", args=[key.pk])).status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == district
    assert AuditEvent.objects.filter(action="accounts.api_key.revoked", object_id=str(key.pk)).exists()


def test_a_retried_create_through_a_key_creates_once(client, issue, org):
    """The key is resolved before the Idempotency-Key middleware, so an integration's retry is answered from the first."""
    secret = issue()
    body = {"name": "某物流公司工会委员会", "type": "enterprise", "parent_id": org("440106006").pk}
    first, again = (client.post("/api/orgs", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="hotline-42", **bearer(secret))
                    for _ in range(2))
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert org("440106006").children.filter(name="某物流公司工会委员会").count() == 1
    assert AuditEvent.objects.get(action="orgs.org.created").actor_name == "接口密钥：天河12345热线"
