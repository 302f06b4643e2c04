"""The citizen's pages: submit, receipt, follow a case, published answers (public/…)."""

from django.urls import path
from django.views.generic import RedirectView

from . import views_public as views

urlpatterns = [
    path("public/letters/new/", views.submit, name="submit"),
    path("public/letters/receipt/<str:code>/", views.receipt, name="receipt"),
    path("public/letters/track/", views.track, name="track"),
    path("public/letters/", RedirectView.as_view(pattern_name="petitions:track"), name="letters"),
    path("public/letters/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("public/letters/subscribe/<str:token>/", views.subscribe_confirm, name="subscribe_confirm"),
    path("public/letters/<str:code>/", views.status, name="status"),
    path("public/answers/", views.answers, name="answers"),
    path("public/voter-petitions/", views.voter_petitions, name="voter_petitions"),
]
