from gonghui.accounts.selectors import actions_for, current_post_for, post_list_for


def workbench(request):
    """Posts for the org switcher in the 工作台 header; nothing for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/workbench"):
        return {}
    return {
        "user_posts": post_list_for(user=user),
        "current_post": current_post_for(user=user, session=request.session),
        "can": actions_for(user=user),
    }
