"""A font with every Vietnamese letter, for the PDFs we make (convocation
letters, text renditions). It comes from the font-source-sans-pro package on
PyPI, so no system font is needed."""

from functools import cache
from pathlib import Path


@cache
def _folder() -> Path:
    import font_source_sans_pro

    return Path(font_source_sans_pro.__file__).parent / "files"


def regular() -> str:
    return str(_folder() / "SourceSansPro-Regular.ttf")


def bold() -> str:
    return str(_folder() / "SourceSansPro-Bold.ttf")


def italic() -> str:
    return str(_folder() / "SourceSansPro-It.ttf")
