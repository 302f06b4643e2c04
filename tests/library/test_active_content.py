"""PDFs that would run something are refused (`active_content`): the library
serves PDFs inline to every delegate's tablet, so a council document is read,
never run (library/pdfsafety.py, docs/library.md).

The secretary (office staff) uploads through library.services.upload; every
refusal stores nothing.
"""

import io

import pytest

from library import files, pdfsafety

from . import samples
from .samples import clerk  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("make, found", [
    (samples.pdf_with_document_script, "javascript"),
    (samples.pdf_with_open_action, "launch"),
    (lambda: samples.pdf_with_open_action("/JavaScript"), "javascript"),
    (samples.pdf_with_page_action, "javascript"),
    (samples.pdf_with_link_script, "launch"),
    (samples.pdf_with_attachment, "embedded_file"),
    (samples.pdf_with_hidden_script, "javascript"),
], ids=["names-tree script", "open action launch", "open action script", "page additional action",
        "link with a submit-form next action", "embedded file", "script hidden in an object stream"])
def test_a_pdf_with_active_content_is_refused(clerk, make, found):
    from library import services
    from library.models import Document

    data = make()
    assert pdfsafety.active_content(io.BytesIO(data)) == found
    with pytest.raises(services.LibraryError) as caught:
        services.upload(clerk, samples.upload(data, "to-trinh.pdf"), name="to-trinh.pdf", summary="Tờ trình")
    assert caught.value.code == "active_content" and "tải lên lại" in caught.value.message
    assert not Document.objects.exists()


def test_the_hidden_script_escapes_a_plain_byte_search():
    data = samples.pdf_with_hidden_script()
    assert b"/JavaScript" not in data and b"/JS" not in data
    with pytest.raises(files.FileRefused) as caught:
        files.check_upload(io.BytesIO(data), "to-trinh.pdf")
    assert caught.value.code == "active_content"


@pytest.mark.parametrize("make", [samples.pdf, samples.pdf_with_web_link, samples.official_pdf],
                         ids=["plain", "web link", "official letter"])
def test_an_ordinary_pdf_or_a_web_link_passes(make):
    data = make()
    assert pdfsafety.active_content(io.BytesIO(data)) is None
    assert files.check_upload(io.BytesIO(data), "to-trinh.pdf").kind == "pdf"
