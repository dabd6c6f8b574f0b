"""The org and employer imports as background jobs with progress (registered in OrgsConfig.ready)."""
from gonghui.core.spreadsheets import error_report_xlsx
from gonghui.jobs.registry import JobOutcome, register
from gonghui.orgs import imports

KINDS = {
    "orgs.import_orgs": ("工会组织导入", imports.org_import_xlsx),
    "orgs.import_employers": ("用人单位导入", imports.employer_import_xlsx),
}


def _import_handler(run_import):
    def handle(*, job, data: bytes, progress) -> JobOutcome:
        result = run_import(actor=job.owner, data=data, progress=progress)
        if result.errors:
            rows = len({error.row for error in result.errors})
            return JobOutcome(
                ok=False, summary=f"发现 {len(result.errors)} 处错误（涉及 {rows} 行），本次未导入任何数据。请下载错误报告，修改后重新上传。",
                result=error_report_xlsx(result.errors), result_name=f"{job.input_name.rsplit('.', 1)[0]}-错误报告.xlsx",
                problems=result.errors,
            )
        return JobOutcome(ok=True, summary=f"导入完成：新增 {result.created} 条，更新 {result.updated} 条。")

    return handle


def register_jobs() -> None:
    for code, (label, run_import) in KINDS.items():
        register(code, label, _import_handler(run_import))
