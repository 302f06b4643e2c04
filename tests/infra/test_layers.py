"""The layers hold (docs/modules.md): the core (realtime, accounts, audit) imports no domain module.

The contract is in pyproject.toml ([tool.importlinter]) and checked by import-linter's
`lint-imports`, a declared dev dependency; this runs it, so CI fails on an import across.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path, config: Path | None = None) -> subprocess.CompletedProcess:
    args = [str(LINT_IMPORTS), "--no-cache"]
    if config is not None:
        args += ["--config", str(config)]
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


def test_the_core_imports_no_domain_module():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contract_catches_a_core_module_importing_a_domain_module(tmp_path):
    # The same contract over a small tree where realtime imports meeting: it must break.
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    contract = settings["contracts"][0]
    for package in settings["root_packages"]:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "meeting" / "models.py").write_text("")
    (tmp_path / "realtime" / "sneaky.py").write_text("from meeting import models\n")
    config = tmp_path / ".importlinter"
    config.write_text(
        "[importlinter]\nroot_packages =\n" + "".join(f"    {p}\n" for p in settings["root_packages"])
        + "\n[importlinter:contract:layers]\n"
        + f"name = {contract['name']}\ntype = forbidden\n"
        + "source_modules =\n" + "".join(f"    {m}\n" for m in contract["source_modules"])
        + "forbidden_modules =\n" + "".join(f"    {m}\n" for m in contract["forbidden_modules"]))
    result = _lint(tmp_path, config)
    assert result.returncode != 0
    assert "realtime.sneaky -> meeting.models" in result.stdout
