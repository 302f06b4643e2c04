"""English is complete: pages, the catalogs themselves, and the hub's messages.

Source strings are Vietnamese (docs/decisions/0001); English is the catalog in
locale/en/LC_MESSAGES. A string someone forgot to wrap, or wrapped but never
translated, shows up in Vietnamese on an English page: these tests find it.
Names of people, places, bodies and agenda items are data and stay Vietnamese.
"""

import html
import json
import re
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from agenda.models import AgendaItem
from displays.models import Display
from meeting.models import Body, Member, Seat, Session, Sitting, Term
from tests.realtime.hub import ORIGIN, HubClient, _application, private_channel_prefix

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = sorted((ROOT / "locale" / "en" / "LC_MESSAGES").glob("*.po"))

# Letters that English text never has (Vietnamese vowels with their marks, and đ).
VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE)


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def data_strings() -> list[str]:
    """Every text value of the demo data with Vietnamese in it, longest first."""
    values = {settings.COUNCIL_NAME}
    for model in (Term, Body, Seat, Member, Session, Sitting, AgendaItem, Display, get_user_model()):
        text_fields = [f.attname for f in model._meta.concrete_fields if f.get_internal_type() in ("CharField", "TextField")]
        for row in model.objects.values_list(*text_fields):
            values.update(v for v in row if v)
    values.update(u.get_full_name() for u in get_user_model().objects.all())
    return sorted((v for v in values if VIETNAMESE.search(v)), key=len, reverse=True)


def visible_vietnamese(page: str) -> list[str]:
    """Vietnamese left in a page (text and attributes, not scripts) once the data is taken out."""
    page = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", " ", page, flags=re.DOTALL)
    text = html.unescape(page)
    for value in data_strings():
        text = text.replace(value, " ")
    return [text[max(0, m.start() - 40):m.end() + 40].replace("\n", " ") for m in VIETNAMESE.finditer(text)]


# (who signs in, url, English that must be there, Vietnamese UI text that must not)
PAGES = {
    "home": (None, "/", ["Paperless meeting management system", "Public sittings", "Sign in"],
             ["Hệ thống điều hành phiên họp không giấy", "Phiên họp công khai", "Đăng nhập"]),
    "login": (None, "/accounts/login/", ["Username", "Password", "Sign in"],
              ["Tên đăng nhập", "Mật khẩu", "Đăng nhập"]),
    "public list": (None, "/public/", ["Public sittings", "Choose a sitting to follow live"],
                    ["Phiên họp công khai", "Chọn một phiên họp để theo dõi trực tiếp"]),
    "public sitting": (None, "/public/sitting/{sitting}/", ["Current item", "Delegates present", "Agenda"],
                       ["Nội dung đang thực hiện", "Đại biểu có mặt", "Chương trình phiên họp"]),
    "console": ("chair", "/sitting/{sitting}/console/",
                ["Open the sitting", "Next item", "Attendance and quorum", "Hall announcement", "Presidium"],
                ["Khai mạc phiên họp", "Mục tiếp theo", "Điểm danh và túc số", "Thông báo tại hội trường"]),
    "terminal": ("alice", "/sitting/{sitting}/terminal/", ["Your attendance", "Check in", "Join online", "Quorum"],
                 ["Điểm danh của bạn", "Tham gia trực tuyến", "Túc số"]),
    "devices": ("secretary", "/devices/", ["Pair a device", "Delegate tablet", "Hall display", "Create QR code"],
                ["Ghép nối thiết bị", "Máy tính bảng đại biểu", "Màn hình hội trường", "Tạo mã QR"]),
    "member import": ("secretary", "/members/import/",
                      ["Import members from a CSV file", "Check and import", "Preparing the file"],
                      ["Nhập danh sách thành viên từ tệp CSV", "Kiểm tra và nhập", "Cách chuẩn bị tệp"]),
}


@pytest.mark.parametrize("name", PAGES)
def test_an_english_page_has_no_vietnamese_ui_text(client, sitting, users, name):
    who, url, expected, vietnamese = PAGES[name]
    url = url.format(sitting=sitting.pk)
    if who:
        client.force_login(users[who])
    vi = client.get(url)
    assert vi.status_code == 200
    assert all(v in vi.content.decode() for v in vietnamese), "the Vietnamese page should have these"

    response = english(client).get(url)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    page = response.content.decode()
    assert [e for e in expected if e not in page] == []
    assert [v for v in vietnamese if v in page] == []
    assert visible_vietnamese(page) == []


def test_the_404_page_in_english(client, sitting, settings):
    settings.DEBUG = False  # the friendly page, not Django's technical one
    response = english(client).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page and "Back to the home page" in page
    assert "Không tìm thấy trang" not in page
    assert visible_vietnamese(page) == []


def test_the_script_catalog_is_english(client, db):
    js = english(client).get("/jsi18n/").content.decode()
    for text in ("Quorum reached", "Connection lost — reconnecting…", "Postpone", "Not checked in"):
        assert json.dumps(text)[1:-1] in js or text in js, text


# ---- the catalogs ------------------------------------------------------------


def unquote(s: str) -> str:
    return json.loads(s)  # a PO string literal is a JSON string for what gettext writes


