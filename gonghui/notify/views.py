from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.core.views import is_htmx, paginate, safe_next_url
from gonghui.notify import selectors, services


def _layout(request) -> str:
    return "h5" if request.path.startswith("/h5/") else "workbench"


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = paginate(request, selectors.inbox_list(user=request.user, unread_only=unread_only), per_page=20)
    return render(request, f"notify/inbox_{_layout(request)}.html", {"page": page, "unread_only": unread_only, "tab": "me"})


@login_required
@require_POST
def mark_read(request, notification_id: int | None = None):
    count = services.inbox_mark_read(user=request.user, notification_id=notification_id)
    if is_htmx(request):
        return render(request, "notify/_read_mark.html", {})
    if notification_id is None:
        messages.success(request, f"已将 {count} 条消息标为已读")
    return redirect(safe_next_url(request, request.POST.get("next"), "/"))


@login_required
def preferences(request):
    if request.method == "POST":
        services.preference_set(user=request.user, receive_non_essential=request.POST.get("receive_non_essential") == "on")
        messages.success(request, "消息设置已保存")
        return redirect(request.path)
    return render(request, "notify/preferences.html", {"receive_non_essential": selectors.preference_for(user=request.user), "tab": "me"})
