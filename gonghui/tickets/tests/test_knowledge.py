"""知识库: jieba tokens matched the same way on SQLite and PostgreSQL, answers scoped by region (read down and, once
published, up; never a sibling's), edited only with the action over the region, stale reviews listed."""
import datetime as dt

import pytest
from django.utils import timezone

from gonghui.audit.models import AuditEvent
from gonghui.core.exceptions import NOT_FOUND_MESSAGE, ApplicationError, NotFound
from gonghui.tickets import knowledge
from gonghui.tickets.knowledge_search import python_score, query_tokens, ranked, tokens
from gonghui.tickets.models import AnswerStatus, KnowledgeAnswer
from gonghui.tickets.tests.factories import cadre_at

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.localdate() + dt.timedelta(days=365)


def make(actor, region, title, text, *, status=AnswerStatus.PUBLISHED, review_on=NEXT_YEAR, category="consult", topic="wages"):
    return knowledge.knowledge_answer_create(actor=actor, data=knowledge.AnswerInput(
        title=title, answer=text, category=category, topic=topic, region_id=region.pk if region else None, review_on=review_on,
        status=status))


@pytest.fixture
def kb(world, org):
    province_admin, shenzhen = cadre_at(org("44")), org("4403")
    rows = {
        "province": make(province_admin, None, "拖欠工资怎么办？", "可向劳动保障监察投诉，或申请劳动仲裁，也可拨打12351求助。", topic="wages"),
        "gz": make(world.city_admin, world.city, "广州最低工资标准是多少？", "广州市月最低工资标准为2500元，非全日制小时最低工资23.7元。"),
        "sz": make(cadre_at(shenzhen), shenzhen, "深圳最低工资标准是多少？", "深圳市月最低工资标准为2520元，非全日制小时最低工资23.7元。"),
        "tianhe": make(world.district_admin, world.tianhe, "天河区职工服务中心在哪里？", "天河区职工服务中心提供劳动争议调解和法律咨询。",
                       topic="union"),
        "yuexiu_draft": make(cadre_at(world.yuexiu), world.yuexiu, "越秀区最低工资补充说明", "越秀区执行广州市最低工资标准。",
                             status=AnswerStatus.DRAFT),
    }
    return rows


def test_tokens_are_jieba_words_folded_without_stopwords():
    found = tokens("请问深圳的最低工资标准是多少？ＡＢＣ公司拖欠工资怎么办")
    assert {"深圳", "最低工资", "工资", "标准", "abc", "拖欠", "公司"} <= set(found)
    assert not {"的", "请问", "怎么办", "？", "是"} & set(found)
    assert tokens("") == [] and query_tokens("最低工资 最低工资") == query_tokens("最低工资")


def test_ranking_is_the_python_score_on_either_database(world, kb):
    """Tokenisation parity: the database's ranking equals the same score computed in Python from the stored tokens, so
    SQLite and PostgreSQL (this test runs on both) answer the same ids in the same order."""
    rows = list(KnowledgeAnswer.objects.all())
    for query in ("深圳最低工资", "最低工资标准是多少", "公司拖欠工资三个月", "天河 职工服务中心", "骑手 平台", "ABC"):
        got = [(row.pk, row.score) for row in ranked(KnowledgeAnswer.objects.all(), query)]
        expected = sorted(((row.pk, python_score(search_tokens=row.search_tokens, title_tokens=row.title_tokens, query=query))
                           for row in rows), key=lambda pair: (-pair[1], -KnowledgeAnswer.objects.get(pk=pair[0]).review_on.toordinal(), -pair[0]))
        assert got == [pair for pair in expected if pair[1] > 0], query
    best = ranked(KnowledgeAnswer.objects.all(), "深圳最低工资是多少")
    assert best[0] == kb["sz"] and best[0].score > best[1].score
    assert "最低工资" in kb["gz"].search_tokens.split() and " 工资 " in kb["gz"].search_tokens


