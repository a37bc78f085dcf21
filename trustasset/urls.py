from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from trustasset import health
from trustasset.metrics import metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    # Prometheus scrapes; readers limited by METRICS_ALLOWED_IPS / METRICS_TOKEN (see trustasset/metrics.py).
    path("metrics", metrics_view, name="metrics"),
    # Probes for a load balancer or an orchestrator (trustasset/health.py).
    path("health/live/", health.live, name="health_live"),
    path("health/ready/", health.ready, name="health_ready"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/", include("listings.api_urls")),
    path("api/", include("recommendations.urls_api")),
    path("api/", include("descriptions.urls_api")),
    path("accounts/", include("accounts.urls")),
    path("", include("listings.urls")),
    path("", include("recommendations.urls")),
    path("", include("descriptions.urls")),
    # Uploaded photos; behind a reverse proxy, serve /media/ from MEDIA_ROOT there instead.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]

# Error pages in the site's look, JSON under /api/ (trustasset/errors.py).
handler400 = "trustasset.errors.bad_request"
handler403 = "trustasset.errors.permission_denied"
handler404 = "trustasset.errors.page_not_found"
handler500 = "trustasset.errors.server_error"
