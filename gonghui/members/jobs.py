"""The member import and export as background jobs (registered in MembersConfig.ready)."""
import tempfile
from pathlib import Path

from django.urls import reverse

from gonghui.core.spreadsheets import error_report_xlsx
from gonghui.jobs.registry import JobOutcome, register
from gonghui.members import exports, imports, prospects
from gonghui.orgs.models import Org


def run_member_import(*, job, data: bytes, progress) -> JobOutcome:
    mode = job.options.get("mode", "all_or_nothing")
    result = imports.member_import(actor=job.owner, data=data, mode=mode, progress=progress)
    done = f"共 {result.rows} 行：新增会员 {result.created} 人，已在册未变 {result.unchanged} 人"
    if not result.errors:
        return JobOutcome(ok=True, summary=done + "。")
    report = error_report_xlsx(result.errors)
    name = f"{job.input_name.rsplit('.', 1)[0]}-错误报告.xlsx"
    bad_rows = len({error.row for error in result.errors})
    if mode == "all_or_nothing":
        return JobOutcome(ok=False, summary=f"发现 {len(result.errors)} 处错误（涉及 {bad_rows} 行），按“有错则全部不导入”未导入任何数据。",
                          result=report, result_name=name, problems=result.errors)
    return JobOutcome(ok=True, summary=f"{done}；{bad_rows} 行有错未导入，请下载错误报告。", result=report, result_name=name,
                      problems=result.errors)


def run_member_export(*, job, data: bytes, progress) -> JobOutcome:
    """The file is written to a temporary file (a million members take about 60 MB), which the job stores and deletes."""
    fmt, full = job.options["format"], job.options["full"]
    with tempfile.NamedTemporaryFile(prefix=f"job-{job.pk}-", suffix=f".{fmt}", delete=False) as handle:
        path = Path(handle.name)
    try:
        rows = exports.member_export_write(job=job, target=path, progress=progress)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    shown = "含完整个人信息，已记入审计日志" if full else "姓名、身份证号、手机号已脱敏"
    return JobOutcome(ok=True, summary=f"共导出 {rows} 名会员（{shown}）。", result=path,
                      result_name=f"会员名册{'（含完整信息）' if full else ''}.{fmt}")


def run_prospect_upload(*, job, data: bytes, progress) -> JobOutcome:
    org = Org.objects.get(pk=job.options["org_id"])
    prospect_list, errors = prospects.prospect_list_upload(actor=job.owner, org=org, source=job.options.get("source", ""), data=data,
                                                           keep_days=int(job.options.get("keep_days", prospects.DEFAULT_KEEP_DAYS)),
                                                           progress=progress)
    done = (f"名单 #{prospect_list.pk}：共 {prospect_list.total} 人，已是会员 {prospect_list.already_members} 人，"
            f"待发展 {prospect_list.total - prospect_list.already_members} 人")
    page = {"link": reverse("members:prospect_detail", kwargs={"list_id": prospect_list.pk}), "link_label": f"查看名单 #{prospect_list.pk}"}
    if not errors:
        return JobOutcome(ok=True, summary=f"{done}。原始文件未保存。", **page)
    left_out = len({error.row for error in errors if error.column == "身份证号"})
    kept = len({error.row for error in errors} - {error.row for error in errors if error.column == "身份证号"})
    parts = [f"{left_out} 行身份证号无效或重复未比对"] if left_out else []
    parts += [f"{kept} 行手机号或新就业形态有误，已按未填写比对"] if kept else []
    return JobOutcome(ok=True, summary=f"{done}；{'，'.join(parts)}，请下载问题报告（仅含脱敏信息）。原始文件未保存。",
                      result=error_report_xlsx(errors), result_name=f"名单{prospect_list.pk}-问题报告.xlsx", problems=errors, **page)


def register_jobs() -> None:
    register("members.import", "会员导入", run_member_import)
    register(exports.JOB_KIND, "会员导出", run_member_export)
    register("members.prospects", "潜在会员比对", run_prospect_upload)
