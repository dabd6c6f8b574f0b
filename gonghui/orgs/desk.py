"""The orgs app's part of the cadre's desk (declared in OrgsConfig): 整改 tasks waiting on the unions, and coverage figures."""
import datetime as dt

from django.urls import reverse

from gonghui.core.registry import Figure, TodoItem, TodoList
from gonghui.core.templatetags.gonghui import percent
from gonghui.orgs import improvements
from gonghui.orgs import selectors as org_selectors
from gonghui.worktime.deadlines import END_OF_DAY, LOCAL


def improvements_due(*, actor, limit: int) -> TodoList:
    """Open 整改 tasks in the actor's subtree, soonest last day first (the 整改期限 counts calendar days to its end)."""
    tasks = improvements.improvement_list(actor=actor, state="open")
    items = [TodoItem(title=f"{task.assessment.union.name}：{task.description}",
                      url=f"{reverse('assessments:detail', kwargs={'assessment_id': task.assessment_id})}#task-{task.pk}",
                      due_at=dt.datetime.combine(task.due_on, END_OF_DAY, tzinfo=LOCAL), limit_unit="calendar_days")
             for task in tasks[:limit]]
    return TodoList(count=tasks.count(), items=items, url=f"{reverse('assessments:improvements')}?state=open")


def coverage_figures(*, actor, org) -> list[Figure]:
    stats = org_selectors.org_subtree_stats(org=org)
    employers = reverse("orgs:employer_list")
    return [
        Figure("建会率", percent(stats.unionization_rate), f"已建会 {stats.unionized_count:,} / {stats.employer_count:,} 家", employers),
        Figure("25人以上单位建会率", percent(stats.large_unionization_rate),
               f"已建会 {stats.large_unionized_count:,} / {stats.large_employer_count:,} 家", employers),
    ]
