"""run.py test spreads the suite over pytest-xdist workers, unless told otherwise."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_py():
    spec = importlib.util.spec_from_file_location("hub_run_py_parallel", ROOT / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_suite_runs_on_two_workers_on_two_cores_whole_files_each(run_py, monkeypatch):
    monkeypatch.delenv("TEST_WORKERS", raising=False)
    monkeypatch.setattr(run_py.os, "cpu_count", lambda: 2)
    assert run_py.parallel_args(["-q"]) == ["-n", "2", "--dist", "loadfile"]


def test_at_most_four_workers_however_many_cores(run_py, monkeypatch):
    monkeypatch.delenv("TEST_WORKERS", raising=False)
    monkeypatch.setattr(run_py.os, "cpu_count", lambda: 32)
    assert run_py.parallel_args([]) == ["-n", "4", "--dist", "loadfile"]


@pytest.mark.parametrize("workers", ["0", "1"])
def test_test_workers_0_or_1_runs_in_one_process(run_py, monkeypatch, workers):
    monkeypatch.setenv("TEST_WORKERS", workers)
    assert run_py.parallel_args([]) == []


def test_test_workers_sets_the_number(run_py, monkeypatch):
    monkeypatch.setenv("TEST_WORKERS", "3")
    assert run_py.parallel_args(["tests/realtime"]) == ["-n", "3", "--dist", "loadfile"]


@pytest.mark.parametrize("args", [["-n", "4"], ["-n0"], ["--numprocesses=2"], ["--dist=load"], ["-p", "no:xdist"]])
def test_arguments_that_choose_the_workers_are_left_alone(run_py, monkeypatch, args):
    monkeypatch.setenv("TEST_WORKERS", "2")
    assert run_py.parallel_args(args) == []


def test_a_test_workers_that_is_not_a_number_stops_with_its_name(run_py, monkeypatch):
    monkeypatch.setenv("TEST_WORKERS", "two")
    with pytest.raises(SystemExit, match="TEST_WORKERS"):
        run_py.parallel_args([])
