"""The shop's URLs: operational ones bare, shopper pages under an optional language prefix."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from dashboard.views import dashboard

from . import health, language_views, metrics, views
from .ratelimit import rate_limited

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="dashboard"),
    path("admin/login/", rate_limited("admin_login", methods=("POST",))(admin.site.login)),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", language_views.switch_language, name="set_language"),
    path("api/orders/", include("orders.api_urls")),
]
if settings.SANDBOX_MODE:
    urlpatterns.append(path("sandbox/", include("storefront.sandbox_urls")))

urlpatterns += i18n_patterns(
    # The order pages first: their status is polled every few seconds by every open payment page.
    path("orders/", include("orders.urls")),
    path("", include("notifications.urls")),
    path("", include("checkout.urls")),
    path("", include("catalog.urls")),
    prefix_default_language=False,
)

handler404 = "storefront.views.page_not_found"
handler500 = "storefront.views.server_error"
