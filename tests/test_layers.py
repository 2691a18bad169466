"""The layers of docs/architecture.md hold: import-linter's contract in pyproject.toml, run as
CI and ``make lint`` run it, fails the suite when a module imports upward."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
LAYERS = [
    "config",
    "opendata | alerts",
    "reviews",
    "findings",
    "complaints",
    "guardians | committees",
    "contracts",
    "workspace",
    "territory",
    "accounts",
    "audit",
    "core",
]

UPWARD = """

def _upward():
    from accounts import selectors

    return selectors
"""


def _contract() -> tuple[dict, dict]:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = options["contracts"]
    return options, contract


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contract_lists_every_app_in_its_layer_and_ignores_only_the_tests():
    options, contract = _contract()
    assert contract["type"] == "layers"
    assert contract["layers"] == LAYERS
    apps = {app.strip() for layer in LAYERS for app in layer.split("|")}
    assert set(options["root_packages"]) == apps
    # Only the apps' own test packages may reach anywhere: no import of the code is excused.
    assert contract["ignore_imports"] == ["**.tests.** -> **"]


def test_the_code_imports_downward_only():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The same check on a copy of the code in which core reaches up into accounts, lazily,
    inside a function: lint-imports fails and names the import."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    options, _contract_options = _contract()
    for package in options["root_packages"]:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("templates", "static", "locale", "__pycache__"),
        )
    with (tmp_path / "core" / "client_ip.py").open("a") as module:
        module.write(UPWARD)
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "core is not allowed to import accounts" in result.stdout
    assert "core.client_ip -> accounts.selectors" in result.stdout