def parse_po(path: Path) -> list[dict]:
    """Entries of a PO file: msgctxt, msgid, msgid_plural, msgstr (list), flags, line."""
    entries, entry, field = [], None, None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines() + [""], 1):
        line = line.strip()
        if not line:
            if entry and entry["msgid"] is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": [], "flags": set(), "line": number}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#~"):
            entry["flags"].add("obsolete")
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if field == "msgstr":
                entry["msgstr"][-1] += unquote(line)
            else:
                entry[field] += unquote(line)
        else:
            keyword, _, value = line.partition(" ")
            if keyword.startswith("msgstr"):
                field = "msgstr"
                entry["msgstr"].append(unquote(value))
            else:
                field = keyword
                entry[field] = unquote(value)
    return entries


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.name)
def test_every_entry_of_the_english_catalog_is_translated(po):
    entries = parse_po(po)
    header = [e for e in entries if e["msgid"] == ""]
    assert header and "Language: en" in header[0]["msgstr"][0]
    assert "fuzzy" not in header[0]["flags"]
    messages = [e for e in entries if e["msgid"] != ""]
    assert len(messages) > 50
    untranslated = [(e["line"], e["msgid"]) for e in messages if not all(s.strip() for s in e["msgstr"])]
    fuzzy = [(e["line"], e["msgid"]) for e in messages if "fuzzy" in e["flags"]]
    obsolete = [(e["line"], e["msgid"]) for e in messages if "obsolete" in e["flags"]]
    plural_forms = [(e["line"], e["msgid"]) for e in messages if e["msgid_plural"] is not None and len(e["msgstr"]) != 2]
    placeholders = [(e["line"], e["msgid"]) for e in messages
                    if any(sorted(PLACEHOLDER.findall(e["msgid"])) != sorted(PLACEHOLDER.findall(s)) for s in e["msgstr"])]
    assert untranslated == [], "translate these (docs/decisions/0001)"
    assert fuzzy == [] and obsolete == [] and plural_forms == [] and placeholders == []


def test_the_po_parser_reads_plurals_contexts_and_continuations(tmp_path):
    po = tmp_path / "x.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: en\\n"\n\n#, fuzzy\nmsgctxt "plural"\nmsgid "ghế"\nmsgstr ""\n\n'
                  'msgid "%(n)s lỗi"\nmsgid_plural "%(n)s lỗi"\nmsgstr[0] "%(n)s "\n"error"\nmsgstr[1] ""\n', encoding="utf-8")
    header, seat, errors = parse_po(po)
    assert header["msgstr"] == ["Language: en\n"]
    assert (seat["msgctxt"], seat["msgid"], seat["msgstr"], seat["flags"]) == ("plural", "ghế", [""], {"fuzzy"})
    assert errors["msgid_plural"] == "%(n)s lỗi" and errors["msgstr"] == ["%(n)s error", ""]


# ---- the hub -----------------------------------------------------------------


@pytest.fixture(autouse=True, scope="module")
def _private_channel_prefix():
    yield from private_channel_prefix()


async def connect(sitting_id: int, user, language: str | None) -> HubClient:
    def session_cookie():
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    cookie = f"sessionid={await database_sync_to_async(session_cookie)()}"
    if language:
        cookie += f"; {settings.LANGUAGE_COOKIE_NAME}={language}"
    comm = WebsocketCommunicator(_application(), f"/ws/sitting/{sitting_id}/",
                                 headers=[(b"host", b"127.0.0.1"), (b"origin", ORIGIN), (b"cookie", cookie.encode())])
    accepted, _code = await comm.connect()
    assert accepted
    client = HubClient(sitting_id, comm)
    await client.receive()  # the snapshot
    return client


@pytest.mark.django_db(transaction=True)
async def test_the_hub_answers_an_english_client_in_english(sitting, users):
    delegate = await connect(sitting.pk, users["alice"], "en")
    vietnamese = await connect(sitting.pk, users["bob"], None)
    chair = await connect(sitting.pk, users["chair"], "en")
    try:
        reply = await delegate.reply_to(await delegate.send("agenda.next"))
        assert reply["ok"] is False
        assert reply["error"] == {"code": "forbidden", "message": "Your role does not allow this action."}

        reply = await vietnamese.reply_to(await vietnamese.send("agenda.next"))
        assert reply["error"]["message"] == "Vai trò của bạn không được thực hiện thao tác này."

        reply = await chair.reply_to(await chair.send("agenda.next"))
        assert reply["error"] == {"code": "sitting_not_live", "message": "The sitting is not in session."}
        # The snapshot's slide names, shown on the console's display cards.
        titles = [s["title"] for s in chair.state["slides"]]
        assert titles[:5] == ["Follow the sitting automatically", "Sitting overview", "Agenda", "Attendance map and quorum",
                              "Announcement"]
        # and the modules' slides (the floor's, voting's), each in English: translated, not the source
        from displays.slides import all_slides
        from django.utils import translation

        with translation.override("vi"):
            vietnamese_titles = [str(s.title) for s in all_slides()]
        assert len(titles) == len(vietnamese_titles) > 4
        assert all(en != vi for en, vi in zip(titles, vietnamese_titles, strict=True)), titles
    finally:
        for client in (delegate, vietnamese, chair):
            await client.close()
