"""tasks pages of the resolutions module (see resolutions/urls.py): the office's overview and task
pages, and the agencies' part of the desk (beside petitions' agency/ pages)."""

from django.urls import path

from . import views_dashboard
from . import views_tasks_desk as desk
from . import views_tasks_office as office

urlpatterns = [
    path("resolutions/tasks/", office.tasks, name="tasks"),
    path("resolutions/tasks/agencies/", views_dashboard.dashboard, name="dashboard"),
    path("resolutions/<int:resolution_id>/tasks/new/", office.task_new, name="task_new"),
    path("resolutions/tasks/<int:task_id>/", office.task_page, name="task"),
    path("resolutions/tasks/<int:task_id>/edit/", office.task_edit, name="task_edit"),
    path("resolutions/tasks/<int:task_id>/file/<int:file_id>/", office.report_file, name="report_file"),
    path("resolutions/tasks/<int:task_id>/<slug:action>/", office.task_action, name="task_action"),
    path("agency/tasks/", desk.desk_page, name="desk"),
    path("agency/tasks/<int:task_id>/", desk.desk_task, name="desk_task"),
    path("agency/tasks/<int:task_id>/report/", desk.desk_report, name="desk_report"),
]
