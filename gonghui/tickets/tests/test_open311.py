"""Open311 GeoReport v2: the spec's fields and status values, a public read that names nobody, a key that files an order
routed like any other and reads back only its own, in full."""
import pytest
from django.core.cache import cache

from gonghui.accounts.api_keys import api_key_issue
from gonghui.core.exceptions import NOT_FOUND_MESSAGE
from gonghui.tickets import services, views_open311
from gonghui.tickets.models import Category, Channel, Open311Request, State, Ticket
from gonghui.tickets.open311 import PUBLIC_FIELDS
from gonghui.tickets.tests.factories import cadre_at, file, phone

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
SECRET_TEXT = "工地包工头王某拖欠我们十二个人三个月工资共八万元"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def issue(actor, org, name="12345政务服务便民热线"):
    return api_key_issue(actor=actor, client_name=name, org=org, actions=["tickets.view", "tickets.dispatch"])[1]


@pytest.fixture
def key(world):
    return issue(world.city_admin, world.city)


def form(key, **fields):
    return {"api_key": key, "service_code": "complaint", "description": SECRET_TEXT, "phone": phone(), "last_name": "张",
            "first_name": "大山", "address_id": "440106", "attribute[employer_name]": "广州某建筑劳务有限公司",
            "attribute[affected_count]": "12", **fields}


def post(client, data):
    return client.post(f"{BASE}/requests.json", data)


def test_services_and_their_attributes_as_the_spec_defines(client):
    services_ = client.get(f"{BASE}/services.json").json()
    assert [s["service_code"] for s in services_] == list(Category.values)
    for service in services_:
        assert set(service) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
        assert service["type"] == "realtime" and service["metadata"] is True
    complaint = client.get(f"{BASE}/services/complaint.json").json()
    attributes = {a["code"]: a for a in complaint["attributes"]}
    assert complaint["service_code"] == "complaint" and attributes["employer_name"]["required"] is True
    assert attributes["topic"]["datatype"] == "singlevaluelist" and {"key": "wages", "name": "欠薪"} in attributes["topic"]["values"]
    assert [a["order"] for a in complaint["attributes"]] == list(range(1, len(attributes) + 1))
    consult = {a["code"] for a in client.get(f"{BASE}/services/consult.json").json()["attributes"]}
    assert "employer_name" not in consult and "topic" in consult
    missing = client.get(f"{BASE}/services/gossip.json")
    assert missing.status_code == 404 and missing.json() == [{"code": 404, "description": NOT_FOUND_MESSAGE}]
    discovery = client.get(f"{BASE}/discovery.json").json()
    assert discovery["endpoints"][0]["url"].endswith("/open311/v2") and discovery["endpoints"][0]["formats"] == ["application/json"]


def test_a_posted_request_is_an_order_at_the_keys_centre_routed_like_any_other(client, world, key):
    answer = post(client, form(key))
    assert answer.status_code == 200, answer.content
    row = answer.json()[0]
    ticket = Ticket.objects.get(number=row["service_request_id"])
    assert (ticket.channel, ticket.category, ticket.centre, ticket.district, ticket.state) == (
        Channel.API, "complaint", world.city, world.tianhe, State.RECEIVED)
    assert ticket.caller_name == "张大山" and ticket.affected_count == 12 and ticket.entered_by.api_key.client_name == "12345政务服务便民热线"
    assert "天河区" in row["service_notice"] and row["token"]
    assert client.get(f"{BASE}/tokens/{row['token']}.json").json() == [{"service_request_id": ticket.number, "token": row["token"]}]
    dispatched = services.ticket_dispatch(actor=world.agent, ticket_id=ticket.pk)  # auto-routing, as every order
    assert dispatched.holder == world.tianhe and dispatched.state == State.ASSIGNED
    by_address = post(client, form(key, address_id="", address_string="广州市天河区石牌街道五山路", phone=phone()))
    assert Ticket.objects.get(number=by_address.json()[0]["service_request_id"]).district == world.shipai


def test_status_is_open_or_closed_with_our_state_in_the_notes(client, world, key):
    number = post(client, form(key, service_code="consult", **{"attribute[employer_name]": "", "attribute[affected_count]": ""}))
    assert number.status_code == 400  # consult has no employer attributes: refused by name
    assert "employer_name" in number.json()[0]["description"]
    consult = {k: v for k, v in form(key, service_code="consult", description="请问试用期工资可以低于最低工资吗？").items()
               if k not in ("attribute[employer_name]", "attribute[affected_count]")}
    number = post(client, consult).json()[0]["service_request_id"]
    row = client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert (row["status"], row["status_notes"]) == ("open", "待派单")
    ticket = Ticket.objects.get(number=number)
    services.ticket_close(actor=world.agent, ticket_id=ticket.pk, answer="试用期工资不得低于本单位相同岗位最低档工资的80%，且不得低于当地最低工资标准。")
    row = client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert (row["status"], row["status_notes"]) == ("closed", "已办结（直接办结）")
    assert row["requested_datetime"].endswith("+08:00") and "T" in row["expected_datetime"]


