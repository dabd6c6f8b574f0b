"""Bad requests to the JSON API answer 4xx in its `{code, message, fields}` shape with a Chinese message, never a server error:
one test per kind of failure an API fuzz (schemathesis, signed in as a district cadre) found."""
import pytest
from django.test import Client
from django.urls import reverse

from gonghui.orgs.models import Org
from gonghui.orgs.tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def _paged_lists(client) -> list[str]:
    schema = client.get("/api/openapi.json").json()
    return sorted(path for path, operations in schema["paths"].items()
                  if "get" in operations and "{" not in path
                  and any(parameter["name"] == "page" for parameter in operations["get"].get("parameters", [])))


def _assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert any("\u4e00" <= char <= "\u9fff" for char in body["message"]), body["message"]
    return body


def test_every_paged_list_refuses_a_page_number_past_any_offset_the_database_takes(logged_in, cadre):
    from gonghui.members.tests.factories import worker

    staff, person = cadre("440106"), worker()
    paths = _paged_lists(logged_in(staff))
    assert len(paths) >= 12, paths  # every list endpoint is paged the same way
    for path in paths:
        client = logged_in(person if path.startswith("/api/my/") else staff)  # /api/my/: a worker's own lists
        body = _assert_error_shape(client.get(path, {"page": 10**19}), 422)
        assert body["fields"] == {"page": ["数值过大"]}, path
        _assert_error_shape(client.get(path, {"page": 0}), 422)
        assert client.get(path, {"page": 100_000}).json()["items"] == [], path  # far past the end is an empty page, not an error


def test_page_size_is_capped_not_refused(logged_in, superuser):
    body = logged_in(superuser).get("/api/orgs", {"page_size": 10**19}).json()
    assert len(body["items"]) == 100 and body["count"] > 100


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/api/orgs"), ("post", "/api/employers"), ("post", "/api/orgs/{id}/move"), ("post", "/api/member-cards/verify"),
    ("patch", "/api/orgs/{id}"), ("put", "/api/employers/1"),
])
def test_a_multipart_body_without_a_boundary_is_a_400(cadre, org, method, path):
    # as a browser session sends it: the CSRF check of a POST reads the form body before any view runs
    client = Client(enforce_csrf_checks=True)
    client.force_login(cadre("440106"))
    client.get(reverse("api:openapi-view"))
    count = Org.objects.count()
    response = getattr(client, method)(path.format(id=org("440106001").pk), b"--x\r\n", content_type="multipart/form-data",
                                       headers={"X-CSRFToken": client.cookies["csrftoken"].value})
    body = _assert_error_shape(response, 400)
    assert body["code"] == "bad_request"
    assert Org.objects.count() == count


def test_a_body_that_is_not_json_is_a_400(logged_in, cadre, org):
    response = logged_in(cadre("440106")).patch(f"/api/orgs/{org('440106001').pk}", b"{name", content_type="application/json")
    assert _assert_error_shape(response, 400)["code"] == "bad_request"


def test_a_body_over_the_upload_limit_is_a_400(logged_in, cadre, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = logged_in(cadre("440106")).post("/api/orgs", {"name": "x" * 2000}, content_type="application/json")
    assert _assert_error_shape(response, 400)["code"] == "too_large"


@pytest.mark.parametrize("field", ["name", "short_name", "contact_name", "contact_phone", "address", "is_active"])
def test_patching_a_field_that_cannot_be_empty_with_null_is_refused_and_changes_nothing(logged_in, cadre, org, field):
    client = logged_in(cadre("440106"))
    response = client.patch(f"/api/orgs/{org('440106001').pk}", {field: None}, content_type="application/json")
    body = _assert_error_shape(response, 422)
    assert body["fields"] == {field: ["不能为空"]}
    assert org("440106001").name == "五山街道总工会"


def test_patching_founded_on_with_null_clears_it(logged_in, cadre, org):
    client = logged_in(cadre("440106"))
    response = client.patch(f"/api/orgs/{org('440106001').pk}", {"founded_on": None}, content_type="application/json")
    assert response.status_code == 200 and response.json()["founded_on"] is None


def test_a_number_larger_than_its_column_is_refused_by_field(logged_in, cadre, org):
    employer = EmployerFactory(town=org("440106001"))
    payload = {"uscc": employer.uscc, "name": employer.name, "industry": "I", "ownership": "non_public",
               "town_id": org("440106001").pk, "headcount": 114844798474301177856}
    response = logged_in(cadre("440106")).put(f"/api/employers/{employer.pk}", payload, content_type="application/json")
    body = _assert_error_shape(response, 400)
    assert body["fields"] == {"headcount": ["职工人数不能超过 2,000,000 人"]}
    employer.refresh_from_db()
    assert employer.headcount == 50


def test_the_docs_page_is_served(client):
    assert client.get(reverse("api:openapi-view")).status_code == 200
