"""Page guards shared by every app's views."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


def workbench_required(view):
    """Cadres and external accounts use the 工作台; a worker who wanders in is sent to the H5."""

    @login_required
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if getattr(request.user, "kind", "") == "worker" and not request.user.is_superuser:
            return redirect("h5_me")
        return view(request, *args, **kwargs)

    return guarded
