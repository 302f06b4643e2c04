"""Background jobs of voting (django-tasks, database backend)."""

from django_tasks import task


@task()
def close_when_due(round_id: int) -> str:
    """A timed round's automatic close (voting/autoclose.py)."""
    from .autoclose import close_due

    return close_due(round_id)