def test_a_region_answer_is_shown_to_that_region_only(world, kb):
    def titles(rows):
        return {row.title for row in rows}
    in_tianhe = knowledge.knowledge_list(actor=world.district_admin, filters=knowledge.AnswerFilters())
    assert titles(in_tianhe) == {kb["province"].title, kb["gz"].title, kb["tianhe"].title}
    in_city = knowledge.knowledge_list(actor=world.city_admin, filters=knowledge.AnswerFilters())
    assert titles(in_city) == {kb["province"].title, kb["gz"].title, kb["tianhe"].title, kb["yuexiu_draft"].title}
    public = knowledge.knowledge_public(q="最低工资标准是多少", district=world.tianhe)
    assert public[0] == kb["gz"] and kb["sz"].title not in titles(public)  # not 深圳's, whatever the words
    assert titles(knowledge.knowledge_public(q="最低工资标准", district=None)) == {kb["province"].title}  # no place: province-wide
    assert titles(knowledge.knowledge_public(q="最低工资标准", district=world.yuexiu)) == {kb["province"].title, kb["gz"].title}
    agent_for_yuexiu = knowledge.knowledge_suggest(actor=world.agent, q="天河 最低工资 拖欠工资", district=world.yuexiu)
    assert titles(agent_for_yuexiu) == {kb["province"].title, kb["gz"].title}  # 天河's is not for a 越秀 caller; drafts never
    with pytest.raises(NotFound):
        knowledge.knowledge_get_for(actor=world.district_admin, answer_id=kb["sz"].pk)


def test_editing_needs_the_action_over_the_region(world, kb):
    change = knowledge.AnswerInput(title="广州最低工资标准是多少？", answer="广州市月最低工资标准为2500元（2025年3月起）。",
                                   category="consult", region_id=world.city.pk, review_on=NEXT_YEAR, status=AnswerStatus.PUBLISHED)
    with pytest.raises(NotFound):  # the city's answer, read by the district, is not the district's to change
        knowledge.knowledge_answer_update(actor=world.district_admin, answer_id=kb["gz"].pk, data=change)
    with pytest.raises(ApplicationError, match="全省通用"):
        make(world.district_admin, None, "全省通用的问题", "区里不能写全省通用的答复内容。")
    with pytest.raises(ApplicationError, match="不能维护该地区"):  # nor move its own answer up to the city
        knowledge.knowledge_answer_update(actor=world.district_admin, answer_id=kb["tianhe"].pk, data=change)
    moved = knowledge.knowledge_answer_update(actor=world.city_admin, answer_id=kb["tianhe"].pk,
                                              data=knowledge.AnswerInput(**{**change.__dict__, "title": "天河区职工服务中心地址"}))
    assert moved.region == world.city and "地址" in moved.title_tokens
    assert AuditEvent.objects.filter(action="tickets.knowledge.updated", object_id=str(moved.pk)).exists()
    with pytest.raises(NotFound):
        knowledge.knowledge_answer_update(actor=world.handler, answer_id=kb["gz"].pk, data=change)  # handlers only read


def test_stale_reviews_are_listed_for_their_owners(world, kb):
    stale = make(world.city_admin, world.city, "加班费怎么计算？", "工作日延长工作时间支付不低于150%的工资报酬。",
                 review_on=timezone.localdate() - dt.timedelta(days=1))
    make(world.city_admin, world.city, "过期草稿", "这是一条复核日期已过的草稿答复。", status=AnswerStatus.DRAFT,
         review_on=timezone.localdate() - dt.timedelta(days=30))
    due = knowledge.knowledge_list(actor=world.city_admin, filters=knowledge.AnswerFilters(due=True))
    assert [row.pk for row in due] == [stale.pk]


