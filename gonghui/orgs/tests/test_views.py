"""Cadre pages: the tree browser, the ledger, forms that keep input, imports with an error report."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gonghui.jobs.models import Job
from gonghui.orgs.models import Employer, Org
from gonghui.orgs.tests.factories import EmployerFactory, valid_uscc
from gonghui.orgs.tests.test_imports import EMPLOYER_HEADER, employer_row, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def tianhe(client, cadre):
    client.force_login(cadre("440106"))
    return client


def test_pages_need_a_login(client):
    response = client.get(reverse("orgs:tree"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_tree_starts_at_the_cadres_post_and_loads_children_lazily(tianhe, org):
    page = tianhe.get(reverse("orgs:tree")).content.decode()
    assert "天河区总工会" in page and "越秀区总工会" not in page and "五山街道总工会" not in page
    children = tianhe.get(reverse("orgs:children", args=[org("440106").pk])).content.decode()
    assert "五山街道总工会" in children and "石牌街道总工会" in children


def test_search_fragment_finds_by_pinyin_initials_with_breadcrumbs(tianhe):
    html = tianhe.get(reverse("orgs:search"), {"q": "spjd"}).content.decode()
    assert "石牌街道总工会" in html and "广州市 › 天河区" in html


def test_org_panel_shows_counts_and_unionization_rate(tianhe, org):
    EmployerFactory(town=org("440106001"), has_union=True, name="甲有限公司")
    EmployerFactory(town=org("440106002"), name="乙有限公司")
    html = tianhe.get(reverse("orgs:detail", args=[org("440106").pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "50.0%" in html and "甲有限公司" in html and "乙有限公司" in html
    assert "<html" not in html  # an htmx request gets the fragment only


def test_sibling_org_and_employer_pages_are_404(tianhe, org):
    assert tianhe.get(reverse("orgs:detail", args=[org("440104").pk])).status_code == 404
    employer = EmployerFactory(town=org("440104001"))
    response = tianhe.get(reverse("orgs:employer_detail", args=[employer.pk]))
    assert response.status_code == 404 and "对象不存在或无权访问" in response.content.decode()


def test_employer_list_filters_and_paginates(tianhe, org):
    for i in range(30):
        EmployerFactory(town=org("440106001"), name=f"批量{i:02d}有限公司", headcount=10 + i, has_union=i % 3 == 0)
    EmployerFactory(town=org("440104001"), name="越秀不应出现有限公司")
    page = tianhe.get(reverse("orgs:employer_list")).content.decode()
    assert "共 30 家" in page and "第 1 / 2 页" in page and "越秀不应出现" not in page
    filtered = tianhe.get(reverse("orgs:employer_list"), {"has_union": "1", "min_headcount": "25"}).content.decode()
    assert "共 5 家" in filtered  # i in 15..29 with i % 3 == 0
    assert "共 1 家" in tianhe.get(reverse("orgs:employer_list"), {"q": "批量07"}).content.decode()


def test_employer_list_exports_what_is_filtered(tianhe, org):
    EmployerFactory(town=org("440106001"), name="导出甲有限公司", has_union=True)
    EmployerFactory(town=org("440106001"), name="导出乙有限公司")
    response = tianhe.get(reverse("orgs:employer_list"), {"has_union": "1", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert [row[1] for row in rows[1:]] == ["导出甲有限公司"]


def test_employer_form_keeps_what_was_typed_after_an_error(tianhe):
    form = {"uscc": "91440106MA59ABCD01", "name": "我刚输入的公司名", "industry": "C", "ownership": "state",
            "town_code": "440106001", "address": "天河路 385 号", "headcount": "120"}
    response = tianhe.post(reverse("orgs:employer_create"), form)
    html = response.content.decode()
    assert response.status_code == 200 and "校验位不正确" in html
    assert 'value="我刚输入的公司名"' in html and 'value="天河路 385 号"' in html
    assert not Employer.objects.exists()


def test_employer_form_creates_and_edits(tianhe):
    form = {"uscc": valid_uscc(), "name": "表单新建有限公司", "industry": "C", "ownership": "state", "town_code": "440106001",
            "headcount": "60"}
    response = tianhe.post(reverse("orgs:employer_create"), form)
    employer = Employer.objects.get(name="表单新建有限公司")
    assert response.status_code == 302 and response["Location"] == reverse("orgs:employer_detail", args=[employer.pk])
    tianhe.post(reverse("orgs:employer_edit", args=[employer.pk]), {**form, "headcount": "61"})
    employer.refresh_from_db()
    assert employer.headcount == 61


def test_employer_form_refuses_a_town_outside_the_cadres_district(tianhe):
    form = {"uscc": valid_uscc(), "name": "越界公司", "industry": "C", "ownership": "state", "town_code": "440104001"}
    html = tianhe.post(reverse("orgs:employer_create"), form).content.decode()
    assert "找不到组织编码" in html and not Employer.objects.exists()


def test_move_form_moves_and_reports(client, superuser, org):
    client.force_login(superuser)
    response = client.post(reverse("orgs:move", args=[org("440106001").pk]), {"new_parent_code": "440104", "reason": "区划调整"})
    assert response.status_code == 302
    assert Org.objects.get(code="440106001").parent.code == "440104"
    page = client.get(reverse("orgs:move", args=[org("440106002").pk])).content.decode()
    assert "调整原因" in page
    error = client.post(reverse("orgs:move", args=[org("440106002").pk]), {"new_parent_code": "440106002", "reason": "x"})
    assert "自己或它的下级" in error.content.decode()


def test_import_runs_as_a_job_and_offers_the_error_report(tianhe, org, django_capture_on_commit_callbacks):
    data = xlsx(EMPLOYER_HEADER, [employer_row(name="好"), employer_row(uscc="123", name="坏")])
    with django_capture_on_commit_callbacks(execute=True):
        response = tianhe.post(reverse("orgs:import", args=["employers"]), {"file": SimpleUploadedFile("单位.xlsx", data)})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    page = tianhe.get(response["Location"]).content.decode()
    assert "发现 1 处错误（涉及 1 行）" in page and "下载错误报告" in page and "已处理 2 / 2 行" in page
    report = tianhe.get(reverse("jobs:result", args=[job.pk]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content))).get_sheet_by_index(0).to_python()
    assert rows[1][:2] == [3.0, "统一社会信用代码"] and "18位" in rows[1][2]
    assert not Employer.objects.exists()


def test_a_clean_import_job_reports_what_it_did(tianhe, django_capture_on_commit_callbacks):
    data = xlsx(EMPLOYER_HEADER, [employer_row(name=f"任务导入{i}") for i in range(12)])
    with django_capture_on_commit_callbacks(execute=True):
        tianhe.post(reverse("orgs:import", args=["employers"]), {"file": SimpleUploadedFile("单位.xlsx", data)})
    job = Job.objects.get()
    assert job.status == "succeeded" and job.summary == "导入完成：新增 12 条，更新 0 条。"
    assert (job.progress_done, job.progress_total) == (12, 12) and Employer.objects.count() == 12


def test_import_page_refuses_a_renamed_csv_before_queueing(tianhe):
    upload = SimpleUploadedFile("单位.xlsx", "统一社会信用代码,单位名称\n".encode("gb18030"))
    html = tianhe.post(reverse("orgs:import", args=["employers"]), {"file": upload}).content.decode()
    assert "文件格式不正确" in html and not Job.objects.exists()


def test_templates_download_with_text_id_columns(tianhe):
    for kind in ("orgs", "employers"):
        response = tianhe.get(reverse("orgs:import_template", args=[kind]))
        assert response.status_code == 200 and len(response.content) > 1000


def test_org_edit_saves_and_keeps_input_on_error(tianhe, org):
    url = reverse("orgs:edit", args=[org("440106006").pk])
    assert 'value="石牌街道总工会"' in tianhe.get(url).content.decode()
    response = tianhe.post(url, {"name": "石牌街道总工会", "contact_name": "王五", "contact_phone": "020-85550000", "is_active": "on"})
    assert response.status_code == 302
    assert Org.objects.get(code="440106006").contact_name == "王五"
    refused = tianhe.post(reverse("orgs:edit", args=[org("440106").pk]), {"name": "天河区总工会", "contact_name": "我填的"})
    assert "仍有有效的下级组织" in refused.content.decode() and 'value="我填的"' in refused.content.decode()


def test_create_child_org_page(tianhe, org):
    url = reverse("orgs:create", args=[org("440106006").pk])
    response = tianhe.post(url, {"name": "石牌某科技公司工会委员会", "type": "enterprise", "contact_name": "赵六"})
    created = Org.objects.get(name="石牌某科技公司工会委员会")
    assert response.status_code == 302 and created.parent == org("440106006")
    wrong = tianhe.post(url, {"name": "错层级", "type": "county"})
    assert "不能设在街道/镇总工会之下" in wrong.content.decode()


def test_org_picker_suggests_towns_in_scope_only(tianhe):
    html = tianhe.get(reverse("orgs:options"), {"type": "town", "town_code": "石牌"}).content.decode()
    assert 'value="440106006"' in html and "石牌街道总工会" in html
    assert "option" not in tianhe.get(reverse("orgs:options"), {"type": "town", "town_code": "北京街道"}).content.decode()
