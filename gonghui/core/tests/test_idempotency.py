"""Retrying a creating request with the same Idempotency-Key creates once and replays the first answer."""
import pytest

from gonghui.core.locking import Busy
from gonghui.core.models import IdempotencyRecord
from gonghui.orgs import services
from gonghui.orgs.models import Employer
from gonghui.orgs.tests.factories import valid_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(client, cadre, org):
    user = cadre("440106")
    client.force_login(user)
    payload = {"uscc": valid_uscc(), "name": "幂等测试有限公司", "industry": "C", "ownership": "state", "town_id": org("440106001").pk}

    def _post(key, path="/api/employers", body=None):
        return client.post(path, body or payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)

    _post.user = user
    return _post


def test_a_retry_gets_the_first_response_and_creates_nothing_new(post):
    first = post("k-1")
    second = post("k-1")
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert Employer.objects.count() == 1


def test_a_busy_answer_is_not_kept_so_the_same_key_can_try_again(post, monkeypatch):
    def busy(**kwargs):
        raise Busy()

    monkeypatch.setattr(services, "employer_create", busy)
    first = post("k-busy")
    assert first.status_code == 409 and first.json()["message"] == "系统繁忙，请稍后再试"
    monkeypatch.undo()
    retry = post("k-busy")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert Employer.objects.count() == 1


def test_a_refused_request_is_replayed_too(post):
    bad = {"uscc": "123", "name": "x", "industry": "C", "ownership": "state", "town_id": 1}  # 广东省: out of scope
    first, retry = post("k-2", body=bad), post("k-2", body=bad)
    assert first.status_code == retry.status_code == 404
    assert retry["Idempotent-Replayed"] == "true"
    assert not Employer.objects.exists()


def test_the_same_key_on_another_endpoint_is_refused(post, org):
    post("k-3")
    response = post("k-3", path=f"/api/orgs/{org('440106001').pk}/move", body={"new_parent_id": 1, "reason": "x"})
    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"


def test_a_retry_while_the_first_is_running_is_told_to_wait(post):
    IdempotencyRecord.objects.create(user=post.user, key="k-4", method="POST", path="/api/employers")
    response = post("k-4")
    assert response.status_code == 409 and "正在处理中" in response.json()["message"]
    assert not Employer.objects.exists()


def test_without_a_key_every_request_runs(post):
    assert post("").status_code == 201
    assert post("").status_code == 400  # same USCC again: refused by the ledger, not replayed
