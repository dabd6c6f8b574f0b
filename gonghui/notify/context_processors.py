from gonghui.notify.selectors import inbox_unread_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": inbox_unread_count(user=user)}
