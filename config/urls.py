from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from annotation import urls as annotation_urls
from config import views
from projects import urls as project_urls
from projects.views import account

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switcher: Django's set_language, which also saves a signed-in user's choice.
    path("i18n/setlang/", account.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin's).
    path("favicon.ico", views.favicon),
    path("api/v1/", include(("config.api.urls", "api"))),
    # One namespace for the project's pages, whichever app serves them.
    path("", include((project_urls.urlpatterns + annotation_urls.urlpatterns, "projects"))),
]

handler404 = "config.views.handler404"
handler500 = "config.views.handler500"
