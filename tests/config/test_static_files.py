"""Static files for upgrades without a gap, and the favicon (issue 17, items 6 and 7).

Production (DEBUG off) serves static files under names carrying their content's hash, from
the manifest `collectstatic` writes, so the proxy can cache them for a year and a new release's
pages link new names; DEBUG (`run.py demo`) serves the apps' files as they are.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
PLAIN = "django.contrib.staticfiles.storage.StaticFilesStorage"


def _static_backend(**variables) -> str:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DEBUG", "STATIC_MANIFEST", "DJANGO_SETTINGS_MODULE")}
    env.update(SECRET_KEY="x-long-enough-secret-key-for-tests-0123456789", **variables)
    out = subprocess.run([sys.executable, "-c", "from config import settings; print(settings.STORAGES['staticfiles']['BACKEND'])"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_production_serves_hashed_names_and_debug_the_files_as_they_are():
    assert _static_backend(DEBUG="0") == MANIFEST
    assert _static_backend() == PLAIN                      # the embedded default: DEBUG on
    assert _static_backend(DEBUG="1", STATIC_MANIFEST="1") == MANIFEST   # the image's build step
    assert _static_backend(DEBUG="0", STATIC_MANIFEST="0") == PLAIN


@pytest.mark.django_db
def test_after_collectstatic_pages_link_the_hashed_names(client, tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}):
        call_command("collectstatic", "--noinput", verbosity=0)
        assert (tmp_path / "staticfiles.json").exists()
        page = client.get("/").content.decode()
        css = re.search(r'href="/static/(css/base\.[0-9a-f]{12}\.css)"', page)
        icon = re.search(r'href="/static/(favicon\.[0-9a-f]{12}\.ico)"', page)
        assert css and icon, page[:1000]
        assert (tmp_path / css.group(1)).read_bytes() == Path(finders.find("css/base.css")).read_bytes()
        # the unhashed names stay too: nginx answers /favicon.ico from STATIC_ROOT/favicon.ico
        assert (tmp_path / "favicon.ico").exists()
        # every script the hub pages load has its hashed copy (a missing url() target fails above)
        assert any(re.fullmatch(r"hub\.[0-9a-f]{12}\.js", p.name) for p in (tmp_path / "realtime").iterdir())
        answer = client.get("/favicon.ico")
        assert answer.status_code == 302 and answer["Location"] == "/static/" + icon.group(1)


@pytest.mark.django_db
def test_the_favicon_is_answered_and_linked(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302 and answer["Location"] == "/static/favicon.ico"
    assert Path(finders.find("favicon.ico")).read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert b"<svg" in Path(finders.find("favicon.svg")).read_bytes()
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
