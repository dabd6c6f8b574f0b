"""Demo logins for the 工作台, one per level so scoping can be seen at work."""
from __future__ import annotations

from django.db import transaction

from gonghui.accounts.models import Post, Role, User, UserKind

DEMO_PASSWORD = "Gonghui@2026"
# Posts at 市 level and above must use TOTP; the demo gives those accounts a known secret
# (add it to any authenticator app, or run `manage.py demo_totp <username>` while DEBUG is on).
DEMO_TOTP_SECRET = "GONGHUIDEMOTOTPSECRETGUANGDONG23"

# username, display name, org code of the post (None: system administrator), role, what they see
DEMO_USERS = [
    ("admin", "系统管理员", None, None, "全省（系统管理员，可进管理后台；需动态口令）"),
    ("gd_admin", "省总管理员", "44", "admin", "广东省总工会及全部下级（需动态口令）"),
    ("gz_admin", "广州市总管理员", "4401", "admin", "广州市总工会及全部下级（需动态口令）"),
    ("th_cadre", "天河区总干部", "440106", "admin", "天河区总工会及全部下级"),
    ("yx_cadre", "越秀区总干部", "440104", "admin", "越秀区总工会及全部下级"),
    ("dg_admin", "东莞市总管理员", "4419", "admin", "东莞市总工会及全部下级（镇街直属市总；需动态口令）"),
]


def demo_logins() -> list[tuple[str, str]]:
    return [(username, scope) for username, _, _, _, scope in DEMO_USERS]


@transaction.atomic
def seed_demo_users(*, org_lookup) -> None:
    """Create or refresh the demo users and their posts."""
    for username, display_name, org_code, role, _ in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
        user.display_name = display_name
        user.kind = UserKind.CADRE
        user.is_staff = org_code is None
        user.is_superuser = org_code is None
        user.set_password(DEMO_PASSWORD)
        if org_code in ("44", "4401", "4419") or org_code is None:
            user.totp_secret = user.totp_secret or DEMO_TOTP_SECRET
        user.save()
        if org_code:
            Post.objects.get_or_create(user=user, org=org_lookup(org_code), role=Role.objects.get(code=role))
