from django.urls import path

from . import board, exports

urlpatterns = [
    path("voting/round/<int:round_id>/result.csv", exports.result_csv, name="vote-result-csv"),
    path("voting/round/<int:round_id>/result.pdf", exports.result_pdf, name="vote-result-pdf"),
    path("voting/round/<int:round_id>/vote_event.json", exports.vote_event_json, name="vote-event-json"),
    path("voting/round/<int:round_id>/minutes.pdf", board.minutes_pdf, name="vote-minutes-pdf"),
]
