"""Search in the library: Vietnamese with and without diacritics, metadata,
filters, snippets, who may find what. Runs on SQLite (FTS5) and on
PostgreSQL (tsvector) alike: CI runs this file on both.

Personas: secretary (office staff, finds drafts too), alice (a delegate:
published public and delegates' documents), anonymous (a citizen: published
public only).
"""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from library import search, services
from library.models import Document, DocumentVersion, SearchEntry

RESOLUTION_TEXT = (
    "HỘI ĐỒNG NHÂN DÂN TỈNH\n"
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; xét Tờ trình của Ủy ban nhân dân tỉnh, "
    "Hội đồng nhân dân tỉnh ban hành nghị quyết về kế hoạch đầu tư công trung hạn giai đoạn 2026–2030. "
    "Điều 1. Thông qua danh mục dự án đường giao thông nông thôn và trường học. "
    "Điều 2. Giao Ủy ban nhân dân tỉnh tổ chức thực hiện Nghị quyết này."
)
PROPOSAL_TEXT = (
    "Đề án phát triển du lịch cộng đồng vùng đồng bào dân tộc thiểu số, bảo tồn nghề dệt thổ cẩm "
    "và đào tạo nguồn nhân lực cho các hợp tác xã."
)


def make(secretary, summary, text="", *, kind=Document.Kind.OTHER, access=Document.Access.PUBLIC,
         status=Document.Status.PUBLISHED, number="", issuer="", signer="", issued_on=None, session=None, body=None):
    """A document with one processed version, indexed (the fast path; one test below uses the real one)."""
    document = Document.objects.create(kind=kind, summary=summary, number=number, issuer=issuer, signer=signer,
                                       issued_on=issued_on, access=access, session=session,
                                       body=body or (session.body if session else None), created_by=secretary)
    if text is not None:
        version = DocumentVersion.objects.create(document=document, number=1, file=f"files/{document.pk}.pdf",
                                                 original_name="x.pdf", file_kind="pdf", size=1, sha256="0" * 64,
                                                 state=DocumentVersion.State.READY, text=text)
        document.current_version = version
    document.status = status
    document.save()
    search.index_document(document.pk)
    return document


def found(user, q, **filters):
    return [hit.document.pk for hit in search.search(user, q, **filters).hits]


@pytest.fixture
def library(sitting, users):
    s = users["secretary"]
    return {
        "resolution": make(s, "Nghị quyết về kế hoạch đầu tư công trung hạn", RESOLUTION_TEXT,
                           kind=Document.Kind.RESOLUTION, number="25/2025/NQ-HĐND", issuer="Hội đồng nhân dân tỉnh",
                           signer="Nguyễn Văn An", issued_on=date(2025, 7, 10), session=sitting.session),
        "proposal": make(s, "Phát triển du lịch cộng đồng", PROPOSAL_TEXT, kind=Document.Kind.PROPOSAL,
                         number="12/ĐA-UBND", issuer="Ủy ban nhân dân tỉnh", issued_on=date(2024, 3, 5)),
        "delegates": make(s, "Báo cáo thẩm tra dự toán ngân sách", "Ban Kinh tế - Ngân sách thẩm tra dự toán thu chi.",
                          kind=Document.Kind.REVIEW_REPORT, access=Document.Access.DELEGATES,
                          issuer="Ban Kinh tế - Ngân sách", issued_on=date(2025, 7, 1), session=sitting.session),
        "draft": make(s, "Dự thảo nghị quyết về phí tham quan", "Dự thảo nghị quyết quy định mức thu phí.",
                      kind=Document.Kind.DRAFT_RESOLUTION, status=Document.Status.DRAFT, issued_on=date(2025, 7, 2)),
    }


# ---- Vietnamese with and without diacritics ---------------------------------------------

def test_words_without_diacritics_find_words_with_them(library, users):
    assert library["resolution"].pk in found(users["alice"], "nghi quyet dau tu cong")


def test_words_with_diacritics_find_the_same_documents_as_without(library, users):
    alice = users["alice"]
    assert found(alice, "nghị quyết đầu tư công") == found(alice, "nghi quyet dau tu cong") != []


