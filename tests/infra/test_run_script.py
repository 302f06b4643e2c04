"""run.py: the two quick-start commands. Only what can be checked fast and offline."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_py(*args):
    return subprocess.run([sys.executable, str(ROOT / "run.py"), *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def runpy_module(tmp_path, monkeypatch):
    """run.py imported as a module, pointed at a scratch checkout in tmp_path."""
    spec = importlib.util.spec_from_file_location("hub_run_py", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in module.INPUTS:
        (tmp_path / name).write_text(f"# {name}\n")
    (tmp_path / ".venv").mkdir()
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(module, "STAMP", tmp_path / ".venv" / "stamp.json")
    module.pip_calls = []

    def fake_run(cmd, cwd=None):
        module.pip_calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(module.subprocess, "run", fake_run)
    return module


def test_help_names_both_commands():
    result = run_py("--help")
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout and "test" in result.stdout


def test_demo_help_lists_host_and_port():
    result = run_py("demo", "--help")
    assert result.returncode == 0, result.stderr
    assert "--host" in result.stdout and "--port" in result.stdout


def test_an_unknown_command_is_refused():
    result = run_py("serve-everything")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_dependencies_install_once_until_a_requirements_file_changes(runpy_module, tmp_path):
    python = tmp_path / ".venv" / "bin" / "python"
    runpy_module.ensure_installed(python, "requirements.txt")
    runpy_module.ensure_installed(python, "requirements.txt")
    assert len(runpy_module.pip_calls) == 1
    assert runpy_module.pip_calls[0][-4:] == ["-r", str(tmp_path / "requirements.txt"), "-c", str(tmp_path / "constraints.txt")]

    (tmp_path / "constraints.txt").write_text("Django==9.9\n")
    runpy_module.ensure_installed(python, "requirements.txt")
    assert len(runpy_module.pip_calls) == 2


def test_the_test_install_also_covers_the_demo(runpy_module, tmp_path):
    python = tmp_path / ".venv" / "bin" / "python"
    runpy_module.ensure_installed(python, "requirements-dev.txt")
    runpy_module.ensure_installed(python, "requirements.txt")
    assert len(runpy_module.pip_calls) == 1


def test_the_demo_install_does_not_cover_the_tests(runpy_module, tmp_path):
    python = tmp_path / ".venv" / "bin" / "python"
    runpy_module.ensure_installed(python, "requirements.txt")
    runpy_module.ensure_installed(python, "requirements-dev.txt")
    assert [call[call.index("-r") + 1] for call in runpy_module.pip_calls] == [
        str(tmp_path / "requirements.txt"), str(tmp_path / "requirements-dev.txt")]


def test_a_failed_install_stops_and_leaves_no_stamp(runpy_module, tmp_path, monkeypatch):
    monkeypatch.setattr(runpy_module.subprocess, "run", lambda cmd, cwd=None: subprocess.CompletedProcess(cmd, 1))
    with pytest.raises(SystemExit, match="pip install failed"):
        runpy_module.ensure_installed(tmp_path / ".venv" / "bin" / "python", "requirements.txt")
    assert not runpy_module.STAMP.exists()


def test_a_lan_base_url_is_added_to_allowed_hosts(runpy_module, monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "")  # so that monkeypatch restores the environment afterwards
    monkeypatch.delenv("ALLOWED_HOSTS")
    runpy_module.allow_host("http://192.168.1.10:8000")
    assert runpy_module.os.environ["ALLOWED_HOSTS"].split(",")[-1] == "192.168.1.10"


def test_an_explicit_allowed_hosts_is_left_alone(runpy_module, monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "hdnd.example.vn")
    runpy_module.allow_host("http://192.168.1.10:8000")
    assert runpy_module.os.environ["ALLOWED_HOSTS"] == "hdnd.example.vn"
