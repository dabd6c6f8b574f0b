"""预警规则 on the 工作台: a cadre with analytics.rules sets rules for their subtree through audited services; bad figures are
refused in Chinese and nothing changes; another district's rule is a missing one; the form keeps what was typed."""
import pytest
from django.urls import reverse

from gonghui.analytics import services
from gonghui.analytics.models import AlertRule, RuleKind
from gonghui.analytics.services import RuleInput
from gonghui.analytics.tests.alerting import rule
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import NOT_FOUND_MESSAGE, ApplicationError, NotFound, PermissionDenied
from gonghui.tickets.tests.factories import cadre_at

pytestmark = pytest.mark.django_db


def data(**fields) -> RuleInput:
    return RuleInput(**{"name": "同一单位三日内多人反映", "kind": RuleKind.EMPLOYER_PEOPLE, "yellow": 3, "orange": 6, "red": 10,
                        "window_days": 3, **fields})


def test_a_district_sets_a_rule_for_its_subtree_and_it_is_audited(world):
    made = services.rule_create(actor=world.district_admin, org_id=world.tianhe.pk, data=data(topic="wages"))
    assert (made.org, made.window_days, made.topic, made.is_active) == (world.tianhe, 3, "wages", True)
    event = AuditEvent.objects.get(action="analytics.rule.created")
    assert event.data["levels"] == [3, 6, 10] and event.org_path == world.tianhe.path


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"yellow": 0}, "yellow", "黄色预警阈值须为正整数"),
    ({"red": None}, "red", "红色预警阈值须为正整数"),
    ({"orange": 3}, "orange", "黄色 < 橙色 < 红色"),
    ({"red": 6}, "red", "黄色 < 橙色 < 红色"),
    ({"window_days": 0}, "window_days", "1 至 90 天"),
    ({"window_days": 91}, "window_days", "1 至 90 天"),
    ({"name": "  "}, "name", "请填写规则名称"),
    ({"kind": "gossip"}, "kind", "请选择规则类型"),
    ({"topic": "gossip"}, "topic", "问题类型不存在"),
    ({"kind": RuleKind.INDUSTRY_RISE, "rise_percent": 0}, "rise_percent", "增幅"),
])
def test_bad_figures_are_refused_in_chinese_and_nothing_is_saved(world, fields, field, message):
    with pytest.raises(ApplicationError) as refused:
        services.rule_create(actor=world.district_admin, org_id=world.tianhe.pk, data=data(**fields))
    assert message in refused.value.message and field in refused.value.fields
    assert not AlertRule.objects.exists() and not AuditEvent.objects.filter(action__startswith="analytics.rule").exists()


def test_another_districts_org_and_rule_are_missing(world):
    yuexiu_admin = cadre_at(world.yuexiu)
    with pytest.raises(NotFound):
        services.rule_create(actor=yuexiu_admin, org_id=world.tianhe.pk, data=data())
    theirs = rule(world.tianhe)
    for call in (lambda: services.rule_update(actor=yuexiu_admin, rule_id=theirs.pk, data=data()),
                 lambda: services.rule_set_active(actor=yuexiu_admin, rule_id=theirs.pk, active=False),
                 lambda: services.rule_update(actor=yuexiu_admin, rule_id="x", data=data())):
        with pytest.raises(NotFound):
            call()
    theirs.refresh_from_db()
    assert theirs.is_active and theirs.yellow == 5


def test_a_handler_without_the_rules_action_cannot_set_rules(world):
    with pytest.raises(NotFound):  # analytics.rules is not theirs anywhere: the org is out of their rules scope
        services.rule_create(actor=world.handler, org_id=world.tianhe.pk, data=data())


def test_the_admin_save_goes_through_the_same_check(world):
    with pytest.raises(PermissionDenied):
        services.rule_save(actor=cadre_at(world.yuexiu), rule=AlertRule(org=world.tianhe, **vars(data())))


