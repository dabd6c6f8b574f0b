"""The JSON API: one error shape with Chinese messages, scoping on every endpoint."""
import pytest

from gonghui.orgs.models import Employer
from gonghui.orgs.tests.factories import EmployerFactory, valid_uscc

pytestmark = pytest.mark.django_db


def test_anonymous_requests_get_the_error_shape(client):
    response = client.get("/api/orgs")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "请先登录", "fields": {}}


def test_openapi_docs_are_served(client):
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/orgs/{org_id}/move" in schema["paths"]
    assert {"/api/jobs/{job_id}", "/api/drives/{drive_id}", "/api/ledger", "/api/prospect-lists/{list_id}",
            "/api/assessment-schemes/{scheme_id}/ranking", "/api/improvement-tasks", "/api/cultivation-plans/{plan_id}"} <= set(schema["paths"])


def test_org_search_is_paginated_and_scoped(logged_in, cadre):
    client = logged_in(cadre("440106"))
    body = client.get("/api/orgs", {"q": "街道"}).json()
    assert body["count"] == 21 and len(body["items"]) == 21
    assert client.get("/api/orgs", {"q": "越秀"}).json()["count"] == 0


@pytest.mark.parametrize("path", ["/api/orgs/{id}", "/api/orgs/{id}/children", "/api/orgs/{id}/stats"])
def test_a_sibling_districts_org_is_404_like_a_missing_one(logged_in, cadre, org, path):
    client = logged_in(cadre("440106"))
    forbidden = client.get(path.format(id=org("440104").pk))
    missing = client.get(path.format(id=987654321))
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    assert forbidden.json()["message"] == "对象不存在或无权访问"


def test_stats_report_the_unionization_rate(logged_in, superuser, org):
    EmployerFactory(town=org("440106001"), has_union=True)
    EmployerFactory(town=org("440106001"))
    body = logged_in(superuser).get(f"/api/orgs/{org('440106').pk}/stats").json()
    assert body["employer_count"] == 2 and body["unionization_rate"] == 0.5


def test_create_employer_validation_errors_name_the_fields(logged_in, cadre, org):
    client = logged_in(cadre("440106"))
    payload = {"uscc": "123", "name": "", "industry": "C", "ownership": "state", "town_id": org("440106001").pk}
    response = client.post("/api/employers", payload, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "orgs.invalid"
    assert set(body["fields"]) == {"uscc", "name"}
    assert "18位" in body["fields"]["uscc"][0]
    assert not Employer.objects.exists()


def test_schema_errors_are_chinese(logged_in, superuser):
    response = logged_in(superuser).post("/api/employers", {"name": "x"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["fields"]["uscc"] == ["必填"]


def test_create_and_read_an_employer(logged_in, cadre, org):
    client = logged_in(cadre("440106"))
    payload = {"uscc": valid_uscc(), "name": "天河接口测试有限公司", "industry": "I", "ownership": "non_public",
               "town_id": org("440106001").pk, "headcount": 88}
    created = client.post("/api/employers", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    detail = client.get(f"/api/employers/{created.json()['id']}").json()
    assert detail["town_name"] == "五山街道总工会" and detail["industry_display"].startswith("I ")


def test_employer_in_a_sibling_district_is_404(logged_in, cadre, org):
    employer = EmployerFactory(town=org("440104001"))
    client = logged_in(cadre("440106"))
    assert client.get(f"/api/employers/{employer.pk}").status_code == 404
    assert client.get("/api/employers").json()["count"] == 0


def test_move_through_the_api(logged_in, superuser, org):
    client = logged_in(superuser)
    response = client.post(f"/api/orgs/{org('440106001').pk}/move", {"new_parent_id": org("440104").pk, "reason": "区划调整"},
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["new_path"].startswith(org("440104").path)
    refused = client.post(f"/api/orgs/{org('440106').pk}/move", {"new_parent_id": org("440106002").pk, "reason": "x"},
                          content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "orgs.move_into_own_subtree"


def test_patch_updates_only_the_given_fields(logged_in, cadre, org):
    client = logged_in(cadre("440106"))
    response = client.patch(f"/api/orgs/{org('440106006').pk}", {"contact_phone": "020-85550000"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "石牌街道总工会"
    assert org("440106006").contact_phone == "020-85550000"
    sibling = client.patch(f"/api/orgs/{org('440104').pk}", {"name": "改名"}, content_type="application/json")
    assert sibling.status_code == 404 and org("440104").name == "越秀区总工会"
