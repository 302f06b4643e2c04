"""The README stays true: every setting is documented, every linked file exists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def environment_variables() -> set[str]:
    settings = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    parsers = (ROOT / "config" / "env.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', settings))
    names |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z][A-Z0-9_]*)"', parsers))
    # and the readers' own calls inside config/env.py (the database pool's sizes)
    names |= set(re.findall(r'(?<![\w.])(?:string|integer|boolean|string_list|fraction)\(\s*"([A-Z][A-Z0-9_]*)"', parsers))
    return names


def test_every_environment_variable_is_in_the_readme_configuration_table():
    names = environment_variables()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"} <= names  # the scan itself works
    table = README[README.index("## Configuration"):]
    undocumented = sorted(n for n in names if f"| `{n}` |" not in table)
    assert not undocumented, f"add these to the configuration table in README.md: {undocumented}"


def test_every_file_the_readme_links_to_exists():
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert local
    missing = sorted(t for t in local if not (ROOT / t).exists())
    assert not missing, f"README.md links to missing files: {missing}"


def test_the_quick_start_is_exactly_the_two_commands():
    start = README.index("## Quick start")
    block = re.search(r"```sh\n(.*?)```", README[start:], flags=re.S).group(1)
    assert block.split("\n")[:-1] == ["python3 run.py demo", "python3 run.py test"]
