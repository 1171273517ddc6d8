"""The names of the catalogue's cases (CONFIGURATION_GUIDE.md's "Mistakes and their messages" table
lists each; ``tests/test_mistakes.py`` checks it), from this package's tables and the tests elsewhere."""

from __future__ import annotations

from tests.mistakes.cli import ROOT
from tests.mistakes.test_config import CONFIG_LINES, IMPORT_LINES, RUN_DIR_LINES
from tests.mistakes.test_endings import ENDINGS
from tests.mistakes.test_models import MODEL_LINES
from tests.mistakes.test_modes import MODE_LINES
from tests.mistakes.test_resume_disk import DISK_FULL_LINES, RESUME_LINES
from tests.mistakes.test_runtime import DATA_LINES, RUNTIME_LINES

#: Catalogue cases whose test lives next to the code it covers: mistake → that test.
TESTED_ELSEWHERE = {
    "a secret in the W&B notes": "tests/observers/test_training_run.py::test_no_secret_reaches_any_file_of_the_run_dir",
    "two runs into one dir at once": "tests/mistakes/test_endings.py::test_a_second_run_into_a_running_jobs_dir",
    "non-ASCII run dir name": "tests/mistakes/test_config.py::test_a_non_ascii_run_dir_name",
}


def catalogued() -> list[str]:
    """The names of the package's cases (CONFIGURATION_GUIDE.md's table lists each)."""
    cases = [
        *CONFIG_LINES,
        *IMPORT_LINES,
        *RUNTIME_LINES,
        *DATA_LINES,
        *RESUME_LINES,
        *DISK_FULL_LINES,
        *MODEL_LINES,
        *MODE_LINES,
        *RUN_DIR_LINES,
        *ENDINGS,
    ]
    return [c[0] for c in cases] + list(TESTED_ELSEWHERE)


def test_the_cases_tested_elsewhere_exist() -> None:
    for test in TESTED_ELSEWHERE.values():
        path, name = test.split("::")
        assert f"def {name}(" in (ROOT / path).read_text(), test