def test_pages(client, world, kb):
    client.force_login(world.city_admin)
    listed = client.get("/workbench/tickets/knowledge/", {"q": "最低工资"})
    assert listed.status_code == 200 and "广州最低工资标准是多少" in listed.content.decode() and "2520元" not in listed.content.decode()
    assert "复核已到期" in client.get("/workbench/tickets/knowledge/", {"due": "1"}).content.decode()
    bad = client.post("/workbench/tickets/knowledge/new/", {"title": "试用期工资", "answer": "太短", "category": "consult", "topic": "wages",
                                                             "region": world.tianhe.pk, "review_on": NEXT_YEAR.isoformat(), "status": "published"})
    assert bad.status_code == 200 and "请填写解答（10–4000字）" in bad.content.decode() and "试用期工资" in bad.content.decode()
    created = client.post("/workbench/tickets/knowledge/new/", {
        "title": "试用期工资有什么规定？", "answer": "试用期工资不得低于本单位相同岗位最低档工资的80%或约定工资的80%。", "category": "consult",
        "topic": "contract", "region": world.tianhe.pk, "review_on": NEXT_YEAR.isoformat(), "status": "published", "owner": ""})
    assert created.status_code == 302 and KnowledgeAnswer.objects.get(title="试用期工资有什么规定？").region == world.tianhe
    client.force_login(world.district_admin)
    upward = client.get(f"/workbench/tickets/knowledge/{kb['gz'].pk}/")
    assert upward.status_code == 200 and "您只能查看" in upward.content.decode()
    assert client.post(f"/workbench/tickets/knowledge/{kb['gz'].pk}/", {"title": "改"}).status_code == 403
    missing, sibling = client.get("/workbench/tickets/knowledge/999999999/"), client.get(f"/workbench/tickets/knowledge/{kb['sz'].pk}/")
    assert missing.status_code == sibling.status_code == 404 and NOT_FOUND_MESSAGE in sibling.content.decode()
    client.force_login(world.agent)
    hotline = client.get("/workbench/tickets/knowledge/suggest/", {"kb_q": "最低工资", "district": world.tianhe.pk})
    assert "用此答复" in hotline.content.decode() and "2500元" in hotline.content.decode()
    client.logout()
    h5 = client.get("/h5/tickets/knowledge/", {"description": "请问广州的最低工资是多少", "district": world.tianhe.pk, "topic": "wages"})
    assert "这些解答也许能帮到您" in h5.content.decode() and "2500元" in h5.content.decode() and "2520元" not in h5.content.decode()
    assert client.get("/h5/tickets/knowledge/", {"description": ""}).content.decode().strip() == ""


def test_reindex_cuts_every_answer_again(world, kb):
    from django.core.management import call_command

    KnowledgeAnswer.objects.update(search_tokens="", title_tokens="")
    call_command("knowledge_reindex", stdout=open("/dev/null", "w"))
    assert knowledge.knowledge_public(q="拖欠工资", district=None)[0] == kb["province"]
    assert AuditEvent.objects.filter(action="tickets.knowledge.reindexed").exists()


def test_a_street_answer_is_edited_on_its_page_and_the_public_box_is_rate_limited(client, world, kb, monkeypatch):
    from django.core.cache import cache

    from gonghui.tickets import views_knowledge

    street = make(world.district_admin, world.shipai, "石牌街道职工服务站在哪里？", "石牌街道总工会职工服务站工作日接待职工来访和咨询。", topic="union")
    client.force_login(world.district_admin)
    form = {"title": street.title, "answer": street.answer + "（周六上午也开放）", "category": "consult", "topic": "union",
            "region": world.shipai.pk, "review_on": NEXT_YEAR.isoformat(), "status": "published", "owner": ""}
    assert client.post(f"/workbench/tickets/knowledge/{street.pk}/", form).status_code == 302
    street.refresh_from_db()
    assert "周六" in street.answer and street.region == world.shipai
    cache.clear()
    monkeypatch.setattr(views_knowledge, "H5_RATE", "2/m")
    client.logout()
    asked = [client.get("/h5/tickets/knowledge/", {"description": "拖欠工资怎么办"}).content.decode() for _ in range(3)]
    assert "拖欠工资怎么办" in asked[0] and "拖欠工资怎么办" in asked[1] and asked[2].strip() == ""
    cache.clear()
