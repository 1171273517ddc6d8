"""The command line as the catalogue runs it: the real ``run_pipeline.py``, offline, no time limit.

A loaded machine makes a case slower, never wrong: nothing here waits with a clock.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from rlvr.config import normalise_overrides
from tests.modes.test_train import tiny_model_overrides
from tests.waiting_components import WAITING

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = str(ROOT / "run_pipeline.py")
OFFLINE = {**os.environ, "HF_HUB_OFFLINE": "1"}

#: User modules for the custom-reward cases: name → source.
USER_MODULES = {
    "bad_syntax": "def score(completion, answer):\n    return 1.0\n    )\n",
    "missing_dep": "import not_installed_pkg_xyz\n\n\ndef score(completion, answer):\n    return 0.0\n",
    "raises_on_import": 'raise RuntimeError("no config file found")\n',
    "odd_rewards": (
        "import sys\nimport time\n\n\ndef unscored(completion):\n    return None\n\n\n"
        "def exits(completion):\n    sys.exit(3)\n\n\ndef slow(completion):\n    time.sleep(3)\n    return 1.0\n"
    ),
}


def write_user_modules(folder: Path) -> None:
    """The user modules above as ``.py`` files in ``folder`` (put it on ``PYTHONPATH``)."""
    for name, source in USER_MODULES.items():
        (folder / f"{name}.py").write_text(source)


def file_size_limit(limit: int | None) -> Callable[[], None]:
    """A ``preexec_fn`` for the child: writes past ``limit`` bytes fail with EFBIG, as on a full disk."""

    def limited() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


def tiny_args(model_dir: Path, run_dir: Path, *extra: str) -> list[str]:
    """A one-step run of the tiny model with a small evaluation, into ``run_dir``."""
    return normalise_overrides(
        [
            *tiny_model_overrides(model_dir),
            "train.max_steps=1",
            "eval.max_samples=2",
            "eval.batch_size=2",
            "eval.max_new_tokens=8",
            "eval.samples_per_problem=0",
            "observer.plots=false",
            f"hydra.run.dir={run_dir}",
            *extra,
        ]
    )


def start_cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """``run_pipeline.py args`` started offline from the project root, its output piped as text."""
    return subprocess.Popen(
        [sys.executable, SCRIPT, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**OFFLINE, **(env or {})},
    )


def run_cli(args: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``run_pipeline.py args`` run offline to its end in ``cwd``, its output captured as text."""
    return subprocess.run(
        [sys.executable, SCRIPT, *args], cwd=cwd, capture_output=True, text=True, env=OFFLINE
    )


def run_until(
    args: list[str], send: signal.Signals | None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run the command line; send ``send`` once the run says it waits for it."""
    process = start_cli(args, env)
    seen = []
    if send is not None:
        for line in process.stdout:
            seen.append(line)
            if line.startswith(WAITING):
                process.send_signal(send)
                break
    stdout, stderr = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, "".join(seen) + stdout, stderr)
