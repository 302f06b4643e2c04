"""Background jobs of the library (django-tasks, database backend)."""

from django_tasks import task


@task()
def process_version(version_id: int) -> dict:
    """Extract text, make the PDF rendition and page images, index for search."""
    from .pipeline import process

    return process(version_id)
