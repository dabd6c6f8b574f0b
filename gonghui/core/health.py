from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse

from gonghui.core.tasks import HEARTBEAT_KEY


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"database": "ok", "worker_heartbeat": cache.get(HEARTBEAT_KEY)})
