"""Where derived files of a version live in the documents storage."""


def page_name(version_id: int, page: int) -> str:
    return f"pages/{version_id}/{page}.webp"


def thumb_name(version_id: int, page: int) -> str:
    return f"thumbs/{version_id}/{page}.webp"