def test_de_an_finds_de_an_with_its_marks_and_d_stroke(library, users):
    assert found(users["alice"], "de an phat trien du lich") == [library["proposal"].pk]


def test_capitals_and_decomposed_unicode_match(library, users):
    decomposed = "NGHỊ QUYẾT".replace("Ị", "I\u0323").replace("Ế", "E\u0302\u0301")
    assert library["resolution"].pk in found(users["alice"], decomposed)


def test_every_word_must_match(library, users):
    assert found(users["alice"], "du lich ngan sach") == []


def test_the_last_word_is_a_prefix(library, users):
    assert found(users["alice"], "tho ca") == [library["proposal"].pk]  # thổ cẩm
    assert found(users["alice"], "tho c") == []  # one letter is a word, not a prefix (it would match too much)


def test_quoted_words_are_a_phrase(library, users):
    alice = users["alice"]
    assert found(alice, '"giao thong nong thon"') == [library["resolution"].pk]
    assert found(alice, '"nong thon giao thong"') == []


# ---- metadata -------------------------------------------------------------------------

def test_number_issuer_and_signer_are_searchable(library, users):
    alice = users["alice"]
    assert found(alice, "25/2025/NQ-HĐND") == [library["resolution"].pk]
    assert found(alice, "nguyen van an") == [library["resolution"].pk]


def test_the_kind_label_is_searchable(library, users):
    assert found(users["alice"], "bao cao tham tra") == [library["delegates"].pk]


def test_a_document_without_a_file_is_found_by_its_metadata(sitting, users):
    doc = make(users["secretary"], "Tờ trình về đặt tên đường", text=None, kind=Document.Kind.SUBMISSION)
    assert found(users["secretary"], "dat ten duong") == [doc.pk]


def test_a_match_in_the_summary_ranks_above_one_in_the_text(sitting, users):
    s = users["secretary"]
    in_text = make(s, "Báo cáo tình hình kinh tế", "Nội dung có nhắc đến chợ nổi trong một câu.", issued_on=date(2025, 1, 2))
    in_summary = make(s, "Đề án phát triển chợ nổi", "Nội dung khác.", issued_on=date(2020, 1, 1))
    assert found(s, "cho noi") == [in_summary.pk, in_text.pk]


def test_equal_matches_are_newest_first(sitting, users):
    s = users["secretary"]
    older = make(s, "Thông báo kết luận phiên họp", "Kết luận.", issued_on=date(2023, 5, 1))
    newer = make(s, "Thông báo kết luận phiên họp", "Kết luận.", issued_on=date(2024, 5, 1))
    assert found(s, "thong bao ket luan") == [newer.pk, older.pk]


# ---- filters and paging -------------------------------------------------------------

def test_filters_narrow_the_results(library, users, sitting):
    s = users["secretary"]
    assert found(s, "nghi quyet", kind=Document.Kind.RESOLUTION) == [library["resolution"].pk]
    assert library["proposal"].pk not in found(s, "", session=sitting.session)
    assert set(found(s, "", session=sitting.session.pk)) == {library["resolution"].pk, library["delegates"].pk}
    assert found(s, "", body=sitting.session.body, date_from=date(2025, 7, 5)) == [library["resolution"].pk]
    assert found(s, "", date_to=date(2024, 12, 31)) == [library["proposal"].pk]


def test_issuer_filter_ignores_diacritics_and_case(library, users):
    assert found(users["secretary"], "", issuer="uy ban nhan dan") == [library["proposal"].pk]


def test_an_empty_query_lists_by_date_newest_first(library, users):
    assert found(users["secretary"], "") == [library["resolution"].pk, library["draft"].pk,
                                             library["delegates"].pk, library["proposal"].pk]


def test_results_come_in_pages_with_a_total(sitting, users):
    s = users["secretary"]
    docs = [make(s, f"Biên bản phiên họp số {i}", "Biên bản.", issued_on=date(2025, 1, 1 + i)) for i in range(5)]
    first = search.search(s, "bien ban", per_page=2)
    last = search.search(s, "bien ban", per_page=2, page=3)
    assert (first.total, first.pages, len(first.hits)) == (5, 3, 2)
    assert [h.document.pk for h in last.hits] == [docs[0].pk]
    assert search.search(s, "bien ban", per_page=2, page=99).page == 3


