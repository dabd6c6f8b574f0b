from django.contrib.auth import views as auth_views
from django.urls import path

from gonghui.accounts import views, views_posts

app_name = "accounts"

urlpatterns = [
    path("login/", views.CadreLoginView.as_view(), name="login"),
    path("login/totp/", views.totp_step, name="totp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("switch-org/", views.switch_post, name="switch_post"),
    path("h5-login/", views.h5_login, name="h5_login"),
    path("security/", views.security, name="security"),
    path("password/", views.ChangePasswordView.as_view(), name="password_change"),
]

workbench_urlpatterns = [
    path("staff/", views.staff_list, name="list"),
    path("staff/<int:user_id>/", views.staff_detail, name="detail"),
    path("staff/<int:user_id>/reveal/", views.staff_reveal, name="reveal"),
    path("posts/", views_posts.post_list, name="posts"),
    path("posts/grant/", views_posts.post_grant_view, name="post_grant"),
    path("posts/<int:post_id>/revoke/", views_posts.post_revoke_view, name="post_revoke"),
    path("posts/org-options/", views_posts.org_options, name="org_options"),
    path("roles/", views_posts.role_list, name="roles"),
    path("roles/new/", views_posts.role_edit, name="role_create"),
    path("roles/<int:role_id>/edit/", views_posts.role_edit, name="role_edit"),
    path("api-keys/", views_posts.api_key_list, name="api_keys"),
    path("api-keys/issue/", views_posts.api_key_issue_view, name="api_key_issue"),
    path("api-keys/<int:key_id>/revoke/", views_posts.api_key_revoke_view, name="api_key_revoke"),
    path("object-grants/", views_posts.object_grant_list, name="object_grants"),
    path("object-grants/give/", views_posts.object_grant_give_view, name="object_grant_give"),
    path("object-grants/<int:grant_id>/revoke/", views_posts.object_grant_revoke_view, name="object_grant_revoke"),
]
