"""Member import at scale: 1,000,000 generated rows as csv and as xlsx, imported through the real import
service into PostgreSQL, next to a raw COPY of the same rows into the same tables, in one run; then every imported
member exported again (masked xlsx) through the real export job.

    .venv/bin/python bench/import_members.py [--rows 1000000] [--database-url postgres://postgres@127.0.0.1:5432/gonghui_bench]
                                             [--shared-strings]

--shared-strings also writes the rows as Excel and WPS save text (a shared-strings table, not inline) and imports
that file too; writing it takes a few minutes more.

Each measured phase runs in its own child process so its peak memory (ru_maxrss) is its own.
Targets (issue 7): csv ≥ 1/3 of COPY's rows/s, xlsx ≥ 15,000 rows/s, peak memory < 1.5 GB. The export has no
rows/s target; its memory should not grow with the rows.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("BENCH_DIR", "/tmp/gonghui-bench"))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志远晓东海燕春梅新宇浩然思雨欣怡子轩"
FORMS = ["", "", "", "外卖骑手", "快递员", "网约车司机", "货车司机"]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["GONGHUI_VAR_DIR"] = str(WORK / "var")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def peak_mb() -> float:
    """This process's peak plus its largest child's (the import's reading process): both are alive at once."""
    own, child = (resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own + child  # Linux reports kilobytes


# ------------------------------------------------------------------ phases (each in a child process)


def phase_prepare(rows: int, shared_strings: bool = False) -> dict:
    """Fresh schema, the divisions, and the input files (not timed). The xlsx is written in xlsxwriter's
    constant-memory mode, which stores text inline; Excel stores it in a shared-strings table (--shared-strings)."""
    from django.core.management import call_command
    from django.db import connection

    from gonghui.core.validators import id_number_generate
    from gonghui.orgs.divisions import divisions_load
    from gonghui.orgs.models import Org, OrgType

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    divisions_load()
    towns = list(Org.objects.filter(type=OrgType.TOWN).values_list("code", flat=True))
    rng = random.Random(7)
    csv_path, xlsx_path = WORK / "members.csv", WORK / "members.xlsx"
    header = ["姓名", "身份证号", "手机号", "所在工会编码", "入会日期", "新就业形态", "平台企业"]
    import csv

    import xlsxwriter

    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = book.add_worksheet()
    text = book.add_format({"num_format": "@"})
    for col, title in enumerate(header):
        sheet.write_string(0, col, title)
    start = dt.date(1966, 1, 1)
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(rows):
            town = towns[i % len(towns)]
            born = start + dt.timedelta(days=(i // 1000) % 14000)
            row = [rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                   id_number_generate(region_code=town[:6], birth_date=born, sequence=i % 1000),
                   f"13{rng.randint(0, 999999999):09d}", town, f"2026-0{1 + i % 9}-15", rng.choice(FORMS), ""]
            writer.writerow(row)
            for col, value in enumerate(row):
                sheet.write_string(i + 1, col, value, text)
    book.close()
    sizes = {"rows": rows, "csv_mb": round(csv_path.stat().st_size / 2**20, 1), "xlsx_mb": round(xlsx_path.stat().st_size / 2**20, 1)}
    if shared_strings:
        _write_shared_strings_copy(csv_path, WORK / "members_shared.xlsx")
        sizes["xlsx_shared_mb"] = round((WORK / "members_shared.xlsx").stat().st_size / 2**20, 1)
    return sizes


def _write_shared_strings_copy(csv_path: Path, xlsx_path: Path) -> None:
    import csv

    import xlsxwriter

    book = xlsxwriter.Workbook(str(xlsx_path))  # not constant-memory: text goes to the shared-strings table, as Excel's
    sheet = book.add_worksheet()
    text = book.add_format({"num_format": "@"})
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for row_number, row in enumerate(csv.reader(handle)):
            for col, value in enumerate(row):
                if value:
                    sheet.write_string(row_number, col, value, text if row_number else None)
    book.close()


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE members_membershipevent, members_membership, members_employment, members_person, audit_auditevent RESTART IDENTITY CASCADE")


def phase_import(file_name: str) -> dict:
    from gonghui.members import imports

    _truncate()
    data = (WORK / file_name).read_bytes()
    began = time.perf_counter()
    result = imports.member_import(actor=None, data=data, mode="all_or_nothing")
    seconds = time.perf_counter() - began
    assert not result.errors, result.errors[:3]
    return {"rows": result.created, "seconds": round(seconds, 1), "rows_per_s": round(result.created / seconds), "peak_mb": round(peak_mb())}


def phase_copy() -> dict:
    """The same rows, checked and sealed exactly as the service stores them (not timed), then one plain COPY per table
    into the same tables, foreign-key triggers and all (timed)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.members import imports
    from gonghui.members.models import MembershipStatus
    from gonghui.members.services import member_number_for

    _truncate()
    rows, _ = imports.open_rows((WORK / "members.csv").read_bytes())
    checker = imports._Checker(unions=imports.importable_unions(None), positions=imports._header_positions(next(rows)),
                               today=timezone.localdate())
    now = timezone.now()
    tables = {
        "members_person": ("id", "created_at", "updated_at", "name", "name_index", "id_number", "id_index", "gender", "birth_month",
                           "phone", "phone_index", "residence_region", "education", "political_status"),
        "members_employment": ("id", "created_at", "updated_at", "person_id", "employer_name", "employer_uscc", "new_form_type",
                               "platform_company"),
        "members_membership": ("id", "created_at", "updated_at", "person_id", "union_id", "status", "joined_on", "member_number"),
        "members_membershipevent": ("id", "membership_id", "at", "kind", "to_union_id", "status", "note"),
    }
    prepared = {table: [] for table in tables}
    for number, cells in enumerate(rows, start=1):
        c = checker.check(number + 1, cells, [])
        prepared["members_person"].append((number, now, now, c.name_sealed, c.name_index, c.id_sealed, c.id_index, c.gender,
                                           c.birth_month, c.phone_sealed, c.phone_index, "", "", ""))
        if c.new_form_type or c.platform_company:
            prepared["members_employment"].append((number, now, now, number, "", "", c.new_form_type, c.platform_company))
        prepared["members_membership"].append((number, now, now, number, c.union_id, MembershipStatus.ACTIVE, c.joined_on,
                                               member_number_for(person_id=number, joined_on=c.joined_on)))
        prepared["members_membershipevent"].append((number, number, now, "imported", c.union_id, MembershipStatus.ACTIVE, "批量导入"))
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:  # the commit runs the deferred FK checks: timed too
        for table, values in prepared.items():
            with cursor.cursor.copy(f"COPY {table} ({', '.join(tables[table])}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
    count = len(prepared["members_person"])
    seconds = time.perf_counter() - began
    return {"rows": count, "seconds": round(seconds, 1), "rows_per_s": round(count / seconds), "peak_mb": round(peak_mb())}


def phase_export() -> dict:
    """The members the xlsx phase imported, exported masked as xlsx by a 省总 cadre: requested as the member list's
    button requests it, then run as the worker runs it (`job_run`: the job's handler, progress, storing the file)."""
    from django.contrib.auth import get_user_model

    from gonghui.accounts.models import Post, Role
    from gonghui.jobs.services import job_run
    from gonghui.members import exports
    from gonghui.orgs.models import Org

    owner, _ = get_user_model().objects.get_or_create(username="bench-export")
    Post.objects.get_or_create(user=owner, org=Org.objects.get(parent__isnull=True), role=Role.objects.get(code="admin"))
    job = exports.member_export_request(actor=owner, fmt="xlsx")
    began = time.perf_counter()
    job = job_run(job_id=job.pk)
    seconds = time.perf_counter() - began
    assert job.status == "succeeded", job.summary
    size = job.result_file.size
    job.result_file.delete()
    return {"rows": job.progress_total, "seconds": round(seconds, 1), "rows_per_s": round(job.progress_total / seconds),
            "peak_mb": round(peak_mb()), "file_mb": round(size / 2**20, 1)}


PHASES = {"prepare": phase_prepare, "csv": lambda rows: phase_import("members.csv"),
          "xlsx": lambda rows: phase_import("members.xlsx"), "xlsx_shared": lambda rows: phase_import("members_shared.xlsx"),
          "copy": lambda rows: phase_copy(), "export": lambda rows: phase_export()}


def run_child(phase: str, args) -> dict:
    command = [sys.executable, __file__, "--phase", phase, "--rows", str(args.rows), "--database-url", args.database_url]
    output = subprocess.run(command + (["--shared-strings"] if args.shared_strings else []), capture_output=True, text=True, check=False)
    if output.returncode:
        print(output.stdout, output.stderr, file=sys.stderr)
        raise SystemExit(f"phase {phase} failed")
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/gonghui_bench")
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--reuse", action="store_true", help="keep the database and files of an earlier run with as many rows")
    parser.add_argument("--shared-strings", action="store_true", help="also import the rows as an xlsx with a shared-strings table")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if args.phase:
        setup_django(args.database_url)
        figures = phase_prepare(args.rows, args.shared_strings) if args.phase == "prepare" else PHASES[args.phase](args.rows)
        print(json.dumps(figures))
        return
    name = args.database_url.rsplit("/", 1)[1]
    if not args.reuse:
        subprocess.run(["psql", args.database_url.rsplit("/", 1)[0] + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}",
                        "-c", f"CREATE DATABASE {name}"], check=True)
        print("prepare", run_child("prepare", args), flush=True)
    # the export reads what the phase before it imported
    results = {phase: run_child(phase, args) for phase in ("copy", "csv", "xlsx") + (("xlsx_shared",) if args.shared_strings else ()) + ("export",)}
    for phase, figures in results.items():
        print(f"{phase:11} {figures['rows']:>9,} rows  {figures['seconds']:>7} s  {figures['rows_per_s']:>8,} rows/s  peak {figures['peak_mb']:>6,} MB")
    ratio = results["csv"]["rows_per_s"] / results["copy"]["rows_per_s"]
    print(f"csv / COPY = {ratio:.2f} (target ≥ 0.33); xlsx {results['xlsx']['rows_per_s']:,} rows/s (target ≥ 15,000"
          + (f"; shared strings {results['xlsx_shared']['rows_per_s']:,}" if args.shared_strings else "") + "); "
          f"peak {max(r['peak_mb'] for r in results.values() if r is not results['copy']):,} MB (target < 1,536); "
          f"export file {results['export']['file_mb']} MB")


if __name__ == "__main__":
    main()
