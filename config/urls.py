from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agency.forms_auth import LoginForm

admin.site.site_header = "Hearth administration"
admin.site.site_title = "Hearth admin"
admin.site.index_title = "Organisation, calendar, roles and records"

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages (like admin's) that do not name an icon.
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}hearth/favicon.svg")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        # Swagger UI sets inline styles; its scripts stay same-origin (the "split" view).
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("api/", include("agency.api.urls")),
    path("casework/", include("casework.urls")),
    path("quality/", include("quality.urls")),
    path("ombudsman/", include("ombudsman.urls")),
    path("coop/", include("coop.urls")),
    path("", include("agency.urls")),
]
