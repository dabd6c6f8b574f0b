"""The analytics pages: metrics from rollups with links and the audited xlsx, the alert pages and their form, the map's
data, the desk's 待办; another district's org or alert answers as a missing one."""
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.analytics import rollups
from gonghui.analytics.tests.flows import followed_up, filed
from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import NOT_FOUND_MESSAGE
from gonghui.portal.desk import desk_for
from gonghui.tickets.tests.factories import cadre_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def rolled(world):
    followed_up(world, filed(world), "satisfied")
    filed(world)
    rollups.rebuild_rollups()


def test_metrics_page_shows_definitions_and_links(world, rolled, logged_in):
    page = logged_in(world.city_admin).get(reverse("analytics:metrics"), {"org": world.city.pk, "by": "category"})
    text = page.content.decode()
    assert page.status_code == 200 and "统计口径" in text and "未回访" in text
    assert page.context["m"].total.received == 2
    assert f"{reverse('tickets:list')}?received_from=" in text and "fact=closed_on_time" in text


def test_a_bad_period_is_explained(world, rolled, logged_in):
    page = logged_in(world.city_admin).get(reverse("analytics:metrics"), {"from": "2026-05-10", "to": "2026-05-01"}, follow=True)
    assert "结束日期不能早于开始日期" in page.content.decode()


def test_another_districts_org_answers_as_missing(world, rolled, logged_in):
    page = logged_in(cadre_at(world.yuexiu)).get(reverse("analytics:metrics"), {"org": world.tianhe.pk})
    assert page.status_code == 404 and NOT_FOUND_MESSAGE in page.content.decode()


def test_metrics_export_is_xlsx_and_audited(world, rolled, logged_in):
    response = logged_in(world.city_admin).get(reverse("analytics:metrics"), {"org": world.city.pk, "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "分组" and rows[1][1] == 2
    assert AuditEvent.objects.filter(action="analytics.metrics.exported").exists()


def test_map_data_lists_the_regions(world, rolled, logged_in):
    client = logged_in(world.city_admin)
    assert client.get(reverse("analytics:map")).status_code == 200
    data = client.get(reverse("analytics:map_data"), {"org": world.city.pk}).json()
    assert data["geo"] == "4401"
    tianhe = next(region for region in data["regions"] if region["code"] == "440106")
    assert tianhe["open_orders"] == 0 and tianhe["received"] == 1  # the unanswered one is still at the centre
    assert logged_in(cadre_at(world.yuexiu)).get(reverse("analytics:map_data"), {"org": world.tianhe.pk}).status_code == 404
    district = logged_in(world.district_admin).get(reverse("analytics:map_data")).json()  # a district cadre starts at home
    assert (district["geo"], district["focus"], district["parent"]) == ("4401", "440106", None)  # the city is not theirs to open
    assert any(region["code"] == "440106006" for region in district["regions"])


def test_alert_pages_and_the_flow_form(world, alert, logged_in):
    client = logged_in(world.district_admin)
    assert alert.subject in client.get(reverse("analytics:alerts")).content.decode()
    page = client.get(reverse("analytics:alert", kwargs={"alert_id": alert.pk}))
    assert "研判完成，转入处置" in page.content.decode()
    refused = client.post(reverse("analytics:act", kwargs={"alert_id": alert.pk}), {"op": "handle", "text": "太短"})
    assert refused.status_code == 400 and "太短" in refused.content.decode()  # the text typed is kept
    done = client.post(reverse("analytics:act", kwargs={"alert_id": alert.pk}), {"op": "handle", "text": "研判：欠薪属实，约谈企业"})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.state == "handling"
    assert logged_in(cadre_at(world.yuexiu)).get(reverse("analytics:alert", kwargs={"alert_id": alert.pk})).status_code == 404


def test_open_alerts_are_on_the_desk(world, alert):
    desk = desk_for(actor=world.district_admin, org=world.tianhe)
    group = next(group for group in desk.groups if "群体性预警" in group.label)
    assert group.count == 1 and any(alert.subject in entry.item.title for entry in desk.items)


def test_the_period_defaults_to_this_month(world, rolled, logged_in):
    page = logged_in(world.city_admin).get(reverse("analytics:metrics"))
    assert page.context["m"].period.first == timezone.localdate().replace(day=1)
    assert page.context["m"].period.last == timezone.localdate()


def test_the_charts_add_up_to_the_table_and_link_to_the_same_orders(world, rolled, logged_in):
    page = logged_in(world.city_admin).get(reverse("analytics:metrics"), {"org": world.city.pk, "by": "category"})
    charts, m = page.context["charts"], page.context["m"]
    assert len(charts.trend) == (m.period.last - m.period.first).days + 1
    assert sum(n for _, n, _ in charts.trend) == m.total.received == 2
    today = timezone.localdate().isoformat()
    assert [url for day, n, url in charts.trend if n] == [f"{reverse('tickets:list')}?received_from={today}&received_to={today}&org={world.city.pk}"]
    assert [(label, n, url) for label, n, url in charts.categories] == [(label, f.received, f.url()) for label, f in m.groups]
    text = page.content.decode()
    assert 'data-chart="metrics-trend"' in text and 'id="category-table"' in text and "<script>" not in text  # CSP: no inline code
