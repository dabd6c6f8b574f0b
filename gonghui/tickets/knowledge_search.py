"""知识库 search by jieba tokens (decision 0023): the same tokenizer cuts an answer when it is saved and a query when it
is asked; the tokens are stored space-delimited (" 最低 工资 最低工资 ") and a query token matches a stored one only
whole (LIKE '% token %', which Django escapes), so the match is the same on SQLite and PostgreSQL — no substring of the
text, no database-specific full-text engine. Answers rank by how many query tokens they hold, a title token counting
double.
"""
from __future__ import annotations

import logging
import threading
import unicodedata

import jieba
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

MAX_QUERY_TOKENS = 16
TITLE_WEIGHT = 2
# Terms of the trade jieba's general dictionary would cut apart; a change here needs `manage.py knowledge_reindex`.
DOMAIN_WORDS = (
    "欠薪", "讨薪", "最低工资", "工资标准", "加班费", "试用期", "劳动合同", "无固定期限", "双倍工资", "经济补偿", "赔偿金",
    "解除劳动合同", "劳动仲裁", "仲裁时效", "社保", "社会保险", "养老保险", "医疗保险", "失业保险", "工伤保险", "生育保险",
    "住房公积金", "工伤认定", "劳动能力鉴定", "伤残等级", "停工留薪期", "一次性伤残补助金", "职业病", "新就业形态", "外卖骑手",
    "快递员", "网约车", "网约车司机", "货车司机", "平台", "派单", "算法", "职业伤害保障", "年休假", "带薪年休假", "法律援助", "12351",
)
STOPWORDS = frozenset({
    "的", "了", "吗", "呢", "吧", "啊", "我", "你", "他", "她", "我们", "他们", "是", "在", "有", "和", "与", "及", "或", "就", "都",
    "要", "会", "能", "可以", "怎么", "怎么办", "怎样", "如何", "什么", "哪些", "是否", "请问", "一下", "这个", "那个", "这样",
    "还", "也", "又", "被", "把", "给", "让", "对", "向", "从", "到", "为", "以", "等", "该", "应", "应该", "需要",
})

_ready = threading.Lock()
_loaded = False


def _tokenizer() -> jieba.Tokenizer:
    global _loaded
    if not _loaded:
        with _ready:
            if not _loaded:
                jieba.setLogLevel(logging.WARNING)
                for word in DOMAIN_WORDS:
                    jieba.add_word(word, freq=50000)
                jieba.initialize()
                _loaded = True
    return jieba.dt


def tokens(text: str) -> list[str]:
    """The distinct search tokens of a text, in first-seen order: jieba's search-engine cut (a long word and its parts),
    NFKC-folded and lower-cased, without punctuation, single characters and stop words."""
    seen: dict[str, None] = {}
    folded = unicodedata.normalize("NFKC", text or "").lower()
    for token in _tokenizer().cut_for_search(folded):
        token = token.strip()
        if len(token) < 2 or token in STOPWORDS or not any(char.isalnum() for char in token):
            continue
        seen.setdefault(token, None)
    return list(seen)


def stored(text: str) -> str:
    """Tokens as the field keeps them: space-delimited with a space at each end, so every token is matched whole."""
    found = tokens(text)
    return f" {' '.join(found)} " if found else ""


def query_tokens(query: str) -> list[str]:
    return tokens(query)[:MAX_QUERY_TOKENS]


def ranked(rows: QuerySet, query: str) -> QuerySet:
    """Rows holding at least one of the query's tokens, best first (score, then most recently reviewed); all rows, newest
    first, for an empty query."""
    wanted = query_tokens(query)
    if not wanted:
        return rows.annotate(score=Value(0, output_field=IntegerField()))
    hits = [Case(When(search_tokens__contains=f" {token} ", then=Value(1)), default=Value(0), output_field=IntegerField())
            for token in wanted]
    title_hits = [Case(When(title_tokens__contains=f" {token} ", then=Value(TITLE_WEIGHT - 1)), default=Value(0),
                       output_field=IntegerField()) for token in wanted]
    score = sum(hits[1:] + title_hits, hits[0])
    any_hit = Q()
    for token in wanted:
        any_hit |= Q(search_tokens__contains=f" {token} ")
    return rows.filter(any_hit).annotate(score=Coalesce(score, Value(0))).order_by("-score", "-review_on", "-pk")


def python_score(*, search_tokens: str, title_tokens: str, query: str) -> int:
    """The same score computed in Python from the stored fields: what the parity test holds the database to."""
    stored_all, stored_title = set(search_tokens.split()), set(title_tokens.split())
    return sum(1 + (TITLE_WEIGHT - 1) * (token in stored_title) for token in query_tokens(query) if token in stored_all)
