from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q

from gonghui.core.access import Access, ScopedQuerySet
from gonghui.core.fields import BlindIndexField, EncryptedTextField
from gonghui.core.validators import normalize_mobile, parse_id_number


def normalize_id_for_index(value: str) -> str:
    return parse_id_number(value).value


class UserKind(models.TextChoices):
    WORKER = "worker", "职工"
    CADRE = "cadre", "工会干部"
    EXTERNAL = "external", "外部账号"
    INTEGRATION = "integration", "接口账号"


class User(AbstractUser):
    """A person who logs in: a worker (by phone), a cadre (with posts) or an external account."""

    kind = models.CharField("账号类型", max_length=16, choices=UserKind.choices, default=UserKind.CADRE)
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = EncryptedTextField("手机号", blank=True, default="")
    phone_index = BlindIndexField(source="phone", purpose="phone", normalizer=normalize_mobile, unique=True)
    id_number = EncryptedTextField("身份证号", blank=True, default="")
    id_number_index = BlindIndexField(source="id_number", purpose="id_number", normalizer=normalize_id_for_index, unique=True)
    totp_secret = EncryptedTextField("动态口令密钥", blank=True, default="")
    totp_last_step = models.BigIntegerField("最近使用的动态口令时间步", default=0)
    # Part of the session auth hash: bumping it ends every session of this user ("退出所有设备").
    session_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_session_auth_hash(self) -> str:
        return super().get_session_auth_hash() + f":{self.session_version}"

    def active_posts(self) -> list[Post]:
        """The posts this account acts through (active orgs only, org and role loaded, outermost first).

        The one source every scoping rule reads. An integration account holds no post rows: its one post is its
        API key's grant (the key's org, the key's actions), and none once the key is revoked."""
        if self.kind == UserKind.INTEGRATION:
            key = getattr(self, "api_key", None)  # loaded with the account by the key auth
            return [key.as_post()] if key is not None and key.is_usable else []
        return list(self.posts.filter(org__is_active=True).select_related("org", "role").order_by("org__path", "pk"))

    def org_scope_paths(self) -> list[str]:
        """Paths of the orgs of all this user's posts (any role), outermost first; for the org switcher."""
        paths = sorted(self.posts.filter(org__is_active=True).values_list("org__path", flat=True))
        return [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]


class Role(models.Model):
    """角色: a named set of actions (data, so federations can add roles without code)."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=50)
    permissions = models.JSONField("可执行的操作", default=list, help_text="如 orgs.view、employers.manage、pii.reveal")
    description = models.CharField("说明", max_length=200, blank=True)
    default_actions_given = models.JSONField(
        "已按默认授予的操作", default=list, editable=False,
        help_text="应用声明的默认授权只授予一次；管理员之后去掉的操作不会再被加回（决策 0012）",
    )

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """岗位: a role held at an org; grants that org's subtree for the role's actions, never siblings or parents."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="posts")
    org = models.ForeignKey("orgs.Org", verbose_name="组织", on_delete=models.CASCADE, related_name="posts")
    role = models.ForeignKey(Role, verbose_name="角色", on_delete=models.PROTECT, related_name="posts")
    title = models.CharField("职务", max_length=50, blank=True)
    guidance_read = models.BooleanField(
        "可查看业务指导对象", default=False, help_text="勾选后，本岗位还可只读查看本组织业务指导的组织及其下级",
    )

    objects = ScopedQuerySet.as_manager()
    access = Access(paths=("org__path",))

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="post_unique_role_at_org")]

    def __str__(self) -> str:
        return f"{self.user} · {self.org} · {self.role}"


class PartyType(models.TextChoices):
    EMPLOYER = "employer", "用人单位"
    SUPPLIER = "supplier", "供应商"
    AGENCY = "agency", "合作机构（人社、法院、检察院等）"
    COUNSELLOR = "counsellor", "心理咨询师"
    LAWYER = "lawyer", "律师"
    JUDGE = "judge", "评审专家"


