"""The regional tree is Guangdong's real one: 21 cities, every county, every 街道/镇."""
import json

import pytest

from gonghui.orgs.divisions import DIVISIONS_FILE, divisions_load
from gonghui.orgs.models import Org, OrgType

TREE = json.loads(DIVISIONS_FILE.read_text(encoding="utf-8"))
pytestmark = pytest.mark.django_db

CITIES_WITHOUT_COUNTIES = {"4419": "东莞市", "4420": "中山市"}


def test_all_21_cities_sit_under_the_provincial_federation(org):
    cities = Org.objects.filter(type=OrgType.CITY)
    assert cities.count() == 21
    assert set(cities.values_list("parent__code", flat=True)) == {"44"}
    assert org("4401").name == "广州市总工会"
    assert org("4453").name == "云浮市总工会"


def test_dongguan_and_zhongshan_have_no_county_level(org):
    for code, name in CITIES_WITHOUT_COUNTIES.items():
        city = org(code)
        assert city.short_name == name
        assert not city.children.filter(type=OrgType.COUNTY).exists()
        towns = city.children.filter(type=OrgType.TOWN)
        assert towns.count() > 20
        assert all(town.depth == city.depth + 1 for town in towns)
    assert org("4419").children.filter(short_name="虎门镇").exists()
    assert org("4420").children.filter(short_name="小榄镇").exists()
    # the source's placeholder county codes never become orgs
    assert not Org.objects.filter(code__in=["441900", "442000"]).exists()


def test_every_county_of_the_other_19_cities_is_present_under_its_city():
    expected = {
        county["code"]: (city["code"], county["name"])
        for city in TREE["cities"] if city["code"] not in CITIES_WITHOUT_COUNTIES
        for county in city["counties"]
    }
    assert len(expected) == 122
    actual = {o.code: (o.parent.code, o.short_name) for o in Org.objects.filter(type=OrgType.COUNTY).select_related("parent")}
    assert actual == expected
    assert {name for code, (_, name) in expected.items() if code.startswith("4401")} >= {"天河区", "越秀区", "南沙区", "从化区"}


def test_every_town_is_under_its_county_or_city():
    towns = {o.code: o.parent.code for o in Org.objects.filter(type=OrgType.TOWN).select_related("parent")}
    assert len(towns) == sum(len(c["towns"]) + sum(len(k["towns"]) for k in c["counties"]) for c in TREE["cities"])
    assert towns["440106001"] == "440106"  # 五山街道 → 天河区
    assert towns["441900003"].startswith("4419")


def test_paths_match_the_parent_chain():
    for child in Org.objects.filter(type=OrgType.TOWN).select_related("parent")[:200]:
        assert child.path.startswith(child.parent.path)
        assert child.depth == child.parent.depth + 1


def test_loading_again_changes_nothing(db):
    before = Org.objects.count()
    assert divisions_load() == 0
    assert Org.objects.count() == before
