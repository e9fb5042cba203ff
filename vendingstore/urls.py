from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

api_v1 = [
    path("", include("fleet.api_urls")),
    path("", include("snapcar.api_urls")),
    path("", include("members.api_urls")),
    path("", include("testdrives.api_urls")),
    path("", include("biometrics.api_urls")),
]

urlpatterns = [
    path("", include("fleet.urls")),
    path("", include("tower.urls")),
    path("", include("snapcar.urls")),
    path("", include("members.urls")),
    path("", include("testdrives.urls")),
    path("kiosk/", include("testdrives.kiosk_urls")),
    path("ops/", include("ops.urls")),
    path("", include("biometrics.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# JSON under /api/ for URLs no view matched (a slug with characters no slug has, for example).
handler404 = "vendingstore.api_errors.page_not_found"

if settings.SERVE_MEDIA:
    prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns += [
        re_path(rf"^{prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