# ---- snippets ---------------------------------------------------------------------

def test_snippet_marks_the_original_accented_words(library, users):
    hit = search.search(users["alice"], "giao thong nong thon ").hits[0]  # a space after: no prefix
    assert "<mark>giao thông</mark>" not in hit.snippet  # each word on its own
    assert "<mark>giao</mark> <mark>thông</mark> <mark>nông</mark> <mark>thôn</mark>" in hit.snippet
    assert hit.in_content


def test_snippet_is_short_and_around_the_match(sitting, users):
    text = "Mở đầu. " * 200 + "Nội dung chính về cấp nước sạch nông thôn. " + "Kết thúc. " * 200
    make(users["secretary"], "Báo cáo", text)
    snippet = search.search(users["secretary"], "nuoc sach").hits[0].snippet
    assert "<mark>nước</mark> <mark>sạch</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 300


def test_snippet_escapes_the_text(sitting, users):
    make(users["secretary"], "Thư", "Ý kiến <script>alert(1)</script> về cử tri & báo chí.")
    snippet = search.search(users["secretary"], "cu tri").hits[0].snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet and "<mark>cử tri</mark>" not in snippet
    assert "<mark>cử</mark> <mark>tri</mark>" in snippet


TO_TEXT = "Luật Tổ chức chính quyền; xét Tờ trình của Ủy ban; tổng mức đầu tư; Mặt trận Tổ quốc."


def test_to_does_not_mark_to_inside_longer_words_when_whole_words_matched(sitting, users):
    make(users["secretary"], "Văn bản", TO_TEXT)
    snippet = search.search(users["secretary"], "to").hits[0].snippet  # the last word: a prefix
    assert "<mark>Tổ</mark> chức" in snippet and "<mark>Tờ</mark> trình" in snippet
    assert "<mark>tổng</mark>" not in snippet and "tổng mức" in snippet


def test_a_word_typed_with_its_marks_marks_only_that_spelling(sitting, users):
    make(users["secretary"], "Văn bản", TO_TEXT)
    snippet = search.search(users["secretary"], "tờ ").hits[0].snippet
    assert "<mark>Tờ</mark> trình" in snippet
    assert "<mark>Tổ</mark>" not in snippet and "<mark>tổng</mark>" not in snippet


def test_the_word_as_typed_is_marked_and_not_its_folded_look_alikes(sitting, users):
    make(users["secretary"], "Văn bản", "Cây to lớn; Tổ dân phố; tờ khai.")
    snippet = search.search(users["secretary"], "to ").hits[0].snippet
    assert "<mark>to</mark> lớn" in snippet
    assert "<mark>Tổ</mark>" not in snippet and "<mark>tờ</mark>" not in snippet


def test_a_prefix_marks_the_longer_word_it_matched_when_nothing_closer_is_there(sitting, users):
    make(users["secretary"], "Văn bản", "Báo cáo tổng hợp ý kiến cử tri.")
    snippet = search.search(users["secretary"], "to").hits[0].snippet
    assert "<mark>tổng</mark> hợp" in snippet


def test_a_word_without_its_spelling_in_the_text_marks_what_it_matched(sitting, users):
    make(users["secretary"], "Văn bản", "Luật Tổ chức chính quyền địa phương.")
    snippet = search.search(users["secretary"], "tờ ").hits[0].snippet
    assert "<mark>Tổ</mark> chức" in snippet


def test_the_title_prefers_the_spelling_typed_too(sitting, users):
    make(users["secretary"], "Tờ trình về tổ chức tổng kết", "Nội dung.")
    title = search.search(users["secretary"], "tờ ").hits[0].title
    assert "<mark>Tờ</mark> trình" in title and "<mark>tổ</mark>" not in title and "<mark>tổng</mark>" not in title


