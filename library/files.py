"""Placeholder for the upload checks (owned by a helper)."""
from dataclasses import dataclass


class FileRefused(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class CheckedFile:
    kind: str
    extension: str
    content_type: str
    size: int
    sha256: str
    display_name: str
    page_count: int | None = None


def check_upload(upload, name):
    raise FileRefused("unsupported_type", "not implemented yet")
