"""接口密钥: issuing, revoking and checking the keys integrations call the API with.

A key is `ghk_<prefix>_<secret>`. The prefix finds the row; only a SHA-256 digest of the secret is stored (the secret is
256 random bits, so a digest cannot be reversed by guessing and a slow password hash would buy nothing). The key acts
through its own integration account, whose one post is the key's grant, so every scoping rule reads it like a cadre's.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import ApiKey, User, UserKind
from gonghui.core.registry import action_labels
from gonghui.accounts.selectors import actions_missing_at, holds_action_at
from gonghui.audit.services import audit_log
from gonghui.core.exceptions import ApplicationError, NotFound, PermissionDenied
from gonghui.core.locking import lock_row

KEY_SCHEME = "ghk"
# Recording each call's time would be a write per request; a minute is precise enough to tell a key is in use.
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_issue(*, actor, client_name: str, org, actions: list[str]) -> tuple[ApiKey, str]:
    """签发接口密钥 for one client, bound to `org`'s subtree and `actions`; returns the key and its secret, shown once."""
    if not holds_action_at(actor=actor, action="accounts.manage", org=org):
        raise NotFound()
    client_name = client_name.strip()
    if not client_name or len(client_name) > ApiKey._meta.get_field("client_name").max_length:
        raise ApplicationError("请填写调用方名称（最多100个字）", code="accounts.api_key_client", fields={"client_name": ["必填，最多100个字"]})
    actions = sorted(set(actions))
    unknown = [action for action in actions if action not in action_labels()]
    if not actions or unknown:
        raise ApplicationError("请选择密钥可执行的操作", code="accounts.api_key_actions", fields={"actions": ["请从列表中选择"]})
    missing = actions_missing_at(actor=actor, actions=actions, org=org)
    if missing:
        raise PermissionDenied(f"您在{org.name}没有以下权限，不能授予密钥：{'、'.join(action_labels()[action] for action in missing)}",
                               code="accounts.api_key_escalation")
    prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    account = User(username=f"apikey-{prefix}", kind=UserKind.INTEGRATION, display_name=f"接口密钥：{client_name}")
    account.set_unusable_password()
    account.save()
    key = ApiKey.objects.create(client_name=client_name, prefix=prefix, secret_hash=_digest(secret), org=org,
                                actions=actions, account=account, issued_by=actor)
    audit_log(actor=actor, action="accounts.api_key.issued", obj=key, org_path=org.path,
              data={"client_name": client_name, "prefix": prefix, "org": org.name, "actions": actions})
    return key, f"{KEY_SCHEME}_{prefix}_{secret}"


@transaction.atomic
def api_key_revoke(*, actor, key: ApiKey) -> ApiKey:
    """吊销: the key stops working at once; the row stays so its use and the audit trail keep their name."""
    key = lock_row(ApiKey.objects.select_related("org"), key.pk, required=True)
    if not holds_action_at(actor=actor, action="accounts.manage", org=key.org):
        raise NotFound()
    if key.revoked_at is not None:
        raise ApplicationError("该密钥已吊销", code="accounts.api_key_revoked")
    key.revoked_at, key.revoked_by = timezone.now(), actor
    key.save(update_fields=["revoked_at", "revoked_by"])
    User.objects.filter(pk=key.account_id).update(is_active=False)
    audit_log(actor=actor, action="accounts.api_key.revoked", obj=key, org_path=key.org.path,
              data={"client_name": key.client_name, "prefix": key.prefix})
    return key


def api_key_authenticate(*, raw: str, ip: str | None) -> User | None:
    """The integration account a presented key acts as, or None for a malformed, unknown, wrong or revoked key."""
    scheme, _, rest = raw.strip().partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != KEY_SCHEME or not prefix or not secret:
        return None
    key = ApiKey.objects.select_related("account", "org").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _digest(secret)) or not key.is_usable:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION or key.last_used_ip != ip:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_ip=ip)
    account = key.account
    account.api_key = key  # the account's post comes from this key: keep it loaded
    return account
