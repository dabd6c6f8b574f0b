"""佐证材料: the union attaches files to its 自主申报 (sniffed, capped, all or nothing); the cadres above open them
through an audited download; everyone else gets 404; files come off only while the union can still edit."""
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.accounts.models import Role
from gonghui.accounts.tests.factories import PostFactory
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.tests.files import DOCX, EXE, PDF, PNG, XLSX
from gonghui.orgs import assessment as service
from gonghui.orgs.models import AssessmentEvidence
from gonghui.orgs.tests.factories import scores

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def item(setting):
    return service.assessment_start(actor=setting["company"], scheme=setting["scheme"], union=setting["union"])


def submit(setting, item):
    return service.assessment_submit(actor=setting["company"], assessment_id=item.pk, scores=scores(setting["scheme"], 0.9),
                                     evidence="制度文件、活动照片和台账见附件。")


class TestUpload:
    def test_the_union_attaches_several_files_overall_and_per_indicator(self, setting, item):
        company, indicator = setting["company"], setting["scheme"].indicators.first()
        added = service.evidence_add(actor=company, assessment_id=item.pk, uploads=[upload("工会章程.pdf", PDF), upload("会员台账.xlsx", XLSX)])
        service.evidence_add(actor=company, assessment_id=item.pk, uploads=[upload("C:\\材料\\学习记录.docx", DOCX)], indicator_id=str(indicator.pk))
        files = list(AssessmentEvidence.objects.filter(assessment=item))
        assert [(f.name, f.indicator_id, f.size) for f in files] == [
            ("工会章程.pdf", None, len(PDF)), ("会员台账.xlsx", None, len(XLSX)), ("学习记录.docx", indicator.pk, len(DOCX))]
        assert all(f.file.name.startswith("assessments/") and default_storage.exists(f.file.name) for f in files)
        assert files[0].file.read() == PDF
        event = AuditEvent.objects.filter(action="orgs.assessment.evidence_added").order_by("id").first()
        assert event.object_id == str(item.pk) and [f["name"] for f in event.data["files"]] == ["工会章程.pdf", "会员台账.xlsx"]
        assert added[0].uploaded_by == company

    def test_a_program_renamed_to_pdf_is_refused_and_nothing_of_the_batch_is_kept(self, setting, item):
        with pytest.raises(ApplicationError, match="“年度总结.pdf”不是 PDF、JPG、PNG、Word（.docx）、Excel（.xlsx） 文件"):
            service.evidence_add(actor=setting["company"], assessment_id=item.pk,
                                 uploads=[upload("活动照片.png", PNG), upload("年度总结.pdf", EXE)])
        assert not AssessmentEvidence.objects.exists() and not AuditEvent.objects.filter(action="orgs.assessment.evidence_added").exists()

    def test_files_over_10_mb_are_refused(self, setting, item):
        big = upload("扫描件.pdf", PDF + b"0" * service.EVIDENCE_MAX_BYTES)
        with pytest.raises(ApplicationError, match="“扫描件.pdf”超过 10 MB，请压缩后再上传"):
            service.evidence_add(actor=setting["company"], assessment_id=item.pk, uploads=[big])
        assert not AssessmentEvidence.objects.exists()

    def test_only_the_unions_side_uploads_and_only_while_filling_in(self, setting, item, monkeypatch):
        with pytest.raises(PermissionDenied, match="上传佐证材料由企业工会"):
            service.evidence_add(actor=setting["district"], assessment_id=item.pk, uploads=[upload("a.pdf", PDF)])
        with pytest.raises(ApplicationError, match="本方案中的指标"):
            service.evidence_add(actor=setting["company"], assessment_id=item.pk, uploads=[upload("a.pdf", PDF)], indicator_id="999999")
        monkeypatch.setattr(service, "EVIDENCE_MAX_FILES", 1)
        with pytest.raises(ApplicationError, match="最多 1 个佐证材料"):
            service.evidence_add(actor=setting["company"], assessment_id=item.pk, uploads=[upload("a.pdf", PDF), upload("b.pdf", PDF)])
        submit(setting, item)
        with pytest.raises(ApplicationError, match="不能上传佐证材料"):
            service.evidence_add(actor=setting["company"], assessment_id=item.pk, uploads=[upload("a.pdf", PDF)])

    def test_the_upload_page_shows_the_error_and_keeps_the_chosen_indicator(self, setting, item, logged_in):
        client = logged_in(setting["company"])
        indicator = setting["scheme"].indicators.last()
        response = client.post(reverse("assessments:evidence_upload", args=[item.pk]),
                               {"files": [upload("假装是PDF.pdf", EXE)], "indicator": str(indicator.pk)})
        page = response.content.decode()
        assert response.status_code == 200 and "不是 PDF、JPG、PNG" in page and "改扩展名无效" in page
        assert f'<option value="{indicator.pk}" selected>' in page
        response = client.post(reverse("assessments:evidence_upload", args=[item.pk]),
                               {"files": [upload("章程.pdf", PDF), upload("照片.png", PNG)], "indicator": ""})
        assert response.status_code == 302
        page = client.get(reverse("assessments:detail", args=[item.pk])).content.decode()
        assert "章程.pdf" in page and "照片.png" in page and "整体材料" in page and "上传材料" in page


