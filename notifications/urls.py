from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("my-orders/", views.find_orders, name="find_orders"),
    path("my-orders/sent/", views.find_orders_sent, name="find_orders_sent"),
    path("sandbox/mail/", views.sandbox_mailbox, name="sandbox_mailbox"),
]