def test_a_metadata_match_marks_the_title_and_shows_the_field(library, users):
    hit = search.search(users["alice"], "nguyen van an").hits[0]
    assert not hit.in_content
    assert "<mark>Nguyễn</mark> <mark>Văn</mark> <mark>An</mark>" in hit.snippet
    title = search.search(users["alice"], "ke hoach dau tu").hits[0].title
    assert "<mark>kế</mark> <mark>hoạch</mark> <mark>đầu</mark> <mark>tư</mark>" in title


# ---- who finds what ----------------------------------------------------------------------

def test_each_role_finds_only_what_it_may_read(library, users):
    everything = {d.pk for d in library.values()}
    published_public = {library["resolution"].pk, library["proposal"].pk}
    assert set(found(users["secretary"], "")) == everything  # office staff: drafts too
    assert set(found(users["alice"], "")) == published_public | {library["delegates"].pk}
    assert set(found(AnonymousUser(), "")) == published_public
    assert found(AnonymousUser(), "tham tra du toan") == []
    assert found(users["alice"], "phi tham quan") == []
    assert found(users["secretary"], "phi tham quan") == [library["draft"].pk]


def test_access_is_filtered_before_paging(library, users):
    results = search.search(AnonymousUser(), "", per_page=1)
    assert results.total == 2 and results.pages == 2


def test_a_withdrawn_document_disappears(library, users):
    services.withdraw(users["secretary"], library["resolution"])
    search.index_document(library["resolution"].pk)  # what withdraw asks for on commit
    assert library["resolution"].pk not in found(users["secretary"], "nghi quyet")
    assert not SearchEntry.objects.filter(document=library["resolution"]).exists()


def test_a_new_version_replaces_the_old_text(library, users):
    doc = library["proposal"]
    version = DocumentVersion.objects.create(document=doc, number=2, file="files/v2.pdf", original_name="v2.pdf",
                                             file_kind="pdf", size=1, sha256="1" * 64, text="Đề án chuyển đổi số.")
    Document.objects.filter(pk=doc.pk).update(current_version=version)
    search.index_document(doc.pk)
    search.index_document(doc.pk)  # idempotent
    alice = users["alice"]
    assert found(alice, "chuyen doi so") == [doc.pk]
    assert found(alice, "tho cam") == []
    assert SearchEntry.objects.filter(document=doc).count() == 1


