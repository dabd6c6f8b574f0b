from django.contrib.auth import views as auth_views
from django.urls import path

from gonghui.accounts import views

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
]
