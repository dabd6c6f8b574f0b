"""Load Guangdong's real divisions (vendored extract, see data/README.md) as the regional org tree.

Idempotent: an org whose 组织编码 (its division code) exists is left where it is, so
running this after a move or an edit never undoes the cadres' work.
"""
from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from gonghui.audit.services import audit_log
from gonghui.core.pinyin import pinyin_full, pinyin_initials
from gonghui.orgs.models import Org, OrgType
from gonghui.orgs.paths import depth_of
from gonghui.orgs.services import allocate_child_paths

DIVISIONS_FILE = Path(__file__).parent / "data" / "gd_divisions.json"


def union_name(*, place: str, code: str) -> str:
    # Statistical codes ending 400-599 are farms, zones and similar units, not 街道/镇.
    is_special_unit = len(code) == 9 and int(code[-3:]) >= 400
    return f"{place}工会" if is_special_unit else f"{place}总工会"


def _new_children(parent: Org | None, specs: list[tuple[str, str, str]], existing: set[str]) -> list[Org]:
    fresh = [spec for spec in specs if spec[0] not in existing]
    paths = allocate_child_paths(parent, len(fresh))
    orgs = []
    for (code, place, org_type), path in zip(fresh, paths, strict=True):
        name = union_name(place=place, code=code)
        orgs.append(
            Org(
                code=code, division_code=code, name=name, short_name=place, type=org_type, parent=parent,
                path=path, depth=depth_of(path), name_pinyin=pinyin_full(name), name_initials=pinyin_initials(name),
            )
        )
    return orgs


@transaction.atomic
def divisions_load(*, actor=None, source: Path = DIVISIONS_FILE) -> int:
    """Create the 省总 → 市总 → 区/县总 → 街道/镇总工会 tree; returns how many orgs were created."""
    tree = json.loads(source.read_text(encoding="utf-8"))
    existing = set(Org.objects.filter(code__startswith=tree["province"]["code"]).values_list("code", flat=True))
    created = 0

    def add(parent: Org | None, specs: list[tuple[str, str, str]]) -> dict[str, Org]:
        nonlocal created
        new = Org.objects.bulk_create(_new_children(parent, specs, existing), batch_size=500)
        created += len(new)
        codes = [code for code, _, _ in specs]
        return {org.code: org for org in Org.objects.filter(code__in=codes)}

    province = add(None, [(tree["province"]["code"], tree["province"]["name"], OrgType.PROVINCE)])[tree["province"]["code"]]
    cities = add(province, [(c["code"], c["name"], OrgType.CITY) for c in tree["cities"]])
    for city in tree["cities"]:
        city_org = cities[city["code"]]
        # 东莞 and 中山 have no county level: their 镇/街道 sit directly under the 市总.
        add(city_org, [(t["code"], t["name"], OrgType.TOWN) for t in city["towns"]])
        counties = add(city_org, [(c["code"], c["name"], OrgType.COUNTY) for c in city["counties"]])
        for county in city["counties"]:
            add(counties[county["code"]], [(t["code"], t["name"], OrgType.TOWN) for t in county["towns"]])
    if created:
        audit_log(actor=actor, action="orgs.divisions.loaded", data={"created": created, "source": tree["source"]})
    return created
