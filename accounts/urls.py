from django.contrib.auth import views as auth_views
from django.urls import path

from .security import views as security_views

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", security_views.otp_verify, name="otp_verify"),
    path("two-factor/setup/", security_views.otp_setup, name="otp_setup"),
]
