"""Page images of a version: one WebP per page (PAGE_WIDTH px wide) that the
viewer shows, and a small one (THUMB_WIDTH px) for the page strip.

PDFs (and the PDF renditions of DOCX/XLSX) are drawn with PDFium one page at
a time, each page and bitmap closed before the next, so memory stays at one
page whatever the length. A PNG/JPEG is its own single page, turned upright
from its EXIF orientation.

PDFium must never be called from two threads at once (not even on different
documents): the upload check (library.files) and this job may run in two
threads of the same process (the embedded default), so both take PDFIUM.
"""

import io
import threading
from collections.abc import Callable

from django.core.files.base import ContentFile

from .paths import page_name, thumb_name

PAGE_WIDTH = 1400
THUMB_WIDTH = 220
# A very tall page (a long scroll, a banner) is drawn no taller than this.
PAGE_MAX_HEIGHT = 4 * PAGE_WIDTH
QUALITY = 80
THUMB_QUALITY = 70

PDFIUM = threading.RLock()


def render(version_id: int, path, kind: str, storage, on_page: Callable[[int, int], None]) -> int:
    """Draw every page of `path` (a PDF, or a PNG/JPEG) into storage; return the page count."""
    if kind in ("png", "jpeg"):
        image = _upright_image(path)
        _save_page(storage, version_id, 1, image)
        on_page(1, 1)
        total = 1
    else:
        total = _render_pdf(version_id, path, storage, on_page)
    _drop_pages_after(storage, version_id, total)
    return total


def _drop_pages_after(storage, version_id: int, total: int):
    """Images of pages past the end, left by an earlier run, would show pages that do not exist."""
    n = total + 1
    while storage.exists(page_name(version_id, n)) or storage.exists(thumb_name(version_id, n)):
        for name in (page_name(version_id, n), thumb_name(version_id, n)):
            if storage.exists(name):
                storage.delete(name)
        n += 1


def _render_pdf(version_id, path, storage, on_page) -> int:
    import pypdfium2 as pdfium

    with PDFIUM:
        pdf = pdfium.PdfDocument(str(path))
        total = len(pdf)
    try:
        for index in range(total):
            with PDFIUM:
                page = pdf[index]
                try:
                    width, height = page.get_size()
                    # PDFium rounds the bitmap size up: aim half a pixel short.
                    scale = min((PAGE_WIDTH - 0.5) / max(width, 1), (PAGE_MAX_HEIGHT - 0.5) / max(height, 1))
                    bitmap = page.render(scale=scale, draw_annots=True)
                    try:
                        image = bitmap.to_pil().convert("RGB")  # a copy: the bitmap's buffer is freed below
                    finally:
                        bitmap.close()
                finally:
                    page.close()
            _save_page(storage, version_id, index + 1, image)
            del image
            on_page(index + 1, total)
    finally:
        with PDFIUM:
            pdf.close()
    return total


def _upright_image(path):
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        if im.format == "JPEG":
            im.draft("RGB", (PAGE_WIDTH, PAGE_WIDTH * 4))  # decode at a reduced size when it is much larger
        im = ImageOps.exif_transpose(im)
        if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
            rgba = im.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            im = flat
        else:
            im = im.convert("RGB")
        if im.width > PAGE_WIDTH:
            im = im.resize((PAGE_WIDTH, max(1, round(im.height * PAGE_WIDTH / im.width))), Image.Resampling.LANCZOS)
        return im


def _save_page(storage, version_id: int, number: int, image):
    from PIL import Image

    _put(storage, page_name(version_id, number), _webp(image, QUALITY))
    width = min(THUMB_WIDTH, image.width)
    thumb = image.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.BILINEAR,
                         reducing_gap=2.0)
    _put(storage, thumb_name(version_id, number), _webp(thumb, THUMB_QUALITY))


def _webp(image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=quality, method=2)  # 2: half the time of 4, 3 % larger
    return out.getvalue()


def _put(storage, name: str, data: bytes):
    """Save under exactly this name: a re-run replaces the earlier image."""
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(data))
    if saved != name:  # another writer got there between delete and save
        storage.delete(name)
        storage.delete(saved)
        storage.save(name, ContentFile(data))
