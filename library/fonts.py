"""Fonts for the PDFs we make, each from a declared package, never from the network.

- Source Sans Pro (the font-source-sans-pro package on PyPI, requirements.txt): every
  Vietnamese letter, for text renditions and the petitions reports.
- Liberation Serif (the Debian package fonts-liberation2, installed by the Dockerfile and
  .ci/run): metric-compatible with Times New Roman, the font Nghị định 30/2020/NĐ-CP
  (Phụ lục I) sets for administrative documents, which cannot be redistributed itself;
  every Vietnamese letter too. The convocation letter (library.convocation) uses it.
"""

from functools import cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SERIF_FOLDER = Path("/usr/share/fonts/truetype/liberation2")


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


def _serif(style: str) -> str:
    path = SERIF_FOLDER / f"LiberationSerif-{style}.ttf"
    if not path.is_file():
        raise ImproperlyConfigured(f"{path} is missing: install the Debian package fonts-liberation2 "
                                   "(the Dockerfile and .ci/run do).")
    return str(path)


def serif_regular() -> str:
    return _serif("Regular")


def serif_bold() -> str:
    return _serif("Bold")


def serif_italic() -> str:
    return _serif("Italic")


def serif_bold_italic() -> str:
    return _serif("BoldItalic")