def test_metadata_edits_are_reindexed(library, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_metadata(users["secretary"], library["proposal"], summary="Đề án xây dựng nông thôn mới")
    assert found(users["alice"], "nong thon moi") == [library["proposal"].pk]


# ---- hostile input -------------------------------------------------------------------

HOSTILE = ['"', "*", "NEAR(", "a OR", "'; drop table library_document; --", "AND NOT", '"nghị quyết', "^x",
           "col:val", "(((", "-", "đ*", "a" * 5000, "\x00", "'", "\\", ":*", "!", "&|", "<->", "nghị:*"]


def test_hostile_queries_never_fail(library, users):
    for q in HOSTILE:
        results = search.search(users["alice"], q)
        assert results.total >= len(results.hits), q
    assert Document.objects.count() == 4


def test_operators_are_plain_words(library, users):
    assert found(users["alice"], "nghị quyết OR du lịch") == []  # "or" is a word nobody wrote
    assert found(users["alice"], '"nghị quyết') == found(users["alice"], "nghi quyet") != []


def test_punctuation_only_finds_nothing(library, users):
    assert search.search(users["alice"], '"*"').total == 0


# ---- the page ---------------------------------------------------------------------

def test_the_search_page_shows_highlighted_results_to_the_public(library, client):
    response = client.get(reverse("library:search"), {"q": "nghi quyet"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<mark>Nghị</mark> <mark>quyết</mark>" in body
    assert reverse("library:view", args=[library["resolution"].pk]) in body
    assert "dự toán ngân sách" not in body  # a delegates-only document


BAD_FILTERS = [{"from": "31/02/2025"}, {"session": "abc"}, {"body": "-1"}, {"kind": "x"}, {"to": "2025-13-01"},
               {"session": "999999"}]


def test_bad_filters_get_a_message_not_an_error(library, client):
    for params in BAD_FILTERS:
        response = client.get(reverse("library:search"), {"q": "nghi quyet", **params})
        assert response.status_code == 200, params
        assert 'class="form-errors"' in response.content.decode(), params
    assert client.get(reverse("library:search"), {"q": "nghi quyet", "page": "zz"}).status_code == 200


def test_the_page_filters_by_type_and_date(library, client):
    response = client.get(reverse("library:search"), {"kind": "proposal", "from": "2024-01-01", "to": "2024-12-31"})
    body = response.content.decode()
    assert reverse("library:view", args=[library["proposal"].pk]) in body
    assert reverse("library:view", args=[library["resolution"].pk]) not in body


# ---- the real path: upload a PDF, the background job extracts and indexes it ----------

def small_pdf(text: str) -> bytes:
    from fpdf import FPDF

    from library import fonts

    pdf = FPDF()
    pdf.add_font("Sans", fname=fonts.regular())
    pdf.set_font("Sans", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


@pytest.mark.django_db(transaction=True)
def test_an_uploaded_pdf_is_searchable_once_processed(sitting, users):
    from library import worker

    upload = SimpleUploadedFile("nghi-quyet.pdf", small_pdf(RESOLUTION_TEXT), content_type="application/pdf")
    doc = services.upload(users["secretary"], upload, summary="Nghị quyết đầu tư công", kind=Document.Kind.RESOLUTION,
                          access=Document.Access.PUBLIC, issued_on=timezone.localdate())
    worker.drain()
    doc.refresh_from_db()
    assert doc.current_version.state == DocumentVersion.State.READY
    hits = search.search(users["secretary"], "truong hoc").hits  # only in the file, not in the metadata
    assert [h.document.pk for h in hits] == [doc.pk]
    assert "<mark>trường</mark> <mark>học</mark>" in hits[0].snippet



# ---- odd addresses get a page, never a server error --------------------------------------

def test_an_issuer_nobody_issued_finds_nothing_and_answers_a_page(library, client, users):
    assert found(users["secretary"], "nghi quyet", issuer="Bộ Ngoại giao") == []
    for params in ({"issuer": "Bộ Ngoại giao"}, {"q": "nghi quyet", "issuer": "Bộ Ngoại giao"},
                   {"q": "nghi quyet", "issuer": "zzz", "page": "3"}):
        response = client.get(reverse("library:search"), params)
        assert response.status_code == 200, params
        assert "Không tìm thấy tài liệu nào" in response.content.decode(), params


@pytest.mark.parametrize("page", ["99999999999999999999999", "9223372036854775807", "-5", "0", "1e9"])
def test_a_huge_or_odd_page_number_shows_a_real_page(library, client, page):
    for params in ({"q": "nghi quyet", "page": page}, {"kind": "resolution", "page": page}):
        response = client.get(reverse("library:search"), params)
        assert response.status_code == 200, params
        assert reverse("library:view", args=[library["resolution"].pk]) in response.content.decode(), params


def test_the_service_clamps_a_page_past_any_database_limit(library, users):
    results = search.search(users["secretary"], "nghi quyet", page=10**30)
    assert results.page == results.pages == 1 and library["resolution"].pk in [h.document.pk for h in results.hits]
    assert search.search(users["secretary"], "", page=10**30).page == 1


def test_the_search_page_embeds_in_the_terminal_without_the_site_chrome(library, client):
    # The delegate terminal opens search in its overlay (an iframe of the same origin).
    response = client.get(reverse("library:search"), {"q": "nghi quyet", "embed": "1"})
    assert response.status_code == 200 and response["X-Frame-Options"] == "SAMEORIGIN"
    body = response.content.decode()
    assert 'class="topbar"' not in body
    assert '<input type="hidden" name="embed" value="1">' in body
    assert f'href="/library/doc/{library["resolution"].pk}/?embed=1"' in body
    plain = client.get(reverse("library:search"), {"q": "nghi quyet"}).content.decode()
    assert 'class="topbar"' in plain and "?embed=1" not in plain
