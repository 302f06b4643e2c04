from django.urls import path

app_name = "library"
urlpatterns = []

# ---- the office: documents of a session, upload, versions, publish, read receipts (views_office.py) ----
from . import views_office  # noqa: E402

urlpatterns += [
    path("library/", views_office.index, name="index"),
    path("library/session/<int:session_id>/", views_office.session_documents, name="session"),
    path("library/session/<int:session_id>/publish/", views_office.publish_session_view, name="publish_session"),
    path("library/upload/", views_office.upload_view, name="upload"),
    path("library/doc/<int:document_id>/edit/", views_office.edit_view, name="edit"),
    path("library/doc/<int:document_id>/version/", views_office.new_version_view, name="new_version"),
    path("library/doc/<int:document_id>/attach/", views_office.attach_view, name="attach"),
    path("library/doc/<int:document_id>/publish/", views_office.publish_view, name="publish"),
    path("library/doc/<int:document_id>/withdraw/", views_office.withdraw_view, name="withdraw"),
    path("library/doc/<int:document_id>/reads/", views_office.reads_view, name="reads"),
    path("library/doc/<int:document_id>/remind/", views_office.remind_view, name="remind"),
    path("library/version/<int:version_id>/status.json", views_office.version_status, name="version_status"),
    path("library/version/<int:version_id>/confirm/", views_office.confirm_view, name="confirm"),
]

# ---- files: every byte of a document leaves through these access-checked views (views_files.py) ----
from . import views_files  # noqa: E402

urlpatterns += [
    path("library/doc/<int:document_id>/file/", views_files.current_file, name="file"),
    path("library/version/<int:version_id>/file/", views_files.version_file, name="version_file"),
    path("library/version/<int:version_id>/rendition.pdf", views_files.rendition, name="rendition"),
    path("library/version/<int:version_id>/page/<int:page>.webp", views_files.page_image, name="page"),
    path("library/version/<int:version_id>/thumb/<int:page>.webp", views_files.thumb_image, name="thumb"),
]

# ---- reading: the viewer, private notes and highlights, offline copies (views_viewer.py) ----
from . import views_viewer  # noqa: E402

urlpatterns += [
    path("library/doc/<int:document_id>/", views_viewer.viewer, name="view"),
    path("library/doc/<int:document_id>/annotations/", views_viewer.annotations, name="annotations"),
    path("library/annotations/<int:annotation_id>/", views_viewer.annotation, name="annotation"),
    path("library/session/<int:session_id>/offline.json", views_viewer.offline_manifest, name="offline_manifest"),
    path("library-sw.js", views_viewer.service_worker, name="service_worker"),
]

# ---- search across all terms (views_search.py) ----
from . import views_search  # noqa: E402

urlpatterns += [
    path("library/search/", views_search.search_view, name="search"),
]

# ---- convocation letters, the session link they carry, public documents (views_session.py) ----
from . import views_session  # noqa: E402

urlpatterns += [
    path("library/session/<int:session_id>/convocation/<int:member_id>.pdf", views_session.convocation, name="convocation"),
    path("library/session/<int:session_id>/convocations.pdf", views_session.convocations, name="convocations"),
    path("library/session/<int:session_id>/convocation/issue/", views_session.issue_convocation, name="issue_convocation"),
    path("library/session/<int:session_id>/open/", views_session.open_session, name="open_session"),
    path("public/documents/", views_session.public_documents, name="public_documents"),
]