class TestUploadPage:
    """On the 自主申报 page the upload and the removal go by htmx and answer with the 佐证材料 section alone, so the
    scores typed below it are never reloaded away; without JavaScript the same forms post and come back."""

    @pytest.fixture
    def union_side(self, setting, logged_in):
        return logged_in(setting["company"])

    def test_an_htmx_upload_answers_with_the_section_and_stores_the_file(self, item, union_side):
        response = union_side.post(reverse("assessments:evidence_upload", args=[item.pk]), {"files": [upload("工会章程.pdf", PDF)], "indicator": ""},
                               HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200 and "<html" not in html and 'name="score_' not in html
        assert '<section id="evidence"' in html
        assert "已上传 1 个佐证材料" in html and "工会章程.pdf" in html and 'hx-target="#evidence"' in html
        stored = AssessmentEvidence.objects.get(assessment=item)
        assert stored.name == "工会章程.pdf" and stored.file.read() == PDF
        page = union_side.get(reverse("assessments:detail", args=[item.pk])).content.decode()
        assert "已上传 1 个佐证材料" not in page  # said in the fragment; no flash left over for the next page
        assert "再在下方填写自评分" not in page  # the old warning that an upload loses typed scores is gone

    @pytest.mark.parametrize(("files", "message"), [
        (lambda: [upload("年度总结.pdf", EXE)], "“年度总结.pdf”不是 PDF、JPG、PNG、Word（.docx）、Excel（.xlsx） 文件"),
        (lambda: [upload("扫描件.pdf", PDF + b"0" * service.EVIDENCE_MAX_BYTES)], "“扫描件.pdf”超过 10 MB，请压缩后再上传"),
        (lambda: [upload("a.pdf", PDF), upload("b.pdf", PDF)], "每份申报最多 2 个佐证材料，请合并或删除部分文件"),
        (lambda: [], "请选择要上传的文件"),
    ], ids=["wrong_type", "too_large", "over_the_cap", "none"])
    def test_a_refused_htmx_upload_shows_the_error_in_the_section_and_changes_nothing(self, setting, item, union_side, monkeypatch,
                                                                                       files, message):
        monkeypatch.setattr(service, "EVIDENCE_MAX_FILES", 2)
        kept = service.evidence_add(actor=setting["company"], assessment_id=item.pk, uploads=[upload("已有.pdf", PDF)])[0]
        events = AuditEvent.objects.count()
        response = union_side.post(reverse("assessments:evidence_upload", args=[item.pk]), {"files": files(), "indicator": ""},
                               HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200 and "<html" not in html and '<section id="evidence"' in html
        assert message in html and "材料未上传：请按提示修改后重新选择文件" in html and "已有.pdf" in html
        assert list(AssessmentEvidence.objects.filter(assessment=item)) == [kept] and AuditEvent.objects.count() == events

    def test_an_htmx_removal_answers_with_the_section(self, setting, item, union_side):
        first, second = service.evidence_add(actor=setting["company"], assessment_id=item.pk, uploads=[upload("a.pdf", PDF), upload("b.png", PNG)])
        response = union_side.post(reverse("assessments:evidence_delete", args=[item.pk, first.pk]), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200 and "<html" not in html
        assert "已删除佐证材料" in html and "b.png" in html and "a.pdf" not in html
        assert list(AssessmentEvidence.objects.filter(assessment=item)) == [second]

    def test_an_htmx_removal_refused_after_submission_says_why_in_the_section(self, setting, item, union_side):
        kept = service.evidence_add(actor=setting["company"], assessment_id=item.pk, uploads=[upload("a.pdf", PDF)])[0]
        submit(setting, item)  # e.g. submitted in another tab: the page still shows the 删除 button
        response = union_side.post(reverse("assessments:evidence_delete", args=[item.pk, kept.pk]), HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200 and "不能删除佐证材料" in html and "a.pdf" in html
        assert AssessmentEvidence.objects.filter(pk=kept.pk).exists()

    def test_without_htmx_upload_and_removal_still_post_and_come_back_to_the_page(self, item, union_side):
        detail = reverse("assessments:detail", args=[item.pk])
        response = union_side.post(reverse("assessments:evidence_upload", args=[item.pk]), {"files": [upload("章程.pdf", PDF)], "indicator": ""})
        assert response.status_code == 302 and response["Location"] == detail
        page = union_side.get(detail).content.decode()
        assert "已上传 1 个佐证材料" in page and "章程.pdf" in page
        evidence = AssessmentEvidence.objects.get(assessment=item)
        response = union_side.post(reverse("assessments:evidence_delete", args=[item.pk, evidence.pk]))
        assert response.status_code == 302 and response["Location"] == detail
        assert "已删除佐证材料" in union_side.get(detail).content.decode() and not AssessmentEvidence.objects.exists()

    def test_the_section_comes_back_only_to_the_unions_side(self, setting, item, logged_in):
        kept = service.evidence_add(actor=setting["company"], assessment_id=item.pk, uploads=[upload("a.pdf", PDF)])[0]
        client = logged_in(setting["district"])  # reviews it, but does not fill it in
        assert client.post(reverse("assessments:evidence_upload", args=[item.pk]), {"files": [upload("b.pdf", PDF)]},
                           HTTP_HX_REQUEST="true").status_code == 403
        assert client.post(reverse("assessments:evidence_delete", args=[item.pk, kept.pk]), HTTP_HX_REQUEST="true").status_code == 403
        assert list(AssessmentEvidence.objects.all()) == [kept]


class TestAccess:
    @pytest.fixture
    def evidence(self, setting, item):
        added = service.evidence_add(actor=setting["company"], assessment_id=item.pk, uploads=[upload("工会章程.pdf", PDF)])
        submit(setting, item)
        return added[0]

    def test_the_union_and_the_reviewers_above_download_and_each_look_is_audited(self, setting, evidence, logged_in):
        for who in ("company", "district", "city"):
            response = logged_in(setting[who]).get(reverse("assessments:evidence", args=[evidence.pk]))
            assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
            assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment")
        viewers = AuditEvent.objects.filter(action="orgs.assessment.evidence_viewed").values_list("actor_id", flat=True)
        assert sorted(viewers) == sorted(setting[who].pk for who in ("company", "district", "city"))
        page = logged_in(setting["district"]).get(reverse("assessments:detail", args=[evidence.assessment_id])).content.decode()
        assert reverse("assessments:evidence", args=[evidence.pk]) in page and "下载材料将记入审计日志" in page

    def test_outsiders_get_404_like_a_missing_file(self, setting, evidence, cadre, org, logged_in):
        analyst = PostFactory(org=org("440106"), role=Role.objects.get(code="analyst")).user  # sees the ranking, reviews nothing
        for outsider in (cadre("440104"), cadre("4403"), analyst):  # 越秀区, 深圳市总
            client = logged_in(outsider)
            assert client.get(reverse("assessments:evidence", args=[evidence.pk])).status_code == 404
            assert client.get(reverse("assessments:evidence", args=[987654321])).status_code == 404
            with pytest.raises(NotFound):
                service.evidence_open(actor=outsider, evidence_id=evidence.pk)
        assert not AuditEvent.objects.filter(action="orgs.assessment.evidence_viewed").exists()
        page = logged_in(analyst).get(reverse("assessments:detail", args=[evidence.assessment_id])).content.decode()
        assert "工会章程.pdf" not in page


class TestRemoval:
    def test_the_union_removes_files_while_a_draft_or_returned_and_the_bytes_go_too(self, setting, item, django_capture_on_commit_callbacks):
        company = setting["company"]
        first, second = service.evidence_add(actor=company, assessment_id=item.pk, uploads=[upload("a.pdf", PDF), upload("b.png", PNG)])
        with django_capture_on_commit_callbacks(execute=True):
            service.evidence_remove(actor=company, assessment_id=item.pk, evidence_id=first.pk)
        assert not default_storage.exists(first.file.name) and list(AssessmentEvidence.objects.all()) == [second]
        assert AuditEvent.objects.filter(action="orgs.assessment.evidence_removed").get().data == {"id": first.pk, "name": "a.pdf"}

        submit(setting, item)
        with pytest.raises(ApplicationError, match="不能删除佐证材料"):
            service.evidence_remove(actor=company, assessment_id=item.pk, evidence_id=second.pk)
        service.assessment_recommend(actor=setting["district"], assessment_id=item.pk, recommend=None, comment="请补充")
        with pytest.raises(PermissionDenied):
            service.evidence_remove(actor=setting["district"], assessment_id=item.pk, evidence_id=second.pk)
        service.evidence_remove(actor=company, assessment_id=item.pk, evidence_id=second.pk)  # returned: the union may again
        assert not AssessmentEvidence.objects.exists()

    def test_a_file_of_another_assessment_is_not_found_through_this_one(self, setting, item, org, cadre):
        from gonghui.orgs.models import OrgType
        from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory

        other_union = OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE)
        EmployerFactory(town=org("440106006"), union=other_union, headcount=300)
        other = service.assessment_start(actor=setting["district"], scheme=setting["scheme"], union=other_union)
        foreign = service.evidence_add(actor=cadre(other_union.code), assessment_id=other.pk, uploads=[upload("x.pdf", PDF)])[0]
        with pytest.raises(NotFound):
            service.evidence_remove(actor=setting["company"], assessment_id=item.pk, evidence_id=foreign.pk)
        assert AssessmentEvidence.objects.filter(pk=foreign.pk).exists()


def test_the_admin_lists_files_without_handing_them_out(setting, item, superuser, logged_in):
    evidence = service.evidence_add(actor=setting["company"], assessment_id=item.pk, uploads=[upload("工会章程.pdf", PDF)])[0]
    client = logged_in(superuser)
    assert "工会章程.pdf" in client.get(reverse("admin:orgs_assessmentevidence_changelist")).content.decode()
    page = client.get(reverse("admin:orgs_assessmentevidence_change", args=[evidence.pk])).content.decode()
    assert reverse("assessments:evidence", args=[evidence.pk]) in page and evidence.file.name not in page
    assert client.get(reverse("admin:orgs_assessmentevidence_add")).status_code == 403
