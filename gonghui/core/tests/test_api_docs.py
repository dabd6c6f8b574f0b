"""/api/docs works offline and speaks Chinese: Swagger UI comes from static/vendor, every operation has a Chinese summary and
description, every parameter and schema field a Chinese title or description."""
import re

import pytest
from django.templatetags.static import static
from django.urls import reverse

HAN = re.compile("[\u4e00-\u9fff]")


def test_the_docs_page_loads_only_local_static_files(client):
    html = client.get(reverse("api:openapi-view")).content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith(static("")) for url in urls), urls
    assert "vendor/swagger-ui-5.35.0/swagger-ui-bundle.js" in html
    assert "<script>" not in html  # settings travel as JSON, the page starts from static/js/api-docs.js (strict CSP)


@pytest.fixture(scope="module")
def schema():
    from config.urls import api

    return api.get_openapi_schema()


def _chinese(*texts) -> bool:
    return bool(HAN.search(" ".join(text or "" for text in texts)))


def test_every_operation_and_parameter_is_described_in_chinese(schema):
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not _chinese(operation.get("summary")) or not _chinese(operation.get("description")):
                missing.append(f"{method.upper()} {path}")
            missing += [f"{method.upper()} {path} ?{parameter['name']}" for parameter in operation.get("parameters", [])
                        if not _chinese(parameter.get("description"), parameter["schema"].get("title"), parameter["schema"].get("description"))]
    assert not missing, missing


def test_every_operation_documents_its_error_answers(schema):
    assert all(operation["responses"]["4XX"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
               for operations in schema["paths"].values() for operation in operations.values())
    assert set(schema["components"]["schemas"]["ErrorOut"]["properties"]) == {"code", "message", "fields"}


def test_every_schema_field_is_described_in_chinese(schema):
    """In its description, which is what Swagger UI shows (it leaves titles out)."""
    missing = [f"{name}.{field}" for name, component in schema["components"]["schemas"].items()
               for field, spec in component.get("properties", {}).items()
               if not _chinese(spec.get("description")) and not (name.startswith("Paged") and field == "items")]
    assert not missing, missing  # ninja builds Paged*.items itself; the rows in it are described
    assert schema["components"]["schemas"]["OrgOut"]["properties"]["depth"]["description"] == "层级：省总为 1，往下逐级加 1"
