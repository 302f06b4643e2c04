"""The root conftest.py: with HUB_REQUIRE_ALL=1 (CI) a skipped test fails the run."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SKIPPING_TESTS = '''
import pytest

def test_needs_a_missing_server():
    pytest.skip("no PostgreSQL here")

@pytest.mark.skipif(True, reason="no Chromium here")
def test_needs_a_missing_browser():
    pass

@pytest.mark.xfail(reason="declared, not missing")
def test_known_to_fail():
    assert False

def test_passes():
    pass
'''


@pytest.fixture
def scratch(tmp_path):
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    (tmp_path / "test_skips.py").write_text(SKIPPING_TESTS)
    return tmp_path


def run_pytest(directory, require_all):
    environ = {k: v for k, v in os.environ.items() if k not in ("HUB_REQUIRE_ALL", "DJANGO_SETTINGS_MODULE", "PYTEST_ADDOPTS")}
    if require_all:
        environ["HUB_REQUIRE_ALL"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:django", "-q", "-rA", str(directory)],
        cwd=directory, env=environ, capture_output=True, text=True, timeout=60,
    )


def test_skips_pass_on_a_newcomers_machine(scratch):
    result = run_pytest(scratch, require_all=False)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 2 skipped, 1 xfailed" in result.stdout


def test_skips_fail_in_ci_with_their_reason(scratch):
    result = run_pytest(scratch, require_all=True)
    assert result.returncode == 1, result.stdout
    # A skip in the call fails the test; a skip mark (decided at setup) shows as an error.
    assert "1 failed, 1 passed, 1 xfailed, 1 error" in result.stdout
    assert "HUB_REQUIRE_ALL=1 (CI) forbids skips: Skipped: no PostgreSQL here" in result.stdout
    assert "no Chromium here" in result.stdout


def test_a_module_skipped_at_import_fails_in_ci(scratch):
    (scratch / "test_skips.py").write_text("import pytest\npytest.importorskip('no_such_module_here')\n")
    result = run_pytest(scratch, require_all=True)
    assert result.returncode != 0, result.stdout
    assert "forbids skips" in result.stdout
