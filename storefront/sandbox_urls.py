"""Routes that exist only on the sandbox upstream: local logos, barcodes and the payment simulator."""

from django.urls import path

from . import sandbox_views

app_name = "sandbox"
urlpatterns = [
    path("logos/<str:filename>", sandbox_views.logo, name="logo"),
    path("barcodes/<str:filename>", sandbox_views.barcode, name="barcode"),
]
