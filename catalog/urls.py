"""Catalog URLs: `/shop/<cc>/…` carries the country, so pages are shareable and cacheable.

The country sits under `shop/` because a bare `/es/` is the Spanish language prefix: English
shoppers in Spain would otherwise land on the Spanish site."""

from django.urls import path, re_path

from . import views

app_name = "catalog"
CC = r"(?P<cc>[a-z]{2})"
urlpatterns = [
    path("", views.root, name="root"),
    path("countries/", views.countries, name="countries"),
    re_path(rf"^shop/{CC}/$", views.home, name="home"),
    re_path(rf"^shop/{CC}/brands/$", views.brands, name="brands"),
    # A family's slug (catalog.selectors): ASCII for Latin names, letters of its script otherwise.
    re_path(rf"^shop/{CC}/brands/(?P<family>\w[\w-]{{0,119}})/$", views.brand, name="brand"),
]
