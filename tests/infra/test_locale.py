"""The committed .mo catalogs match their .po sources (docs/decisions/0001).

A fresh clone serves English from the committed .mo without GNU gettext, so
a .po edited without recompiling would silently show stale English.
"""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MSGFMT = shutil.which("msgfmt")


def catalogs():
    return sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))


def read_mo(path: Path) -> dict:
    with path.open("rb") as f:
        return dict(gettext.GNUTranslations(f)._catalog)


def test_every_catalog_has_its_compiled_mo():
    missing = [str(po.relative_to(ROOT)) for po in catalogs() if not po.with_suffix(".mo").exists()]
    assert not missing, f"run `python manage.py compilemessages` and commit the .mo files: {missing}"


@pytest.mark.skipif(not MSGFMT, reason="msgfmt (GNU gettext) is not installed; .mo freshness not checked")
def test_every_compiled_mo_matches_its_po(tmp_path):
    stale = []
    for po in catalogs():
        mo = po.with_suffix(".mo")
        if not mo.exists():
            continue
        fresh = tmp_path / (po.parent.parent.name + "-" + mo.name)
        # The same msgfmt call as `manage.py compilemessages`.
        subprocess.run([MSGFMT, "--check-format", "-o", str(fresh), str(po)], check=True, capture_output=True, timeout=60)
        if read_mo(fresh) != read_mo(mo):
            stale.append(str(mo.relative_to(ROOT)))
    assert not stale, f"stale catalogs, run `python manage.py compilemessages` and commit: {stale}"