class ExternalBinding(models.Model):
    """外部账号绑定: an outside party an external account acts for, with narrow rights and no org subtree."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="external_bindings")
    party_type = models.CharField("对象类型", max_length=16, choices=PartyType.choices)
    employer = models.ForeignKey(
        "orgs.Employer", verbose_name="用人单位", null=True, blank=True, on_delete=models.CASCADE, related_name="accounts",
    )
    party_name = models.CharField("机构/个人名称", max_length=200, blank=True)

    class Meta:
        verbose_name = "外部账号绑定"
        verbose_name_plural = "外部账号绑定"
        constraints = [
            models.CheckConstraint(condition=~Q(party_type="employer") | Q(employer__isnull=False), name="employer_binding_has_employer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.employer or self.party_name}"


class SmsCode(models.Model):
    """A one-time login code sent by SMS; only its hash is kept."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"短信验证码 #{self.pk}（{self.created_at:%Y-%m-%d %H:%M}）" if self.created_at else "短信验证码"


class ApiKey(models.Model):
    """接口密钥: one outside system (a hotline, a data exchange) calling the API as its own principal.

    The key acts through an integration account whose only post is this key's grant: the subtree of `org`, for
    `actions`. Only a hash of the secret is kept; the prefix finds the row without it."""

    client_name = models.CharField("调用方", max_length=100)
    prefix = models.CharField("密钥前缀", max_length=16, unique=True)
    secret_hash = models.CharField("密钥摘要", max_length=64)
    org = models.ForeignKey("orgs.Org", verbose_name="授权组织", on_delete=models.PROTECT, related_name="+")
    actions = models.JSONField("可执行的操作", default=list)
    account = models.OneToOneField(User, verbose_name="接口账号", on_delete=models.PROTECT, related_name="api_key")
    issued_by = models.ForeignKey(User, verbose_name="签发人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    last_used_ip = models.GenericIPAddressField("最近使用IP", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(User, verbose_name="吊销人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "接口密钥"
        verbose_name_plural = "接口密钥"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.client_name}（{self.prefix}）"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.org.is_active

    def as_post(self) -> Post:
        """The grant as an unsaved post, so every rule that reads posts reads a key the same way."""
        role = Role(code=f"api-key-{self.pk}", name=f"接口密钥 {self.client_name}", permissions=list(self.actions))
        return Post(user=self.account, org=self.org, role=role, title="接口调用")


class ObjectGrant(models.Model):
    """对象授权: one object opened to one person outside the org tree (an external lawyer on a case, a supplier on its
    voucher batch, a court on a referred file) for some actions, from `valid_since` until `valid_until` or revocation.

    Read by the one access rule (`core.access`): `restrict(actor, action)` includes the rows granted to the actor for
    that action while the grant is valid. Given and taken only through `accounts.services` (audited).
    """

    grantee = models.ForeignKey(User, verbose_name="被授权人", on_delete=models.CASCADE, related_name="object_grants")
    content_type = models.ForeignKey("contenttypes.ContentType", verbose_name="对象类型", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField("对象ID")
    obj = GenericForeignKey("content_type", "object_id")
    actions = models.JSONField("可执行的操作", default=list)
    valid_since = models.DateTimeField("生效时间")
    valid_until = models.DateTimeField("失效时间", null=True, blank=True)
    granted_by = models.ForeignKey(User, verbose_name="授权人", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(User, verbose_name="撤销人", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The org the object belonged to when granted, so the grants of a subtree can be listed without visiting every kind
    org_path = models.CharField("所属组织路径", max_length=255, db_index=True)

    objects = ScopedQuerySet.as_manager()
    # A grant is managed where its object is (accounts.manage), and by whoever gave it, whatever their posts
    access = Access(paths=("org_path",), owner="granted_by", owner_actions=frozenset({"accounts.manage"}))

    class Meta:
        verbose_name = "对象授权"
        verbose_name_plural = "对象授权"
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["grantee", "content_type", "object_id"], name="object_grant_lookup_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(grantee=models.F("granted_by")), name="object_grant_not_to_self"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_since")),
                                   name="object_grant_until_after_since"),
        ]

    def __str__(self) -> str:
        return f"{self.grantee} · {self.content_type.name} #{self.object_id}"
