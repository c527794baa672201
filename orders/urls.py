from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("<str:token>/", views.detail, name="detail"),
    path("<str:token>/simulate/", views.simulate, name="simulate"),
]