def test_a_keyless_read_names_nobody(client, world, key):
    post(client, form(key, address_string="广州市天河区石牌街道五山路88号", address_id=""))
    file(world.agent, district=world.tianhe, caller_name="李小红", description=SECRET_TEXT + "（热线）")
    listed = client.get(f"{BASE}/requests.json")
    assert listed.status_code == 200 and len(listed.json()) == 2
    for row in listed.json():
        assert set(row) == set(PUBLIC_FIELDS) and row["district"] == "天河区总工会" and row["district_code"] == "440106"
    number = listed.json()[0]["service_request_id"]
    one = client.get(f"{BASE}/requests/{number}.json")
    body = listed.content.decode() + one.content.decode()
    for secret in (SECRET_TEXT, "张", "李小红", "五山路", "石牌", "广州某建筑", "137"):
        assert secret not in body, secret


def test_a_key_reads_its_own_requests_in_full_and_nothing_else(client, world, key):
    mine = post(client, form(key, address_string="天河区五山路88号", media_url="https://example.org/p/1.jpg", lat="23.1", long="113.3")).json()[0]
    other_key = issue(world.city_admin, world.city, "工会微信公众号")
    theirs = post(client, form(other_key, phone=phone())).json()[0]
    hotline = file(world.agent, district=world.tianhe).ticket  # in the key's scope, not its own
    rows = client.get(f"{BASE}/requests.json", {"api_key": key}).json()
    assert [row["service_request_id"] for row in rows] == [mine["service_request_id"]]
    row = rows[0]
    assert row["description"] == SECRET_TEXT and row["address"] == "天河区五山路88号" and row["lat"] == 23.1
    assert row["media_url"] == "https://example.org/p/1.jpg" and row["agency_responsible"] == "广州市总工会"
    missing = client.get(f"{BASE}/requests/GH-20000101-999999.json", HTTP_X_API_KEY=key)
    assert missing.status_code == 404
    for number in (theirs["service_request_id"], hotline.number):
        other = client.get(f"{BASE}/requests/{number}.json", HTTP_X_API_KEY=key)
        assert (other.status_code, other.content) == (404, missing.content)


def test_another_districts_request_answers_like_a_missing_one(client, world):
    tianhe_key = issue(world.district_admin, world.tianhe, "天河区职工服务小程序")
    yuexiu_key = issue(cadre_at(world.yuexiu), world.yuexiu, "越秀区职工服务小程序")
    theirs = post(client, form(yuexiu_key, address_id="440104")).json()[0]
    assert Ticket.objects.get(number=theirs["service_request_id"]).centre == world.yuexiu
    missing = client.get(f"{BASE}/requests/GH-20000101-999999.json", {"api_key": tianhe_key})
    foreign = client.get(f"{BASE}/requests/{theirs['service_request_id']}.json", {"api_key": tianhe_key})
    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content) == (404, missing.content)
    assert client.get(f"{BASE}/requests.json", {"api_key": tianhe_key}).json() == []
    refused = post(client, form(tianhe_key, address_id="440104", phone=phone()))
    assert refused.status_code == 400 and "受理范围" in refused.json()[0]["description"]


def test_filters_as_the_spec_names_them(client, world, key):
    first = post(client, form(key)).json()[0]["service_request_id"]
    second = post(client, form(key, service_code="help", phone=phone())).json()[0]["service_request_id"]
    get = lambda **params: [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params).json()]  # noqa: E731
    assert get(service_code="help") == [second] and set(get(service_code="help,complaint")) == {first, second}
    assert get(status="closed") == [] and len(get(status="open")) == 2
    assert get(service_request_id=f"{first},GH-20000101-000001") == [first]
    assert get(start_date="2000-01-01T00:00:00Z", end_date="2000-02-01T00:00:00Z") == []
    assert len(get(start_date="2020-01-01")) == 0 and len(get(end_date="2099-01-01T00:00:00+08:00")) == 0
    for params, words in (({"status": "pending"}, "status"), ({"start_date": "昨天"}, "W3C"), ({"service_code": "x"}, "service_code"),
                          ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90")):
        bad = client.get(f"{BASE}/requests.json", params)
        assert bad.status_code == 400 and words in bad.json()[0]["description"], params


def test_refusals_in_the_spec_error_format(client, world, key):
    keyless = post(client, {k: v for k, v in form(key).items() if k != "api_key"})
    assert keyless.status_code == 403 and keyless.json()[0]["code"] == 403 and "api_key" in keyless.json()[0]["description"]
    bad_key = post(client, form("ghk_00000000_nothing"))
    assert bad_key.status_code == 403 and "无效" in bad_key.json()[0]["description"]
    for fields, words in (({"address_id": ""}, "位置"), ({"service_code": "gossip"}, "service_code"), ({"phone": ""}, "phone"),
                          ({"lat": "23.1"}, "lat"), ({"attribute[colour]": "red"}, "colour"), ({"description": "短"}, "description"),
                          ({"attribute[affected_count]": "很多"}, "affected_count"), ({"media_url": "javascript:alert(1)"}, "media_url"),
                          ({"address_id": "999999"}, "address_id")):
        answer = post(client, form(key, **fields))
        assert answer.status_code == 400 and words in answer.json()[0]["description"], (fields, answer.json())
    assert Ticket.objects.count() == 0 and Open311Request.objects.count() == 0
    assert client.delete(f"{BASE}/requests.json").status_code == 405
    view_only = api_key_issue(actor=world.city_admin, client_name="只读", org=world.city, actions=["tickets.view"])[1]
    assert post(client, form(view_only)).status_code == 403


def test_keyless_reads_are_rate_limited_per_ip(client, monkeypatch):
    monkeypatch.setattr(views_open311, "PUBLIC_RATE", "3/m")
    answers = [client.get(f"{BASE}/services.json").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
