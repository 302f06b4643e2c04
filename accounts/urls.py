from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("accounts/login/", views.login, name="login"),
    path("accounts/logout/", views.logout, name="logout"),
    # What a pairing QR code opens: GET asks, POST pairs.
    path("pair/<str:token>/", views.pair, name="pair"),
    # Office staff: issue pairing codes, see and revoke paired devices.
    path("devices/", views.devices, name="devices"),
    path("devices/<int:pk>/revoke/", views.device_revoke, name="device_revoke"),
    path("devices/qr/<str:token>.png", views.device_qr_png, name="device_qr_png"),
    path("devices/qr/<str:token>.svg", views.device_qr_svg, name="device_qr_svg"),
    path("devices/qr/<str:token>/status/", views.device_qr_status, name="device_qr_status"),
]
