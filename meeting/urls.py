from django.urls import path

from . import views

app_name = "meeting"
urlpatterns = []

# ---- live faces of a sitting: chair console, delegate terminal (meeting/views.py) ----
urlpatterns += [
    path("sitting/<int:sitting_id>/console/", views.console, name="console"),
    path("sitting/<int:sitting_id>/terminal/", views.terminal, name="terminal"),
    # Which sittings this client may follow (docs/protocol.md, "Finding a sitting").
    path("api/sittings/", views.sittings_to_follow, name="sittings_to_follow"),
]

# ---- back office: members, import, badges, seat codes, attendance history, seat check-in (meeting/views_office.py) ----
from . import views_office  # noqa: E402

urlpatterns += [
    path("members/", views_office.members, name="members"),
    path("members/import/", views_office.member_import, name="member_import"),
    path("members/import/template.csv", views_office.member_import_template, name="member_import_template"),
    path("members/badges/", views_office.badges, name="badges"),
    path("members/<int:member_id>/attendance/", views_office.attendance_history_view, name="attendance_history"),
    path("sittings/<int:sitting_id>/seat-codes/", views_office.seat_codes, name="seat_codes"),
    # What a seat's QR code opens.
    path("sitting/<int:sitting_id>/checkin/<str:token>/", views_office.seat_checkin, name="seat_checkin"),
]
