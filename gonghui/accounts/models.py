from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who logs in: a cadre (with posts), a worker, or an external account."""

    display_name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def org_scope_paths(self) -> list[str]:
        """Paths of the orgs this user's posts grant, outermost first; cached per request."""
        if not hasattr(self, "_org_scope_paths"):
            paths = sorted(self.posts.filter(org__is_active=True).values_list("org__path", flat=True))
            # Drop paths already covered by an ancestor post so filters stay short.
            self._org_scope_paths = [p for i, p in enumerate(paths) if not any(p.startswith(q) for q in paths[:i])]
        return self._org_scope_paths


class Role(models.TextChoices):
    ADMIN = "admin", "管理员"
    HANDLER = "handler", "工单处理员"
    REVIEWER = "reviewer", "审核员"
    ANALYST = "analyst", "只读分析"


class Post(models.Model):
    """岗位: a role held at an org; grants that org's subtree, never siblings or parents."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="posts")
    org = models.ForeignKey("orgs.Org", verbose_name="组织", on_delete=models.CASCADE, related_name="posts")
    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.ADMIN)
    title = models.CharField("职务", max_length=50, blank=True)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="post_unique_role_at_org")]

    def __str__(self) -> str:
        return f"{self.user} · {self.org} · {self.get_role_display()}"
