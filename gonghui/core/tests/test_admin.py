"""Every admin page a system administrator may open actually renders."""
import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_registered_changelist_renders_for_a_superuser(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_the_login_lockouts_of_django_axes_read_in_chinese(client, superuser):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username="somebody", ip_address="203.0.113.9", user_agent="curl", http_accept="*/*",
                                 path_info="/accounts/login/", get_data="", post_data="", failures_since_start=5)
    client.force_login(superuser)
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录锁定（访问记录）" in index and "访问尝试" in index and "登录记录" in index
    assert "Access attempts" not in index and "Axes" not in index
    attempts = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "失败次数" in attempts and "IP 地址" in attempts and "Failed Logins" not in attempts
