"""Safe retries for creating API requests (DESIGN.md rule 5).

A POST to /api/ that carries an `Idempotency-Key` header claims the key first (a unique row),
runs once, and stores its response; a retry with the same key gets the stored response. A retry
that arrives while the first is still running is told to wait, so two racing requests never
both create. A 5xx, or a 409 «系统繁忙» (`core.locking.Busy`: a lock was held past its timeout and nothing
was changed), releases the key so the client can try again with it.
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from gonghui.core.locking import Busy
from gonghui.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": {}}, status=status, json_dumps_params={"ensure_ascii": False})


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER, "").strip()
        if not key or request.method != "POST" or not request.path.startswith("/api/") or not request.user.is_authenticated:
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return _error(400, "idempotency_key_invalid", f"Idempotency-Key 过长（最多 {MAX_KEY_LENGTH} 个字符）")
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(user=request.user, key=key, method=request.method, path=request.path)
        except IntegrityError:
            return self._replay(request, key)
        response = self.get_response(request)
        if response.status_code >= 500 or response.status_code == Busy.status_code:
            record.delete()
        else:
            record.status_code = response.status_code
            record.body = response.content
            record.content_type = response.get("Content-Type", "")
            record.save(update_fields=["status_code", "body", "content_type"])
        return response

    def _replay(self, request, key: str) -> HttpResponse:
        record = IdempotencyRecord.objects.get(user=request.user, key=key)
        if (record.method, record.path) != (request.method, request.path):
            return _error(422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一个请求，请为新请求生成新的键")
        if record.status_code is None:
            return _error(409, "idempotency_in_progress", "相同的请求正在处理中，请稍后重试")
        response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
        response["Idempotent-Replayed"] = "true"
        return response
