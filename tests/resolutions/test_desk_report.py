"""An agency's progress report on its desk (services_tasks.report_progress): its own tasks only (lead
or co-operating), open ones only, numbers only, its task's indicators and milestones only, never
empty; reports are never edited and the latest figure counts."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditRecord
from resolutions import progress, services_tasks
from resolutions.models import IndicatorValue, ProgressReport, ReportFile
from resolutions.services import ResolutionError
from tests.library.samples import pdf
from tests.resolutions.tasks_fixtures import *  # noqa: F401,F403
from tests.resolutions.tasks_fixtures import make_task


def _report(user, task, **kw):
    kw.setdefault("text", "Đã chi trả đợt 1")
    return services_tasks.report_progress(user, task, **kw)


def _refused(user, task, code, **kw):
    with pytest.raises(ResolutionError) as refused:
        _report(user, task, **kw)
    assert refused.value.code == code
    assert not ProgressReport.objects.exists() and not IndicatorValue.objects.exists()


def test_a_figure_reported_moves_the_tasks_progress(people, task):
    indicator = task.indicators.get()
    report = _report(people["agent"], task, values={indicator.pk: "500"})
    assert report.agency.name == "Sở Tài chính" and report.reported_by == people["agent"]
    assert progress.task_progress(task) == Fraction(1, 4)
    record = AuditRecord.objects.get(action="resolutions.task_report", outcome="ok")
    assert (record.detail["task_id"], record.detail["report"], record.detail["values"]) == (task.pk, report.pk, 1)


def test_the_latest_report_supersedes_an_earlier_figure(people, co_agent, task):
    indicator = task.indicators.get()
    _report(people["agent"], task, values={indicator.pk: "1500"})
    later = _report(co_agent, task, values={indicator.pk: "1000"}, text="Rà soát lại số học sinh")
    assert later.agency.name == "Sở Giáo dục và Đào tạo"
    assert progress.task_progress(task) == Fraction(1, 2)
    assert ProgressReport.objects.count() == 2


def test_a_figure_with_a_decimal_comma_is_read(people, task):
    indicator = task.indicators.get()
    _report(people["agent"], task, values={indicator.pk: "1 250,5"})
    assert IndicatorValue.objects.get().value == Decimal("1250.5")


def test_a_blank_figure_is_not_reported(people, task):
    _report(people["agent"], task, values={task.indicators.get().pk: "  "})
    assert ProgressReport.objects.count() == 1 and not IndicatorValue.objects.exists()


def test_milestones_reported_done_count(people, steps_task):
    first = steps_task.milestones.get(title="Dự thảo hướng dẫn")
    report = _report(people["agent"], steps_task, milestones=[str(first.pk)])
    first.refresh_from_db()
    assert first.done_on is not None and first.done_report_id == report.pk
    assert progress.task_progress(steps_task) == Fraction(1, 4)


def test_files_are_kept_privately_with_the_report(people, task):
    upload = SimpleUploadedFile("bao-cao.pdf", pdf(), content_type="application/pdf")
    report = _report(people["agent"], task, files=[upload])
    stored = ReportFile.objects.get(report=report)
    assert stored.name == "bao-cao.pdf" and stored.content_type == "application/pdf" and stored.size > 0
    assert stored.file.name.startswith("resolutions/reports/")


def test_a_desk_user_of_another_agency_is_refused_and_audited(people, task):
    _refused(people["other_agent"], task, "forbidden")
    assert AuditRecord.objects.filter(action="resolutions.task_report", outcome="forbidden").count() == 1


@pytest.mark.parametrize("who", ["manager", "stranger", "clerk"])
def test_only_the_tasks_agencies_report(people, task, who):
    _refused(people[who], task, "forbidden")


def test_a_closed_task_takes_no_report(people, task):
    services_tasks.cancel_task(people["manager"], task, "Không còn phù hợp")
    _refused(people["agent"], task, "task_closed")


@pytest.mark.parametrize("raw", ["năm trăm", "12abc", "NaN", "Infinity", "1e20"])
def test_a_figure_that_is_not_a_number_is_refused(people, task, raw):
    _refused(people["agent"], task, "not_a_number", values={task.indicators.get().pk: raw})


def test_an_indicator_of_another_task_is_refused(people, task, adopted, health):
    other = make_task(people["manager"], adopted, health, title="Kiểm tra y tế")
    _refused(people["agent"], task, "foreign_indicator", values={other.indicators.get().pk: "5"})


def test_a_milestone_of_another_task_is_refused(people, task, steps_task):
    _refused(people["agent"], task, "foreign_milestone", milestones=[steps_task.milestones.first().pk])
    assert not steps_task.milestones.filter(done_on__isnull=False).exists()


def test_an_empty_report_is_refused(people, task):
    _refused(people["agent"], task, "text_required", text="   ")


def test_a_file_of_a_type_not_allowed_is_refused(people, task):
    upload = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 100, content_type="application/octet-stream")
    _refused(people["agent"], task, "file_refused", files=[upload])
    assert not ReportFile.objects.exists()


def test_too_many_files_are_refused(people, task, settings):
    settings.PETITION_MAX_FILES = 1
    files = [SimpleUploadedFile(f"{n}.pdf", pdf(), content_type="application/pdf") for n in range(2)]
    _refused(people["agent"], task, "too_many_files", files=files)


def test_a_file_over_the_size_limit_is_refused(people, task, settings):
    settings.PETITION_MAX_FILE_BYTES = 1024
    big = SimpleUploadedFile("lon.pdf", pdf(pages=["x" * 4000] * 3), content_type="application/pdf")
    assert big.size > 1024
    _refused(people["agent"], task, "file_refused", files=[big])
