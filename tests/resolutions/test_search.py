"""Search of resolutions with or without diacritics (library.text.fold) on Resolution.folded, which
the services keep (create, update, adoption, number correction); the list's progress per row
(pages.progress_of) equals progress.py's arithmetic."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from resolutions import pages, progress, services, services_tasks
from resolutions.models import Resolution
from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403
from tests.resolutions.tasks_fixtures import make_task

LIST = "/public/resolutions/"


def found(q):
    return set(pages.search(Resolution.objects.all(), q).values_list("pk", flat=True))


def test_a_query_without_diacritics_finds_the_title_with_them(adopted):
    assert found("hoc phi vung kho khan") == {adopted.pk}


def test_a_query_with_diacritics_finds_the_title(adopted):
    assert found("Học Phí") == {adopted.pk}


def test_every_word_must_be_present(adopted):
    assert found("học phí ngân sách") == set()


def test_the_number_is_searched_too(adopted):
    assert found("12/2026/nq-hdnd") == {adopted.pk}


def test_a_new_resolution_is_searchable_at_once(people, term):
    made = services.create_resolution(people["manager"], title="Đặt tên đường tại Tân Trào", term=term, planned_year=2027)
    assert found("dat ten duong") == {made.pk}


def test_a_changed_title_is_searched_by_its_new_words(people, term):
    made = services.create_resolution(people["manager"], title="Đặt tên đường", term=term, planned_year=2027)
    services.update_resolution(people["manager"], made, title="Biên chế công chức năm 2027")
    assert found("bien che") == {made.pk} and found("dat ten") == set()


def test_a_corrected_number_is_searched_by_the_new_number(people, adopted):
    services.correct_number(people["manager"], adopted, "13/2026/NQ-HĐND", reason="Đánh máy nhầm")
    assert found("13/2026") == {adopted.pk} and found("12/2026") == set()


def test_the_public_list_searches_without_diacritics(client, adopted):
    body = client.get(LIST, {"q": "ho tro hoc phi"}).content.decode()
    assert adopted.title in body


def test_the_public_list_search_leaves_out_what_does_not_match(client, adopted):
    body = client.get(LIST, {"q": "khoáng sản"}).content.decode()
    assert adopted.title not in body


def test_the_search_does_not_show_a_planned_resolution(client, people, term):
    services.create_resolution(people["manager"], title="Dự kiến nghị quyết về khoáng sản", term=term, planned_year=2026)
    body = client.get(LIST, {"q": "khoang san"}).content.decode()
    assert "Dự kiến nghị quyết về khoáng sản" not in body


def test_a_like_wildcard_in_the_query_matches_itself_only(adopted):
    assert found("%") == set() and found("_") == set()


def test_the_lists_progress_equals_the_progress_arithmetic(people, adopted, finance, health):
    agent = people["agent"]
    t1 = make_task(people["manager"], adopted, finance,
                   indicators=[{"name": "Học sinh", "unit": "học sinh", "target": Decimal(200)},
                               {"name": "Trường", "unit": "trường", "target": Decimal(10), "weight": 3}])
    make_task(people["manager"], adopted, health, indicators=[], milestones=[{"title": "Kế hoạch"}, {"title": "Xong", "weight": 2}])
    ids = list(t1.indicators.values_list("pk", flat=True))
    services_tasks.report_progress(agent, t1, text="Lần 1", values={ids[0]: "50", ids[1]: "2"})
    services_tasks.report_progress(agent, t1, text="Lần 2", values={ids[0]: "150"})
    expected = progress.percent(progress.resolution_progress(adopted))
    assert pages.progress_of([adopted]) == {adopted.pk: expected} and expected is not None and expected > 0


def test_the_lists_progress_is_none_without_tasks(adopted):
    assert pages.progress_of([adopted]) == {adopted.pk: None}


def test_the_lists_progress_takes_three_queries_whatever_the_tasks(people, adopted, finance):
    for i in range(5):
        make_task(people["manager"], adopted, finance, title=f"Nhiệm vụ {i}")
    with CaptureQueriesContext(connection) as queries:
        pages.progress_of([adopted])
    assert len(queries) == 3


def test_the_migration_fills_the_folded_column_of_existing_rows(adopted):
    from importlib import import_module

    from django.apps import apps

    Resolution.objects.filter(pk=adopted.pk).update(folded="")
    import_module("resolutions.migrations.0004_search_folded").fill(apps, None)
    assert found("hoc phi") == {adopted.pk}
