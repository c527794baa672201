from django.urls import path

from . import views

app_name = "orders_api"
urlpatterns = [
    path("<str:token>/subscribe", views.subscribe, name="subscribe"),
]
