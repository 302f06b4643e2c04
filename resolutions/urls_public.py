"""The public pages of resolutions (views_public): no sign-in; the JSON export (public_api) and the
subscriptions by e-mail (resolutions.subscriptions)."""

from django.urls import path

from . import views_public as v
from . import views_publish

urlpatterns = [
    path("public/resolutions/", v.public_list, name="public_list"),
    path("public/resolutions.json", v.public_list_json, name="public_list_json"),
    path("public/resolutions/<int:resolution_id>/", v.public_resolution, name="public_resolution"),
    path("public/resolutions/<int:resolution_id>.json", v.public_resolution_json, name="public_resolution_json"),
    path("public/resolutions/<int:resolution_id>/subscribe/", v.subscribe, name="subscribe"),
    path("public/resolutions/subscribe/<str:token>/", v.subscription_confirm, name="subscription_confirm"),
    path("public/resolutions/unsubscribe/<str:token>/", v.unsubscribe, name="unsubscribe"),
    # The office's side: publish or unpublish an agency's report (the office's task page).
    path("resolutions/tasks/<int:task_id>/reports/<int:report_id>/<slug:action>/", views_publish.report_publish,
         name="report_publish"),
]
