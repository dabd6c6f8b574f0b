"""Demo logins for the 工作台, one per level so scoping can be seen at work."""
from __future__ import annotations

from django.db import transaction

from gonghui.accounts.models import ExternalBinding, PartyType, Post, Role, User, UserKind
from gonghui.accounts.services import post_grant

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
    ("ns_cadre", "南沙区总干部", "440115", "admin", "南沙区总工会及全部下级（分级培育计划）"),
    ("sp_cadre", "石牌街道干部", "440106006", "admin", "天河区石牌街道总工会及其企业工会（自主申报、报整改完成）"),
    ("dg_admin", "东莞市总管理员", "4419", "admin", "东莞市总工会及全部下级（镇街直属市总；需动态口令）"),
]


# 天河区's street cadres, granted by th_cadre through post_grant so 岗位管理 has rows to manage (username, name, street, role, 职务)
DEMO_STREET_POSTS = [
    ("th_wushan", "五山街道工会主席", "440106001", "admin", "主席"),
    ("th_yuancun", "员村街道组织委员", "440106002", "reviewer", "组织委员"),
    ("th_chebei", "车陂街道工会干事", "440106003", "handler", "干事"),
    ("th_shahe", "沙河街道经审委员", "440106004", "analyst", "经审委员"),
    ("th_shipai", "石牌街道工会主席", "440106006", "admin", "主席"),
    ("th_shipai_rv", "石牌街道入会专员", "440106006", "reviewer", "入会专员"),
    ("th_linhe", "林和街道工会干事", "440106009", "handler", "干事"),
]


def demo_logins() -> list[tuple[str, str]]:
    extra = [
        ("jkww_reader", "广东省教科文卫工会（可只读查看其业务指导的企业工会）"),
        ("analyst_th", "天河区总工会·只读分析（可看审计日志，不能修改）"),
        ("employer_demo", "外部账号：只能看到绑定的一家用人单位"),
    ]
    return [(username, scope) for username, _, _, _, scope in DEMO_USERS] + extra


def _demo_user(username: str, display_name: str, kind: str = UserKind.CADRE) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": display_name, "kind": kind})
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


@transaction.atomic
def seed_demo_extra_users(*, org_lookup, employer) -> None:
    """A guidance reader, a read-only analyst and an employer account, to show the narrower rights."""
    reader = _demo_user("jkww_reader", "教科文卫工会干部")
    Post.objects.get_or_create(user=reader, org=org_lookup("IU-44-JKWW"), role=Role.objects.get(code="admin"),
                               defaults={"guidance_read": True})
    analyst = _demo_user("analyst_th", "天河区数据分析员")
    Post.objects.get_or_create(user=analyst, org=org_lookup("440106"), role=Role.objects.get(code="analyst"))
    Post.objects.get_or_create(user=User.objects.get(username="gd_admin"), org=org_lookup("44"),
                               role=Role.objects.get(code="calendar_admin"))
    account = _demo_user("employer_demo", "单位联系人", kind=UserKind.EXTERNAL)
    ExternalBinding.objects.get_or_create(user=account, party_type=PartyType.EMPLOYER, employer=employer)
    district = User.objects.get(username="th_cadre")
    for username, display_name, street_code, role_code, title in DEMO_STREET_POSTS:
        street, role = org_lookup(street_code), Role.objects.get(code=role_code)
        cadre = _demo_user(username, display_name)
        if not Post.objects.filter(user=cadre, org=street, role=role).exists():
            post_grant(actor=district, user=cadre, org=street, role=role, title=title)


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
