from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gonghui.accounts.services import post_switch


@login_required
@require_POST
def switch_post(request):
    post = post_switch(user=request.user, session=request.session, post_id=request.POST.get("post_id"))
    messages.success(request, f"已切换到：{post.org.name}（{post.role.name}）")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/workbench/"
    return redirect(target)