def test_an_update_keeps_the_kind_and_disabling_is_audited(world):
    mine = rule(world.tianhe, yellow=2, orange=4, red=6)
    with pytest.raises(ApplicationError, match="规则类型创建后不能更改"):
        services.rule_update(actor=world.district_admin, rule_id=mine.pk, data=data(kind=RuleKind.INDUSTRY_RISE))
    services.rule_update(actor=world.district_admin, rule_id=mine.pk, data=data(yellow=4, orange=8, red=12))
    services.rule_set_active(actor=world.district_admin, rule_id=mine.pk, active=False)
    mine.refresh_from_db()
    assert (mine.yellow, mine.red, mine.is_active) == (4, 12, False)
    with pytest.raises(ApplicationError, match="规则已停用"):
        services.rule_set_active(actor=world.district_admin, rule_id=mine.pk, active=False)
    assert list(AuditEvent.objects.filter(action__startswith="analytics.rule").order_by("pk").values_list("action", flat=True)) == [
        "analytics.rule.updated", "analytics.rule.disabled"]


def test_the_list_searches_filters_and_shows_only_the_subtree(world, logged_in):
    rule(world.tianhe, name="天河欠薪规则")
    rule(world.tianhe, RuleKind.INDUSTRY_RISE, name="天河行业上升", is_active=False)
    rule(world.yuexiu, name="越秀规则")
    client = logged_in(world.district_admin)
    names = lambda **query: [r.name for r in client.get(reverse("analytics:rules"), query).context["page"]]  # noqa: E731
    assert sorted(names()) == ["天河欠薪规则", "天河行业上升"]
    assert names(q="欠薪") == ["天河欠薪规则"] and names(active="0") == ["天河行业上升"] and names(kind="industry_rise") == ["天河行业上升"]
    assert client.get(reverse("analytics:rules"), {"page": 99}).status_code == 200


def test_the_form_keeps_what_was_typed_after_an_error(world, logged_in):
    client = logged_in(world.district_admin)
    posted = {"org": world.tianhe.pk, "name": "阈值写反了的规则", "kind": RuleKind.EMPLOYER_PEOPLE, "topic": "", "window_days": 7,
              "yellow": 9, "orange": 6, "red": 12}
    page = client.post(reverse("analytics:rule_new"), posted)
    text = page.content.decode()
    assert page.status_code == 400 and "黄色 &lt; 橙色 &lt; 红色" in text and 'value="阈值写反了的规则"' in text and 'value="9"' in text
    assert not AlertRule.objects.exists()
    done = client.post(reverse("analytics:rule_new"), {**posted, "yellow": 3})
    assert done.status_code == 302 and AlertRule.objects.get().name == "阈值写反了的规则"


def test_edit_and_disable_pages_and_another_districts_rule_is_missing(world, logged_in):
    mine, theirs = rule(world.tianhe), rule(world.yuexiu)
    client = logged_in(world.district_admin)
    edit = reverse("analytics:rule_edit", kwargs={"rule_id": mine.pk})
    assert client.get(edit).status_code == 200
    saved = client.post(edit, {"name": "改过的名称", "topic": "", "window_days": 14, "yellow": 2, "orange": 3, "red": 4,
                               "org": world.yuexiu.pk, "kind": RuleKind.INDUSTRY_RISE})  # disabled fields: the posted org and kind are ignored
    mine.refresh_from_db()
    assert saved.status_code == 302 and (mine.name, mine.window_days, mine.org, mine.kind) == ("改过的名称", 14, world.tianhe, RuleKind.EMPLOYER_PEOPLE)
    client.post(reverse("analytics:rule_active", kwargs={"rule_id": mine.pk}), {"active": "0"})
    mine.refresh_from_db()
    assert not mine.is_active
    for url in (reverse("analytics:rule_edit", kwargs={"rule_id": theirs.pk}), reverse("analytics:rule_active", kwargs={"rule_id": theirs.pk})):
        answer = client.post(url, {"active": "0"})
        assert answer.status_code == 404 and NOT_FOUND_MESSAGE in answer.content.decode()
    theirs.refresh_from_db()
    assert theirs.is_active


def test_a_cadre_without_the_rules_action_gets_no_page(world, logged_in):
    assert logged_in(world.handler).get(reverse("analytics:rules")).status_code == 403
