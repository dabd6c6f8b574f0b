"""Peak memory of the import's reader on each hostile upload of `gonghui/core/tests/hostile.py`, each in a fresh
process, against the same process reading a small good file (the baseline).

    .venv/bin/python bench/hostile_files.py [--json]

Before decision 0015 a 598 KB xlsx of these kinds drove the import worker to 1.4–2.0 GB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports kilobytes


def measure(path: Path) -> dict:
    """In this (child) process: read a small good file (the baseline), then the hostile one, built beforehand by the
    parent (building a bomb in memory would raise this process's peak)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from gonghui.core.exceptions import ApplicationError
    from gonghui.core.spreadsheets import table_rows
    from gonghui.core.tests import hostile

    data = path.read_bytes()
    good = hostile.prefixed_sheet(rows=200) if data.startswith(b"PK") else "姓名,身份证号\n张三,1\n".encode()
    list(table_rows(good, max_bytes=len(good))[0])
    baseline = peak_mb()
    refused = ""
    try:
        for _ in table_rows(data, max_bytes=400 << 20)[0]:
            pass
    except ApplicationError as exc:
        refused = exc.message
    return {"file_kb": len(data) // 1024, "baseline_mb": round(baseline), "peak_mb": round(peak_mb()),
            "above_baseline_mb": round(peak_mb() - baseline, 1), "refused": refused}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--build", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(Path(args.one))))
        return
    sys.path.insert(0, str(ROOT))
    from gonghui.core.tests.hostile import HOSTILE

    if args.build:  # in a child of its own: Linux carries a process's peak memory over to the children it starts
        for name, build in HOSTILE.items():
            (Path(args.build) / name).write_bytes(build())
        return
    figures = {}
    with tempfile.TemporaryDirectory(prefix="gonghui-hostile-") as folder:
        subprocess.run([sys.executable, __file__, "--build", folder], check=True, cwd=ROOT)
        for name in HOSTILE:
            child = subprocess.run([sys.executable, __file__, "--one", str(Path(folder) / name)], capture_output=True, text=True,
                                   check=True, cwd=ROOT)
            figures[name] = json.loads(child.stdout.strip().splitlines()[-1])
    if args.json:
        print(json.dumps(figures))
        return
    for name, figure in figures.items():
        print(f"{name:24} {figure['file_kb']:>6} KB  baseline {figure['baseline_mb']:>4} MB  peak {figure['peak_mb']:>4} MB  "
              f"(+{figure['above_baseline_mb']} MB)  {figure['refused'] or '读完'}")


if __name__ == "__main__":
    main()
